/**
 * Runs async work on a virtual clock: `setTimeout` and `Date` are faked while it runs, and whenever
 * the work has nothing left to do but wait, the clock jumps to the next timer. A Lambda invocation
 * that paces its calls, backs off after throttles, or meets the fake's simulated latency then takes
 * no real time, and its duration as Lambda would see it is measured exactly and replayably.
 *
 * Timers others start meanwhile run on the virtual clock too: aws-local-stepfunctions starts a
 * Task's TimeoutSeconds timer as it calls the handler, so an invocation longer than that is timed
 * out, as Step Functions would. The scale suite keeps every invocation far below it.
 */
import FakeTimers from "@sinonjs/fake-timers";
import { setImmediate as nextTurn } from "timers/promises";

export interface Timed<T> {
    readonly value: T;
    /** Milliseconds that passed on the virtual clock. */
    readonly elapsedMs: number;
}

export async function inVirtualTime<T>(work: () => Promise<T>): Promise<Timed<T>> {
    const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"], now: Date.now() });
    const started = clock.now;
    let settled = false;
    const running = work().finally(() => {
        settled = true;
    });
    // Awaited below; this only keeps a rejection from being reported as unhandled meanwhile.
    running.catch(() => undefined);
    try {
        while (!settled) {
            // One real turn lets every promise chain that can move on do so before time moves.
            await nextTurn();
            if (!settled && clock.countTimers() > 0) clock.next();
        }
        const value = await running;
        return { value, elapsedMs: clock.now - started };
    } finally {
        clock.uninstall();
    }
}
