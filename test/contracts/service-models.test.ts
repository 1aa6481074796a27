/**
 * The committed botocore models, the validator that judges every fake by them, and the runtime's
 * own copies of AWS's rules (tag keys and values, email addresses) held to the models and docs.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import {
    MAX_TAG_KEY_LENGTH,
    MAX_TAG_VALUE_LENGTH,
    TAG_KEY_PATTERN,
    TAG_VALUE_PATTERN,
    isEmailAddress,
    isTagKey,
    isTagValue,
} from "../../runtime/image-update/run/run-settings";
import { expectModelRefusals } from "../helpers/contract-hooks";
import { sesAcceptsAddress } from "../helpers/fake-appstream";
import { PROJECT_ROOT } from "../helpers/program";
import { sdkCallsInRuntime } from "../helpers/sdk-calls";
import {
    MODEL_FILES,
    ServiceName,
    VALIDATION_ERROR,
    contractLog,
    modelChecked,
    modelPattern,
    serviceModel,
    shapeViolations,
} from "../helpers/service-model";

const SCRIPT = fs.readFileSync(path.join(PROJECT_ROOT, "scripts", "update-service-models.py"), "utf8");

describe("AWS service models (botocore, committed under test/contracts/service-models)", () => {
    it("come from the botocore version the regeneration script pins", () => {
        const pinned = /^BOTOCORE_VERSION = "([^"]+)"$/m.exec(SCRIPT)?.[1];
        for (const service of Object.keys(MODEL_FILES) as ServiceName[]) {
            const model = serviceModel(service);
            assert.strictEqual(model.source.package, "botocore");
            assert.strictEqual(model.source.version, pinned, service);
        }
        assert.strictEqual(serviceModel("appstream").metadata.serviceId, "AppStream");
        assert.strictEqual(serviceModel("ses").metadata.serviceId, "SES");
        assert.strictEqual(serviceModel("servicequotas").metadata.serviceId, "Service Quotas");
        assert.strictEqual(serviceModel("tag").metadata.serviceId, "Resource Groups Tagging API");
        assert.strictEqual(serviceModel("s3").metadata.serviceId, "S3");
    });

    it("hold every operation the runtime calls", () => {
        const calls = sdkCallsInRuntime();
        assert.ok(calls.length >= 10, `only ${calls.length} calls found`);
        const missing = calls
            .filter(
                (c) => !(c.service in MODEL_FILES) || !serviceModel(c.service as ServiceName).operations[c.operation],
            )
            .map((c) => `${c.action} (${c.file})`);
        assert.deepStrictEqual(missing, []);
    });

    describe("the validator refuses what AWS refuses (negative controls)", () => {
        const model = serviceModel("appstream");
        const cases: [string, string, unknown, RegExp][] = [
            [
                "a missing required member",
                "TagResourceRequest",
                { Tags: { a: "b" } },
                /ResourceArn: required member is missing/,
            ],
            [
                "an unknown member",
                "DescribeImagesRequest",
                { Name: "x" },
                /Name: not a member of DescribeImagesRequest/,
            ],
            [
                "a number over its maximum",
                "DescribeImagesRequest",
                { MaxResults: 26 },
                /MaxResults: value 26 is above the maximum 25/,
            ],
            [
                "a value outside its enum",
                "DescribeImagesRequest",
                { Type: "private" },
                /"private" is not one of PUBLIC, PRIVATE, SHARED/,
            ],
            [
                "a string against its pattern",
                "CreateUpdatedImageRequest",
                { existingImageName: "Office", newImageName: "-Office" },
                /newImageName: "-Office" does not match the pattern/,
            ],
            [
                "a string over its length",
                "CreateUpdatedImageRequest",
                { existingImageName: "a", newImageName: "b", newImageDisplayName: "x".repeat(101) },
                /newImageDisplayName: length 101 is above the maximum 100/,
            ],
            [
                "a map over its size",
                "TagResourceRequest",
                {
                    ResourceArn: "arn:aws:appstream:eu-west-1:123456789012:image/x",
                    Tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])),
                },
                /Tags: map size 51 is above the maximum 50/,
            ],
            [
                "a reserved tag key",
                "TagResourceRequest",
                { ResourceArn: "arn:aws:appstream:eu-west-1:123456789012:image/x", Tags: { "aws:x": "v" } },
                /key "aws:x"/,
            ],
            ["a wrong type", "DescribeImagesRequest", { Names: "Office" }, /Names: expected a list/],
        ];
        for (const [title, shape, value, expected] of cases) {
            it(title, () => assert.match(shapeViolations(model, shape, value).join("\n"), expected));
        }

        it("a request that breaks the model gets ValidationError, as AWS answers it", async () => {
            expectModelRefusals();
            const fake = modelChecked("appstream", "DescribeImages", async () => ({ Images: [] }));
            await assert.rejects(fake({ MaxResults: 100 }), { name: VALIDATION_ERROR });
            assert.strictEqual(contractLog.refused.length, 1);
        });

        it("a fake that raises an error the operation cannot raise is caught", async () => {
            const broken = modelChecked("appstream", "ListTagsForResource", async () => {
                throw Object.assign(new Error("nope"), { name: "IncompatibleImageException" });
            });
            await assert.rejects(broken({ ResourceArn: "arn:aws:appstream:eu-west-1:123456789012:image/x" }));
            assert.match(
                contractLog.fakeViolations.join("\n"),
                /ListTagsForResource raised IncompatibleImageException/,
            );
            contractLog.fakeViolations.length = 0;
        });

        it("a fake that answers outside the output shape is caught", async () => {
            const broken = modelChecked("appstream", "DescribeImages", async () => ({
                Images: [{ Name: "x", State: "BROKEN" }],
            }));
            await broken({});
            assert.match(contractLog.fakeViolations.join("\n"), /"BROKEN" is not one of PENDING, AVAILABLE/);
            contractLog.fakeViolations.length = 0;
        });

        it("Java patterns are read as Java reads them", () => {
            assert.ok(modelPattern("^\\,a\\-b$").test(",a-b"));
            assert.ok(modelPattern("^[\\p{L}\\-]+$").test("Crème-brûlée"));
        });
    });

    describe("the runtime's copies of AWS's rules", () => {
        const model = serviceModel("appstream");

        it("tag keys and values follow AppStream's TagKey and TagValue shapes, character for character", () => {
            assert.deepStrictEqual(
                [TAG_KEY_PATTERN, MAX_TAG_KEY_LENGTH, TAG_VALUE_PATTERN, MAX_TAG_VALUE_LENGTH],
                [
                    model.shapes.TagKey.pattern,
                    model.shapes.TagKey.max,
                    model.shapes.TagValue.pattern,
                    model.shapes.TagValue.max,
                ],
            );
            const text = fc.string({
                unit: fc.constantFrom("a", "Z", "é", " ", ":", "/", "-", "@", "(", "!", "\n", "😀", "aws:"),
                maxLength: 140,
            });
            fc.assert(
                fc.property(text, (key) => isTagKey(key) === (shapeViolations(model, "TagKey", key).length === 0)),
                { numRuns: 500 },
            );
            fc.assert(
                fc.property(
                    text,
                    (value) => isTagValue(value) === (shapeViolations(model, "TagValue", value).length === 0),
                ),
                { numRuns: 500 },
            );
            // Only lowercase aws: is reserved, and the first character may be any.
            assert.deepStrictEqual(["AWS:team", "(Team", "aws:team"].map(isTagKey), [true, true, false]);
        });

        it("every address the config accepts is one SES accepts (7-bit ASCII, Punycode domains)", () => {
            const local = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,20}$/);
            const domain = fc.stringMatching(/^[a-z0-9-]{1,10}(\.[a-z0-9-]{1,10}){1,3}$/);
            const unicode = fc.constantFrom("ü", "é", "ß", "日本", "");
            fc.assert(
                fc.property(local, domain, unicode, (l, d, u) => {
                    const address = `${l}${u}@${d}`;
                    return !isEmailAddress(address) || sesAcceptsAddress(address);
                }),
                { numRuns: 2000 },
            );
            assert.deepStrictEqual(
                [
                    "ops@example.com",
                    "ops@xn--bcher-kva.de",
                    "jörg@example.com",
                    "ops@bücher.de",
                    "o ps@example.com",
                ].map(isEmailAddress),
                [true, true, false, false, false],
            );
        });
    });
});
