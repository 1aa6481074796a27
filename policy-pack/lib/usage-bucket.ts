import { Unknown, isPlainObject, isUnknown } from "./plain-values";
import { StackResource, ofType } from "./stack-resources";

/**
 * How the pack recognizes the usage bucket UsagePipeline makes: it carries this tag. The program
 * sets it from its own copy of the constant, and a test keeps the two equal (the pack is published
 * on its own, so it cannot import the program).
 */
export const USAGE_BUCKET_TAG = { key: "appstream-ops:purpose", value: "session-usage-records" } as const;

/** Names of the usage buckets in the stack, or the Unknown standing in for one not named yet. */
export function usageBuckets(resources: StackResource[]): (string | Unknown)[] {
    return ofType(resources, "bucket")
        .filter((b) => {
            const tags = b.props.tags;
            return isPlainObject(tags) && tags[USAGE_BUCKET_TAG.key] === USAGE_BUCKET_TAG.value;
        })
        .map((b) => (isUnknown(b.props.bucket) ? b.props.bucket : String(b.props.bucket)));
}
