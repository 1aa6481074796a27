/**
 * Whole image-update runs at scale, as deployed: the state-machine definition on
 * aws-local-stepfunctions, every Task answered by the serialized Lambda archive (paced, on a
 * virtual clock), against a fake account of N tagged images with realistic long names and N
 * untagged ones. `npm run bench` prints their figures; the scale suite asserts on them.
 */
import { NotifyResult } from "../../runtime/image-update/run/handler";
import { STATE } from "../../runtime/image-update/run/state-machine";
import { payloadBytes } from "../../runtime/image-update/run/state-budget";
import { deployedWorkflow } from "./deployed-workflow";
import { withEnvironment } from "./environment";
import { FakeAppStreamAccount, FakeImageSpec, OPERATION_SERVICES, mockAppStream, mockSes } from "./fake-appstream";
import { LocalWorkflowRun, runLocalWorkflow } from "./local-workflow";

/** `tagged` opted-in images with realistic long names, 1 in 10 already up to date, and as many untagged ones. */
export function scaleAccount(tagged: number): FakeAppStreamAccount {
    const specs: FakeImageSpec[] = [];
    for (let i = 0; i < tagged; i++) {
        specs.push({
            name: `Win2022-Business-Unit-${String(i).padStart(4, "0")}-Office-And-Line-Of-Business-Apps`,
            displayName: `Business unit ${i}: Office and line-of-business applications`,
            tags: { AutoUpdate: "Enabled", CostCenter: `CC-${i}`, Owner: "appstream-admins@example.com" },
            update: { minutes: 45 + (i % 4) * 15, available: i % 10 !== 0 },
        });
        specs.push({ name: `Win2022-Sandbox-${String(i).padStart(4, "0")}`, tags: { Team: "Dev" } });
    }
    return new FakeAppStreamAccount(specs);
}

export interface ScaleRunOptions {
    readonly tagged: number;
    /** Batch size, and the account's concurrent-update quota. */
    readonly batchSize: number;
    /** How long AppStream (and every other fake service) takes to answer. @default 0 */
    readonly latencyMs?: number;
    /** Every n-th AppStream call is throttled. @default never */
    readonly throttleEvery?: number;
    /** The stack's appStreamCallsPerSecond. @default its default */
    readonly appStreamCallsPerSecond?: number;
    /** A defect planted in the serialized function, for a negative control (deployedWorkflow). */
    readonly plant?: readonly [string | RegExp, string][];
}

export interface Invocation {
    readonly state: string;
    /** AWS calls it made, retries included. */
    readonly calls: number;
    /** Its duration on the virtual clock: what Lambda would bill and time out on. */
    readonly elapsedMs: number;
}

export interface ScaleRun {
    readonly account: FakeAppStreamAccount;
    readonly run: LocalWorkflowRun;
    readonly invocations: Invocation[];
    /** Calls per operation over the whole run. */
    readonly calls: Map<string, number>;
    /** Calls the fake throttled. */
    readonly throttled: number;
    /** The largest data a state passed on: what Step Functions carries between steps. */
    readonly largestPayload: number;
    /** What NotifySummary returned. */
    readonly notified?: NotifyResult;
    readonly emailsSent: number;
    /** Images the summary accounts for, each under one outcome. */
    readonly taken: number;
}

export async function scaleRun(options: ScaleRunOptions): Promise<ScaleRun> {
    const deployed = await deployedWorkflow(
        {
            config: {
                imageUpdates: "true",
                batchSize: String(options.batchSize),
                maxConcurrentUpdates: String(options.batchSize),
                maxWaitHours: "168",
                notifyEmails: '["appstream-admins@example.com"]',
                senderEmail: "appstream-ops@example.com",
                ...(options.appStreamCallsPerSecond
                    ? { appStreamCallsPerSecond: String(options.appStreamCallsPerSecond) }
                    : {}),
            },
        },
        options.plant,
    );
    const account = scaleAccount(options.tagged);
    account.quota = options.batchSize;
    account.latencyMs = options.latencyMs ?? 0;
    let appStreamCalls = 0;
    let throttled = 0;
    if (options.throttleEvery) {
        const every = options.throttleEvery;
        account.faultHook = (command) => {
            if (OPERATION_SERVICES[command] || ++appStreamCalls % every !== 0) return undefined;
            throttled++;
            return { kind: "throttle" };
        };
    }
    const appStream = mockAppStream(account);
    const ses = mockSes();
    const invocations: Invocation[] = [];
    let callsBefore = 0;
    try {
        const run = await withEnvironment({ AWS_REGION: "eu-west-1" }, () =>
            runLocalWorkflow({
                definition: deployed.definition,
                handler: deployed.handler,
                input: deployed.input,
                account,
                pollIntervalMinutes: deployed.pollIntervalMinutes,
                onStep(step) {
                    invocations.push({
                        state: step.state,
                        calls: account.calls.length - callsBefore,
                        elapsedMs: step.elapsedMs,
                    });
                    callsBefore = account.calls.length;
                },
            }),
        );
        const calls = new Map<string, number>();
        for (const call of account.calls) calls.set(call.command, (calls.get(call.command) ?? 0) + 1);
        const notify = run.steps.find((step) => step.state === STATE.notify && step.output !== undefined);
        const notified = notify?.output as NotifyResult | undefined;
        const counts = notified?.counts;
        return {
            account,
            run,
            invocations,
            calls,
            throttled,
            largestPayload: Math.max(
                ...run.steps.flatMap((step) => [payloadBytes(step.input), payloadBytes(step.output ?? null)]),
            ),
            notified,
            emailsSent: ses.sent.length,
            taken: counts
                ? counts.updated + counts.failed + counts.upToDate + counts.pendingAtTimeout + counts.blockedByQuota
                : 0,
        };
    } finally {
        appStream.restore();
        ses.restore();
    }
}

/** The invocation that took longest on the virtual clock. */
export function slowestInvocation(run: ScaleRun): Invocation {
    return run.invocations.reduce((a, b) => (b.elapsedMs > a.elapsedMs ? b : a));
}
