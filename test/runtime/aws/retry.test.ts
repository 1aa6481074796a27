import * as assert from "assert";
import { isTransientError } from "../../../runtime/aws/errors";
import { RetryPolicy, backoffCapMs, withRetries } from "../../../runtime/aws/retry";
import { sdkError } from "../../helpers/sdk-errors";

const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

/** A call that fails with the given errors, one per try, then answers "done". */
function failingWith(...errors: Error[]) {
    const call = async () => {
        call.tries++;
        const error = errors.shift();
        if (error) throw error;
        return "done";
    };
    call.tries = 0;
    return call;
}

describe("retries of AWS calls", () => {
    const transient: [string, unknown, boolean][] = [
        ["ThrottlingException", sdkError("ThrottlingException"), true],
        ["TooManyRequestsException", sdkError("TooManyRequestsException"), true],
        ["RequestLimitExceededException", sdkError("RequestLimitExceededException"), true],
        ["a 503", sdkError("ServiceUnavailable", "", 503), true],
        ["$retryable", Object.assign(sdkError("TimeoutError"), { $retryable: {} }), true],
        ["ResourceNotFoundException", sdkError("ResourceNotFoundException"), false],
        ["AccessDeniedException", sdkError("AccessDeniedException"), false],
        ["a plain Error", new Error("boom"), false],
        ["undefined", undefined, false],
    ];
    for (const [what, err, expected] of transient) {
        it(`${what} is ${expected ? "" : "not "}transient`, () => assert.strictEqual(isTransientError(err), expected));
    }

    it("retries a throttled call until it succeeds", async () => {
        const call = failingWith(sdkError("ThrottlingException"), sdkError("ThrottlingException"));
        assert.strictEqual(await withRetries(call, FAST), "done");
        assert.strictEqual(call.tries, 3);
    });

    it("throws the last error after maxAttempts tries", async () => {
        const last = sdkError("ThrottlingException", "third");
        const call = failingWith(sdkError("ThrottlingException"), sdkError("ThrottlingException"), last);
        await assert.rejects(withRetries(call, FAST), (err) => err === last);
        assert.strictEqual(call.tries, 3);
    });

    it("does not retry an error that is not transient", async () => {
        const call = failingWith(sdkError("ValidationException"));
        await assert.rejects(withRetries(call, FAST), { name: "ValidationException" });
        assert.strictEqual(call.tries, 1);
    });

    it("backs off exponentially up to the cap", () => {
        const policy: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 30000 };
        assert.deepStrictEqual(
            [1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffCapMs(attempt, policy)),
            [1000, 2000, 4000, 8000, 16000, 30000, 30000],
        );
    });
});
