/**
 * Paced AWS calls: a token bucket per operation spaces the calls under the API's rate, and a call
 * that is throttled anyway is tried again after a back-off. This is the only retry of the
 * image-update function's AppStream and Tagging API calls (their SDK clients make one attempt), so
 * what the tests and the fault-injection simulation exercise is what runs in Lambda.
 *
 * Retried: throttling, always (a throttled request was refused before it took effect); any
 * transient error of a read. Not retried here: a transient error of a write (it may have taken
 * effect, and the workflow looks before it acts again), and every other error.
 */
import { THROTTLING_ERROR_NAMES, errorName, isTransientError } from "./errors";
import { RetryPolicy, backoffCapMs } from "./retry";
import { Clock, REAL_CLOCK, TokenBucket, tokenBucket } from "./token-bucket";

export type CallKind = "read" | "write";

export interface PacingSettings extends RetryPolicy {
    /** Calls per second per operation, for an operation `rates` does not name. */
    readonly defaultRate: number;
    /** Calls per second of named operations, where AWS documents the rate. */
    readonly rates?: Readonly<Record<string, number>>;
    /**
     * The clock time after which a failed call is not tried again but thrown, so the workflow
     * records it and the next check goes on, instead of the Lambda timing out.
     */
    readonly retryUntil?: number;
}

export interface PacedCalls {
    /** Makes `send` when the operation's bucket allows, trying again as the module's comment says. */
    call<T>(operation: string, kind: CallKind, send: () => Promise<T>): Promise<T>;
}

function mayRetry(err: unknown, kind: CallKind): boolean {
    // A write without an answer, or failed by the server, may have taken effect.
    return THROTTLING_ERROR_NAMES.includes(errorName(err)) || (kind === "read" && isTransientError(err));
}

export function pacedCalls(settings: PacingSettings, clock: Clock = REAL_CLOCK): PacedCalls {
    const buckets = new Map<string, TokenBucket>();
    const bucketOf = (operation: string) => {
        let bucket = buckets.get(operation);
        if (!bucket) {
            // No burst: never more than `rate` calls start within any one second, whatever window
            // AWS meters them in; at a few calls a second, waiting for the first ones costs nothing.
            bucket = tokenBucket(settings.rates?.[operation] ?? settings.defaultRate, 1, clock);
            buckets.set(operation, bucket);
        }
        return bucket;
    };
    return {
        async call(operation, kind, send) {
            const bucket = bucketOf(operation);
            for (let attempt = 1; ; attempt++) {
                await bucket.take();
                try {
                    const answer = await send();
                    bucket.answered();
                    return answer;
                } catch (err) {
                    if (THROTTLING_ERROR_NAMES.includes(errorName(err))) bucket.throttled();
                    // The whole cap, without jitter: the one caller per account is the run's one
                    // invocation, and a fixed delay keeps the simulation replayable from its seed.
                    const delay = backoffCapMs(attempt, settings);
                    const inTime = settings.retryUntil === undefined || clock.now() + delay < settings.retryUntil;
                    if (attempt >= settings.maxAttempts || !mayRetry(err, kind) || !inTime) throw err;
                    await clock.sleep(delay);
                }
            }
        },
    };
}

/** No pacing and no retries: each call made at once, as the unit tests of the workflow want it. */
export const UNPACED: PacedCalls = { call: (_operation, _kind, send) => send() };
