/**
 * npm run simulate [-- --stack dev] [--fixture scripts/fixtures/sample-account.json] [--config key=value ...]
 *
 * Runs one scheduled image-update run locally, as the stack would deploy it (the real program under
 * mocks gives the state-machine definition, the schedule input and the serialized Lambda), against
 * a sample account described by a fixture. Prints the timeline and the emails it would send.
 * The settings are the stack's own (Pulumi.<stack>.yaml), validated as preview validates them;
 * `--config` sets a value over the file's, as `pulumi config set` would. The fixture describes
 * only the account. Needs no AWS account and no Pulumi CLI.
 */
import * as fs from "fs";
import * as path from "path";
import { CONFIG_NAMESPACE, parseStackConfig } from "../config";
import { ImageEntry, RunState } from "../runtime/image-update/run/run-state";
import { deployedWorkflow } from "../test/helpers/deployed-workflow";
import {
    FakeAppStreamAccount,
    FakeFleetSpec,
    FakeImageBuilderSpec,
    FakeImageSpec,
    mockAppStream,
    mockSes,
} from "../test/helpers/fake-appstream";
import { WorkflowStep, runLocalWorkflow } from "../test/helpers/local-workflow";
import { PROJECT_ROOT, UsageError, configOverrides, parseCommandLine, readStackFile, runScript } from "./lib/cli";

interface Fixture {
    description: string;
    startedAt: string;
    concurrentUpdateQuota?: number;
    /** The account's image and image builder quotas. @default not enforced */
    imageQuota?: number;
    imageBuilderQuota?: number;
    images: FakeImageSpec[];
    fleets?: FakeFleetSpec[];
    imageBuilders?: FakeImageBuilderSpec[];
}

/** What a fixture may hold: the account, never the stack's settings. */
const FIXTURE_KEYS = [
    "description",
    "startedAt",
    "concurrentUpdateQuota",
    "imageQuota",
    "imageBuilderQuota",
    "images",
    "fleets",
    "imageBuilders",
];

/** The fixture, or an error naming the file and what is wrong with it. */
function readFixture(file: string): Fixture {
    const where = path.relative(process.cwd(), file) || file;
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new UsageError(`${where}: cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
    let fixture: Fixture;
    try {
        fixture = JSON.parse(text);
    } catch (err) {
        throw new UsageError(`${where}: is not valid JSON (${(err as Error).message})`);
    }
    if (typeof fixture !== "object" || fixture === null || !Array.isArray(fixture.images)) {
        throw new UsageError(`${where}: expected an object with an "images" list`);
    }
    const foreign = Object.keys(fixture).filter((key) => !FIXTURE_KEYS.includes(key));
    if (foreign.length > 0) {
        throw new UsageError(
            `${where}: ${foreign.map((k) => JSON.stringify(k)).join(", ")} is not a fixture key; a fixture describes only the account (${FIXTURE_KEYS.join(", ")}), and the settings come from Pulumi.<stack>.yaml or --config`,
        );
    }
    return fixture;
}

const clock = (minute: number) => `+${Math.floor(minute / 60)}h${String(minute % 60).padStart(2, "0")}m`;
const names = (entries: ImageEntry[]) => entries.map((e) => e.name).join(", ");

/** What changed between two run states, in a line; `after` is the run as the step stored it. */
function describe(step: WorkflowStep, before: RunState | undefined, after: RunState | undefined): string {
    if (step.error) return `error ${step.error.split("\n")[0]}`;
    if (step.state === "NotifySummary" || step.state === "NotifyFailure") {
        const result = step.output as { outcome: string; emailedTo: string[] };
        const to = result.emailedTo.length ? `emailed ${result.emailedTo.join(", ")}` : "no recipients configured";
        return `outcome ${result.outcome}; ${to}`;
    }
    if (!after) return "";
    const was = new Map(before?.images.map((i) => [i.name, i.status]));
    const became = (status: string) => after.images.filter((i) => i.status === status && was.get(i.name) !== status);
    const parts: string[] = [];
    if (!before) parts.push(`${after.images.length} tagged image(s) found`);
    if (!before && after.quotas) {
        const q = after.quotas;
        parts.push(
            `quotas: ${q.images.value} images, ${q.imageBuilders.value} image builders, ${q.concurrentUpdates.value} concurrent updates`,
        );
    }
    const seen = new Set(before?.retention?.items.filter((r) => !r.kept).map((r) => r.image));
    const deleted = (after.retention?.items ?? []).filter((r) => !r.kept && !seen.has(r.image)).map((r) => r.image);
    if (deleted.length) {
        parts.push(`${after.settings.keepImageVersions > 0 ? "deleted" : "would delete"}: ${deleted.join(", ")}`);
    }
    const groups: [string, string][] = [
        ["updated", "finished"],
        ["updating", "started"],
        ["upToDate", "already up to date"],
        ["failed", "failed"],
        ["timedOut", "pending at timeout"],
        ["blocked", "blocked by a quota"],
    ];
    for (const [status, label] of groups) {
        const changed = became(status);
        if (changed.length) parts.push(`${label}: ${names(changed)}`);
    }
    const retrying = after.images.filter((i) => i.status === "queued" && i.reason);
    if (retrying.length) parts.push(`retrying later: ${names(retrying)}`);
    const fleetsBefore = new Map(before?.fleets?.items.map((f) => [f.fleet, f.outcome]));
    for (const fleet of after.fleets?.items ?? []) {
        if (fleetsBefore.get(fleet.fleet) === fleet.outcome) continue;
        const what = { rolledOut: "rolled out", failed: "failed", skipped: "skipped", notOptedIn: "not opted in" };
        parts.push(`fleet ${fleet.fleet} ${what[fleet.outcome]} (${fleet.newImage})`);
    }
    if (after.done && after.quotaUsage)
        parts.push(`images now ${after.quotaUsage.images} of ${after.quotas?.images.value}`);
    parts.push(`${after.images.filter((i) => i.status === "updating").length} running`);
    return parts.join("; ");
}

export interface Simulation {
    readonly status: string;
    /** The timeline and the emails, as printed. */
    readonly lines: string[];
    readonly account: FakeAppStreamAccount;
    /** The emails SES was asked to send, as sent. */
    readonly emails: { subject: string; text: string; html: string }[];
}

/** Runs one scheduled run of `stack` against the fixture; `print` sees each line as it comes. */
export interface SimulationOptions {
    readonly stack: string;
    readonly fixtureFile: string;
    /** Settings over the stack file's, as `--config key=value` gives them. */
    readonly overrides?: Record<string, string>;
    /** Sees each line as it comes. */
    readonly print?: (line: string) => void;
}

/** Runs one scheduled run of the stack, with its own settings, against the account a fixture describes. */
export async function simulate(options: SimulationOptions): Promise<Simulation> {
    const { stack, fixtureFile, overrides = {}, print = () => {} } = options;
    const lines: string[] = [];
    const log = (line: string) => {
        lines.push(...line.split("\n"));
        print(line);
    };
    const fixture = readFixture(fixtureFile);
    const stackFile = readStackFile(stack);
    const config = { ...stackFile.config, ...overrides };
    // The program's own validation, before anything runs: what preview would refuse is refused here.
    const prefix = `${CONFIG_NAMESPACE}:`;
    if (!parseStackConfig(config).imageUpdates) {
        throw new UsageError(
            `stack "${stack}" sets ${prefix}imageUpdates = false, so it deploys no image updater to simulate; add --config imageUpdates=true to see what it would do`,
        );
    }
    const deployed = await deployedWorkflow({ stack, config });
    process.env.AWS_REGION = config["aws:region"] ?? "eu-west-1";

    const account = new FakeAppStreamAccount(fixture.images, {
        fleets: fixture.fleets,
        builders: fixture.imageBuilders,
    });
    account.quota = fixture.concurrentUpdateQuota ?? 5;
    account.imageQuota = fixture.imageQuota ?? Infinity;
    account.builderQuota = fixture.imageBuilderQuota ?? Infinity;
    const appstream = mockAppStream(account);
    const ses = mockSes();
    const { settings } = deployed.input;
    log(`Simulated image update run of stack "${stack}" against ${path.relative(process.cwd(), fixtureFile)}`);
    log(`  ${fixture.description}`);
    const given = Object.entries(overrides).map(([key, value]) => `${key.replace(prefix, "")}=${value}`);
    log(`  settings: Pulumi.${stack}.yaml${given.length ? `, with --config ${given.join(" ")}` : ""}`);
    const unread = stackFile.secrets.filter((key) => !(key in overrides));
    if (unread.length)
        log(`  secrets (secure:) not readable here, simulated with their defaults: ${unread.join(", ")}`);
    log(
        `  ${fixture.images.length} images, ${fixture.fleets?.length ?? 0} fleets; opt-in tag ${settings.tagKey}=${settings.tagValue}; batch size ${settings.batchSize}; ` +
            `check every ${deployed.pollIntervalMinutes} min, at most ${settings.maxChecks} checks; ` +
            `keepImageVersions ${settings.keepImageVersions}\n`,
    );
    let state: RunState | undefined;
    let status = "";
    const emails: Simulation["emails"] = [];
    try {
        const run = await runLocalWorkflow({
            definition: deployed.definition,
            handler: deployed.handler,
            input: deployed.input,
            account,
            pollIntervalMinutes: deployed.pollIntervalMinutes,
            startedAt: fixture.startedAt,
            // One execution per simulation, on a fresh account: a fixed name keeps the email's link stable.
            executionName: "local-run",
            onStep: (step) => {
                // The step's output points at the run's state in the (fake) run-state bucket.
                const key = (step.output as { key?: string } | undefined)?.key;
                const after = key === undefined ? undefined : account.runStates.run(key)?.state;
                log(`${clock(step.minute).padStart(7)}  ${step.state.padEnd(14)} ${describe(step, state, after)}`);
                if (after) state = after;
            },
        });
        status = run.status;
        log(`\nExecution ${run.status}${run.error ? ` (${run.error})` : ""}`);
        const calls = new Map<string, number>();
        for (const call of account.calls) calls.set(call.command, (calls.get(call.command) ?? 0) + 1);
        log(`AWS calls: ${[...calls].map(([c, n]) => `${c} ${n}`).join(", ")}`);
        for (const [i, mail] of ses.sent.entries()) {
            log(`\n--- Email ${i + 1} of ${ses.sent.length} ---`);
            log(`From: ${mail.Source}`);
            log(`To: ${mail.Destination?.ToAddresses?.join(", ")}`);
            log(`Subject: ${mail.Message?.Subject?.Data}\n`);
            log(mail.Message?.Body?.Text?.Data ?? "");
        }
        if (ses.sent.length === 0) log("\nNo email: notifyEmails is empty for this stack.");
        for (const mail of ses.sent) {
            const { Subject, Body } = mail.Message ?? {};
            emails.push({ subject: Subject?.Data ?? "", text: Body?.Text?.Data ?? "", html: Body?.Html?.Data ?? "" });
        }
    } finally {
        appstream.restore();
        ses.restore();
    }
    return { status, lines, account, emails };
}

const USAGE = "npm run simulate -- [--stack <name>] [--fixture <file>] [--config key=value ...]";

async function main(): Promise<number> {
    const values = parseCommandLine(USAGE, {
        stack: { type: "string", default: "dev" },
        fixture: { type: "string", default: path.join(PROJECT_ROOT, "scripts/fixtures/sample-account.json") },
        config: { type: "string", multiple: true },
    });
    await simulate({
        stack: values.stack as string,
        fixtureFile: path.resolve(values.fixture as string),
        overrides: configOverrides(values.config as string[] | undefined),
        print: (line) => console.log(line),
    });
    return 0;
}

// A command when run by npm run simulate; a function when a test imports it.
if (require.main === module) runScript("simulate", main);
