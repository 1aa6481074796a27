/**
 * The Amazon States Language definition of an image-update run, the one source for the deployed
 * state machine, the local workflow tests and the simulation:
 *
 *   StartRun -> IsRunDone -> WaitForUpdates -> CheckUpdates -> IsRunDone ... -> NotifySummary -> RunOutcome
 *   any Task error (after retries) -> NotifyFailure -> RunFailed
 *
 * Each Task calls the one Lambda with an `action`. The run's state lives in S3 (run-store), keyed
 * by the execution's name; `$.run` carries only a pointer to it, so the execution's data stays a
 * few hundred bytes however many images the run holds. The schedule's input (`$.settings`) stays
 * beside it, so a failure notification can still address an email.
 */

export const STATE = {
    start: "StartRun",
    isDone: "IsRunDone",
    wait: "WaitForUpdates",
    check: "CheckUpdates",
    notify: "NotifySummary",
    outcome: "RunOutcome",
    imagesFailed: "ImageUpdatesFailed",
    succeeded: "RunSucceeded",
    notifyFailure: "NotifyFailure",
    runFailed: "RunFailed",
} as const;

/** The Lambda's task states, in the order a run meets them. */
export const TASK_STATES = [STATE.start, STATE.check, STATE.notify, STATE.notifyFailure] as const;

export interface ImageUpdateDefinitionOptions {
    /** ARN of the workflow Lambda. */
    readonly functionArn: string;
    /** Seconds between checks of running updates. */
    readonly pollIntervalSeconds: number;
    /** Upper bound of one Lambda call, a little above the function's own timeout. */
    readonly taskTimeoutSeconds: number;
}

export type StateMachineDefinition = {
    Comment: string;
    StartAt: string;
    States: Record<string, Record<string, unknown>>;
};

// Transient Lambda service faults: the four the Step Functions developer guide ("Handle Lambda
// service exceptions") recommends retrying, and throttling of invocations.
const LAMBDA_SERVICE_ERRORS = [
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
];
// AppStream throttling that outlasted the SDK's own adaptive retries inside the function.
const THROTTLING_ERRORS = ["ThrottlingException", "TooManyRequestsException", "RequestLimitExceededException"];

// The run state's conditional write lost to another attempt, or S3 did not answer: the step reads again.
const RUN_STATE_ERRORS = ["RunStateConflict", "RunStateUnavailable"];

const RETRY = [
    { ErrorEquals: RUN_STATE_ERRORS, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: "FULL" },
    { ErrorEquals: LAMBDA_SERVICE_ERRORS, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: "FULL" },
    {
        ErrorEquals: THROTTLING_ERRORS,
        IntervalSeconds: 30,
        MaxAttempts: 5,
        BackoffRate: 2,
        MaxDelaySeconds: 600,
        JitterStrategy: "FULL",
    },
];

export function imageUpdateDefinition(options: ImageUpdateDefinitionOptions): StateMachineDefinition {
    /** A call of the function; an error that outlasts the retries goes to `onError.next`, kept at `onError.errorPath`. */
    const task = (
        parameters: Record<string, unknown>,
        resultPath: string,
        next: string,
        onError: { next: string; errorPath: string } = { next: STATE.notifyFailure, errorPath: "$.error" },
    ) => ({
        Type: "Task",
        // A plain function ARN: the state's result is the function's return value, without an envelope.
        Resource: options.functionArn,
        Parameters: parameters,
        ResultPath: resultPath,
        TimeoutSeconds: options.taskTimeoutSeconds,
        Retry: RETRY,
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: onError.errorPath, Next: onError.next }],
        Next: next,
    });
    return {
        Comment: "appstream-ops: managed image updates of private AppStream images tagged for automatic update",
        StartAt: STATE.start,
        States: {
            [STATE.start]: task(
                // The execution's start time fixes the date in new names, so a retried step names images the same way.
                // The execution's name keys the run's state, so a retried step finds what an earlier attempt stored.
                {
                    action: "start",
                    "settings.$": "$.settings",
                    "startedAt.$": "$$.Execution.StartTime",
                    "execution.$": "$$.Execution.Name",
                },
                "$.run",
                STATE.isDone,
            ),
            [STATE.isDone]: {
                Type: "Choice",
                Choices: [{ Variable: "$.run.done", BooleanEquals: true, Next: STATE.notify }],
                Default: STATE.wait,
            },
            [STATE.wait]: { Type: "Wait", Seconds: options.pollIntervalSeconds, Next: STATE.check },
            [STATE.check]: task({ action: "check", "run.$": "$.run" }, "$.run", STATE.isDone),
            [STATE.notify]: task(
                { action: "notify", "run.$": "$.run", "executionArn.$": "$$.Execution.Id" },
                "$.result",
                STATE.outcome,
            ),
            [STATE.outcome]: {
                Type: "Choice",
                Choices: [{ Variable: "$.result.outcome", StringEquals: "FAILED", Next: STATE.imagesFailed }],
                Default: STATE.succeeded,
            },
            [STATE.imagesFailed]: {
                Type: "Fail",
                Error: "ImageUpdatesFailed",
                Cause: "At least one image failed to update, was still pending at timeout or was held back by a quota, or a fleet could not be rolled out; see the summary email or this execution's NotifySummary output.",
            },
            [STATE.succeeded]: { Type: "Succeed" },
            [STATE.notifyFailure]: task(
                { action: "notifyFailure", "execution.$": "$", "executionArn.$": "$$.Execution.Id" },
                "$.notification",
                STATE.runFailed,
                // Even when the notification fails, the execution ends as failed, never as succeeded.
                { next: STATE.runFailed, errorPath: "$.notificationError" },
            ),
            [STATE.runFailed]: {
                Type: "Fail",
                Error: "ImageUpdateRunFailed",
                Cause: "The run stopped with an error; see this execution's history and the failure email.",
            },
        },
    };
}
