/**
 * The fault schedule of one case, replayable from its seed: each AWS call (AppStream, the Tagging
 * API, Service Quotas, the run state's S3) may be throttled, fail with an error its botocore model
 * lists for the operation (or a common error), or take effect and lose its answer. Half the
 * throttles begin a storm: the operation stays throttled for its next calls, past the function's
 * own retries (runtime/aws/paced-calls.ts), so the workflow meets the throttle too. Errors that only describe the account's true state
 * (ResourceNotFoundException, ResourceAlreadyExistsException) are left to the fake, which raises
 * them when they are true: injected at random they would claim an image gone that is not.
 */
import { InjectedFault, OPERATION_SERVICES } from "../helpers/fake-appstream";
import { COMMON_ERRORS, ServiceName, serviceModel } from "../helpers/service-model";
import type { FaultRates } from "./accounts";

// The run state's NoSuchKey says whether a run was stored: the fake bucket raises it when true.
const STATE_ERRORS = ["ResourceNotFoundException", "ResourceAlreadyExistsException", "NoSuchKey"];
/** Common errors a healthy call can meet: server faults and a denied permission, as each service names them. */
const JSON_API_FAULTS: Record<string, number> = {
    InternalFailure: 500,
    ServiceUnavailable: 503,
    AccessDeniedException: 400,
};
const COMMON_FAULTS: Partial<Record<ServiceName, Record<string, number>>> = {
    s3: { InternalError: 500, ServiceUnavailable: 503, AccessDenied: 403 },
};
const MUTATING = ["CreateUpdatedImage", "TagResource", "UpdateFleet", "DeleteImage", "PutObject"];
/** Calls a throttle storm lasts: as many as the function's tries of one call (CALL_RETRIES.maxAttempts). */
const STORM_CALLS = 5;

/** The errors injected into an operation: its model's errors and the common faults. */
export function injectableErrors(operation: string): { name: string; httpStatusCode: number }[] {
    const service = OPERATION_SERVICES[operation] ?? "appstream";
    const model = serviceModel(service);
    const listed = (model.operations[operation]?.errors ?? [])
        .map((e) => e.shape)
        .filter((name) => !STATE_ERRORS.includes(name));
    const common = COMMON_FAULTS[service] ?? JSON_API_FAULTS;
    for (const name of Object.keys(common)) {
        if (!COMMON_ERRORS[service].includes(name)) throw new Error(`${name} is not a ${service} common error`);
    }
    return [
        ...listed.map((name) => ({ name, httpStatusCode: 400 })),
        ...Object.entries(common).map(([name, httpStatusCode]) => ({ name, httpStatusCode })),
    ];
}

export type FaultClass = "throttle" | "error" | "lostAnswer" | "stepRetry" | "secondExecution";

export interface FaultSchedule {
    /** The fake account's hook. */
    readonly hook: (command: string) => InjectedFault | undefined;
    /** Whether Step Functions loses this step's result and retries it. */
    readonly stepRetry: () => boolean;
    /** Faults injected so far, per class. */
    readonly injected: Record<FaultClass, number>;
    /** Faults injected, per class and operation, for the run's report. */
    readonly byOperation: Map<string, number>;
}

export function faultSchedule(rates: FaultRates, seed: number): FaultSchedule {
    const next = mulberry32(seed);
    const injected: Record<FaultClass, number> = {
        throttle: 0,
        error: 0,
        lostAnswer: 0,
        stepRetry: 0,
        secondExecution: 0,
    };
    const byOperation = new Map<string, number>();
    const count = (kind: FaultClass, command: string) => {
        injected[kind]++;
        byOperation.set(`${kind} ${command}`, (byOperation.get(`${kind} ${command}`) ?? 0) + 1);
    };
    const errors = new Map<string, ReturnType<typeof injectableErrors>>();
    /** Calls still to throttle, per operation, in a storm. */
    const storms = new Map<string, number>();
    return {
        injected,
        byOperation,
        hook(command) {
            const storm = storms.get(command) ?? 0;
            if (storm > 0) {
                storms.set(command, storm - 1);
                count("throttle", command);
                return { kind: "throttle" };
            }
            const draw = next();
            if (draw < rates.throttle) {
                if (next() < 0.5) storms.set(command, STORM_CALLS);
                count("throttle", command);
                return { kind: "throttle" };
            }
            if (draw < rates.throttle + rates.error) {
                if (!errors.has(command)) errors.set(command, injectableErrors(command));
                const choices = errors.get(command)!;
                const error = choices[Math.floor(next() * choices.length)];
                count("error", command);
                return { kind: "error", ...error };
            }
            if (MUTATING.includes(command) && draw < rates.throttle + rates.error + rates.lostAnswer) {
                count("lostAnswer", command);
                return { kind: "lostAnswer" };
            }
            return undefined;
        },
        stepRetry() {
            const retry = next() < rates.stepRetry;
            if (retry) count("stepRetry", "step");
            return retry;
        },
    };
}

/** A small seeded generator (mulberry32): the same seed draws the same faults, so a case replays. */
function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
