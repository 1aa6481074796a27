import { StackValidationPolicy } from "@pulumi/policy";
import { findUnknown, isPlainObject } from "../lib/plain-values";
import { StackResource, describeResource, ofType, reportDeferred, stackResources } from "../lib/stack-resources";

const BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const allBlocked = (props: Record<string, unknown>) => BLOCK_FLAGS.every((flag) => props[flag] === true);

/** Whether a rule list (inline on the bucket or on its encryption resource) sets default encryption. */
function setsDefaultEncryption(rules: unknown): boolean {
    const list = Array.isArray(rules) ? rules : [rules];
    return list.some((rule) => {
        const byDefault = isPlainObject(rule) ? rule.applyServerSideEncryptionByDefault : undefined;
        return isPlainObject(byDefault) && typeof byDefault.sseAlgorithm === "string" && byDefault.sseAlgorithm !== "";
    });
}

/**
 * Checks whether every S3 bucket of the stack (the usage, assets and Athena results buckets)
 * blocks public access, with all four settings on the bucket or the account, and sets default
 * encryption.
 */
export const bucketsPrivateAndEncrypted: StackValidationPolicy = {
    name: "appstream-buckets-private-and-encrypted",
    description:
        "Checks whether every S3 bucket in the stack blocks all public access and has default server-side encryption.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const accountBlocked = ofType(resources, "accountPublicAccessBlock").some((r) => allBlocked(r.props));
        const forBucket = (bucket: StackResource, group: "bucketPublicAccessBlock" | "bucketEncryption") =>
            ofType(resources, group).filter(
                (r) => r.props.bucket === bucket.props.bucket || r.props.bucket === bucket.props.id,
            );

        for (const bucket of ofType(resources, "bucket")) {
            const label = describeResource(bucket);
            // A protection whose bucket is not known yet may be this bucket's: wait for `up`.
            const unknown =
                findUnknown(bucket.props.bucket) ??
                ofType(resources, "bucketPublicAccessBlock", "bucketEncryption")
                    .map((r) => findUnknown(r.props.bucket))
                    .find((u) => u !== undefined);
            if (unknown) {
                reportDeferred(
                    reportViolation,
                    `the public access block and encryption of ${label}`,
                    unknown,
                    bucket.urn,
                );
                continue;
            }
            if (!accountBlocked && !forBucket(bucket, "bucketPublicAccessBlock").some((b) => allBlocked(b.props))) {
                reportViolation(
                    `${label} does not block public access: it needs a BucketPublicAccessBlock with ${BLOCK_FLAGS.join(", ")} all true.`,
                    bucket.urn,
                );
            }
            const inline = isPlainObject(bucket.props.serverSideEncryptionConfiguration)
                ? bucket.props.serverSideEncryptionConfiguration.rule
                : undefined;
            const encrypted =
                setsDefaultEncryption(inline) ||
                forBucket(bucket, "bucketEncryption").some((e) => setsDefaultEncryption(e.props.rules));
            if (!encrypted) {
                reportViolation(
                    `${label} has no default encryption: it needs a BucketServerSideEncryptionConfiguration with an sseAlgorithm.`,
                    bucket.urn,
                );
            }
        }
    },
};
