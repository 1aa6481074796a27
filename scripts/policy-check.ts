/**
 * npm run policy:check -- --stack dev [--config key=value ...] [--preview] [--policy-config policy-config.json] [--program index.ts]
 *
 * Runs the program under mocks with Pulumi.<stack>.yaml, evaluates every policy of the pack the
 * way the engine does (each resource's inputs, then the whole stack), and prints the resources
 * and the violations. Exits 1 on a mandatory violation. Needs no cloud credentials and no Pulumi
 * CLI, so it also runs on pull requests from forks.
 *
 * --config         a stack config value over the stack file's, as `pulumi config set key value` would
 *                  set it, e.g. --config usageReports=true --config 'elasticFleets=["elastic-fleet-1"]'
 * --preview        evaluate what a `pulumi preview` sees: computed outputs (ARNs, ids) unknown
 * --policy-config  enforcement levels as for `pulumi preview --policy-pack-config`
 */
import * as fs from "fs";
import { EnforcementLevel } from "@pulumi/policy";
import { Diagnostic, evaluatePack } from "../test/helpers/policy-pack";
import { runProgram } from "../test/helpers/program";
import { readStackConfig } from "../test/helpers/stack-config";

function argument(name: string): string | undefined {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? process.argv[at + 1] : undefined;
}

/** Every `--config key=value`; a key without a namespace is in appstream-ops. */
function configOverrides(): Record<string, string> {
    const overrides: Record<string, string> = {};
    process.argv.forEach((arg, i) => {
        if (arg !== "--config") return;
        const setting = process.argv[i + 1] ?? "";
        const at = setting.indexOf("=");
        if (at <= 0) throw new Error(`--config needs key=value, got ${JSON.stringify(setting)}`);
        const key = setting.slice(0, at);
        overrides[key.includes(":") ? key : `appstream-ops:${key}`] = setting.slice(at + 1);
    });
    return overrides;
}

/** Reads a policy-config file: `{ "<policy>": "<level>" }` or `{ "<policy>": { "enforcementLevel": "<level>" } }`. */
function enforcementLevels(file: string | undefined): Record<string, EnforcementLevel> {
    if (!file) return {};
    const config = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    return Object.fromEntries(
        Object.entries(config).map(([policy, value]) => [
            policy,
            (typeof value === "string"
                ? value
                : (value as { enforcementLevel: EnforcementLevel }).enforcementLevel) as EnforcementLevel,
        ]),
    );
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

async function main() {
    const stack = argument("stack");
    if (!stack) {
        console.error(
            "usage: npm run policy:check -- --stack <name> [--config key=value ...] [--preview] [--policy-config <file>] [--program <file>]",
        );
        process.exit(2);
    }
    const preview = process.argv.includes("--preview");
    const config = { ...readStackConfig(stack), ...configOverrides() };
    const run = await runProgram({ config, stack, preview, program: argument("program") });
    const found = await evaluatePack(run.resources, { enforcement: enforcementLevels(argument("policy-config")) });

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
    process.exit(mandatory > 0 ? 1 : 0);
}

main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
});
