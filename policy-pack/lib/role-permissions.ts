/**
 * Everything that gives a role permissions, gathered from the whole stack: inline policies on the
 * role, RolePolicy resources, managed policies attached any of the five ways, and the policy names
 * and ARNs the Exclusive resources keep. Policies check the result, so every attachment path is
 * covered in one place.
 */
import { ParsedDocument, grantsAction, parseDocument } from "./iam-statements";
import { Unknown, isPlainObject, isUnknown } from "./plain-values";
import { StackResource, describeResource, isOfType, ofType, stringProp } from "./stack-resources";

/** One thing that grants the role permissions. */
export interface PermissionSource {
    /** For messages, e.g. `RolePolicy "extra"` or `managed policy arn:aws:iam::aws:policy/ReadOnlyAccess`. */
    readonly label: string;
    /** The resource that attaches it, for the violation's URN. */
    readonly urn: string;
    /** The document, when the stack defines it. */
    readonly document?: ParsedDocument;
    /** Why its permissions cannot be read from the stack, when they cannot. */
    readonly unverifiable?: string;
    /** The value that is not known yet, during preview. */
    readonly unknown?: Unknown;
}

export interface RolePermissions {
    readonly role: StackResource;
    readonly label: string;
    readonly sources: PermissionSource[];
}

/** Resources whose link to a role cannot be known yet (preview), so they may belong to any role. */
export interface UnlinkedAttachment {
    readonly resource: StackResource;
    readonly unknown: Unknown;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function roleName(role: StackResource): string | undefined {
    const name = role.props.name ?? role.props.roleName;
    return typeof name === "string" ? name : undefined;
}

/** Whether a role reference (name, id or ARN, as RolePolicy and friends accept) names this role. */
function refersTo(reference: string, role: StackResource): boolean {
    const name = roleName(role);
    const arn = role.props.arn;
    if (reference === arn || reference === role.props.id) return true;
    if (!name) return false;
    return reference === name || (reference.startsWith("arn:") && reference.endsWith(`/${name}`));
}

function managedSource(arn: unknown, via: StackResource, resources: StackResource[]): PermissionSource {
    const label = (text: string) => `managed policy ${text} (attached by ${describeResource(via)})`;
    if (isUnknown(arn)) return { label: label("whose ARN is not known yet"), urn: via.urn, unknown: arn };
    const text = String(arn);
    const defined = ofType(resources, "managedPolicy", "nativeManagedPolicy").find(
        (p) => p.props.arn === text || p.props.policyArn === text || p.props.id === text,
    );
    if (defined) {
        const document = parseDocument(defined.props.policy ?? defined.props.policyDocument);
        return { label: label(`${text}, ${describeResource(defined)}`), urn: via.urn, document };
    }
    const awsManaged = /^arn:[^:]+:iam::aws:policy\//.test(text);
    return {
        label: label(text),
        urn: via.urn,
        unverifiable: awsManaged
            ? "it is an AWS managed policy, whose permissions AWS sets and changes"
            : "it is not defined in this stack, so its permissions cannot be read",
    };
}

function inlineSource(label: string, urn: string, document: unknown): PermissionSource {
    const parsed = parseDocument(document);
    return { label, urn, document: parsed, unknown: parsed.kind === "unknown" ? parsed.unknown : undefined };
}

/** Roles of the stack, each with every source of its permissions, plus attachments whose role is not known yet. */
export function rolePermissions(resources: StackResource[]): {
    roles: RolePermissions[];
    unlinked: UnlinkedAttachment[];
} {
    const unlinked: UnlinkedAttachment[] = [];
    // A reference that is not known yet (preview) names the role whose output it comes from, as the
    // engine's property dependencies record it: so a violation is found before anything is created.
    // Without such a dependency it could point at any role: remember it once, match nothing.
    const matches = (resource: StackResource, property: string, reference: unknown, role: StackResource): boolean => {
        const ref = stringProp(reference);
        if (isUnknown(ref)) {
            if (resource.propertyDependencies?.[property]?.includes(role.urn)) return true;
            if (!unlinked.some((u) => u.resource === resource)) unlinked.push({ resource, unknown: ref });
            return false;
        }
        return ref !== undefined && refersTo(ref, role);
    };

    const unlinkedNamed = (name: string) =>
        unlinked.find((u) => (u.resource.props.name ?? u.resource.props.policyName) === name);

    const roles = ofType(resources, "role", "nativeRole").map((role): RolePermissions => {
        const sources: PermissionSource[] = [];
        const native = isOfType(role, "nativeRole");
        for (const [i, inline] of list(native ? role.props.policies : role.props.inlinePolicies).entries()) {
            if (isUnknown(inline)) {
                sources.push({ label: `inline policy ${i + 1} of the role`, urn: role.urn, unknown: inline });
                continue;
            }
            const entry = isPlainObject(inline) ? inline : {};
            const name = entry.name ?? entry.policyName ?? i + 1;
            // An inline policy entry with no document removes nothing and grants nothing.
            if (entry.policy === undefined && entry.policyDocument === undefined) continue;
            sources.push(
                inlineSource(
                    `inline policy "${String(name)}" of the role`,
                    role.urn,
                    entry.policy ?? entry.policyDocument,
                ),
            );
        }
        for (const arn of list(role.props.managedPolicyArns)) sources.push(managedSource(arn, role, resources));

        const definedInline = new Set<string>(
            list(native ? role.props.policies : role.props.inlinePolicies)
                .map((p) => (isPlainObject(p) ? (p.name ?? p.policyName) : undefined))
                .filter((n): n is string => typeof n === "string"),
        );
        for (const r of ofType(resources, "rolePolicy", "nativeRolePolicy")) {
            const property = isOfType(r, "rolePolicy") ? "role" : "roleName";
            if (!matches(r, property, r.props[property], role)) continue;
            const name = r.props.name ?? r.props.policyName;
            if (typeof name === "string") definedInline.add(name);
            sources.push(inlineSource(describeResource(r), r.urn, r.props.policy ?? r.props.policyDocument));
        }
        for (const r of ofType(resources, "rolePolicyAttachment")) {
            if (matches(r, "role", r.props.role, role)) sources.push(managedSource(r.props.policyArn, r, resources));
        }
        for (const r of ofType(resources, "policyAttachment")) {
            const roleRefs = list(r.props.roles);
            if (roleRefs.some((ref) => matches(r, "roles", ref, role)))
                sources.push(managedSource(r.props.policyArn, r, resources));
        }
        for (const r of ofType(resources, "rolePolicyAttachmentsExclusive")) {
            if (!matches(r, "roleName", r.props.roleName, role)) continue;
            for (const arn of list(r.props.policyArns)) sources.push(managedSource(arn, r, resources));
        }
        for (const r of ofType(resources, "rolePoliciesExclusive")) {
            if (!matches(r, "roleName", r.props.roleName, role)) continue;
            for (const name of list(r.props.policyNames)) {
                if (isUnknown(name)) {
                    sources.push({
                        label: `an inline policy kept by ${describeResource(r)}`,
                        urn: r.urn,
                        unknown: name,
                    });
                } else if (definedInline.has(String(name))) {
                    continue;
                } else if (unlinkedNamed(String(name))) {
                    // Probably a RolePolicy whose role is not known yet: wait for `up`.
                    sources.push({
                        label: `inline policy "${String(name)}" (kept by ${describeResource(r)})`,
                        urn: r.urn,
                        unknown: unlinkedNamed(String(name))!.unknown,
                    });
                } else {
                    sources.push({
                        label: `inline policy "${String(name)}" (kept by ${describeResource(r)})`,
                        urn: r.urn,
                        unverifiable: "it is not defined in this stack, so its permissions cannot be read",
                    });
                }
            }
        }
        return { role, label: describeResource(role), sources };
    });
    return { roles, unlinked };
}

/**
 * Whether `service` may assume the role: an Allow of sts:AssumeRole to that service principal, to
 * `*`, or through NotPrincipal. Unknown while the trust policy is not known.
 */
export function assumableBy(role: StackResource, service: string): boolean | Unknown {
    const trust = parseDocument(
        isOfType(role, "nativeRole") ? role.props.assumeRolePolicyDocument : role.props.assumeRolePolicy,
    );
    if (trust.kind === "unknown") return trust.unknown;
    if (trust.kind === "invalid") return false;
    return trust.statements.some((s) => {
        if (!grantsAction(s, "sts:AssumeRole")) return false;
        if (s.notPrincipal || s.principals === "*") return true;
        const principals = s.principals ?? {};
        const named = (key: string) =>
            Object.entries(principals)
                .filter(([k]) => k.toLowerCase() === key)
                .flatMap(([, v]) => v.map((p) => p.toLowerCase()));
        return named("service").includes(service.toLowerCase()) || named("aws").includes("*");
    });
}
