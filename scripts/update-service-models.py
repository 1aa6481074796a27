#!/usr/bin/env python3
"""Regenerates test/contracts/service-models/ from botocore's service models.

botocore (PyPI) ships every AWS API's Smithy-derived model as service-2.json: each operation's
input and output shapes, their constraints and the errors it may raise. The fakes behind our
tests validate requests against these files, so they answer the way AWS does. Only the
operations this project calls are kept, and documentation strings are dropped, so the copy stays
small; tests read the committed copy and `npm test` never reaches a registry.

Usage: python3 scripts/update-service-models.py [BOTOCORE_VERSION]
It downloads the botocore wheel with pip (no install), reads the models from it, and rewrites the
files. Then run `npm run format` and `npm test`: the contract suite fails if a runtime SDK call is not in a model.
"""
import gzip
import json
import pathlib
import sys

from pypi_wheel import open_wheel

BOTOCORE_VERSION = "1.44.5"

# Every operation the runtime, the dynamic providers and the Lambda call (a test checks that each
# SDK command used under runtime/ is here), and the few the program's resources stand for.
OPERATIONS = {
    ("appstream", "2016-12-01"): [
        "CreateUpdatedImage",
        "CreateUsageReportSubscription",
        "DeleteImage",
        "DeleteUsageReportSubscription",
        "DescribeFleets",
        "DescribeImageBuilders",
        "DescribeImagePermissions",
        "DescribeImages",
        "DescribeUsageReportSubscriptions",
        "ListTagsForResource",
        "TagResource",
        "UpdateFleet",
    ],
    ("athena", "2017-05-18"): ["GetQueryExecution", "GetQueryResults", "StartQueryExecution"],
    # Not called by the runtime: the CloudWatch alarms and dashboard fleet insights declares as
    # Pulumi resources, whose inputs are checked against the API the provider sends them to.
    ("cloudwatch", "2010-08-01"): ["PutDashboard", "PutMetricAlarm"],
    ("resourcegroupstaggingapi", "2017-01-26"): ["GetResources"],
    ("s3", "2006-03-01"): ["GetObject", "PutObject"],
    ("service-quotas", "2019-06-24"): ["GetServiceQuota"],
    ("ses", "2010-12-01"): ["SendEmail"],
}

OUT_DIR = pathlib.Path(__file__).resolve().parent.parent / "test" / "contracts" / "service-models"


def strip_docs(value):
    """Drops documentation strings, which are most of a model's size and none of its contract."""
    if isinstance(value, dict):
        return {k: strip_docs(v) for k, v in value.items() if k != "documentation"}
    if isinstance(value, list):
        return [strip_docs(v) for v in value]
    return value


def reachable_shapes(shapes, roots):
    """Names of the shapes reachable from `roots` through members, list members and map keys/values."""
    seen = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        refs = [m["shape"] for m in shape.get("members", {}).values()]
        refs += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
        stack.extend(refs)
    return seen


def trim(model, operations):
    ops = {name: model["operations"][name] for name in operations}
    roots = []
    for op in ops.values():
        roots += [op[k]["shape"] for k in ("input", "output") if k in op]
        roots += [e["shape"] for e in op.get("errors", [])]
    keep = reachable_shapes(model["shapes"], roots)
    return {
        "metadata": model["metadata"],
        "operations": strip_docs(ops),
        "shapes": strip_docs({name: model["shapes"][name] for name in sorted(keep)}),
    }


def main():
    version = sys.argv[1] if len(sys.argv) > 1 else BOTOCORE_VERSION
    with open_wheel("botocore", version) as archive:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        for (service, api_version), operations in OPERATIONS.items():
            member = f"botocore/data/{service}/{api_version}/service-2.json.gz"
            model = json.loads(gzip.decompress(archive.read(member)))
            trimmed = trim(model, operations)
            trimmed = {"source": {"package": "botocore", "version": version, "file": member}, **trimmed}
            target = OUT_DIR / f"{service}-{api_version}.json"
            target.write_text(json.dumps(trimmed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"{target.relative_to(OUT_DIR.parent.parent.parent)}: {len(operations)} operations, "
                  f"{len(trimmed['shapes'])} shapes, botocore {version}")


if __name__ == "__main__":
    main()
