/**
 * How one invocation of the image-update function spends its time: its AppStream and Tagging API
 * calls paced per operation, throttled calls retried, and new updates started only while the
 * invocation is young, so no step comes near the function's timeout however large the account.
 */
import { PacedCalls, pacedCalls } from "../../aws/paced-calls";
import { Clock, REAL_CLOCK } from "../../aws/token-bucket";
import type { RunSettings } from "./run-settings";

/** The function's timeout (the component sets it; the state machine's task timeout is a little above). */
export const FUNCTION_TIMEOUT_SECONDS = 300;
/**
 * An invocation starts an update only if, counting the TagResource each update it started still
 * owes its old image (at the configured rate), it would be done with them within its first 120 s.
 * Rollout and retention, a few calls per fleet and version, come within the rest.
 */
export const START_UPDATES_WITHIN_SECONDS = 120;
/** A failed call is not tried again after 240 s: the error is recorded, and the next check goes on. */
export const RETRY_WITHIN_SECONDS = 240;

/**
 * The rates AWS documents. GetResources: "Maximum of 15 calls per second" (Tag Editor user guide,
 * "Service quotas"; the GetResources API reference points there for its rate limit).
 */
export const DOCUMENTED_RATES: Readonly<Record<string, number>> = { GetResources: 15 };

/** Tries of a throttled call in all, and its back-off: 0.5, 1, 2, 4 s between them (15.5 s at most). */
export const CALL_RETRIES = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000 } as const;

export interface InvocationPacing {
    readonly paced: PacedCalls;
    /** Whether the invocation may start another update, having started `startedSoFar`. */
    readonly mayStartUpdates: (startedSoFar: number) => boolean;
}

export function invocationPacing(settings: RunSettings, clock: Clock = REAL_CLOCK): InvocationPacing {
    const startedAt = clock.now();
    const paced = pacedCalls(
        {
            defaultRate: settings.appStreamCallsPerSecond,
            rates: DOCUMENTED_RATES,
            ...CALL_RETRIES,
            retryUntil: startedAt + RETRY_WITHIN_SECONDS * 1000,
        },
        clock,
    );
    const deadline = startedAt + START_UPDATES_WITHIN_SECONDS * 1000;
    const tagWriteMs = 1000 / settings.appStreamCallsPerSecond;
    return { paced, mayStartUpdates: (startedSoFar) => clock.now() + (startedSoFar + 1) * tagWriteMs < deadline };
}
