import { StackValidationPolicy } from "@pulumi/policy";
import { Statement, describeStatement, hasWildcard } from "../lib/iam-statements";
import { Unknown, isUnknown } from "../lib/plain-values";
import { PermissionSource, assumableBy, rolePermissions } from "../lib/role-permissions";
import { StackResource, describeResource, reportDeferred, stackResources } from "../lib/stack-resources";
import { USAGE_BUCKET_TAG, usageBuckets } from "../lib/usage-bucket";

export const APPSTREAM_PRINCIPAL = "appstream.amazonaws.com";
const ALLOWED_ACTION = "s3:PutObject";
// Partition without wildcards, then bucket and key: arn:aws:s3:::bucket/key.
const S3_ARN = /^arn:aws(?:-[a-z]+)*:s3:::([^/]*)(\/.*)?$/;

/**
 * What is wrong with one Allow statement, as phrases; empty when it only writes usage records.
 * While the usage bucket's name is not known (preview), everything but the bucket is still checked,
 * and `needsBucket` says an object ARN waits for it.
 */
function statementProblems(
    statement: Statement,
    buckets: string[] | Unknown,
): { problems: string[]; needsBucket: boolean } {
    const problems: string[] = [];
    let needsBucket = false;
    if (statement.notActions.length > 0) {
        problems.push(`uses NotAction (${statement.notActions.join(", ")}), which grants every other action`);
    }
    for (const action of statement.actions) {
        if (action.toLowerCase() === ALLOWED_ACTION.toLowerCase()) continue;
        problems.push(hasWildcard(action) ? `grants the wildcard "${action}"` : `grants "${action}"`);
    }
    if (statement.notResources.length > 0) {
        problems.push(`uses NotResource (${statement.notResources.join(", ")}), which covers every other resource`);
    }
    for (const resource of statement.resources) {
        const arn = S3_ARN.exec(resource);
        if (!arn) {
            problems.push(
                resource === "*"
                    ? `applies to every resource ("*")`
                    : `applies to "${resource}", which is not an S3 object ARN`,
            );
        } else if (!arn[2] || arn[2] === "/") {
            problems.push(`applies to the bucket ARN "${resource}"; only objects in it may be written`);
        } else if (isUnknown(buckets)) {
            needsBucket = true;
        } else if (!buckets.includes(arn[1])) {
            const usage = buckets.length
                ? buckets.join(", ")
                : `no bucket in this stack is tagged ${USAGE_BUCKET_TAG.key}=${USAGE_BUCKET_TAG.value}`;
            problems.push(`applies to "${resource}", outside the usage bucket (${usage})`);
        }
    }
    return { problems, needsBucket };
}

/** A violation of the policy, or a check that waits for a value not known yet (preview). */
export interface ScriptRoleFinding {
    readonly urn: string;
    readonly message: string;
    readonly deferred?: { readonly what: string; readonly unknown: Unknown };
}

/**
 * Every finding for the roles AppStream can assume among `resources`: the whole stack, or (per
 * resource, as the engine creates them) the resources seen so far.
 */
export function scriptRoleFindings(resources: StackResource[]): ScriptRoleFinding[] {
    const findings: ScriptRoleFinding[] = [];
    const deferred = (what: string, unknown: Unknown, urn: string) =>
        findings.push({ urn, message: what, deferred: { what, unknown } });
    const { roles, unlinked } = rolePermissions(resources);
    const bucketNames = usageBuckets(resources);
    const unknownBucket = bucketNames.find(isUnknown);
    const buckets = unknownBucket ?? bucketNames.filter((b): b is string => !isUnknown(b));

    for (const { role, label, sources } of roles) {
        const assumable = assumableBy(role, APPSTREAM_PRINCIPAL);
        if (isUnknown(assumable)) {
            deferred(`whether AppStream can assume ${label}`, assumable, role.urn);
            continue;
        }
        if (!assumable) continue;
        const report = (source: PermissionSource, problem: string) =>
            findings.push({
                urn: source.urn,
                message: `${label} (assumable by AppStream): ${source.label} ${problem}.`,
            });
        for (const source of sources) {
            if (source.unknown) {
                deferred(`${source.label} of ${label}`, source.unknown, source.urn);
            } else if (source.unverifiable) {
                report(source, `cannot be allowed: ${source.unverifiable}`);
            } else if (source.document?.kind === "invalid") {
                report(source, `${source.document.reason}, so its permissions cannot be checked`);
            } else if (source.document?.kind === "parsed") {
                for (const statement of source.document.statements.filter((s) => s.allow)) {
                    const { problems, needsBucket } = statementProblems(statement, buckets);
                    for (const problem of problems) report(source, `${describeStatement(statement)} ${problem}`);
                    if (needsBucket && unknownBucket) {
                        deferred(`the resources of ${source.label} of ${label}`, unknownBucket, source.urn);
                    }
                }
            }
        }
    }
    for (const { resource, unknown } of unlinked) {
        deferred(`which role ${describeResource(resource)} applies to`, unknown, resource.urn);
    }
    return findings;
}

/**
 * Checks whether every role that AppStream can assume has no permission but s3:PutObject on
 * objects of the usage bucket. Session scripts run with this role on every streaming instance, so
 * anything more is available to every user session. During a preview a statement's actions are
 * checked even while the usage bucket's name is not known, so `pulumi up` stops before creating
 * anything; `appstream-script-role-put-object-only-as-created` checks each resource as it is created.
 */
export const scriptRolePutObjectOnly: StackValidationPolicy = {
    name: "appstream-script-role-put-object-only",
    description:
        "Checks whether every IAM role that appstream.amazonaws.com can assume may only s3:PutObject on objects of the UsagePipeline usage bucket.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const finding of scriptRoleFindings(stackResources(args))) {
            if (finding.deferred) {
                reportDeferred(reportViolation, finding.deferred.what, finding.deferred.unknown, finding.urn);
            } else {
                reportViolation(finding.message, finding.urn);
            }
        }
    },
};
