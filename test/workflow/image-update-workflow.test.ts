/**
 * The whole image-update workflow as deployed: the state-machine definition and the schedule input
 * the real program registers, executed by aws-local-stepfunctions, with every Task answered by the
 * serialized CallbackFunction (`__index.js`, the code Pulumi would upload) against a fake account.
 */
import * as assert from "assert";
import { RunInput } from "../../runtime/image-update/run/run-settings";
import { DeployedWorkflow, deployedWorkflow } from "../helpers/deployed-workflow";
import { FakeAppStreamAccount, FakeImageSpec, mockAppStream, mockSes } from "../helpers/fake-appstream";
import { LocalWorkflowRun, runLocalWorkflow } from "../helpers/local-workflow";
import { inLambdaRegion } from "../helpers/environment";

/** What `pulumi up` would deploy with this stack config. */
const deploy = (config: Record<string, string>) => deployedWorkflow({ config });
type Deployed = DeployedWorkflow;

const EMAIL_CONFIG = { notifyEmails: '["ops@example.com","lead@example.com"]', senderEmail: "appstream@example.com" };
const NEW = (base: string) => `${base}-Updated-2026-12-01`;
const tagged = (name: string, update?: FakeImageSpec["update"]): FakeImageSpec => ({
    name,
    tags: { AutoUpdate: "Enabled", Team: "Apps" },
    update,
});

describe("image update workflow as deployed (real ASL + serialized handler + fake account)", function () {
    let ses: ReturnType<typeof mockSes>;
    let appstream: { restore(): void } | undefined;
    inLambdaRegion();
    beforeEach(() => {
        ses = mockSes();
    });
    afterEach(() => {
        ses.restore();
        appstream?.restore();
    });

    async function execute(
        deployed: Deployed,
        account: FakeAppStreamAccount,
        input?: unknown,
        handler = deployed.handler,
    ): Promise<LocalWorkflowRun> {
        appstream = mockAppStream(account);
        return runLocalWorkflow({
            definition: deployed.definition,
            handler,
            input: (input ?? deployed.input) as RunInput,
            account,
            pollIntervalMinutes: deployed.pollIntervalMinutes,
        });
    }

    it("a monthly run updates every tagged image in batches, leaves untagged ones alone, reports failures and sends one email", async () => {
        const deployed = await deploy({ ...EMAIL_CONFIG, batchSize: "3" });
        const updatable = Array.from({ length: 10 }, (_, i) => `App${String(i).padStart(2, "0")}`);
        const untagged = ["Dev1", "Dev2", "Dev3"];
        const account = new FakeAppStreamAccount([
            ...updatable.map((name, i) => tagged(name, { minutes: 40 + 25 * (i % 3) })),
            tagged("Current", { available: false }),
            tagged("Legacy", { error: "IncompatibleImageException" }),
            tagged("Broken", { outcome: "FAILED", failureMessage: "Windows Update error 0x80070005", minutes: 50 }),
            ...untagged.map((name) => ({ name, tags: { Team: "Dev" } })),
        ]);
        account.quota = 5;
        const run = await execute(deployed, account);

        for (const name of [...updatable, "Broken"]) assert.deepStrictEqual(account.updatesOf(name), [NEW(name)], name);
        assert.ok(account.maxInFlight <= 3, `at most batchSize in flight, saw ${account.maxInFlight}`);
        assert.strictEqual(account.maxInFlight, 3);
        for (const name of [...untagged, "Current", "Legacy"])
            assert.deepStrictEqual(account.updatesOf(name), [], name);
        for (const name of untagged) {
            assert.deepStrictEqual(account.images.get(name)!.tags, { Team: "Dev" });
            assert.deepStrictEqual(
                account.callsOf("CreateUpdatedImage").filter((c) => c.input.existingImageName === name),
                [],
            );
        }

        // Failures do not stop the others, and the execution fails so that it shows in the console.
        assert.deepStrictEqual([run.status, run.error], ["FAILED", "ImageUpdatesFailed"]);
        assert.strictEqual(ses.sent.length, 1);
        const text = ses.sent[0].Message!.Body!.Text!.Data!;
        assert.match(
            ses.sent[0].Message!.Subject!.Data!,
            /^ACTION NEEDED \(2 failed\): AppStream image updates 2026-12-01 in eu-west-1 \(123456789012, appstream-ops\/dev\): 10 updated, 2 failed, 1 up to date, 0 pending$/,
        );
        for (const name of updatable) assert.ok(text.includes(`  - ${name} -> ${NEW(name)}`), name);
        assert.ok(text.includes("  - Legacy: IncompatibleImageException"), text);
        assert.ok(text.includes("  - Broken: IMAGE_UPDATE_FAILURE: Windows Update error 0x80070005"), text);
        assert.ok(text.includes("Already up to date (1):\n  - Current"), text);
        assert.deepStrictEqual(ses.sent[0].Destination!.ToAddresses, ["ops@example.com", "lead@example.com"]);
        assert.strictEqual(ses.sent[0].Source, "appstream@example.com");

        // start, then check after each poll interval until every update finished.
        const states = run.steps.map((s) => s.state);
        assert.strictEqual(states[0], "StartRun");
        assert.strictEqual(states[states.length - 1], "NotifySummary");
        assert.ok(states.filter((s) => s === "CheckUpdates").length >= 4);
    });

    it("a run where every update succeeds ends SUCCEEDED with one email", async () => {
        const deployed = await deploy(EMAIL_CONFIG);
        const account = new FakeAppStreamAccount([tagged("Office"), tagged("Excel"), { name: "Other" }]);
        const run = await execute(deployed, account);
        assert.strictEqual(run.status, "SUCCEEDED");
        assert.deepStrictEqual((run.output as { result: { outcome: string } }).result.outcome, "SUCCEEDED");
        assert.strictEqual(ses.sent.length, 1);
        assert.match(ses.sent[0].Message!.Subject!.Data!, /: 2 updated, 0 failed, 0 up to date, 0 pending$/);
        assert.deepStrictEqual(account.images.get("Office")!.tags, {
            AutoUpdate: "Completed",
            NextVersion: NEW("Office"),
            Team: "Apps",
        });
    });

    it("updates still running at maxWaitHours are reported as pending at timeout", async () => {
        // 60 minutes at a 30-minute poll interval: two checks.
        const deployed = await deploy({ ...EMAIL_CONFIG, maxWaitHours: "1" });
        const account = new FakeAppStreamAccount([tagged("Quick", { minutes: 20 }), tagged("Slow", { minutes: 600 })]);
        const run = await execute(deployed, account);
        assert.deepStrictEqual([run.status, run.error], ["FAILED", "ImageUpdatesFailed"]);
        assert.strictEqual(run.steps.filter((s) => s.state === "CheckUpdates").length, 2);
        const text = ses.sent[0].Message!.Body!.Text!.Data!;
        assert.ok(
            text.includes(`Still pending at timeout (1):\n  - Slow -> ${NEW("Slow")} (still running after 2 checks`),
            text,
        );
        assert.ok(text.includes(`Updated (1):\n  - Quick -> ${NEW("Quick")}`), text);
    });

    it("when AppStream keeps throttling discovery, the step is retried with backoff and then one failure email is sent", async () => {
        const deployed = await deploy(EMAIL_CONFIG);
        const account = new FakeAppStreamAccount([tagged("Office")]);
        account.throttle("DescribeImages", 1000);
        const run = await execute(deployed, account);
        assert.deepStrictEqual([run.status, run.error], ["FAILED", "ImageUpdateRunFailed"]);
        // The first attempt and five retries of the throttling retrier.
        assert.strictEqual(run.steps.filter((s) => s.state === "StartRun").length, 6);
        assert.strictEqual(ses.sent.length, 1);
        assert.match(
            ses.sent[0].Message!.Subject!.Data!,
            /^FAILED: AppStream image update run in eu-west-1 \(123456789012, appstream-ops\/dev\)$/,
        );
        assert.match(ses.sent[0].Message!.Body!.Text!.Data!, /ThrottlingException: Rate exceeded \(DescribeImages\)/);
        assert.deepStrictEqual(account.updatesOf("Office"), []);
    });

    // The Step Functions developer guide ("Handle Lambda service exceptions") recommends retrying
    // these four; ClientExecutionTimeoutException used to fail the run with a failure email.
    for (const lambdaFault of [
        "Lambda.ClientExecutionTimeoutException",
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
    ]) {
        it(`a transient ${lambdaFault} on a check is retried and the run still succeeds`, async () => {
            const deployed = await deploy(EMAIL_CONFIG);
            const account = new FakeAppStreamAccount([tagged("Office")]);
            let faults = 2;
            const flaky: typeof deployed.handler = async (event, context) => {
                if ((event as { action?: string }).action === "check" && faults-- > 0) {
                    throw Object.assign(new Error("Lambda service fault"), { name: lambdaFault });
                }
                return deployed.handler(event, context);
            };
            const run = await execute(deployed, account, undefined, flaky);
            assert.deepStrictEqual([run.status, run.error], ["SUCCEEDED", undefined]);
            assert.deepStrictEqual(account.updatesOf("Office"), [NEW("Office")]);
            assert.strictEqual(ses.sent.length, 1);
            assert.doesNotMatch(ses.sent[0].Message!.Subject!.Data!, /FAILED/);
        });
    }

    it("a hand-written input with bad settings fails the execution with InvalidRunInput, touching nothing", async () => {
        const deployed = await deploy(EMAIL_CONFIG);
        const account = new FakeAppStreamAccount([tagged("Office")]);
        const run = await execute(deployed, account, { settings: { batchSize: 0 } });
        assert.deepStrictEqual([run.status, run.error], ["FAILED", "ImageUpdateRunFailed"]);
        assert.match(run.steps[0].error!, /^InvalidRunInput: Invalid image-update run input:/);
        assert.deepStrictEqual(account.calls, []);
        assert.strictEqual(ses.sent.length, 0);
    });
});
