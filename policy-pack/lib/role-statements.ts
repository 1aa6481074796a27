/**
 * Every statement of every role's parsed permissions, for the policies that judge statements one
 * by one. Sources not known yet in a preview, and attachments whose role is not known yet, are
 * reported as deferred here, once, the same way for each such policy.
 */
import { ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { Statement } from "./iam-statements";
import { PermissionSource, rolePermissions } from "./role-permissions";
import { describeResource, reportDeferred, stackResources } from "./stack-resources";

export interface RoleStatement {
    /** The role, for messages, e.g. `Role "fn-role"`. */
    readonly label: string;
    readonly source: PermissionSource;
    readonly statement: Statement;
}

export function forEachRoleStatement(
    args: StackValidationArgs,
    reportViolation: ReportViolation,
    visit: (found: RoleStatement) => void,
): void {
    const { roles, unlinked } = rolePermissions(stackResources(args));
    for (const { label, sources } of roles) {
        for (const source of sources) {
            if (source.unknown)
                reportDeferred(reportViolation, `${source.label} of ${label}`, source.unknown, source.urn);
            if (source.document?.kind !== "parsed") continue;
            for (const statement of source.document.statements) visit({ label, source, statement });
        }
    }
    for (const { resource, unknown } of unlinked) {
        reportDeferred(reportViolation, `which role ${describeResource(resource)} applies to`, unknown, resource.urn);
    }
}
