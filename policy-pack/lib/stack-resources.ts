import { ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { Unknown, isUnknown, plainValues } from "./plain-values";

/** Type tokens the pack reads. Legacy tokens stay so that older stacks are checked too. */
export const TYPES = {
    bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    bucketPublicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    accountPublicAccessBlock: ["aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"],
    bucketEncryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    role: ["aws:iam/role:Role"],
    nativeRole: ["aws-native:iam:Role"],
    rolePolicy: ["aws:iam/rolePolicy:RolePolicy"],
    nativeRolePolicy: ["aws-native:iam:RolePolicy"],
    rolePolicyAttachment: ["aws:iam/rolePolicyAttachment:RolePolicyAttachment"],
    policyAttachment: ["aws:iam/policyAttachment:PolicyAttachment"],
    rolePoliciesExclusive: ["aws:iam/rolePoliciesExclusive:RolePoliciesExclusive"],
    rolePolicyAttachmentsExclusive: ["aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"],
    managedPolicy: ["aws:iam/policy:Policy"],
    nativeManagedPolicy: ["aws-native:iam:ManagedPolicy"],
    stateMachine: ["aws:sfn/stateMachine:StateMachine"],
    nativeStateMachine: ["aws-native:stepfunctions:StateMachine"],
} as const;

export type TypeGroup = keyof typeof TYPES;

/** A stack resource with its properties copied into plain values (see `plainValues`). */
export interface StackResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Record<string, unknown>;
    /**
     * The URNs each property's value comes from, as the engine records them. During a preview a
     * reference to another resource's output is unknown, but this still says which resource it is.
     */
    readonly propertyDependencies?: Record<string, readonly string[]>;
}

/** A resource as the engine shows it to a policy (the stack's resources, or one being created). */
export function toStackResource(r: {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    propertyDependencies?: Record<string, { urn: string }[]>;
}): StackResource {
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: plainValues(r.props) as Record<string, unknown>,
        propertyDependencies: Object.fromEntries(
            Object.entries(r.propertyDependencies ?? {}).map(([property, resources]) => [
                property,
                resources.map((d) => d.urn),
            ]),
        ),
    };
}

export function stackResources(args: StackValidationArgs): StackResource[] {
    return args.resources.map(toStackResource);
}

export function isOfType(resource: { type: string }, group: TypeGroup): boolean {
    return (TYPES[group] as readonly string[]).includes(resource.type);
}

export function ofType(resources: StackResource[], ...groups: TypeGroup[]): StackResource[] {
    return resources.filter((r) => groups.some((g) => isOfType(r, g)));
}

/** `aws:iam/rolePolicy:RolePolicy "usage-script-put-records"` → `RolePolicy "usage-script-put-records"`. */
export function describeResource(resource: { type: string; name: string }): string {
    return `${resource.type.split(":").pop()} "${resource.name}"`;
}

export const DEFERRED_PREFIX = "Not checked during preview:";

/**
 * Reports a check that needs a value Pulumi does not know yet. It is advisory, so that a preview
 * never fails on it, and says that `pulumi up` checks it again once the value is known.
 */
export function reportDeferred(report: ReportViolation, what: string, unknown: Unknown, urn?: string): void {
    // The reporter also takes a violation object that overrides the enforcement level (1.21 types
    // declare only the string form).
    (report as unknown as (violation: object) => void)({
        message: `${DEFERRED_PREFIX} ${what} (${unknown.path || "a value"} is not known until the resources it depends on exist). pulumi up checks it again with the real value.`,
        enforcementLevel: "advisory",
        urn,
    });
}

/** A string property, or the Unknown standing in for it, or undefined. */
export function stringProp(value: unknown): string | Unknown | undefined {
    if (isUnknown(value)) return value;
    return typeof value === "string" ? value : undefined;
}
