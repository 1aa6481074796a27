import * as assert from "assert";
import aslValidator from "asl-validator";
import { STATE, TASK_STATES, imageUpdateDefinition } from "../../../../runtime/image-update/run/state-machine";

const FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:image-updates-function";

describe("image update state machine definition", () => {
    const definition = imageUpdateDefinition({
        functionArn: FUNCTION_ARN,
        pollIntervalSeconds: 1800,
        taskTimeoutSeconds: 330,
    });

    it("passes asl-validator", () => {
        // asl-validator adds fields to what it checks: give it a copy.
        const { isValid, errors } = aslValidator(structuredClone(definition));
        assert.ok(isValid, JSON.stringify(errors, null, 2));
        // Negative control: the validator does catch a broken transition.
        const broken = structuredClone(definition);
        broken.States[STATE.wait].Next = "NoSuchState";
        assert.strictEqual(aslValidator(broken).isValid, false);
    });

    it("loops start -> check -> wait -> check until done, then notifies", () => {
        const s = definition.States;
        assert.strictEqual(definition.StartAt, STATE.start);
        assert.strictEqual(s[STATE.start].Next, STATE.isDone);
        assert.deepStrictEqual(s[STATE.isDone], {
            Type: "Choice",
            Choices: [{ Variable: "$.run.done", BooleanEquals: true, Next: STATE.notify }],
            Default: STATE.wait,
        });
        assert.deepStrictEqual(s[STATE.wait], { Type: "Wait", Seconds: 1800, Next: STATE.check });
        assert.strictEqual(s[STATE.check].Next, STATE.isDone);
        assert.strictEqual(s[STATE.notify].Next, STATE.outcome);
        assert.deepStrictEqual(s[STATE.outcome].Choices, [
            { Variable: "$.result.outcome", StringEquals: "FAILED", Next: STATE.imagesFailed },
        ]);
        assert.strictEqual(s[STATE.imagesFailed].Type, "Fail");
        assert.strictEqual(s[STATE.succeeded].Type, "Succeed");
    });

    it("every task calls the function, retries run-state conflicts, Lambda service and throttling errors with backoff, and catches to a failure notification", () => {
        for (const name of TASK_STATES) {
            const task = definition.States[name];
            assert.strictEqual(task.Resource, FUNCTION_ARN, name);
            assert.strictEqual(task.TimeoutSeconds, 330, name);
            const retry = task.Retry as { ErrorEquals: string[]; BackoffRate: number; MaxAttempts: number }[];
            assert.deepStrictEqual(
                retry.map((r) => r.ErrorEquals),
                [
                    ["RunStateConflict", "RunStateUnavailable"],
                    [
                        "Lambda.ClientExecutionTimeoutException",
                        "Lambda.ServiceException",
                        "Lambda.AWSLambdaException",
                        "Lambda.SdkClientException",
                        "Lambda.TooManyRequestsException",
                    ],
                    ["ThrottlingException", "TooManyRequestsException", "RequestLimitExceededException"],
                ],
                name,
            );
            for (const r of retry) assert.ok(r.BackoffRate > 1 && r.MaxAttempts > 1, name);
            const [catcher] = task.Catch as { ErrorEquals: string[]; Next: string }[];
            assert.deepStrictEqual(catcher.ErrorEquals, ["States.ALL"], name);
            assert.strictEqual(catcher.Next, name === STATE.notifyFailure ? STATE.runFailed : STATE.notifyFailure);
        }
        assert.strictEqual(definition.States[STATE.notifyFailure].Next, STATE.runFailed);
        assert.strictEqual(definition.States[STATE.runFailed].Type, "Fail");
    });

    it("names new images from the execution's start time, and keys the run's state by the execution's name, so a retried start finds both", () => {
        assert.deepStrictEqual(definition.States[STATE.start].Parameters, {
            action: "start",
            "settings.$": "$.settings",
            "startedAt.$": "$$.Execution.StartTime",
            "execution.$": "$$.Execution.Name",
        });
    });

    it("carries only the run's pointer from step to step", () => {
        assert.deepStrictEqual(definition.States[STATE.check].Parameters, { action: "check", "run.$": "$.run" });
        assert.deepStrictEqual(definition.States[STATE.notify].Parameters, {
            action: "notify",
            "run.$": "$.run",
            "executionArn.$": "$$.Execution.Id",
        });
    });
});
