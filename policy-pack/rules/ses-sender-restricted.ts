import { StackValidationPolicy } from "@pulumi/policy";
import { conditionKeys, describeStatement, grantsAction } from "../lib/iam-statements";
import { forEachRoleStatement } from "../lib/role-statements";

const SEND_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"];
const FROM_ADDRESS_KEY = "ses:fromaddress";

/** Checks whether every role that may send email through SES is held to its sender addresses. */
export const sesSenderRestricted: StackValidationPolicy = {
    name: "appstream-ses-sender-restricted",
    description:
        "Checks whether every role allowed ses:SendEmail (or another SES send action) is restricted with an ses:FromAddress condition.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        forEachRoleStatement(args, reportViolation, ({ label, source, statement }) => {
            const sends = SEND_ACTIONS.filter((action) => grantsAction(statement, action));
            if (sends.length && !conditionKeys(statement).includes(FROM_ADDRESS_KEY)) {
                reportViolation(
                    `${label}: ${source.label} ${describeStatement(statement)} allows ${sends.join(", ")} with no ses:FromAddress condition, so it may send as any verified identity.`,
                    source.urn,
                );
            }
        });
    },
};
