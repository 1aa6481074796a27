/**
 * Finds AppStream session-scripts configs (config.json) wherever a resource carries one: a JSON
 * string property, an object property, a base64 zip (the Elastic-fleet bundle), a StringAsset or an
 * AssetArchive, or a zip or JSON file named by an absolute FileAsset/FileArchive path.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Unknown, findUnknown, isPlainObject, isUnknown } from "./plain-values";
import { looksLikeBase64Zip, zipEntries } from "./zip-entries";

export const SESSION_EVENTS = ["SessionStart", "SessionTermination"] as const;

export interface FoundConfig {
    /** Where it was found, e.g. `content` or `contentBase64 → config.json`. */
    readonly where: string;
    readonly config: Record<string, unknown>;
}

export interface ConfigSearch {
    readonly configs: FoundConfig[];
    /** Property values that could hold a config but are not known yet (preview). */
    readonly unknowns: Unknown[];
    /** Values that look like a config carrier but could not be read. */
    readonly unreadable: string[];
}

// Properties of S3 objects that carry their body: an unknown one may be a config.json.
const BODY_PROPERTIES = new Set(["content", "contentBase64", "source"]);

const keyOf = (object: Record<string, unknown>, wanted: string) =>
    Object.keys(object).find((k) => k.toLowerCase() === wanted.toLowerCase());

export function isSessionScriptsConfig(value: unknown): value is Record<string, unknown> {
    return isPlainObject(value) && SESSION_EVENTS.some((event) => keyOf(value, event) !== undefined);
}

export async function findSessionScriptsConfigs(props: Record<string, unknown>): Promise<ConfigSearch> {
    const search = { configs: [] as FoundConfig[], unknowns: [] as Unknown[], unreadable: [] as string[] };
    const visitText = (text: string, where: string) => {
        const trimmed = text.trim();
        if (trimmed.startsWith("{")) {
            try {
                visit(JSON.parse(trimmed), where);
            } catch {
                // Not JSON: not a config.
            }
        } else if (looksLikeBase64Zip(trimmed)) {
            visitZip(Buffer.from(trimmed, "base64"), where);
        }
    };
    const visitZip = (zip: Buffer, where: string) => {
        try {
            for (const [name, { data }] of zipEntries(zip)) {
                if (name.toLowerCase().endsWith(".json")) visitText(data.toString("utf8"), `${where} → ${name}`);
            }
        } catch (error) {
            search.unreadable.push(`${where} (${(error as Error).message})`);
        }
    };
    const visitFile = (file: string, where: string) => {
        // Relative paths are relative to the program, which the pack cannot locate.
        if (!path.isAbsolute(file) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return;
        const data = fs.readFileSync(file);
        if (file.toLowerCase().endsWith(".zip")) visitZip(data, where);
        else visitText(data.toString("utf8"), where);
    };
    const pending: Promise<void>[] = [];
    const visit = (value: unknown, where: string): void => {
        if (isUnknown(value)) {
            if (BODY_PROPERTIES.has(where.split(/[.[]/)[0])) search.unknowns.push(value);
        } else if (typeof value === "string") {
            visitText(value, where);
        } else if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
            // Subclass guards are inherited from Asset/Archive and match any asset, so go by fields.
            const asset = value as {
                text?: Promise<string>;
                path?: Promise<string>;
                assets?: Promise<Record<string, unknown>>;
            };
            if (asset.text) pending.push(asset.text.then((text) => visitText(text, where)));
            if (asset.path) pending.push(asset.path.then((file) => visitFile(file, where)));
            if (asset.assets) {
                pending.push(
                    asset.assets.then((assets) => {
                        for (const [name, entry] of Object.entries(assets)) visit(entry, `${where} → ${name}`);
                    }),
                );
            }
        } else if (Array.isArray(value)) {
            (value as unknown[]).forEach((item, i) => visit(item, `${where}[${i}]`));
        } else if (isSessionScriptsConfig(value)) {
            search.configs.push({ where, config: value });
        } else if (isPlainObject(value)) {
            for (const [key, item] of Object.entries(value)) visit(item, where ? `${where}.${key}` : key);
        }
    };
    visit(props, "");
    // Archives may hold archives: wait until no visit is pending.
    while (pending.length) await pending.shift();
    return search;
}

/** What is wrong with a config's waiting times, one phrase per event; empty when both are fine. */
export function waitingTimeProblems(config: Record<string, unknown>, maxSeconds: number): (string | Unknown)[] {
    const problems: (string | Unknown)[] = [];
    for (const event of SESSION_EVENTS) {
        const eventKey = keyOf(config, event);
        const section = eventKey === undefined ? undefined : config[eventKey];
        const unknown = findUnknown(section);
        if (unknown) {
            problems.push(unknown);
            continue;
        }
        if (!isPlainObject(section)) {
            problems.push(`${event} waitingTime is missing (no ${event} section)`);
            continue;
        }
        const waitKey = keyOf(section, "waitingTime");
        const value = waitKey === undefined ? undefined : section[waitKey];
        if (value === undefined) {
            problems.push(`${event} waitingTime is missing`);
        } else if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > maxSeconds) {
            problems.push(
                `${event} waitingTime is ${JSON.stringify(value)}; it must be an integer from 0 to ${maxSeconds} seconds`,
            );
        }
    }
    return problems;
}
