/**
 * The deployment package a CallbackFunction registers, read from the mocked engine inputs, and
 * its `__index.js` loaded the way the Lambda runtime loads it: from a folder of its own, with the
 * AWS SDK resolvable as the nodejs22.x runtime provides it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createZip } from "../../runtime/zip";
import { PROJECT_ROOT, RecordedResource } from "./program";

/** File name -> content of every entry of the function's code archive; fails on anything but text. */
export async function archiveFiles(fn: RecordedResource): Promise<Record<string, string>> {
    const assets: Record<string, { text?: Promise<string> | string; path?: unknown }> = await fn.inputs.code.assets;
    const files: Record<string, string> = {};
    for (const [name, asset] of Object.entries(assets)) {
        if (asset.text === undefined)
            throw new Error(`archive entry ${name} is not inline code (${JSON.stringify(asset)})`);
        files[name] = await asset.text;
    }
    return files;
}

/** The archive budget of every function: small enough to show in the console editor, fast to deploy. */
export const ARCHIVE_BUDGET_BYTES = 64 * 1024;

/** The packages `__index.js` requires (`@scope/name` or `name`), once each, sorted. */
export function requiredPackages(indexJs: string): string[] {
    const required = [...indexJs.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    return [...new Set(required.map((r) => r.split("/").slice(0, 2).join("/")))].sort();
}

/** Size of the archive zipped as Lambda receives it (deflate), in bytes. */
export function zippedSize(files: Record<string, string>): number {
    return createZip(Object.entries(files).map(([name, text]) => ({ name, data: Buffer.from(text, "utf8") }))).length;
}

export type LambdaHandler = (event: unknown, context?: unknown) => Promise<unknown>;

/**
 * Writes `__index.js` to a fresh folder and requires it. `node_modules` there links to the
 * project's, standing in for the runtime's /var/runtime/node_modules: the same SDK module
 * instances, so aws-sdk-client-mock answers the serialized code's calls too.
 */
export function loadSerializedHandler(indexJs: string): LambdaHandler {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstream-ops-lambda-"));
    fs.writeFileSync(path.join(dir, "__index.js"), indexJs);
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(path.join(dir, "__index.js")) as { handler?: LambdaHandler };
    if (typeof loaded.handler !== "function") throw new Error("__index.js exports no handler");
    return loaded.handler;
}
