/**
 * npm run test:scale: a 3,000-image account through the real state machine and the serialized
 * Lambda (test/helpers/scale-run.ts), with AppStream answering in 25 ms and throttling 1 call in
 * 20, on a virtual clock; then 2,000 images at the slowest rate a stack may set, with and without
 * the function's stop on starting updates. Too slow for `npm test` (about 3 minutes), so
 * `.ci/run` runs it apart.
 */
import * as assert from "assert";
import { FUNCTION_TIMEOUT_SECONDS } from "../../runtime/image-update/run/invocation-pacing";
import { ScaleRun, scaleRun, slowestInvocation } from "../helpers/scale-run";
import { OPERATION_SERVICES } from "../helpers/fake-appstream";

/** The most calls per tagged image a whole run may make (the goal), retries of throttled calls aside. */
const MAX_CALLS_PER_TAGGED_IMAGE = 5;
/** "No invocation comes near its timeout": half of it at most. */
const SLOWEST_ALLOWED_MS = (FUNCTION_TIMEOUT_SECONDS * 1000) / 2;

function assertWithinTime(run: ScaleRun): void {
    const slowest = slowestInvocation(run);
    assert.ok(
        slowest.elapsedMs <= SLOWEST_ALLOWED_MS,
        `${slowest.state} took ${(slowest.elapsedMs / 1000).toFixed(1)} s (${slowest.calls} calls); the function times out after ${FUNCTION_TIMEOUT_SECONDS} s`,
    );
}

describe("image updates at scale, as deployed", function () {
    let run: ScaleRun;
    const TAGGED = 3000;

    before(async function () {
        run = await scaleRun({ tagged: TAGGED, batchSize: 100, latencyMs: 25, throttleEvery: 20 });
    });

    it("takes every one of 3,000 tagged images in one run, and sends one summary", () => {
        assert.strictEqual(run.run.status, "SUCCEEDED", run.run.error);
        assert.strictEqual(run.taken, TAGGED);
        assert.deepStrictEqual(run.notified?.counts.updated, TAGGED * 0.9);
        assert.deepStrictEqual(run.notified?.counts.upToDate, TAGGED * 0.1);
        assert.strictEqual(run.emailsSent, 1);
        // On AppStream's side: each image that had an update has exactly one, and is marked Completed.
        for (let i = 0; i < TAGGED; i++) {
            const name = `Win2022-Business-Unit-${String(i).padStart(4, "0")}-Office-And-Line-Of-Business-Apps`;
            const updates = run.account.updatesOf(name);
            assert.strictEqual(updates.length, i % 10 === 0 ? 0 : 1, name);
            if (updates.length) assert.strictEqual(run.account.images.get(name)?.tags.AutoUpdate, "Completed", name);
        }
    });

    it("was throttled on the way, and paced and retried every throttled call", () => {
        assert.ok(run.throttled >= 300, `${run.throttled} calls throttled`);
        const failedSteps = run.run.steps.filter((step) => step.error);
        assert.deepStrictEqual(failedSteps, [], "no step failed");
        assert.strictEqual(run.notified?.counts.failed, 0);
    });

    it("makes at most 5 calls per tagged image, retries of throttled calls aside", () => {
        const api = [...run.calls].filter(([command]) => OPERATION_SERVICES[command] !== "s3");
        const calls = api.reduce((n, [, count]) => n + count, 0) - run.throttled;
        assert.ok(calls / TAGGED <= MAX_CALLS_PER_TAGGED_IMAGE, `${(calls / TAGGED).toFixed(2)} calls per image`);
    });

    it("keeps every invocation far from the function's timeout, and the payload between steps small", () => {
        assertWithinTime(run);
        assert.ok(run.largestPayload < 1024, `${run.largestPayload} bytes`);
    });

    describe("at the slowest rate a stack may set (appStreamCallsPerSecond 2), 2,000 tagged images", () => {
        const slowRate = { tagged: 2000, batchSize: 100, latencyMs: 25, appStreamCallsPerSecond: 2 };

        it("every invocation stays within half the timeout: a step stops starting updates in time", async () => {
            const run = await scaleRun(slowRate);
            assert.strictEqual(run.run.status, "SUCCEEDED", run.run.error);
            assert.strictEqual(run.taken, 2000);
            assertWithinTime(run);
        });

        it("negative control: a function that starts the whole batch in one step takes too long", async () => {
            const run = await scaleRun({
                ...slowRate,
                plant: [["if (tried > 0 && !mayStartUpdates(tried))", "if (false)"]],
            });
            assert.throws(() => assertWithinTime(run), /StartRun took \d+\.\d s/);
        });
    });
});
