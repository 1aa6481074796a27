/**
 * npm run policy:check -- --stack dev [--config key=value ...] [--preview] [--policy-config policy-config.json] [--program index.ts] [--stack-dir <folder>]
 *
 * Runs the program under mocks with Pulumi.<stack>.yaml, evaluates every policy of the pack the
 * way the engine does (each resource's inputs, then the whole stack), and prints the resources
 * and the violations. Exits 1 on a mandatory violation, 2 on a usage error. Needs no cloud
 * credentials and no Pulumi CLI, so it also runs on pull requests from forks.
 *
 * --config         a stack config value over the stack file's, as `pulumi config set key value` would
 *                  set it, e.g. --config usageReports=true --config 'elasticFleets=["elastic-fleet-1"]'
 * --preview        evaluate what a `pulumi preview` sees: computed outputs (ARNs, ids) unknown
 * --policy-config  enforcement levels as for `pulumi preview --policy-pack-config`, checked against
 *                  the pack's policies and Pulumi's levels
 * --stack-dir      the folder of the stack files (default: this project's)
 *
 * A `secure:` value is encrypted for the stack's secrets provider and cannot be read here: the
 * program runs with that key's default, and the report says which keys were not checked.
 */
import * as fs from "fs";
import * as path from "path";
import { EnforcementLevel } from "@pulumi/policy";
import { policies } from "../policy-pack/policies";
import { Diagnostic, evaluatePack } from "../test/helpers/policy-pack";
import { runProgram } from "../test/helpers/program";
import { PROJECT_ROOT, UsageError, configOverrides, parseCommandLine, readStackFile, runScript } from "./lib/cli";

const USAGE =
    "npm run policy:check -- --stack <name> [--config key=value ...] [--preview] [--policy-config <file>] [--program <file>] [--stack-dir <folder>]";
/** Pulumi's enforcement levels (@pulumi/policy EnforcementLevel). */
const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/**
 * A policy-config file: `{ "<policy>": "<level>" }` or `{ "<policy>": { "enforcementLevel": "<level>" } }`,
 * with `all` for every policy, as the Pulumi engine reads it. Unknown policies and levels are
 * errors naming the accepted ones: the engine would otherwise run with a level nobody chose.
 */
export function enforcementLevels(file: string | undefined): Record<string, EnforcementLevel> {
    if (!file) return {};
    const where = path.relative(process.cwd(), file) || file;
    let config: unknown;
    try {
        config = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new UsageError(`${where}: cannot be read as JSON (${why})`);
    }
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new UsageError(`${where}: expected an object of policy names to enforcement levels`);
    }
    const names = ["all", ...policies.map((p) => p.name)];
    const levels: Record<string, EnforcementLevel> = {};
    for (const [policy, value] of Object.entries(config)) {
        if (!names.includes(policy)) {
            throw new UsageError(
                `${where}: "${policy}" is not a policy of the pack; the policies are: ${names.join(", ")}`,
            );
        }
        const level = typeof value === "string" ? value : (value as { enforcementLevel?: unknown })?.enforcementLevel;
        if (typeof level !== "string" || !LEVELS.includes(level as EnforcementLevel)) {
            throw new UsageError(
                `${where}: "${policy}" has enforcement level ${JSON.stringify(level)}; the levels are: ${LEVELS.join(", ")}`,
            );
        }
        levels[policy] = level as EnforcementLevel;
    }
    // "all" sets every policy; a policy named besides it keeps its own level.
    const { all, ...named } = levels;
    return all ? { ...Object.fromEntries(policies.map((p) => [p.name, all])), ...named } : named;
}

const table = (rows: string[][]) => {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows
        .map((r) =>
            r
                .map((cell, i) => cell.padEnd(widths[i]))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
};

async function main(): Promise<number> {
    const args = parseCommandLine(USAGE, {
        stack: { type: "string" },
        config: { type: "string", multiple: true },
        preview: { type: "boolean", default: false },
        "policy-config": { type: "string" },
        program: { type: "string" },
        "stack-dir": { type: "string", default: PROJECT_ROOT },
    });
    const stack = args.stack as string | undefined;
    if (!stack) throw new UsageError(`--stack is required; usage: ${USAGE}`);
    const preview = args.preview as boolean;
    const enforcement = enforcementLevels(args["policy-config"] as string | undefined);
    const stackFile = readStackFile(stack, path.resolve(args["stack-dir"] as string));
    const overrides = configOverrides(args.config as string[] | undefined);
    const config = { ...stackFile.config, ...overrides };
    const unread = stackFile.secrets.filter((key) => !(key in overrides));
    const run = await runProgram({ config, stack, preview, program: args.program as string | undefined });
    const found = await evaluatePack(run.resources, { enforcement });

    const byUrn = (urn: string) => found.filter((d) => d.urn === urn);
    const status = (list: Diagnostic[]) => {
        const count = (level: string) => list.filter((d) => !d.deferred && d.enforcementLevel === level).length;
        const parts = [
            count("mandatory") && `${count("mandatory")} mandatory`,
            count("advisory") && `${count("advisory")} advisory`,
            list.some((d) => d.deferred) && `${list.filter((d) => d.deferred).length} deferred to up`,
        ].filter(Boolean);
        return parts.length ? parts.join(", ") : "ok";
    };
    const custom = run.resources.filter((r) => r.custom);
    console.log(`Stack ${stack}${preview ? " (preview: computed outputs unknown)" : ""}: ${custom.length} resources\n`);
    console.log(table([["TYPE", "NAME", "POLICIES"], ...custom.map((r) => [r.type, r.name, status(byUrn(r.urn))])]));

    const order = (d: Diagnostic) => (d.deferred ? 2 : d.enforcementLevel === "mandatory" ? 0 : 1);
    const listed = [...found].sort((a, b) => order(a) - order(b));
    if (listed.length) {
        console.log("\nViolations:");
        for (const d of listed) {
            const level = d.deferred ? "deferred" : d.enforcementLevel;
            console.log(
                `\n[${level}] ${d.policy}  ${d.urn.split("::").pop()}\n  ${d.message.split("\n").join("\n  ")}`,
            );
        }
    }
    const mandatory = found.filter((d) => !d.deferred && d.enforcementLevel === "mandatory").length;
    const advisory = found.filter((d) => !d.deferred && d.enforcementLevel === "advisory").length;
    const deferred = found.filter((d) => d.deferred).length;
    console.log(`\n${mandatory} mandatory, ${advisory} advisory, ${deferred} deferred to pulumi up.`);
    if (unread.length > 0) {
        console.log(
            `Not checked: ${unread.join(", ")} ${unread.length === 1 ? "is a secret" : "are secrets"} (secure:) this check cannot read; the program ran with ${unread.length === 1 ? "its default" : "their defaults"}, and the pack checks the real ${unread.length === 1 ? "value" : "values"} at pulumi preview and up.`,
        );
    }
    return mandatory > 0 ? 1 : 0;
}

if (require.main === module) runScript("policy:check", main);
