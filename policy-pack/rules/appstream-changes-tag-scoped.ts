import { StackValidationPolicy } from "@pulumi/policy";
import { Statement, conditionKeys, describeStatement, grantsAction, hasWildcard } from "../lib/iam-statements";
import { forEachRoleStatement } from "../lib/role-statements";

/**
 * AppStream actions that destroy an image or change what a fleet streams. The image updater needs
 * two of them (retention deletes images, rollout points fleets at new ones); granted on wildcard
 * resources without a resource-tag condition, they reach every image and fleet of the account.
 */
const CHANGING_ACTIONS = ["appstream:DeleteImage", "appstream:UpdateFleet"];

/** A condition on the resource's tags (aws:ResourceTag/<key>), which the Service Authorization Reference lists for both actions. */
const hasResourceTagCondition = (statement: Statement) =>
    conditionKeys(statement).some((key) => key.startsWith("aws:resourcetag/"));

/** Whether the statement names resources only by full name (no "*" resource, no wildcard in a name). */
const namesEachResource = (statement: Statement) =>
    statement.notResources.length === 0 &&
    statement.resources.length > 0 &&
    statement.resources.every((resource) => !hasWildcard(resource.split("/").slice(1).join("/") || resource));

/** Checks whether DeleteImage and UpdateFleet are held to tagged or named images and fleets. */
export const appStreamChangesTagScoped: StackValidationPolicy = {
    name: "appstream-changes-tag-scoped",
    description:
        "Checks whether every role allowed appstream:DeleteImage or appstream:UpdateFleet is held to tagged resources (an aws:ResourceTag condition) or to named images and fleets.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        forEachRoleStatement(args, reportViolation, ({ label, source, statement }) => {
            const granted = CHANGING_ACTIONS.filter((action) => grantsAction(statement, action));
            if (granted.length && !hasResourceTagCondition(statement) && !namesEachResource(statement)) {
                reportViolation(
                    `${label}: ${source.label} ${describeStatement(statement)} allows ${granted.join(", ")} on any matching image or fleet: add an aws:ResourceTag condition or name each resource.`,
                    source.urn,
                );
            }
        });
    },
};
