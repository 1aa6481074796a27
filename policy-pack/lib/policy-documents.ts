/**
 * Where resources carry IAM policy documents, for checks that look at every document in the stack
 * whatever it is attached to. Trust policies are left out: they grant nothing to the role.
 */
import { isPlainObject, isUnknown } from "./plain-values";

const DOCUMENT_PROPERTIES: Record<string, (props: Record<string, unknown>) => [string, unknown][]> = {
    "aws:iam/policy:Policy": (p) => [["policy", p.policy]],
    "aws:iam/rolePolicy:RolePolicy": (p) => [["policy", p.policy]],
    "aws:iam/userPolicy:UserPolicy": (p) => [["policy", p.policy]],
    "aws:iam/groupPolicy:GroupPolicy": (p) => [["policy", p.policy]],
    "aws:s3/bucketPolicy:BucketPolicy": (p) => [["policy", p.policy]],
    "aws:iam/role:Role": (p) => inlineEntries(p.inlinePolicies, "policy"),
    "aws-native:iam:ManagedPolicy": (p) => [["policyDocument", p.policyDocument]],
    "aws-native:iam:RolePolicy": (p) => [["policyDocument", p.policyDocument]],
    "aws-native:iam:Role": (p) => inlineEntries(p.policies, "policyDocument"),
};

function inlineEntries(entries: unknown, field: string): [string, unknown][] {
    if (isUnknown(entries)) return [["inline policies", entries]];
    if (!Array.isArray(entries)) return [];
    return entries.map((entry, i): [string, unknown] => {
        const name = isPlainObject(entry) ? (entry.name ?? entry.policyName ?? i + 1) : i + 1;
        return [`inline policy "${String(name)}"`, isPlainObject(entry) ? entry[field] : entry];
    });
}

/** The policy documents a resource carries, each with a label, or none when its type has none. */
export function policyDocumentsOf(type: string, props: Record<string, unknown>): [string, unknown][] {
    const read = DOCUMENT_PROPERTIES[type];
    return read ? read(props).filter(([, document]) => document !== undefined) : [];
}
