import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { USAGE_BUCKET_TAG as PACK_TAG } from "../../policy-pack/lib/usage-bucket";
import { policies } from "../../policy-pack/policies";
import { USAGE_BUCKET_TAG } from "../../runtime/usage/usage-bucket-tag";
import { DIGEST_ROLE_TAG as PACK_DIGEST_TAG } from "../../policy-pack/lib/usage-digest-role";
import { DIGEST_ROLE_TAG } from "../../runtime/insights/digest/digest-role-tag";
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

/** The dev stack with both capabilities on, so every policy meets every resource it governs. */
const devWithImageUpdates = () => ({ ...readStackConfig("dev"), "appstream-ops:imageUpdates": "true" });
/** And fleet insights, with a monitored fleet and the usage digest to the summary's recipients. */
const withDigest = () => ({
    ...devWithImageUpdates(),
    "appstream-ops:fleetInsights": "true",
    "appstream-ops:monitoredFleets": '["fleet-a"]',
    "appstream-ops:notifyEmails": '["ops@example.com"]',
    "appstream-ops:senderEmail": "appstream@example.com",
});

describe("policy pack against the real program", () => {
    it("has the three mandatory policies, under their fixed names, and six advisory ones", () => {
        assert.deepStrictEqual(
            policies.map((p) => `${p.name}=${p.enforcementLevel}`),
            [
                "appstream-script-role-put-object-only=mandatory",
                "appstream-script-role-put-object-only-as-created=mandatory",
                "appstream-session-scripts-wait-time=mandatory",
                "appstream-buckets-private-and-encrypted=advisory",
                "appstream-no-iam-wildcard-actions=advisory",
                "appstream-state-machine-logging=advisory",
                "appstream-ses-sender-restricted=advisory",
                "appstream-changes-tag-scoped=advisory",
                "appstream-usage-digest-read-only=advisory",
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

    it("tags the usage digest's role the way the pack finds it", async () => {
        assert.deepStrictEqual(DIGEST_ROLE_TAG, PACK_DIGEST_TAG);
        const run = await runProgram({ config: withDigest() });
        assert.deepStrictEqual(run.one("aws:iam/role:Role", "insights-digest-role").inputs.tags, {
            [PACK_DIGEST_TAG.key]: PACK_DIGEST_TAG.value,
        });
    });

    it("passes every policy, with no diagnostic at all, with fleet insights and the usage digest on", async () => {
        const run = await runProgram({ config: withDigest() });
        assert.deepStrictEqual(summary(await evaluatePack(run.resources)), []);
    });

    it("passes every policy, with no diagnostic at all, for the dev stack as `pulumi up` sees it", async () => {
        const run = await runProgram({ config: devWithImageUpdates() });
        assert.deepStrictEqual(summary(await evaluatePack(run.resources)), []);
    });

    it("passes the mandatory policies in preview, deferring only what is not known yet", async () => {
        const run = await runProgram({ config: devWithImageUpdates(), preview: true });
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
        const config = { ...devWithImageUpdates(), ...USAGE_REPORTS_AND_ONE_FLEET };
        for (const preview of [false, true]) {
            it(`the dynamic resources leave every policy as it was, ${preview ? "in preview" : "at up"}`, async () => {
                const without = await evaluatePack(
                    (await runProgram({ config: devWithImageUpdates(), preview })).resources,
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
        const policyCheck = (...args: string[]) =>
            spawnSync("npm", ["run", "--silent", "policy:check", "--", ...args], {
                cwd: PROJECT_ROOT,
                encoding: "utf8",
            });
        /** policy:check of the dev stack. */
        const check = (...args: string[]) => policyCheck("--stack", "dev", ...args);

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

        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-"));
        const write = (name: string, text: string) => {
            fs.writeFileSync(path.join(scratch, name), text);
            return path.join(scratch, name);
        };

        it("treats secure: values as secrets it cannot read: checks the rest, says what it did not check, exits 0", () => {
            // Before: the secret reached the program as {"secure":…} JSON and failed config validation.
            write(
                "Pulumi.ci.yaml",
                "config:\n  aws:secretKey:\n    secure: v1:AAAA\n  appstream-ops:alarmTopicArn:\n    secure: v1:BBBB\n  appstream-ops:usageRetentionDays: 365\n",
            );
            const result = policyCheck("--stack", "ci", "--stack-dir", scratch);
            assert.strictEqual(result.status, 0, result.stderr);
            assert.match(result.stdout, /^0 mandatory, 0 advisory, 0 deferred to pulumi up\.$/m);
            assert.match(
                result.stdout,
                /^Not checked: aws:secretKey, appstream-ops:alarmTopicArn are secrets \(secure:\) this check cannot read;/m,
            );
        });

        const refused: [string, string, RegExp][] = [
            [
                "unknown-policy.json",
                '{ "appstream-script-role-put-object-onyl": "mandatory" }',
                /^policy:check: .*unknown-policy\.json: "appstream-script-role-put-object-onyl" is not a policy of the pack; the policies are: all, appstream-script-role-put-object-only, /,
            ],
            [
                "bad-level.json",
                '{ "appstream-state-machine-logging": { "enforcementLevel": "strict" } }',
                /^policy:check: .*bad-level\.json: "appstream-state-machine-logging" has enforcement level "strict"; the levels are: advisory, mandatory, remediate, disabled$/,
            ],
            ["broken.json", "{ all: mandatory", /^policy:check: .*broken\.json: cannot be read as JSON \(/],
        ];
        for (const [name, text, expected] of refused) {
            it(`refuses --policy-config ${name} in one line, exit code 2 (before: accepted silently)`, () => {
                const result = check("--policy-config", write(name, text));
                assert.strictEqual(result.status, 2, result.stdout);
                assert.match(result.stderr.trim(), expected);
                assert.strictEqual(result.stderr.trim().split("\n").length, 1, result.stderr);
            });
        }

        it("applies a valid policy config: all policies advisory turns the mutated program's violations advisory", () => {
            const result = check(
                "--program",
                "test/fixtures/program-with-extra-script-permission.ts",
                "--policy-config",
                write("all-advisory.json", '{ "all": "advisory" }'),
            );
            assert.strictEqual(result.status, 0, result.stderr);
            assert.match(
                result.stdout,
                /^\[advisory\] appstream-script-role-put-object-only {2}usage-script-read-records$/m,
            );
        });

        it("reports a usage error and invalid config in one line, exit code 2", () => {
            const missing = policyCheck("--stak", "dev");
            assert.strictEqual(missing.status, 2);
            assert.match(missing.stderr.trim(), /^policy:check: Unknown option '--stak'; usage: npm run policy:check/);
            const invalid = check("--config", "batchSize=500");
            assert.strictEqual(invalid.status, 2);
            assert.match(
                invalid.stderr.trim(),
                /^policy:check: invalid configuration: appstream-ops:batchSize = "500" is invalid: expected an integer from 1 to 100/,
            );
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
