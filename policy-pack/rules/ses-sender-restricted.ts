import { StackValidationPolicy } from "@pulumi/policy";
import { conditionKeys, describeStatement, grantsAction } from "../lib/iam-statements";
import { rolePermissions } from "../lib/role-permissions";
import { describeResource, reportDeferred, stackResources } from "../lib/stack-resources";

const SEND_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"];
const FROM_ADDRESS_KEY = "ses:fromaddress";

/** Checks whether every role that may send email through SES is held to its sender addresses. */
export const sesSenderRestricted: StackValidationPolicy = {
    name: "appstream-ses-sender-restricted",
    description:
        "Checks whether every role allowed ses:SendEmail (or another SES send action) is restricted with an ses:FromAddress condition.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const { roles, unlinked } = rolePermissions(stackResources(args));
        for (const { label, sources } of roles) {
            for (const source of sources) {
                if (source.unknown)
                    reportDeferred(reportViolation, `${source.label} of ${label}`, source.unknown, source.urn);
                if (source.document?.kind !== "parsed") continue;
                for (const statement of source.document.statements) {
                    const sends = SEND_ACTIONS.filter((action) => grantsAction(statement, action));
                    if (sends.length && !conditionKeys(statement).includes(FROM_ADDRESS_KEY)) {
                        reportViolation(
                            `${label}: ${source.label} ${describeStatement(statement)} allows ${sends.join(", ")} with no ses:FromAddress condition, so it may send as any verified identity.`,
                            source.urn,
                        );
                    }
                }
            }
        }
        for (const { resource, unknown } of unlinked) {
            reportDeferred(
                reportViolation,
                `which role ${describeResource(resource)} applies to`,
                unknown,
                resource.urn,
            );
        }
    },
};
