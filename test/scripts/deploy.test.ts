import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../helpers/program";

/** Runs scripts/deploy.sh with a stand-in `pulumi` on PATH that records each call. */
function deploy(
    args: string[],
    env: Record<string, string> = {},
): { status: number | null; calls: string[]; stderr: string } {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
    const log = path.join(bin, "calls.log");
    fs.writeFileSync(
        path.join(bin, "pulumi"),
        `#!/usr/bin/env bash\necho "$* [backend $PULUMI_BACKEND_URL]" >> "${log}"\n`,
        {
            mode: 0o755,
        },
    );
    const result = spawnSync("bash", [path.join(PROJECT_ROOT, "scripts", "deploy.sh"), ...args], {
        env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` },
        encoding: "utf8",
    });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    fs.rmSync(bin, { recursive: true, force: true });
    return { status: result.status, calls, stderr: result.stderr };
}

describe("npm run deploy (scripts/deploy.sh)", () => {
    it("uses the local file backend for its own commands (no pulumi login), selects the stack, and runs pulumi up with the extra flags", () => {
        const { status, calls, stderr } = deploy(["--stack", "dev", "--yes"], {
            PULUMI_BACKEND_URL: "",
            APPSTREAM_OPS_POLICY_PACK: "",
        });
        assert.strictEqual(status, 0, stderr);
        // The shipped repository has its policy pack, so every deploy enforces it: expected whatever
        // the script's own test for the pack says.
        const policy = " --policy-pack policy-pack";
        const backend = `[backend file://${PROJECT_ROOT}/.pulumi-state]`;
        // `pulumi login` would change the current backend of every project on the machine (issue 15).
        assert.deepStrictEqual(calls, [
            `stack select dev --create ${backend}`,
            `up --stack dev${policy} --yes ${backend}`,
        ]);
    });

    it("uses PULUMI_BACKEND_URL when it is set, and creates a stack without a stack file only with --create", () => {
        const { status, calls } = deploy(["--stack=prod", "--create"], { PULUMI_BACKEND_URL: "s3://my-state-bucket" });
        assert.strictEqual(status, 0);
        assert.deepStrictEqual(calls.slice(0, 1), ["stack select prod --create [backend s3://my-state-bucket]"]);
    });

    it("refuses --skip-preview, which would let the policy pack stop a violation only after earlier resources exist (issue 21)", () => {
        for (const flag of ["--skip-preview", "--skip-preview=true"]) {
            const { status, calls, stderr } = deploy(["--stack", "dev", "--yes", flag]);
            assert.strictEqual(status, 2);
            assert.deepStrictEqual(calls, []);
            assert.match(stderr, /--skip-preview is refused: the preview is where the policy pack stops a violation/);
        }
    });

    it("refuses a mistyped stack name instead of deploying a new stack on defaults (issue 15)", () => {
        const { status, calls, stderr } = deploy(["--stack", "pord", "--yes"]);
        assert.strictEqual(status, 2);
        assert.deepStrictEqual(calls, []);
        assert.match(stderr, /there is no Pulumi\.pord\.yaml, .*stack files here: dev\), or pass --create/);
    });

    it("reports --stack without a value instead of exiting 1 silently (issue 15)", () => {
        for (const args of [["--stack"], ["--stack", "--yes"], ["--stack="]]) {
            const { status, calls, stderr } = deploy(args);
            assert.strictEqual(status, 2, args.join(" "));
            assert.deepStrictEqual(calls, []);
            assert.match(stderr, /deploy: --stack=? needs a stack name/);
        }
    });

    it("refuses to run without --stack", () => {
        const { status, calls, stderr } = deploy(["--yes"]);
        assert.strictEqual(status, 2);
        assert.deepStrictEqual(calls, []);
        assert.match(stderr, /usage: npm run deploy -- --stack <name>/);
    });
});
