/**
 * The tag that marks the usage bucket. The policy pack finds the bucket the script role may write
 * to by this tag; it keeps its own copy (it is published alone), and a test keeps the two equal.
 */
export const USAGE_BUCKET_TAG = { key: "appstream-ops:purpose", value: "session-usage-records" } as const;
