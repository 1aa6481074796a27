/**
 * `npm run simulate` over the committed fixtures: the deployed definition and serialized Lambda
 * against each sample account, as an administrator would run it. The fixtures are validated by the
 * fake (tags against the model), so a fixture AppStream could not hold fails here.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { simulate } from "../../scripts/simulate";
import { PROJECT_ROOT } from "../helpers/program";

const fixture = (name: string) => path.join(PROJECT_ROOT, "scripts", "fixtures", name);
/** The dev stack with image updates on and two recipients, as `--config` sets them. */
const RECIPIENTS = {
    "appstream-ops:imageUpdates": "true",
    "appstream-ops:notifyEmails": '["appstream-admins@example.com", "service-desk@example.com"]',
    "appstream-ops:senderEmail": "appstream-updates@example.com",
};

describe("npm run simulate", function () {
    this.timeout(120_000);
    const region = process.env.AWS_REGION;
    after(() => {
        if (region === undefined) delete process.env.AWS_REGION;
        else process.env.AWS_REGION = region;
    });

    it("over an account at its image quota: retention makes room, every opted-in image is updated, its opted-in fleets are rolled out", async () => {
        const { status, lines, account } = await simulate({
            stack: "dev",
            fixtureFile: fixture("full-image-quota.json"),
            overrides: { ...RECIPIENTS, "appstream-ops:keepImageVersions": "1" },
        });
        const text = lines.join("\n");
        assert.strictEqual(status, "SUCCEEDED", text);
        const start = lines.find((line) => line.includes("StartRun"))!;
        assert.match(
            start,
            /quotas: 10 images, .*; deleted: Win2022-Contractors, Win2022-Engineering-CAD, .*; started: /,
        );
        for (const base of ["Office365", "Finance-Apps", "Engineering-CAD", "Training", "Contractors"]) {
            const name = `Win2022-${base}-Updated-2026-11-01`;
            assert.deepStrictEqual(account.updatesOf(name), [`Win2022-${base}-Updated-2026-12-01`], name);
        }
        for (const fleet of ["office-production", "finance", "engineering"]) {
            assert.match(account.fleets.get(fleet)!.imageName, /-Updated-2026-12-01$/, fleet);
            assert.match(text, new RegExp(`fleet ${fleet} rolled out`));
        }
        // The November versions fleets moved off in this run stay until the next run (sessions may still stream from them).
        assert.match(text, /Old versions deleted \(6\):/);
        for (const base of ["Office365", "Finance-Apps", "Engineering-CAD"]) {
            assert.match(text, new RegExp(`Win2022-${base}-Updated-2026-11-01: fleets moved off it in this run`));
        }
        assert.match(
            text,
            /training-kiosk uses Win2022-Training-Updated-2026-11-01\. To roll it out: aws appstream update-fleet/,
        );
        assert.match(text, /images: 9 of 10 \(L-E1182CCA, Service Quotas\)/);
    });

    it("over the mid-size sample account: opted-in fleets rolled out, the others listed", async () => {
        const { lines, account } = await simulate({
            stack: "dev",
            fixtureFile: fixture("sample-account.json"),
            overrides: RECIPIENTS,
        });
        const text = lines.join("\n");
        assert.strictEqual(account.fleets.get("office-production")!.imageName, "Win2022-Office365-Updated-2026-12-01");
        assert.strictEqual(account.fleets.get("finance-pilot")!.imageName, "Win2022-Finance-Apps-Updated-2026-12-01");
        assert.strictEqual(account.fleets.get("engineering-lab")!.imageName, "Win2019-Engineering-CAD");
        assert.match(text, /engineering-lab uses Win2019-Engineering-CAD\. To roll it out: /);
        assert.match(text, /Retention is off: with keepImageVersions = 1 these superseded versions would be deleted/);
    });

    it("uses the stack's own settings: the dev stack has no recipients, so no email (before: the fixture's)", async () => {
        const { lines } = await simulate({
            stack: "dev",
            fixtureFile: fixture("sample-account.json"),
            overrides: { "appstream-ops:imageUpdates": "true" },
        });
        assert.ok(lines.includes("No email: notifyEmails is empty for this stack."), lines.join("\n"));
        assert.ok(lines.includes("  settings: Pulumi.dev.yaml, with --config imageUpdates=true"));
        assert.ok(!lines.some((line) => line.startsWith("--- Email")));
    });

    it("negative control: a fixture with a fleet tag AppStream cannot store is refused", async () => {
        const original = JSON.parse(fs.readFileSync(fixture("sample-account.json"), "utf8"));
        original.fleets[0].tags = { Owner: "<ops>" };
        const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fixture-")), "broken.json");
        fs.writeFileSync(broken, JSON.stringify(original));
        await assert.rejects(
            simulate({ stack: "dev", fixtureFile: broken, overrides: RECIPIENTS }),
            /fixture fleet office-production: tags\["Owner"\]: "<ops>" does not match/,
        );
    });
});

describe("npm run simulate, used wrongly (issue 15)", function () {
    this.timeout(120_000);
    /** The command as npm runs it; a problem the user can fix is one line on stderr and exit code 2. */
    const run = (...args: string[]) => {
        const result = spawnSync(
            process.execPath,
            [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "scripts/simulate.ts", ...args],
            { cwd: PROJECT_ROOT, encoding: "utf8" },
        );
        return { status: result.status, stderr: result.stderr.trim(), stdout: result.stdout };
    };
    const corrupt = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fixture-")), "corrupt.json");
    fs.writeFileSync(corrupt, "{ not json");
    const empty = path.join(path.dirname(corrupt), "empty.json");
    fs.writeFileSync(empty, "");
    const withSettings = path.join(path.dirname(corrupt), "with-settings.json");
    fs.writeFileSync(
        withSettings,
        JSON.stringify({ ...JSON.parse(fs.readFileSync(fixture("sample-account.json"), "utf8")), config: {} }),
    );
    const cases: [string[], RegExp][] = [
        // Before: a misspelt flag silently simulated dev on the sample fixture.
        [["--stak", "prod"], /^simulate: Unknown option '--stak'; usage: npm run simulate -- \[--stack <name>\]/],
        [["--stack"], /^simulate: Option '--stack <value>' argument missing/],
        // Before: --stack=prod was not understood, and a missing stack file was a stack trace.
        [
            ["--stack=prod"],
            /^simulate: Pulumi\.prod\.yaml does not exist; the stack files here are: Pulumi\.dev\.yaml$/,
        ],
        [[`--fixture=${corrupt}`], /^simulate: .*corrupt\.json: is not valid JSON \(/],
        [[`--fixture=${empty}`], /^simulate: .*empty\.json: is not valid JSON \(/],
        // Before: the fixture's settings replaced the stack's.
        [
            [`--fixture=${withSettings}`],
            /^simulate: .*with-settings\.json: "config" is not a fixture key; a fixture describes only the account/,
        ],
        // The shipped dev stack deploys no image updater: nothing to simulate, and it says how to see one.
        [[], /^simulate: stack "dev" sets appstream-ops:imageUpdates = false, .* add --config imageUpdates=true/],
        // Config is validated as preview validates it.
        [
            ["--config", "imageUpdates=true", "--config", "batchSize=500"],
            /^simulate: invalid configuration: appstream-ops:batchSize = "500" is invalid: expected an integer from 1 to 100/,
        ],
        [["--config", "batchSize"], /^simulate: --config needs key=value, got "batchSize"$/],
    ];
    for (const [args, expected] of cases) {
        it(`${args.join(" ") || "(no arguments)"}: one line naming what is wrong, exit code 2`, () => {
            const { status, stderr, stdout } = run(...args);
            assert.strictEqual(status, 2, stderr);
            assert.match(stderr, expected);
            assert.strictEqual(stderr.split("\n").length, 1, stderr);
            assert.strictEqual(stdout, "");
        });
    }
});
