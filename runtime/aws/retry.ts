import { isTransientError } from "./errors";

/** How often and how patiently a throttled or transient AWS call is tried again. */
export interface RetryPolicy {
    /** Tries in all, the first included. */
    readonly maxAttempts: number;
    /** Cap of the first back-off; it doubles per attempt up to `maxDelayMs` (full jitter). */
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
}

// About two minutes of patience: AppStream's control-plane rate limits are low (a few calls a
// second per account), and a `pulumi up` touching several fleets can meet them.
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 30000 };

/** Upper bound of the wait before try number `attempt + 1` (attempt counts from 1). */
export function backoffCapMs(attempt: number, policy: RetryPolicy): number {
    return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}

/**
 * Calls `call` until it succeeds, fails with an error that is not transient, or has been tried
 * `maxAttempts` times; the last error is thrown as it is.
 */
export async function withRetries<T>(call: () => Promise<T>, policy: RetryPolicy): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await call();
        } catch (err) {
            if (attempt >= policy.maxAttempts || !isTransientError(err)) throw err;
            const delay = Math.random() * backoffCapMs(attempt, policy);
            await new Promise((resolve) => setTimeout(resolve, delay));
        }
    }
}
