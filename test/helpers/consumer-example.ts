/**
 * examples/consumer-program as another team gets it: this repository packed as npm would publish
 * it, the tarball installed into a copy of the example with npm (from the registry or npm's cache).
 * Used by the example suite (its own tests under mocks) and the engine suite (preview and up).
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "./program";

export const EXAMPLE = path.join(PROJECT_ROOT, "examples", "consumer-program");

export function npm(args: string[], cwd: string): { status: number | null; output: string } {
    const run = spawnSync("npm", args, {
        cwd,
        encoding: "utf8",
        env: { ...process.env, npm_config_loglevel: "error" },
    });
    return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

/** A copy of the example program in `dir`, without what a local run left in it. */
export function copyExample(dir: string): void {
    fs.cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !/node_modules|[/\\]bin$/.test(src) });
}

/** `npm install` in `dir`, from npm's cache where it can; fails the test with npm's output. */
export function npmInstall(dir: string): void {
    const install = npm(["install", "--prefer-offline", "--no-audit", "--no-fund"], dir);
    assert.strictEqual(install.status, 0, `npm install in ${dir} failed:\n${install.output}`);
}

/**
 * Packs this checkout (npm pack runs the prepare script, so the package is built from it), copies
 * the example to `<work>/consumer-program` and installs the tarball there. Returns the example's
 * folder and the packed files.
 */
export function installPackedExample(work: string): { app: string; packed: string[] } {
    const [info] = JSON.parse(
        execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
        }),
    ) as { filename: string; files: { path: string }[] }[];
    const app = path.join(work, "consumer-program");
    copyExample(app);
    fs.renameSync(path.join(work, info.filename), path.join(app, "appstream-ops.tgz"));
    npmInstall(app);
    return { app, packed: info.files.map((f) => f.path) };
}
