import { StackValidationPolicy } from "@pulumi/policy";
import { Statement, describeStatement, grantsAction, hasWildcard } from "../lib/iam-statements";
import { isPlainObject } from "../lib/plain-values";
import { rolePermissions } from "../lib/role-permissions";
import { StackResource, reportDeferred, stackResources } from "../lib/stack-resources";
import { DIGEST_ROLE_TAG } from "../lib/usage-digest-role";
import { usageBuckets } from "../lib/usage-bucket";

/**
 * What the usage digest does (README, "The usage digest email"): run Athena queries, read Glue and
 * the tables' objects, write query results, describe fleets, log, send one email. Nothing else.
 */
const DIGEST_ACTIONS = [
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetPartitions",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:GetBucketLocation",
    "s3:PutObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
    "s3:ListBucketMultipartUploads",
    "appstream:DescribeFleets",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "ses:SendEmail",
];
/** Writes the digest makes only to Athena's results, never to the usage records. */
const WRITES = ["s3:PutObject", "s3:AbortMultipartUpload"];
const S3_OBJECT = /^arn:aws(?:-[a-z]+)*:s3:::([^/]*)\//;

function tagged(role: StackResource): boolean {
    const tags = role.props.tags;
    if (isPlainObject(tags)) return tags[DIGEST_ROLE_TAG.key] === DIGEST_ROLE_TAG.value;
    // aws-native: a list of { key, value }.
    return (
        Array.isArray(tags) &&
        tags.some((t) => isPlainObject(t) && t.key === DIGEST_ROLE_TAG.key && t.value === DIGEST_ROLE_TAG.value)
    );
}

function problemsOf(statement: Statement, usageBucketNames: string[]): string[] {
    const problems: string[] = [];
    if (statement.notActions.length > 0) problems.push(`uses NotAction, which grants every other action`);
    for (const action of statement.actions) {
        const known = DIGEST_ACTIONS.some((a) => a.toLowerCase() === action.toLowerCase());
        if (!known) problems.push(hasWildcard(action) ? `grants the wildcard "${action}"` : `grants "${action}"`);
    }
    if (statement.notResources.length > 0) problems.push(`uses NotResource, which covers every other resource`);
    const writes = WRITES.filter((w) => grantsAction(statement, w));
    for (const resource of writes.length > 0 ? statement.resources : []) {
        const bucket = S3_OBJECT.exec(resource)?.[1];
        if (bucket === undefined || hasWildcard(bucket)) {
            problems.push(`may write (${writes.join(", ")}) to "${resource}", not one results bucket's objects`);
        } else if (usageBucketNames.includes(bucket)) {
            problems.push(`may write (${writes.join(", ")}) to "${resource}", the usage records`);
        }
    }
    return problems;
}

/** Checks whether the usage digest's role only reads, queries, logs and sends its email. */
export const usageDigestReadOnly: StackValidationPolicy = {
    name: "appstream-usage-digest-read-only",
    description: `Checks whether the usage digest's role (tagged ${DIGEST_ROLE_TAG.key}=${DIGEST_ROLE_TAG.value}) holds only what the digest does: Athena queries, Glue and S3 reads, writes to the query results (never to the usage records), DescribeFleets, its logs and SendEmail.`,
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        // While a name is not known yet (preview), that bucket cannot be matched.
        const usageBucketNames = usageBuckets(resources).filter((b): b is string => typeof b === "string");
        for (const { role, label, sources } of rolePermissions(resources).roles) {
            if (!tagged(role)) continue;
            for (const source of sources) {
                if (source.unknown)
                    reportDeferred(reportViolation, `${source.label} of ${label}`, source.unknown, source.urn);
                if (source.document?.kind !== "parsed") continue;
                for (const statement of source.document.statements) {
                    if (!statement.allow) continue;
                    const problems = problemsOf(statement, usageBucketNames);
                    if (problems.length > 0) {
                        reportViolation(
                            `${label}: ${source.label} ${describeStatement(statement)} ${problems.join("; ")}: the usage digest only reads, queries and reports.`,
                            source.urn,
                        );
                    }
                }
            }
        }
    },
};
