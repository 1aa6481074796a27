/**
 * A token bucket: calls are spaced so that, over any second, no more than `ratePerSecond` start
 * (after a first burst of `burst`). AWS meters most APIs per account and per operation this way, so
 * a client that keeps under the meter is not throttled at all, instead of being throttled, waiting
 * and trying again. After a throttle the bucket halves its rate (AppStream's meter may be lower than
 * the configured rate, or shared with another caller) and wins it back one tenth per call answered.
 */

/** Time as the bucket sees it: the real clock in the Lambda, a virtual one in tests. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface TokenBucket {
    /** Waits until a call may start, and counts it. */
    take(): Promise<void>;
    /** A call was throttled: halve the rate, down to one tenth of the configured one. */
    throttled(): void;
    /** A call was answered: win back a tenth of the configured rate. */
    answered(): void;
    /** The rate calls start at now, per second. */
    rate(): number;
}

export function tokenBucket(ratePerSecond: number, burst: number, clock: Clock = REAL_CLOCK): TokenBucket {
    if (!(ratePerSecond > 0) || !(burst >= 1)) {
        throw new Error(`a token bucket needs a rate > 0 and a burst >= 1, got ${ratePerSecond} and ${burst}`);
    }
    let rate = ratePerSecond;
    let tokens = burst;
    let refilledAt = clock.now();
    const refill = () => {
        const now = clock.now();
        tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * rate);
        refilledAt = now;
    };
    return {
        async take() {
            refill();
            // Each caller takes its token at once (possibly going below zero), then waits out its
            // debt: callers that arrive together are spaced 1/rate apart, in the order they came.
            tokens -= 1;
            if (tokens < 0) await clock.sleep(Math.ceil((-tokens / rate) * 1000));
        },
        throttled() {
            refill();
            rate = Math.max(ratePerSecond / 10, rate / 2);
            // Nothing saved up survives a throttle: the next call waits its turn at the lower rate.
            tokens = Math.min(tokens, 0);
        },
        answered() {
            refill();
            rate = Math.min(ratePerSecond, rate + ratePerSecond / 10);
        },
        rate: () => rate,
    };
}
