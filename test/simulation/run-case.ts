/**
 * One case of the fault-injection simulation: the generated account in the model-validated fake,
 * the deployed state-machine definition run by aws-local-stepfunctions, every Task answered by the
 * serialized Lambda archive, faults injected per the case's seeded schedule, and the lifecycle's
 * invariants (runtime/image-update/lifecycle/invariants.ts) checked on the fake's ground truth: I1
 * and I3's "no other fleet" at every DeleteImage and UpdateFleet that takes effect, quotas after
 * every step, and I2-I5 at the end of each execution.
 */
import { baseNameOf } from "../../runtime/image-update/lifecycle/image-names";
import { INVARIANTS, InvariantId, deletionProtection } from "../../runtime/image-update/lifecycle/invariants";
import { isPassRecord } from "../../runtime/image-update/lifecycle/lifecycle-records";
import { isManagedVersion, versionsOf } from "../../runtime/image-update/lifecycle/retention";
import { RunInput } from "../../runtime/image-update/run/run-settings";
import { RunState } from "../../runtime/image-update/run/run-state";
import { RunSummary, summarize } from "../../runtime/image-update/run/run-summary";
import { STATE } from "../../runtime/image-update/run/state-machine";
import type { RunPointer } from "../../runtime/image-update/run/stored-steps";
import { DeployedWorkflow } from "../helpers/deployed-workflow";
import { FakeAppStreamAccount, FakeImage, mockAppStream, mockSes } from "../helpers/fake-appstream";
import { LambdaHandler } from "../helpers/lambda-archive";
import { LocalWorkflowRun, runLocalWorkflow } from "../helpers/local-workflow";
import { sdkError } from "../helpers/sdk-errors";
import { SimulationCase } from "./accounts";
import { FaultClass, faultSchedule } from "./faults";

const TAG_KEY = "AutoUpdate";
const STARTS = ["2026-12-01T12:00:00.000Z", "2026-12-01T12:20:00.000Z"];

export interface Violation {
    readonly invariant: InvariantId;
    readonly execution: string;
    readonly detail: string;
}

export interface CaseResult {
    readonly violations: Violation[];
    /** Each execution's steps, for a failing case's report. */
    readonly timeline: string[];
    readonly faults: Record<FaultClass, number>;
    readonly checks: Record<InvariantId, number>;
    readonly executions: number;
}

/** The deployed workflow the cases run: one definition, one serialized handler, loaded once. */
export type Deployment = Pick<DeployedWorkflow, "definition" | "handler" | "input" | "pollIntervalMinutes">;

const IN_PROGRESS = (image: FakeImage) => image.finishesAt !== undefined;

function groundTruthVersions(account: FakeAppStreamAccount, base: string) {
    const images = [...account.images.values()].map((i) => ({ ...i, tags: i.tags }));
    return versionsOf(base, images, TAG_KEY);
}

export async function runCase(simulation: SimulationCase, deployment: Deployment): Promise<CaseResult> {
    const account = new FakeAppStreamAccount(simulation.images, {
        fleets: simulation.fleets,
        builders: simulation.builders,
    });
    const privateCount = () => [...account.images.values()].filter((i) => i.visibility === "PRIVATE").length;
    const { quotas, settings } = simulation;
    account.quota = quotas.concurrentUpdates;
    account.taggingLagMinutes = simulation.faults.taggingLagMinutes;
    if (quotas.imageRoom !== undefined) account.imageQuota = privateCount() + quotas.imageRoom;
    if (quotas.read === "denied") account.quotaReadError = sdkError("AccessDeniedException", "not authorized");
    if (quotas.read === "noSuchResource") account.quotaReadError = sdkError("NoSuchResourceException", "no quota");
    if (quotas.read === "zero") account.reportedQuotas = { images: 0 };
    if (quotas.read === "belowUse") account.reportedQuotas = { images: 1 };
    const schedule = faultSchedule(simulation.faults, simulation.faultSeed);
    account.faultHook = (command) => schedule.hook(command);
    const violations: Violation[] = [];
    const timeline: string[] = [];
    const checks: Record<InvariantId, number> = { I1: 0, I2: 0, I3: 0, I4: 0, I5: 0 };
    const violate = (invariant: InvariantId, detail: string) =>
        violations.push({ invariant, execution: account.execution ?? "?", detail });
    const keep = settings.keepImageVersions;

    // I1, at every DeleteImage that takes effect, on the account as it is just before.
    const deleteImage = account.deleteImage.bind(account);
    account.deleteImage = async (input) => {
        const image = account.images.get(input.Name ?? "");
        const why = image && protectionOf(image);
        const output = await deleteImage(input);
        checks.I1++;
        if (why) violate("I1", `deleted ${input.Name}, which must be kept: ${why}`);
        return output;
    };
    const protectionOf = (image: FakeImage): string | undefined => {
        if (keep === 0) return "retention is off";
        if (image.sharedWith.length > 0) return "shared with another account";
        if (!isManagedVersion(image.tags, TAG_KEY)) return "this tool did not make or update it";
        const lineage = groundTruthVersions(account, baseNameOf(image.name, image.tags.BaseName));
        const images = [...account.images.values()];
        const updates = images
            .filter((i) => i.updatedFrom === image.name)
            .sort((a, b) => b.createdTime.localeCompare(a.createdTime));
        return deletionProtection(
            {
                position: lineage.findIndex((v) => v.name === image.name),
                superseded: image.tags[TAG_KEY] === "Completed",
                users: account.usersOf(image.name),
                baseOfPendingUpdate: updates.some(IN_PROGRESS),
                sourceOfFailedUpdate: updates[0]?.state === "FAILED",
                // Every execution of a case runs in one cycle: a move by either counts.
                fleetsLeftThisRun: account.fleetMoves.some((m) => m.from === image.name && !m.fromAccount),
            },
            keep,
        );
    };

    // I3's "no other fleet is ever changed": at every UpdateFleet that takes effect.
    const updateFleet = account.updateFleet.bind(account);
    account.updateFleet = async (input) => {
        const fleet = account.fleets.get(input.Name ?? "");
        const before = fleet && { ...fleet, tags: { ...fleet.tags } };
        const output = await updateFleet(input);
        checks.I3++;
        if (!before) return output;
        if (before.imageAccount) violate("I3", `moved ${before.name} off another account's image ${before.imageName}`);
        if (before.tags?.[TAG_KEY] !== "Enabled") violate("I3", `moved ${before.name}, which is not opted in`);
        const from = account.images.get(before.imageName);
        const newest = from && groundTruthVersions(account, baseNameOf(from.name, from.tags.BaseName))[0]?.name;
        if (newest !== input.ImageName) {
            violate(
                "I3",
                `moved ${before.name} from ${before.imageName} to ${input.ImageName}, not its lineage's newest (${newest})`,
            );
        }
        return output;
    };

    const input: RunInput = {
        settings: { ...deployment.input.settings, ...settings },
    };
    const appstream = mockAppStream(account);
    const ses = mockSes();
    let executions = 0;
    try {
        const execute = async (id: string, startedAt: string, second?: number): Promise<void> => {
            executions++;
            const faultsBefore = Object.values(schedule.injected).reduce((a, b) => a + b, 0);
            let checksSeen = 0;
            let startRunsLost = 0;
            const handler: LambdaHandler = async (event, context) => {
                account.execution = id;
                try {
                    return await deployment.handler(event, context);
                } finally {
                    checkQuotas();
                }
            };
            const run = await runLocalWorkflow({
                definition: deployment.definition,
                handler,
                input,
                account,
                pollIntervalMinutes: deployment.pollIntervalMinutes,
                startedAt,
                // The second execution runs during the first one's wait, before one of its checks:
                // not between a check and Step Functions' retry of it, which comes seconds later.
                beforeNewCheck: async () => {
                    if (second === undefined || ++checksSeen !== second) return;
                    schedule.injected.secondExecution++;
                    await execute("B", STARTS[1]);
                },
                // The run's state as each step left it (the bucket holds only the latest).
                onStep: (step) => {
                    const key = (step.output as { key?: string } | undefined)?.key;
                    const images = key === undefined ? undefined : account.runStates.run(key)?.state.images;
                    const what = step.error ?? images?.map((i) => `${i.name}:${i.status}`).join(" ") ?? "";
                    timeline.push(`${id} +${step.minute}m ${step.state} ${what}`);
                },
                loseResult: (state) =>
                    (state === STATE.start && simulation.faults.startRunRetry && startRunsLost++ === 0) ||
                    schedule.stepRetry(),
            });
            account.execution = id;
            const faultFree = Object.values(schedule.injected).reduce((a, b) => a + b, 0) === faultsBefore;
            checkEnd(id, run, faultFree);
        };
        const checkQuotas = () => {
            checks.I4++;
            if (account.inFlight() > account.quota)
                violate("I4", `${account.inFlight()} updates in flight, quota ${account.quota}`);
            if (privateCount() > account.imageQuota)
                violate("I4", `${privateCount()} images, quota ${account.imageQuota}`);
        };
        /** The run's state as the execution last stored it. */
        const storedRun = (pointer: RunPointer | undefined): RunState | undefined =>
            pointer?.key === undefined ? undefined : account.runStates.run(pointer.key)?.state;
        const checkEnd = (id: string, run: LocalWorkflowRun, faultFree: boolean) => {
            const notify = run.steps.find((s) => s.state === STATE.notify && s.output !== undefined);
            const failure = run.steps.find((s) => s.state === STATE.notifyFailure);
            const state: RunState | undefined = notify
                ? storedRun((notify.input as { run: RunPointer }).run)
                : storedRun((failure?.input as { execution?: { run?: RunPointer } } | undefined)?.execution?.run);
            checks.I5++;
            if (!notify && !failure)
                violate("I5", `the execution ended without a summary or failure email (${run.status})`);
            const crashed = run.steps.filter((s) => s.error && /ReferenceError|TypeError|Credentials/.test(s.error));
            for (const step of crashed) violate("I2", `the deployed Lambda crashed in ${step.state}: ${step.error}`);
            // Without a fault, nothing may stop a run before its summary (a missing setting, a bug).
            if (faultFree && failure) {
                const error = run.steps.find((s) => s.error)?.error ?? run.error;
                violate("I2", `a run without faults failed before its summary: ${error}`);
            }
            const summary = state && summarize(state);
            const made = [...account.images.values()].filter((i) => i.createdInExecution === id);
            checks.I2++;
            if (notify && summary) {
                for (const image of made) checkReported(image, summary);
            }
            // A failure email reports what the run knew when it stopped, and says so: I5 holds it to nothing later.
            if (notify && summary) checkSummaryIsTrue(id, summary);
            if (notify && summary) checkFleetsListed(id, summary);
            // Only a run that read the true image quota can be held to using the room it has.
            if (notify && summary && faultFree && quotas.read === "readable") checkRoomUsed(summary);
        };
        const checkReported = (image: FakeImage, summary: RunSummary) => {
            const source = image.updatedFrom!;
            const is = (list: RunSummary["updated"]) => list.some((i) => i.name === source && i.newName === image.name);
            if (is(summary.updated)) {
                if (image.state !== "AVAILABLE")
                    violate("I2", `${source} reported updated, ${image.name} is ${image.state}`);
            } else if (is(summary.failed)) {
                if (image.state !== "FAILED")
                    violate("I2", `${source} reported failed, ${image.name} is ${image.state}`);
            } else if (is(summary.pendingAtTimeout)) {
                if (!IN_PROGRESS(image)) violate("I2", `${source} reported pending, ${image.name} is ${image.state}`);
            } else {
                violate("I2", `${image.name} was accepted by AppStream in this execution and is not in its summary`);
            }
        };
        const checkSummaryIsTrue = (id: string, summary: RunSummary) => {
            checks.I5++;
            for (const record of summary.retention) {
                if (isPassRecord(record.image) || record.effectUnknown) continue;
                const exists = account.images.has(record.image);
                if (keep > 0 && record.kept === undefined && exists)
                    violate("I5", `reported ${record.image} deleted; it exists`);
                if (record.kept !== undefined && !exists && !account.deleted.includes(record.image)) {
                    violate("I5", `reported ${record.image} kept (${record.kept}); it is gone`);
                }
                if (record.kept !== undefined && !exists && account.deleted.includes(record.image)) {
                    // Deleted later by the other execution: only a violation when this one deleted it.
                    if (executions === 1)
                        violate("I5", `reported ${record.image} kept (${record.kept}); it was deleted`);
                }
            }
            for (const record of summary.fleets) {
                if (isPassRecord(record.fleet) || record.effectUnknown) continue;
                const fleet = account.fleets.get(record.fleet)!;
                const moved = account.fleetMoves.some((m) => m.fleet === record.fleet && m.to === record.newImage);
                if (record.outcome === "rolledOut" && !moved)
                    violate("I5", `reported ${record.fleet} rolled out to ${record.newImage}; it never was`);
                if (
                    (record.outcome === "failed" || record.outcome === "skipped") &&
                    fleet.imageName === record.newImage
                ) {
                    violate("I5", `reported ${record.fleet} not rolled out; it is on ${record.newImage}`);
                }
            }
            const other = (name: string) =>
                [...account.images.values()].some((i) => i.updatedFrom === name && i.createdInExecution !== id);
            for (const item of summary.failed) {
                const tag = account.images.get(item.name)?.tags[TAG_KEY];
                if (!tag || other(item.name)) continue;
                if (item.optIn === "kept" && tag !== "Enabled")
                    violate("I5", `says ${item.name} keeps its opt-in tag; it is ${tag}`);
                if (item.optIn === "notRestored" && tag === "Enabled")
                    violate("I5", `says ${item.name}'s opt-in tag was not set back; it was`);
            }
            for (const item of summary.updated) {
                const tag = account.images.get(item.name)?.tags[TAG_KEY];
                if (tag && !item.notMarked && tag !== "Completed")
                    violate("I5", `says ${item.name} was updated and marked; it is ${tag}`);
            }
        };
        const checkFleetsListed = (id: string, summary: RunSummary) => {
            checks.I3++;
            if (summary.fleets.some((f) => isPassRecord(f.fleet) || f.effectUnknown)) return;
            for (const fleet of account.fleets.values()) {
                if (fleet.imageAccount || fleet.tags?.[TAG_KEY] !== "Enabled") continue;
                const image = account.images.get(fleet.imageName);
                if (!image || image.state !== "AVAILABLE" || !isManagedVersion(image.tags, TAG_KEY)) continue;
                const newest = groundTruthVersions(account, baseNameOf(image.name, image.tags.BaseName))[0];
                if (!newest || newest.name === fleet.imageName) continue;
                const madeBy = account.images.get(newest.name)?.createdInExecution;
                if (madeBy !== undefined && madeBy !== id) continue;
                const listed = summary.fleets.some((f) => f.fleet === fleet.name && f.outcome !== "rolledOut");
                if (!listed)
                    violate(
                        "I3",
                        `${fleet.name} is opted in and on ${fleet.imageName}, older than ${newest.name}, and the summary does not list it`,
                    );
            }
        };
        const checkRoomUsed = (summary: RunSummary) => {
            checks.I4++;
            const blocked = summary.quotaBlocks.find((b) => b.quota === "images");
            if (blocked && keep > 0 && privateCount() < account.imageQuota) {
                violate(
                    "I4",
                    `${blocked.notStarted.length} blocked by the image quota with room for ${account.imageQuota - privateCount()} at the end`,
                );
            }
        };
        await execute("A", STARTS[0], simulation.secondExecutionAtCheck);
    } finally {
        appstream.restore();
        ses.restore();
    }
    return { violations, timeline, faults: schedule.injected, checks, executions };
}

/** One line per violation, naming the invariant and its statement. */
export function describeViolations(violations: readonly Violation[]): string {
    return violations
        .map(
            (v) => `${v.invariant} (${INVARIANTS[v.invariant].slice(0, 60)}…) in execution ${v.execution}: ${v.detail}`,
        )
        .join("\n");
}
