/**
 * Mocha root hooks (loaded by .mocharc.json): a test fails when a fake broke its service model
 * (raised an error the operation cannot raise, or answered outside the output shape), or when the
 * code under test sent a request that AWS would refuse, unless the test said it expects that.
 */
import { contractLog } from "./service-model";

let refusalsExpected = false;

/** Call inside a test that deliberately sends requests the model refuses (a negative control). */
export function expectModelRefusals(): void {
    refusalsExpected = true;
}

export const mochaHooks = {
    beforeEach(): void {
        contractLog.refused.length = 0;
        contractLog.fakeViolations.length = 0;
        refusalsExpected = false;
    },
    afterEach(): void {
        const problems = [
            ...contractLog.fakeViolations.map((v) => `fake broke its service model: ${v}`),
            ...(refusalsExpected ? [] : contractLog.refused.map((r) => `AWS would refuse this request: ${r}`)),
        ];
        if (problems.length > 0) throw new Error(problems.join("\n"));
    },
    afterAll(): void {
        const total = [...contractLog.requestsChecked.values()].reduce((a, b) => a + b, 0);
        if (total === 0) return;
        const byOperation = [...contractLog.requestsChecked]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([operation, count]) => `${operation} ${count}`)
            .join(", ");
        console.log(
            `\n  Service-model contract: ${total} requests validated against botocore's models (${byOperation})`,
        );
    },
};
