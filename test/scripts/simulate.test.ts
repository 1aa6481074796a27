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

describe("npm run simulate", function () {
    this.timeout(120_000);
    const region = process.env.AWS_REGION;
    after(() => {
        if (region === undefined) delete process.env.AWS_REGION;
        else process.env.AWS_REGION = region;
    });

    it("over an account at its image quota: retention makes room, every opted-in image is updated, its opted-in fleets are rolled out", async () => {
        const { status, lines, account } = await simulate("dev", fixture("full-image-quota.json"));
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
        assert.match(text, /Old versions deleted \(9\):/);
        assert.match(
            text,
            /training-kiosk uses Win2022-Training-Updated-2026-11-01\. To roll it out: aws appstream update-fleet/,
        );
        assert.match(text, /images: 6 of 10 \(L-E1182CCA, Service Quotas\)/);
    });

    it("over the mid-size sample account: opted-in fleets rolled out, the others listed", async () => {
        const { lines, account } = await simulate("dev", fixture("sample-account.json"));
        const text = lines.join("\n");
        assert.strictEqual(account.fleets.get("office-production")!.imageName, "Win2022-Office365-Updated-2026-12-01");
        assert.strictEqual(account.fleets.get("finance-pilot")!.imageName, "Win2022-Finance-Apps-Updated-2026-12-01");
        assert.strictEqual(account.fleets.get("engineering-lab")!.imageName, "Win2019-Engineering-CAD");
        assert.match(text, /engineering-lab uses Win2019-Engineering-CAD\. To roll it out: /);
        assert.match(text, /Retention is off: with keepImageVersions = 1 these superseded versions would be deleted/);
    });

    it("negative control: a fixture with a fleet tag AppStream cannot store is refused", async () => {
        const original = JSON.parse(fs.readFileSync(fixture("sample-account.json"), "utf8"));
        original.fleets[0].tags = { Owner: "<ops>" };
        const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fixture-")), "broken.json");
        fs.writeFileSync(broken, JSON.stringify(original));
        await assert.rejects(
            simulate("dev", broken),
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
    const cases: [string[], RegExp][] = [
        // Before: a misspelt flag silently simulated dev on the sample fixture.
        [["--stak", "prod"], /^simulate: Unknown option '--stak'; usage: npm run simulate -- \[--stack <name>\]/],
        [["--stack"], /^simulate: Option '--stack <value>' argument missing/],
        // Before: --stack=prod was not understood, and a missing stack file was a stack trace.
        [["--stack=prod"], /^simulate: Pulumi\.prod\.yaml: does not exist$/],
        [[`--fixture=${corrupt}`], /^simulate: .*corrupt\.json: is not valid JSON \(/],
    ];
    for (const [args, expected] of cases) {
        it(`${args.join(" ")}: one line naming what is wrong, exit code 2`, () => {
            const { status, stderr, stdout } = run(...args);
            assert.strictEqual(status, 2, stderr);
            assert.match(stderr, expected);
            assert.strictEqual(stderr.split("\n").length, 1, stderr);
            assert.strictEqual(stdout, "");
        });
    }
});
