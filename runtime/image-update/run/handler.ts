/**
 * The Lambda entry point of the image-update state machine. Pulumi serializes this function into
 * the deployment package; the SDK modules it uses are left to the Lambda runtime, which ships
 * AWS SDK v3. Clients are created per invocation, from the function's own environment (Region,
 * role credentials), never captured from the Pulumi program.
 */
import { AppStreamClient } from "@aws-sdk/client-appstream";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { S3Client } from "@aws-sdk/client-s3";
import { SESClient } from "@aws-sdk/client-ses";
import { sendEmail } from "../../email/send-email";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { appStreamApi } from "./appstream-api";
import { invocationPacing } from "./invocation-pacing";
import { serviceQuotasApi } from "./service-quotas-api";
import { RunSettings, invalidRunInput, parseRunSettings } from "./run-settings";
import { Email, EmailOptions, RunContext, failureEmail, summaryEmail } from "../email/summary-email";
import { runReportKey, runStateKey } from "./run-state";
import { emailWithinSes } from "../email/ses-size";
import { RunStore, s3RunStore } from "./run-store";
import { RunPointer, checkStored, readRun, startStored } from "./stored-steps";
import { RunSummary, lifecycleCounts, summarize } from "./run-summary";
import { checkRun, startRun } from "./workflow";

/** The events the state machine sends; `action` names the step. */
export type ImageUpdateEvent =
    | { action: "start"; settings: unknown; startedAt: string; execution: string }
    | { action: "check"; run: RunPointer }
    | { action: "notify"; run: RunPointer; executionArn?: string }
    | {
          action: "notifyFailure";
          execution: { settings?: unknown; run?: RunPointer; error?: { Error?: string; Cause?: string } };
          executionArn?: string;
      };

/** What the notify steps return: counts, for the execution's output; the whole report is the email. */
export interface NotifyResult {
    readonly outcome: RunSummary["outcome"];
    readonly counts: {
        updated: number;
        failed: number;
        upToDate: number;
        pendingAtTimeout: number;
        blockedByQuota: number;
        fleetsRolledOut: number;
        imagesDeleted: number;
    };
    /** Recipients the email went to; empty when no email was configured. */
    readonly emailedTo: readonly string[];
}

function notifyResult(outcome: RunSummary["outcome"], summary: RunSummary | undefined, emailedTo: readonly string[]) {
    const counts = {
        updated: summary?.updated.length ?? 0,
        failed: summary?.failed.length ?? 0,
        upToDate: summary?.upToDate.length ?? 0,
        pendingAtTimeout: summary?.pendingAtTimeout.length ?? 0,
        ...(summary ? lifecycleCounts(summary) : { blockedByQuota: 0, fleetsRolledOut: 0, imagesDeleted: 0 }),
    };
    return { outcome, counts, emailedTo };
}

// The few S3, SES and Service Quotas calls of a step: the SDK's adaptive retries slow down under throttling.
const CLIENT_CONFIG = { retryMode: "adaptive", maxAttempts: 6 } as const;
// AppStream and the Tagging API: one attempt per SDK call, because the adapter paces and retries
// them itself (runtime/aws/paced-calls.ts), the same code the tests and the simulation run.
const PACED_CLIENT_CONFIG = { maxAttempts: 1 } as const;

/** The AppStream adapter of one invocation, paced at the run's rates, and when it may still start updates. */
function appStream(settings: RunSettings) {
    const { paced, mayStartUpdates } = invocationPacing(settings);
    const api = appStreamApi(
        new AppStreamClient(PACED_CLIENT_CONFIG),
        new ResourceGroupsTaggingAPIClient(PACED_CLIENT_CONFIG),
        paced,
    );
    return { api, mayStartUpdates };
}

async function send(settings: RunSettings, email: Email): Promise<readonly string[]> {
    if (settings.notifyEmails.length === 0) return [];
    await sendEmail(new SESClient(CLIENT_CONFIG), settings.senderEmail, settings.notifyEmails, email);
    return settings.notifyEmails;
}

/** A Lambda error's Cause is the JSON of the error; the message is what a person needs. */
function readableCause(cause: string | undefined): string | undefined {
    try {
        const parsed = JSON.parse(cause ?? "");
        if (parsed && typeof parsed.errorMessage === "string") return parsed.errorMessage;
    } catch {
        // Not JSON: already readable.
    }
    return cause;
}

/** The function's environment variable naming the Pulumi project/stack that deployed it. */
export const STACK_VARIABLE = "APPSTREAM_OPS_STACK";
/** The function's environment variable naming the bucket that holds each run's state. */
export const RUN_STATE_BUCKET_VARIABLE = "APPSTREAM_OPS_RUN_STATE_BUCKET";

function runStore(): RunStore {
    const bucket = process.env[RUN_STATE_BUCKET_VARIABLE];
    if (!bucket) throw new Error(`${RUN_STATE_BUCKET_VARIABLE} is not set: the function cannot keep the run's state`);
    return s3RunStore(new S3Client(CLIENT_CONFIG), bucket);
}

/** Stores the full report beside the run's state, for an email too large for SES to link to. */
function reportStorer(store: RunStore, stateKey: string, region?: string) {
    return async (full: Email) => ({ ...(await store.storeReport(runReportKey(stateKey), full.html)), region });
}

/** What the failure email can say of the run: its state as last stored, or nothing when it cannot be read. */
async function lastStoredRun(pointer: RunPointer | undefined) {
    if (!pointer?.key) return undefined;
    try {
        return (await runStore().read(pointer.key))?.run;
    } catch {
        return undefined;
    }
}

export async function handleImageUpdateEvent(event: ImageUpdateEvent): Promise<RunPointer | NotifyResult> {
    // The stack is set on the function by ImageUpdateScheduler; the account comes from the execution ARN.
    const context: RunContext = { region: process.env.AWS_REGION, stack: process.env[STACK_VARIABLE] };
    switch (event?.action) {
        case "start": {
            const settings = parseRunSettings(event.settings);
            if (typeof event.execution !== "string" || event.execution === "") {
                throw invalidRunInput([
                    "execution: start needs the execution's name ($$.Execution.Name), which keys the run's state",
                ]);
            }
            return startStored(runStore(), runStateKey(event.execution), () => {
                const { api, mayStartUpdates } = appStream(settings);
                const quotas = serviceQuotasApi(new ServiceQuotasClient(CLIENT_CONFIG));
                return startRun(api, settings, event.startedAt, quotas, { mayStartUpdates });
            });
        }
        case "check":
            return checkStored(runStore(), event.run, (state, afterLostAttempt) => {
                const { api, mayStartUpdates } = appStream(state.settings);
                return checkRun(api, state, { afterLostAttempt, mayStartUpdates });
            });
        case "notify": {
            const store = runStore();
            const { state } = (await readRun(store, event.run.key)).run;
            const summary = summarize(state);
            const email = await emailWithinSes(
                (options) => summaryEmail(summary, { ...context, executionArn: event.executionArn }, options),
                reportStorer(store, event.run.key, context.region),
            );
            const emailedTo = await send(state.settings, email);
            return notifyResult(summary.outcome, summary, emailedTo);
        }
        case "notifyFailure": {
            const { error = {} } = event.execution ?? {};
            const stored = await lastStoredRun(event.execution?.run);
            const run = stored?.state;
            // Settings that failed validation cannot address an email; the execution's error says why.
            const settings = run?.settings ?? parseRunSettings(event.execution?.settings);
            const summary = run ? summarize(run) : undefined;
            const cause = readableCause(error.Cause);
            const failure = {
                Error: error.Error,
                Cause:
                    stored?.checkInProgress === undefined
                        ? cause
                        : `${cause ?? ""} Check ${stored.checkInProgress} began and did not store its result: anything it did then is not in this report.`.trim(),
            };
            const build = (options?: EmailOptions) =>
                failureEmail(failure, summary, { ...context, executionArn: event.executionArn }, options);
            const pointer = event.execution?.run;
            const email = pointer?.key
                ? await emailWithinSes(build, reportStorer(runStore(), pointer.key, context.region))
                : build();
            const emailedTo = await send(settings, email);
            return notifyResult("FAILED", summary, emailedTo);
        }
        default:
            throw invalidRunInput([
                `unknown action ${JSON.stringify((event as { action?: unknown })?.action)}: expected start, check, notify or notifyFailure`,
            ]);
    }
}
