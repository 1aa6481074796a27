/**
 * The real Pulumi engine for the engine suite (npm run test:engine): the CLI and the Node.js
 * language host built from the Go module proxy by scripts/build-engine.sh, a stack in a file
 * backend under a temporary PULUMI_HOME, and a copy of the project (`pulumi stack init` rewrites the
 * stack file). Stand-ins, named as such: the AWS provider plugin (test/engine/stand-in-aws) and
 * AppStream itself.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const REPO = path.resolve(__dirname, "../..");
const AWS_PROVIDER_VERSION = "7.48.0";

/** The folder holding the built `pulumi` and `pulumi-language-nodejs`; the suite fails without it. */
export function engineBin(): string {
    const bin = process.env.APPSTREAM_OPS_ENGINE_BIN;
    if (!bin || !fs.existsSync(path.join(bin, "pulumi"))) {
        throw new Error(
            "APPSTREAM_OPS_ENGINE_BIN does not name a folder with the built Pulumi CLI: run the engine suite with npm run test:engine, which builds it (scripts/build-engine.sh)",
        );
    }
    return bin;
}

export interface CliResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** stdout and stderr, for assertion messages. */
    readonly output: string;
}

export interface EngineProject {
    /** The project copy the CLI runs in. */
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;
    pulumi(args: string[], options?: { allowFailure?: boolean; env?: NodeJS.ProcessEnv }): CliResult;
    run(command: string, args: string[], options?: { allowFailure?: boolean; env?: NodeJS.ProcessEnv }): CliResult;
    /** The stack's resources as the engine recorded them (`pulumi stack export`). */
    resources(stack: string): { urn: string; type: string; outputs?: Record<string, unknown> }[];
    /** `<type> <name>` of each resource in the stack but the stack itself and the providers. */
    deployed(stack: string): string[];
    /** The stack's outputs (`pulumi stack output --json`). */
    outputs(stack: string): Record<string, any>;
}

let home: string | undefined;
/** One PULUMI_HOME per process, with the stand-in AWS provider installed as aws 7.48.0. */
function pulumiHome(bin: string, env: NodeJS.ProcessEnv): string {
    if (home) return home;
    home = fs.mkdtempSync(path.join(os.tmpdir(), "appstream-ops-pulumi-home-"));
    const result = spawnSync(
        path.join(bin, "pulumi"),
        [
            "plugin",
            "install",
            "resource",
            "aws",
            AWS_PROVIDER_VERSION,
            "--file",
            path.join(REPO, "test/engine/stand-in-aws"),
        ],
        { env: { ...env, PULUMI_HOME: home }, encoding: "utf8" },
    );
    if (result.status !== 0) {
        throw new Error(`installing the stand-in AWS provider failed:\n${result.stdout}\n${result.stderr}`);
    }
    return home;
}

/** The repository's tracked files, relative to it. */
export function trackedFiles(): string[] {
    return spawnSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" }).stdout.split("\0").filter(Boolean);
}

/** Copies the repository's tracked files as they are now into `dir`, keeping their times. */
export function copyWorkingTree(dir: string): void {
    for (const file of trackedFiles()) {
        if (!fs.existsSync(path.join(REPO, file))) continue;
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        const stat = fs.statSync(path.join(REPO, file));
        fs.copyFileSync(path.join(REPO, file), path.join(dir, file));
        fs.chmodSync(path.join(dir, file), stat.mode);
        // The same times: a package-lock.json newer than node_modules makes deploy.sh run `npm ci`,
        // which would empty the repository's node_modules through the link below.
        fs.utimesSync(path.join(dir, file), stat.atime, stat.mtime);
    }
}

/** The files of the repository at `commit` into `dir` (git archive); fails when the commit is missing. */
export function copyCommit(commit: string, dir: string): void {
    const archive = spawnSync("git", ["archive", "--format=tar", commit], { cwd: REPO, maxBuffer: 256 * 1024 * 1024 });
    if (archive.status !== 0) {
        throw new Error(`git archive ${commit} failed (is the clone shallow?): ${archive.stderr?.toString()}`);
    }
    const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr?.toString()}`);
}

/**
 * A copy of the project (the working tree, or `options.commit`) with `change` applied and the
 * repository's node_modules linked in, ready for `pulumi stack init`. `env` is added to every
 * command's environment (the stand-in AppStream endpoint's, for one).
 */
export function engineProject(
    options: { change?: (dir: string) => void; commit?: string; env?: NodeJS.ProcessEnv } = {},
): EngineProject {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstream-ops-engine-"));
    if (options.commit) copyCommit(options.commit, dir);
    else copyWorkingTree(dir);
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    options.change?.(dir);
    return engineCli(dir, options.env);
}

/**
 * The built CLI, run in the Pulumi project in `dir` with a file backend inside it. Node 22 comes
 * from the repository's node_modules; the dynamic-provider host script sits next to the CLI
 * (scripts/build-engine.sh), as in the real distribution.
 */
export function engineCli(dir: string, extraEnv: NodeJS.ProcessEnv = {}): EngineProject {
    const bin = engineBin();
    const base: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: [bin, path.join(REPO, "node_modules/.bin"), process.env.PATH].join(path.delimiter),
        PULUMI_BACKEND_URL: `file://${path.join(dir, ".pulumi-state")}`,
        PULUMI_CONFIG_PASSPHRASE: "engine-suite",
        PULUMI_SKIP_UPDATE_CHECK: "1",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
        APPSTREAM_OPS_ROOT: REPO,
        AWS_REGION: "eu-west-1",
        ...extraEnv,
    };
    fs.mkdirSync(path.join(dir, ".pulumi-state"), { recursive: true });
    const env = { ...base, PULUMI_HOME: pulumiHome(bin, base) };
    const run = (command: string, args: string[], opts: { allowFailure?: boolean; env?: NodeJS.ProcessEnv } = {}) => {
        const result = spawnSync(command, args, {
            cwd: dir,
            env: { ...env, ...opts.env },
            encoding: "utf8",
            timeout: 600_000,
            maxBuffer: 64 * 1024 * 1024,
        });
        const out: CliResult = {
            code: result.status ?? -1,
            stdout: result.stdout ?? "",
            stderr: result.stderr ?? "",
            output: `$ ${path.basename(command)} ${args.join(" ")}\n${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? `\n${result.error.message}` : ""}`,
        };
        if (out.code !== 0 && !opts.allowFailure) throw new Error(`exit code ${out.code}\n${out.output}`);
        return out;
    };
    return {
        dir,
        env,
        pulumi: (args, opts) => run(path.join(bin, "pulumi"), [...args, "--non-interactive"], opts),
        run,
        resources(stack) {
            const state = JSON.parse(run(path.join(bin, "pulumi"), ["stack", "export", "--stack", stack]).stdout);
            return state.deployment.resources ?? [];
        },
        outputs(stack) {
            return JSON.parse(run(path.join(bin, "pulumi"), ["stack", "output", "--stack", stack, "--json"]).stdout);
        },
        deployed(stack) {
            return this.resources(stack)
                .filter((r) => !r.type.startsWith("pulumi:"))
                .map((r) => `${r.type} ${r.urn.split("::").pop()}`);
        },
    };
}

/**
 * A preview that plans to create each of `resources` ("<type as the CLI shows it> <name>", or a
 * type alone), ran the policy pack, and warned of nothing.
 */
export function assertPreviewCreates(preview: CliResult, resources: string[]): void {
    for (const resource of resources) {
        const [type, name] = resource.split(" ");
        const line = new RegExp(`\\+ +${type} +${name ?? "\\S+"} +create`);
        assert.match(preview.stdout, line, `${resource} is not created\n${preview.output}`);
    }
    assert.match(preview.stdout, /Policies:[\s\S]*appstream-ops-guardrails/, preview.output);
    assert.doesNotMatch(preview.output, /warning/, "the preview warns");
}

/** The analyzer executable that loads the repository's policy pack (see its header). */
export const POLICY_PACK_ANALYZER = path.join(REPO, "test/engine/policy-pack-analyzer");
