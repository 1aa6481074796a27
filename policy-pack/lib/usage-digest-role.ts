/**
 * How the pack recognizes the role of the usage digest UsageDigest makes: it carries this tag. The
 * program sets it from its own copy of the constant, and a test keeps the two equal (the pack is
 * published on its own, so it cannot import the program).
 */
export const DIGEST_ROLE_TAG = { key: "appstream-ops:purpose", value: "usage-digest" } as const;
