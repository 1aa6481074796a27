import * as assert from "assert";
import { spawnSync } from "child_process";
import { USAGE_BUCKET_TAG as PACK_TAG } from "../../policy-pack/lib/usage-bucket";
import { policies } from "../../policy-pack/policies";
import { USAGE_BUCKET_TAG } from "../../runtime/usage/usage-bucket-tag";
import { Diagnostic, evaluatePack } from "../helpers/policy-pack";
import {
    ELASTIC_FLEET_SESSION_SCRIPTS_TYPE,
    PROJECT_ROOT,
    USAGE_REPORTS_AND_ONE_FLEET,
    USAGE_REPORT_SUBSCRIPTION_TYPE,
    runProgram,
} from "../helpers/program";
import { readStackConfig } from "../helpers/stack-config";

const summary = (found: Diagnostic[]) =>
    found.map((d) => `${d.enforcementLevel} ${d.policy}: ${d.message.split("\n").pop()}`);

describe("policy pack against the real program", () => {
    it("has the two mandatory policies, under their fixed names, and five advisory ones", () => {
        assert.deepStrictEqual(
            policies.map((p) => `${p.name}=${p.enforcementLevel}`),
            [
                "appstream-script-role-put-object-only=mandatory",
                "appstream-session-scripts-wait-time=mandatory",
                "appstream-buckets-private-and-encrypted=advisory",
                "appstream-no-iam-wildcard-actions=advisory",
                "appstream-state-machine-logging=advisory",
                "appstream-ses-sender-restricted=advisory",
                "appstream-changes-tag-scoped=advisory",
            ],
        );
    });

    it("tags the usage bucket the way the pack finds it", async () => {
        assert.deepStrictEqual(USAGE_BUCKET_TAG, PACK_TAG);
        const run = await runProgram();
        assert.deepStrictEqual(run.one("aws:s3/bucket:Bucket", "usage-usage").inputs.tags, {
            [PACK_TAG.key]: PACK_TAG.value,
        });
    });

    it("passes every policy, with no diagnostic at all, for the dev stack as `pulumi up` sees it", async () => {
        const run = await runProgram({ config: readStackConfig("dev") });
        assert.deepStrictEqual(summary(await evaluatePack(run.resources)), []);
    });

    it("passes the mandatory policies in preview, deferring only what is not known yet", async () => {
        const run = await runProgram({ config: readStackConfig("dev"), preview: true });
        const found = await evaluatePack(run.resources);
        assert.deepStrictEqual(summary(found.filter((d) => !d.deferred)), []);
        // The script role, its policies, the buckets and the session-scripts configs are all known in a
        // preview, so the mandatory policies defer nothing; ARN-based image-update policies wait for up.
        assert.deepStrictEqual(
            found.filter((d) => d.deferred && d.policy.includes("script")).map((d) => d.message),
            [],
        );
        assert.ok(
            found.some((d) => d.deferred),
            "expected the image-update policies, built from ARNs, to be deferred",
        );
    });

    describe("with usage reports and Elastic fleets configured", () => {
        const config = { ...readStackConfig("dev"), ...USAGE_REPORTS_AND_ONE_FLEET };
        for (const preview of [false, true]) {
            it(`the dynamic resources leave every policy as it was, ${preview ? "in preview" : "at up"}`, async () => {
                const without = await evaluatePack(
                    (await runProgram({ config: readStackConfig("dev"), preview })).resources,
                );
                const run = await runProgram({ config, preview });
                assert.strictEqual(run.ofType(USAGE_REPORT_SUBSCRIPTION_TYPE).length, 1);
                assert.strictEqual(run.ofType(ELASTIC_FLEET_SESSION_SCRIPTS_TYPE).length, 1);
                assert.deepStrictEqual(summary(await evaluatePack(run.resources)), summary(without));
            });
        }

        it("the mandatory policies still catch an extra permission on the script role", async () => {
            const run = await runProgram({
                config,
                program: "test/fixtures/program-with-extra-script-permission.ts",
            });
            const mandatory = (await evaluatePack(run.resources)).filter((d) => d.enforcementLevel === "mandatory");
            assert.strictEqual(mandatory.length, 2);
        });
    });

    it("fails a program with an extra s3:GetObject RolePolicy on the script role, naming the policy", async () => {
        const run = await runProgram({ program: "test/fixtures/program-with-extra-script-permission.ts" });
        const mandatory = (await evaluatePack(run.resources)).filter((d) => d.enforcementLevel === "mandatory");
        assert.deepStrictEqual(summary(mandatory), [
            'mandatory appstream-script-role-put-object-only: Role "usage-script-role" (assumable by AppStream): RolePolicy "usage-script-read-records" statement 1 grants "s3:GetObject".',
            'mandatory appstream-script-role-put-object-only: Role "usage-script-role" (assumable by AppStream): RolePolicy "usage-script-read-records" statement 1 applies to "arn:aws:s3:::*/*", outside the usage bucket (usage-usage-0a1b2c3).',
        ]);
    });

    it("fails a program with a waitingTime of 90, naming the policy", async () => {
        const run = await runProgram({ program: "test/fixtures/program-with-long-session-wait.ts" });
        const mandatory = (await evaluatePack(run.resources)).filter((d) => d.enforcementLevel === "mandatory");
        assert.deepStrictEqual(summary(mandatory), [
            'mandatory appstream-session-scripts-wait-time: BucketObject "custom-session-scripts-config" content: SessionStart waitingTime is 90; it must be an integer from 0 to 60 seconds.',
        ]);
    });

    describe("npm run policy:check", () => {
        const check = (...args: string[]) =>
            spawnSync("npm", ["run", "--silent", "policy:check", "--", "--stack", "dev", ...args], {
                cwd: PROJECT_ROOT,
                encoding: "utf8",
            });

        it("exits 0 on the shipped program and prints the resource table", () => {
            const result = check();
            assert.strictEqual(result.status, 0, result.stderr);
            assert.match(result.stdout, /^aws:iam\/role:Role\s+usage-script-role\s+ok$/m);
            assert.match(result.stdout, /^0 mandatory, 0 advisory, 0 deferred to pulumi up\.$/m);
        });

        it("shows the usage-report and Elastic-fleet resources, with no violation, when they are configured", () => {
            const result = check("--config", "usageReports=true", "--config", 'elasticFleets=["elastic-fleet-1"]');
            assert.strictEqual(result.status, 0, result.stderr);
            assert.match(
                result.stdout,
                /^pulumi-nodejs:dynamic\/appstream:UsageReportSubscription\s+usage-reports-subscription\s+ok$/m,
            );
            assert.match(
                result.stdout,
                /^pulumi-nodejs:dynamic\/appstream:ElasticFleetSessionScripts\s+usage-elastic-fleet-elastic-fleet-1\s+ok$/m,
            );
            assert.match(result.stdout, /^aws:glue\/catalogTable:CatalogTable\s+usage-reports-sessions-table\s+ok$/m);
            assert.match(result.stdout, /^0 mandatory, 0 advisory, 0 deferred to pulumi up\.$/m);
        });

        it("exits 1 on a mutated program and names the policy and the resource", () => {
            const result = check("--program", "test/fixtures/program-with-extra-script-permission.ts");
            assert.strictEqual(result.status, 1, result.stderr);
            assert.match(result.stdout, /^aws:iam\/rolePolicy:RolePolicy\s+usage-script-read-records\s+2 mandatory$/m);
            assert.match(
                result.stdout,
                /^\[mandatory\] appstream-script-role-put-object-only {2}usage-script-read-records$/m,
            );
        });
    });
});
