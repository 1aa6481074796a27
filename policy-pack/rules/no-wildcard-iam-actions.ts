import { ResourceValidationPolicy } from "@pulumi/policy";
import { describeStatement, parseDocument } from "../lib/iam-statements";
import { plainValues } from "../lib/plain-values";
import { policyDocumentsOf } from "../lib/policy-documents";
import { describeResource, reportDeferred } from "../lib/stack-resources";

// "*" or "service:*": every action, or every action of a service.
const WILDCARD_ACTION = /^(?:[a-z0-9-]+:)?\*+$/i;

/** Checks whether any IAM policy in the stack grants a `*` action (or all of a service's actions). */
export const noWildcardIamActions: ResourceValidationPolicy = {
    name: "appstream-no-iam-wildcard-actions",
    description: 'Checks whether any IAM policy in the stack allows a "*" action, a "service:*" action or NotAction.',
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const props = plainValues(args.props) as Record<string, unknown>;
        for (const [label, document] of policyDocumentsOf(args.type, props)) {
            const where = `${describeResource(args)} ${label}`;
            const parsed = parseDocument(document);
            if (parsed.kind === "unknown") reportDeferred(reportViolation, where, parsed.unknown);
            if (parsed.kind !== "parsed") continue;
            for (const statement of parsed.statements.filter((s) => s.allow)) {
                const wildcards = statement.actions.filter((a) => WILDCARD_ACTION.test(a));
                if (wildcards.length) {
                    reportViolation(
                        `${where} ${describeStatement(statement)} allows ${wildcards.map((a) => `"${a}"`).join(", ")}.`,
                    );
                }
                if (statement.notActions.length) {
                    reportViolation(
                        `${where} ${describeStatement(statement)} allows every action but ${statement.notActions.join(", ")} (NotAction).`,
                    );
                }
            }
        }
    },
};
