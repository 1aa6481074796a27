/**
 * npm run simulate [-- --stack dev] [--fixture scripts/fixtures/sample-account.json]
 *
 * Runs one scheduled image-update run locally, as the stack would deploy it (the real program under
 * mocks gives the state-machine definition, the schedule input and the serialized Lambda), against
 * a sample account described by a fixture. Prints the timeline and the emails it would send.
 * Needs no AWS account and no Pulumi CLI.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ImageEntry, RunState } from "../runtime/image-update/workflow";
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
import { PROJECT_ROOT } from "../test/helpers/program";
import { readStackConfig } from "../test/helpers/stack-config";

interface Fixture {
    description: string;
    startedAt: string;
    concurrentUpdateQuota?: number;
    /** The account's image and image builder quotas. @default not enforced */
    imageQuota?: number;
    imageBuilderQuota?: number;
    /** Stack config (raw strings) laid over the stack file, e.g. recipients for the sample. */
    config?: Record<string, string>;
    images: FakeImageSpec[];
    fleets?: FakeFleetSpec[];
    imageBuilders?: FakeImageBuilderSpec[];
}

/** A problem the user can fix (an argument, a file): printed as one line, without a stack trace. */
class SimulationInputError extends Error {}

/** The fixture, or an error naming the file and what is wrong with it. */
function readFixture(file: string): Fixture {
    const where = path.relative(process.cwd(), file) || file;
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new SimulationInputError(`${where}: cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
    let fixture: Fixture;
    try {
        fixture = JSON.parse(text);
    } catch (err) {
        throw new SimulationInputError(`${where}: is not valid JSON (${(err as Error).message})`);
    }
    if (typeof fixture !== "object" || fixture === null || !Array.isArray(fixture.images)) {
        throw new SimulationInputError(`${where}: expected an object with an "images" list`);
    }
    return fixture;
}

/** The stack file's config, or an error naming the file. */
function stackConfig(stack: string): Record<string, string> {
    try {
        return readStackConfig(stack);
    } catch (err) {
        const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
        throw new SimulationInputError(
            `Pulumi.${stack}.yaml: ${missing ? "does not exist" : (err as Error).message.split("\n")[0]}`,
        );
    }
}

const clock = (minute: number) => `+${Math.floor(minute / 60)}h${String(minute % 60).padStart(2, "0")}m`;
const names = (entries: ImageEntry[]) => entries.map((e) => e.name).join(", ");

/** What changed between two run states, in a line. */
function describe(step: WorkflowStep, before: RunState | undefined): string {
    if (step.error) return `error ${step.error.split("\n")[0]}`;
    if (step.state === "NotifySummary" || step.state === "NotifyFailure") {
        const result = step.output as { outcome: string; emailedTo: string[] };
        const to = result.emailedTo.length ? `emailed ${result.emailedTo.join(", ")}` : "no recipients configured";
        return `outcome ${result.outcome}; ${to}`;
    }
    const after = step.output as RunState;
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
}

/** Runs one scheduled run of `stack` against the fixture; `print` sees each line as it comes. */
export async function simulate(
    stack: string,
    fixtureFile: string,
    print: (line: string) => void = () => {},
): Promise<Simulation> {
    const lines: string[] = [];
    const log = (line: string) => {
        lines.push(...line.split("\n"));
        print(line);
    };
    const fixture = readFixture(fixtureFile);
    const config = { ...stackConfig(stack), ...(fixture.config ?? {}) };
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
    log(
        `  ${fixture.images.length} images, ${fixture.fleets?.length ?? 0} fleets; opt-in tag ${settings.tagKey}=${settings.tagValue}; batch size ${settings.batchSize}; ` +
            `check every ${deployed.pollIntervalMinutes} min, at most ${settings.maxChecks} checks; ` +
            `keepImageVersions ${settings.keepImageVersions}\n`,
    );
    let state: RunState | undefined;
    let status = "";
    try {
        const run = await runLocalWorkflow({
            definition: deployed.definition,
            handler: deployed.handler,
            input: deployed.input,
            account,
            pollIntervalMinutes: deployed.pollIntervalMinutes,
            startedAt: fixture.startedAt,
            onStep: (step) => {
                log(`${clock(step.minute).padStart(7)}  ${step.state.padEnd(14)} ${describe(step, state)}`);
                if (step.output && (step.state === "StartRun" || step.state === "CheckUpdates")) {
                    state = step.output as RunState;
                }
            },
        });
        status = run.status;
        log(`\nExecution ${run.status}${run.error ? ` (${run.error})` : ""}`);
        const calls = new Map<string, number>();
        for (const call of account.calls) calls.set(call.command, (calls.get(call.command) ?? 0) + 1);
        log(`AppStream calls: ${[...calls].map(([c, n]) => `${c} ${n}`).join(", ")}`);
        for (const [i, mail] of ses.sent.entries()) {
            log(`\n--- Email ${i + 1} of ${ses.sent.length} ---`);
            log(`From: ${mail.Source}`);
            log(`To: ${mail.Destination?.ToAddresses?.join(", ")}`);
            log(`Subject: ${mail.Message?.Subject?.Data}\n`);
            log(mail.Message?.Body?.Text?.Data ?? "");
        }
        if (ses.sent.length === 0) log("\nNo email: notifyEmails is empty for this stack and fixture.");
    } finally {
        appstream.restore();
        ses.restore();
    }
    return { status, lines, account };
}

async function main(): Promise<void> {
    let values: { stack: string; fixture: string };
    try {
        // node:util's parser: unknown flags and missing values are errors, and --stack=prod works.
        ({ values } = parseArgs({
            options: {
                stack: { type: "string", default: "dev" },
                fixture: { type: "string", default: path.join(PROJECT_ROOT, "scripts/fixtures/sample-account.json") },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (err) {
        throw new SimulationInputError(
            `${(err as Error).message}; usage: npm run simulate -- [--stack <name>] [--fixture <file>]`,
        );
    }
    await simulate(values.stack, path.resolve(values.fixture), (line) => console.log(line));
}

// A command when run by npm run simulate; a function when a test imports it.
if (require.main === module)
    main().then(
        () => process.exit(0),
        (err) => {
            // What the user can fix is one line; anything else is a bug, shown with its stack.
            console.error(err instanceof SimulationInputError ? `simulate: ${err.message}` : err);
            process.exit(err instanceof SimulationInputError ? 2 : 1);
        },
    );
