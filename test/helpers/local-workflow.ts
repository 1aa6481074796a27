/**
 * Runs the real image-update state machine definition locally with aws-local-stepfunctions. Each
 * Task is answered by a Lambda handler (the serialized `__index.js`, or the source) invoked the
 * way Lambda invokes it: JSON in, JSON out, and errors surfaced as Step Functions sees them
 * (Error = the error's name, Cause = the Lambda error JSON). Waits take no real time; instead the
 * fake account's clock moves one poll interval before each check (not before a retry of it). Each
 * invocation runs on a virtual clock (virtual-time.ts), so pacing and back-off take no real time.
 */
import { ExecutionError, StateMachine } from "aws-local-stepfunctions";
import { RunInput } from "../../runtime/image-update/run/run-settings";
import { STATE, StateMachineDefinition, TASK_STATES } from "../../runtime/image-update/run/state-machine";
import { FakeAppStreamAccount } from "./fake-appstream";
import { LambdaHandler } from "./lambda-archive";
import { inVirtualTime } from "./virtual-time";

export interface WorkflowStep {
    readonly state: string;
    /** Simulated minutes since the execution started. */
    readonly minute: number;
    readonly input: unknown;
    readonly output?: unknown;
    readonly error?: string;
    /** How long the invocation took on the virtual clock (its paced calls, back-offs and the fake's latency). */
    readonly elapsedMs: number;
}

export interface LocalWorkflowRun {
    readonly status: "SUCCEEDED" | "FAILED";
    /** The Fail state's error name, e.g. ImageUpdatesFailed. */
    readonly error?: string;
    readonly output?: unknown;
    readonly steps: WorkflowStep[];
}

export interface LocalWorkflowOptions {
    readonly definition: StateMachineDefinition;
    readonly handler: LambdaHandler;
    readonly input: RunInput;
    readonly account: FakeAppStreamAccount;
    readonly pollIntervalMinutes: number;
    readonly startedAt?: string;
    /** Called as each Task finishes, for a live timeline. */
    readonly onStep?: (step: WorkflowStep) => void;
    /**
     * After a Task's handler returned: true loses its result, as Lambda.ServiceException does, so
     * Step Functions retries the step with the same input (its Retry policy) after it already ran.
     */
    readonly loseResult?: (state: string, input: unknown) => boolean;
    /** Called once before each new check (after its poll interval), never before a retry of one. */
    readonly beforeNewCheck?: () => Promise<void>;
    /** $$.Execution.Name, which keys the run's state. @default a name no other execution in this process has */
    readonly executionName?: string;
}

const EXECUTION_ARN_PREFIX = "arn:aws:states:eu-west-1:123456789012:execution:image-updates-state-machine:";
/** Executions run in this process: each gets a name of its own, as Step Functions gives it. */
let executionsRun = 0;

/**
 * aws-local-stepfunctions always sets $$.Execution.StartTime to the real clock. The definition's
 * `startedAt` must have come from it; it is then moved to the run's fixed start, so dates are stable.
 */
function withStartTime(input: unknown, startedAt: string): unknown {
    const given = (input as { startedAt?: unknown }).startedAt;
    if (typeof given !== "string" || Number.isNaN(Date.parse(given))) {
        throw new Error(`StartRun got no execution start time from the definition: ${JSON.stringify(given)}`);
    }
    return { ...(input as object), startedAt };
}

function lambdaError(err: unknown): Error {
    const error = err as Error;
    const surfaced = new Error(JSON.stringify({ errorType: error.name, errorMessage: error.message }));
    surfaced.name = error.name || "Error";
    return surfaced;
}

/** Definitions aws-local-stepfunctions has already validated in this process (by their JSON text). */
const validatedDefinitions = new Set<string>();

export async function runLocalWorkflow(options: LocalWorkflowOptions): Promise<LocalWorkflowRun> {
    const { account } = options;
    const startMinute = account.minutes;
    const steps: WorkflowStep[] = [];
    const record = (step: WorkflowStep) => {
        steps.push(step);
        options.onStep?.(step);
    };
    const startedAt = options.startedAt ?? "2026-12-01T12:00:00.000Z";
    const name = options.executionName ?? `local-run-${++executionsRun}`;
    let lastCheckInput: string | undefined;
    const task = (state: string) => async (input: unknown) => {
        // A poll interval passes before each check; a retry of the same check (same input) comes
        // seconds later, as Step Functions' Retry backs off in seconds.
        if (state === STATE.check && JSON.stringify(input) !== lastCheckInput) {
            account.advance(options.pollIntervalMinutes);
            lastCheckInput = JSON.stringify(input);
            await options.beforeNewCheck?.();
        }
        if (state === STATE.start) input = withStartTime(input, startedAt);
        const minute = account.minutes - startMinute;
        const event = JSON.parse(JSON.stringify(input));
        // Settled inside, so the time is known whether the handler returns or throws.
        const { value: settled, elapsedMs } = await inVirtualTime(() =>
            options.handler(event, {}).then(
                (value) => ({ value }),
                (error: unknown) => ({ error }),
            ),
        );
        try {
            if ("error" in settled) throw settled.error;
            const output = JSON.parse(JSON.stringify(settled.value));
            record({ state, minute, input, output, elapsedMs });
            if (options.loseResult?.(state, input)) {
                throw Object.assign(new Error("injected: the step ran, its result was lost"), {
                    name: "Lambda.ServiceException",
                });
            }
            return output;
        } catch (err) {
            record({ state, minute, input, error: `${(err as Error).name}: ${(err as Error).message}`, elapsedMs });
            throw lambdaError(err);
        }
    };
    // The validator mutates what it is given. It also compiles its JSON schemas afresh on every
    // call, which was 57% of the simulation's time: each definition is validated once per process.
    const definitionText = JSON.stringify(options.definition);
    const machine = new StateMachine(structuredClone(options.definition) as never, {
        validationOptions: { noValidate: validatedDefinitions.has(definitionText) },
    });
    validatedDefinitions.add(definitionText);
    const execution = machine.run(options.input as never, {
        overrides: {
            taskResourceLocalHandlers: Object.fromEntries(TASK_STATES.map((s) => [s, task(s)])),
            waitTimeOverrides: { [STATE.wait]: 0 },
            retryIntervalOverrides: Object.fromEntries(TASK_STATES.map((s) => [s, 0])),
        },
        context: {
            Execution: {
                Id: `${EXECUTION_ARN_PREFIX}${name}`,
                Name: name,
                Input: options.input as never,
                RoleArn: "arn:aws:iam::123456789012:role/state-machine",
            },
        },
    });
    try {
        return { status: "SUCCEEDED", output: await execution.result, steps };
    } catch (err) {
        if (!(err instanceof ExecutionError)) throw err;
        const cause = (err as { cause?: { name?: string } }).cause;
        return { status: "FAILED", error: cause?.name ?? err.message, steps };
    }
}
