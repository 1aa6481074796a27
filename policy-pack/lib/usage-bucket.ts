/**
 * How the pack recognizes the usage bucket UsagePipeline makes: it carries this tag. The program
 * sets it from its own copy of the constant, and a test keeps the two equal (the pack is published
 * on its own, so it cannot import the program).
 */
export const USAGE_BUCKET_TAG = { key: "appstream-ops:purpose", value: "session-usage-records" } as const;
