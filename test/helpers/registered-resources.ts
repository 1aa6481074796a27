/**
 * Reading what a program run under mocks registered, for the component tests: a role's one inline
 * policy as statements, and the metrics a dashboard graphs.
 */
import * as assert from "assert";
import { ProgramRun } from "./program";

export type PolicyStatement = {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: unknown;
};

/** The statements of a policy document, given as JSON text or as an object. */
export function statementsOf(policy: unknown): PolicyStatement[] {
    const doc = typeof policy === "string" ? JSON.parse(policy) : policy;
    return doc.Statement;
}

/** The statements of the one inline policy (aws.iam.RolePolicy) of the role `roleName`. */
export function inlinePolicyOf(run: ProgramRun, roleName: string): PolicyStatement[] {
    const role = run.one("aws:iam/role:Role", roleName);
    const policies = run.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role.state.name);
    assert.strictEqual(policies.length, 1, `${roleName} has ${policies.length} inline policies`);
    return statementsOf(policies[0].inputs.policy);
}

/** Every metric line of the dashboard `name`: [namespace, metric, dimension, value, ...]. */
export function dashboardMetrics(run: ProgramRun, name: string): unknown[][] {
    const body = JSON.parse(run.one("aws:cloudwatch/dashboard:Dashboard", name).inputs.dashboardBody);
    return body.widgets.flatMap((w: { properties: { metrics?: unknown[][] } }) => w.properties.metrics ?? []);
}
