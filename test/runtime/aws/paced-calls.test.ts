import * as assert from "assert";
import { PacingSettings, pacedCalls } from "../../../runtime/aws/paced-calls";
import { Clock, REAL_CLOCK, tokenBucket } from "../../../runtime/aws/token-bucket";
import { manualClock } from "../../helpers/manual-clock";
import { sdkError } from "../../helpers/sdk-errors";
import { inVirtualTime } from "../../helpers/virtual-time";

const SETTINGS: PacingSettings = { defaultRate: 5, maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };

/** A call that fails with the given errors, one per try, then answers "done", noting when each try started. */
function failingWith(clock: Clock, ...errors: Error[]) {
    const starts: number[] = [];
    const send = async () => {
        starts.push(clock.now());
        const error = errors.shift();
        if (error) throw error;
        return "done";
    };
    return { send, starts };
}

describe("paced AWS calls", () => {
    describe("token bucket", () => {
        it("lets a burst through, then spaces calls 1/rate apart, in the order they came", async () => {
            const clock = manualClock();
            const bucket = tokenBucket(5, 5, clock);
            const starts: number[] = [];
            for (let i = 0; i < 8; i++) {
                await bucket.take();
                starts.push(clock.now());
            }
            assert.deepStrictEqual(starts, [0, 0, 0, 0, 0, 200, 400, 600]);
        });

        it("refills with time: after a quiet second, a burst again", async () => {
            const clock = manualClock();
            const bucket = tokenBucket(2, 2, clock);
            for (let i = 0; i < 2; i++) await bucket.take();
            await clock.sleep(1000);
            const before = clock.waits.length;
            for (let i = 0; i < 2; i++) await bucket.take();
            assert.strictEqual(clock.waits.length, before, "two calls after a quiet second should not wait");
        });

        it("halves its rate after a throttle, down to a tenth, and wins it back as calls are answered", () => {
            const bucket = tokenBucket(10, 10, manualClock());
            bucket.throttled();
            assert.strictEqual(bucket.rate(), 5);
            for (let i = 0; i < 10; i++) bucket.throttled();
            assert.strictEqual(bucket.rate(), 1);
            for (let i = 0; i < 3; i++) bucket.answered();
            assert.strictEqual(bucket.rate(), 4);
            for (let i = 0; i < 20; i++) bucket.answered();
            assert.strictEqual(bucket.rate(), 10);
        });

        it("refuses a rate or burst it cannot pace with", () => {
            assert.throws(() => tokenBucket(0, 1), /rate > 0 and a burst >= 1/);
            assert.throws(() => tokenBucket(1, 0), /rate > 0 and a burst >= 1/);
        });
    });

    describe("pacing and retries", () => {
        // Calls made at once: the real clock's setTimeout and Date, on a virtual clock.
        it("keeps each operation within its rate: 20 calls at once, at 5 per second, start 200 ms apart", async () => {
            const starts: number[] = [];
            await inVirtualTime(async () => {
                const began = Date.now();
                const paced = pacedCalls(SETTINGS, REAL_CLOCK);
                await Promise.all(
                    Array.from({ length: 20 }, () =>
                        paced.call("DescribeImages", "read", async () => starts.push(Date.now() - began)),
                    ),
                );
            });
            assert.deepStrictEqual(
                starts,
                Array.from({ length: 20 }, (_, i) => i * 200),
            );
            for (const start of starts) {
                const inSecond = starts.filter((s) => s >= start && s < start + 1000).length;
                assert.ok(inSecond <= 5, `${inSecond} calls started within a second of ${start}`);
            }
        });

        it("gives each operation a bucket of its own, at the documented rate where there is one", async () => {
            const starts = new Map<string, number[]>();
            await inVirtualTime(async () => {
                const began = Date.now();
                const paced = pacedCalls({ ...SETTINGS, rates: { GetResources: 15 } }, REAL_CLOCK);
                const call = (operation: string) =>
                    paced.call(operation, "read", async () =>
                        starts.set(operation, [...(starts.get(operation) ?? []), Date.now() - began]),
                    );
                await Promise.all([
                    ...Array.from({ length: 30 }, () => call("GetResources")),
                    ...Array.from({ length: 10 }, () => call("ListTagsForResource")),
                ]);
            });
            // Side by side: 30 at 15 per second and 10 at 5 per second both take under two seconds.
            assert.strictEqual(Math.max(...starts.get("GetResources")!), Math.ceil((29 * 1000) / 15));
            assert.strictEqual(Math.max(...starts.get("ListTagsForResource")!), 9 * 200);
        });

        it("tries a throttled call again after 0.5, 1, 2 and 4 seconds, then gives up", async () => {
            const clock = manualClock();
            const throttled = () => sdkError("ThrottlingException", "Rate exceeded");
            const { send, starts } = failingWith(
                clock,
                throttled(),
                throttled(),
                throttled(),
                throttled(),
                throttled(),
            );
            await assert.rejects(pacedCalls(SETTINGS, clock).call("TagResource", "write", send), {
                name: "ThrottlingException",
            });
            assert.strictEqual(starts.length, 5);
            const gaps = starts.slice(1).map((start, i) => start - starts[i]);
            // Each gap is at least the back-off; the halved rate may add a wait of its own.
            [500, 1000, 2000, 4000].forEach((backoff, i) => assert.ok(gaps[i] >= backoff, `gap ${i}: ${gaps[i]}`));
        });

        it("after a throttle, spaces the operation's next calls at the lower rate", async () => {
            const clock = manualClock();
            const paced = pacedCalls({ ...SETTINGS, defaultRate: 10 }, clock);
            const { send } = failingWith(clock, sdkError("ThrottlingException"));
            await paced.call("DescribeImages", "read", send);
            const before = clock.now();
            await paced.call("DescribeImages", "read", async () => "done");
            // 10 a second halved to 5, then a tenth of 10 won back for the answered retry: 1/6 s, not 1/10.
            assert.strictEqual(clock.now() - before, Math.ceil(1000 / 6));
        });

        it("answers a throttled write once it gets through: throttling never took effect", async () => {
            const clock = manualClock();
            const { send, starts } = failingWith(
                clock,
                sdkError("ThrottlingException"),
                sdkError("ThrottledException"),
            );
            assert.strictEqual(await pacedCalls(SETTINGS, clock).call("TagResource", "write", send), "done");
            assert.strictEqual(starts.length, 3);
        });

        it("tries a read again after a server fault or a lost answer", async () => {
            const clock = manualClock();
            const { send, starts } = failingWith(
                clock,
                sdkError("InternalFailure", "", 500),
                sdkError("TimeoutError", "socket hang up"),
            );
            assert.strictEqual(await pacedCalls(SETTINGS, clock).call("DescribeImages", "read", send), "done");
            assert.strictEqual(starts.length, 3);
        });

        it("never tries a write again after a server fault or a lost answer: it may have taken effect", async () => {
            for (const error of [sdkError("InternalFailure", "", 500), sdkError("TimeoutError", "socket hang up")]) {
                const clock = manualClock();
                const { send, starts } = failingWith(clock, error);
                await assert.rejects(pacedCalls(SETTINGS, clock).call("CreateUpdatedImage", "write", send), {
                    name: error.name,
                });
                assert.strictEqual(starts.length, 1, error.name);
            }
        });

        it("never tries an error again that time does not cure", async () => {
            const clock = manualClock();
            const { send, starts } = failingWith(clock, sdkError("InvalidParameterCombinationException"));
            await assert.rejects(pacedCalls(SETTINGS, clock).call("DescribeImages", "read", send), {
                name: "InvalidParameterCombinationException",
            });
            assert.strictEqual(starts.length, 1);
        });

        it("throws instead of waiting past retryUntil, so the step ends in time and records the error", async () => {
            const clock = manualClock();
            const { send, starts } = failingWith(
                clock,
                sdkError("ThrottlingException"),
                sdkError("ThrottlingException"),
            );
            const paced = pacedCalls({ ...SETTINGS, retryUntil: 1200 }, clock);
            await assert.rejects(paced.call("TagResource", "write", send), { name: "ThrottlingException" });
            // Tried at 0 and after 500 ms; the next back-off (1 s) would end after 1,200 ms.
            assert.strictEqual(starts.length, 2);
        });
    });
});
