/**
 * The stack outputs README.md documents, read from its two output tables: "Stack outputs" under
 * the usage pipeline (rows "with `usageReports…`" or "with `elasticFleets…`" only when that is on),
 * "Image update outputs" and "Fleet insights outputs".
 */
import * as fs from "fs";
import * as path from "path";
import { REPO } from "./engine-cli";

export interface Capabilities {
    readonly usageReports?: boolean;
    readonly elasticFleets?: boolean;
    readonly imageUpdates?: boolean;
    readonly fleetInsights?: boolean;
}

/** The first column's `names` of the markdown table that follows `heading`. */
function tableRows(readme: string, heading: string): { names: string[]; use: string }[] {
    const after = readme.split(heading)[1];
    if (after === undefined) throw new Error(`README.md has no "${heading}"`);
    const table = after.split("\n\n").find((block) => block.trimStart().startsWith("| output"));
    if (!table) throw new Error(`README.md has no output table after "${heading}"`);
    return table
        .trim()
        .split("\n")
        .slice(2)
        .map((row) => ({
            names: [...row.split("|")[1].matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]),
            use: row.split("|")[2],
        }));
}

export function documentedOutputs(on: Capabilities): string[] {
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    const usage = tableRows(readme, "Stack outputs (`npm exec -- pulumi stack output --stack dev`):").filter(
        ({ use }) =>
            !use.includes("with `") ||
            (use.includes("with `usageReports") && on.usageReports) ||
            (use.includes("with `elasticFleets") && on.elasticFleets),
    );
    const updates = on.imageUpdates ? tableRows(readme, "### Image update outputs") : [];
    const insights = on.fleetInsights ? tableRows(readme, "### Fleet insights outputs") : [];
    return [...usage, ...updates, ...insights].flatMap(({ names }) => names).sort();
}
