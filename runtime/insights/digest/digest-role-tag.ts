/**
 * How the policy pack recognizes the usage digest's role (its guardrail
 * appstream-usage-digest-read-only): the role carries this tag. The pack keeps its own copy
 * (policy-pack/lib/usage-digest-role.ts); a test keeps the two equal.
 */
export const DIGEST_ROLE_TAG = { key: "appstream-ops:purpose", value: "usage-digest" } as const;
