import * as assert from "assert";
import { S3Client } from "@aws-sdk/client-s3";
import {
    ImageUpdateEvent,
    NotifyResult,
    RUN_STATE_BUCKET_VARIABLE,
    handleImageUpdateEvent as handleInRealTime,
} from "../../../../runtime/image-update/run/handler";
import { RunState } from "../../../../runtime/image-update/run/run-state";
import { StoredRun, s3RunStore } from "../../../../runtime/image-update/run/run-store";
import { STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES, payloadBytes } from "../../../../runtime/image-update/run/state-budget";
import { RunPointer } from "../../../../runtime/image-update/run/stored-steps";
import { runSettings } from "../../../helpers/direct-run";
import { inVirtualTime } from "../../../helpers/virtual-time";
import { FakeAppStreamAccount, mockAppStream, mockSes } from "../../../helpers/fake-appstream";

/** The handler on a virtual clock: its paced calls take no real time (test/helpers/virtual-time.ts). */
const handleImageUpdateEvent = async (event: ImageUpdateEvent) =>
    (await inVirtualTime(() => handleInRealTime(event))).value;

const BUCKET = "image-updates-run-state";
const EXECUTION = "run-2026-12-01";
const KEY = `runs/${EXECUTION}/state.json`;

const SETTINGS = runSettings({
    notifyEmails: ["ops@example.com", "lead@example.com"],
    senderEmail: "appstream@example.com",
});

describe("image update Lambda handler", () => {
    let ses: ReturnType<typeof mockSes>;
    let appstream: ReturnType<typeof mockAppStream>;
    let account: FakeAppStreamAccount;
    const savedBucket = process.env[RUN_STATE_BUCKET_VARIABLE];
    beforeEach(() => {
        account = new FakeAppStreamAccount([{ name: "Office", tags: { AutoUpdate: "Enabled" } }]);
        appstream = mockAppStream(account);
        ses = mockSes();
        process.env[RUN_STATE_BUCKET_VARIABLE] = BUCKET;
    });
    afterEach(() => {
        appstream.restore();
        ses.restore();
        if (savedBucket === undefined) delete process.env[RUN_STATE_BUCKET_VARIABLE];
        else process.env[RUN_STATE_BUCKET_VARIABLE] = savedBucket;
    });

    const start = (execution = EXECUTION) =>
        handleImageUpdateEvent({
            action: "start",
            settings: SETTINGS,
            startedAt: "2026-12-01T12:00:00Z",
            execution,
        }) as Promise<RunPointer>;
    const check = (run: RunPointer) => handleImageUpdateEvent({ action: "check", run }) as Promise<RunPointer>;
    const stored = () => account.runStates.json(`${BUCKET}/${KEY}`) as StoredRun;
    const appStreamCalls = () => account.calls.filter((c) => !["GetObject", "PutObject"].includes(c.command));

    async function finishedRun(): Promise<RunPointer> {
        const started = await start();
        account.advance(60);
        return check(started);
    }

    it("start keeps the run's state in the run-state bucket, keyed by the execution, and hands Step Functions a pointer", async () => {
        const pointer = await start();
        assert.deepStrictEqual(pointer, { key: KEY, checks: 0, done: false, images: 1 });
        assert.deepStrictEqual(
            stored().state.images.map((i) => [i.name, i.status]),
            [["Office", "updating"]],
        );
        const create = account.callsOf("PutObject")[0].input;
        assert.deepStrictEqual([create.Bucket, create.Key, create.IfNoneMatch], [BUCKET, KEY, "*"]);
        assert.ok(payloadBytes(pointer) < 200, `${payloadBytes(pointer)} bytes`);
    });

    it("a StartRun retried after its result was lost returns the stored run and acts on nothing", async () => {
        const first = await start();
        const before = appStreamCalls().length;
        assert.deepStrictEqual(await start(), first);
        assert.strictEqual(appStreamCalls().length, before, "the retry called AppStream");
        assert.strictEqual(account.updatesOf("Office").length, 1);
    });

    it("a check retried after its result was lost does not check again", async () => {
        const started = await start();
        account.advance(60);
        const checked = await check(started);
        const before = appStreamCalls().length;
        assert.deepStrictEqual(await check(started), checked);
        assert.strictEqual(appStreamCalls().length, before, "the retry called AppStream");
        assert.strictEqual(stored().state.checks, 1);
    });

    it("a check that acted and could not store its result leaves a mark, and the failure email says so", async () => {
        const started = await start();
        account.advance(60);
        // The check's last write (its result) fails past the SDK's retries.
        let puts = 0;
        account.faultHook = (command) =>
            command === "PutObject" && ++puts === 2
                ? { kind: "error", name: "InternalError", httpStatusCode: 500 }
                : undefined;
        await assert.rejects(check(started), { name: "RunStateUnavailable" });
        account.faultHook = undefined;
        assert.strictEqual(stored().checkInProgress, 1);
        await handleImageUpdateEvent({
            action: "notifyFailure",
            execution: { settings: SETTINGS, run: started, error: { Error: "RunStateUnavailable", Cause: "{}" } },
        });
        assert.match(ses.sent[0].Message!.Body!.Text!.Data!, /Check 1 began and did not store its result/);
    });

    it("a write over a state another attempt changed is refused (If-Match), and S3 never holds a lost update", async () => {
        const store = s3RunStore(new S3Client({}), BUCKET);
        const state = { checks: 0 } as RunState;
        const etag = (await store.create(KEY, { state }))!;
        assert.strictEqual(await store.create(KEY, { state }), undefined, "a second create succeeded");
        await store.replace(KEY, { state: { ...state, checks: 1 } }, etag);
        await assert.rejects(store.replace(KEY, { state: { ...state, checks: 7 } }, etag), {
            name: "RunStateConflict",
        });
        assert.strictEqual(stored().state.checks, 1);
    });

    it("the pointer stays small while the stored run outgrows what Step Functions could carry", async () => {
        // 2,100 opted-in images with 100-character names: a run state Step Functions would refuse.
        for (let i = 0; i < 2100; i++) {
            account.add({ name: `${String(i).padStart(4, "0")}-${"x".repeat(95)}`, tags: { AutoUpdate: "Enabled" } });
        }
        account.quota = 1;
        const pointer = await start();
        assert.strictEqual(pointer.images, 2101);
        assert.ok(payloadBytes(stored()) > STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES, `${payloadBytes(stored())} bytes`);
        assert.ok(payloadBytes(pointer) < 200, `${payloadBytes(pointer)} bytes`);
    });

    it("notify sends exactly one summary email, from the sender to every recipient, as text and HTML", async () => {
        const result = (await handleImageUpdateEvent({
            action: "notify",
            run: await finishedRun(),
            executionArn: "arn:aws:states:eu-west-1:123456789012:execution:sm:x",
        })) as NotifyResult;
        assert.strictEqual(ses.sent.length, 1);
        const [mail] = ses.sent;
        assert.strictEqual(mail.Source, "appstream@example.com");
        assert.deepStrictEqual(mail.Destination, { ToAddresses: ["ops@example.com", "lead@example.com"] });
        assert.match(mail.Message!.Subject!.Data!, /^AppStream image updates 2026-12-01.*: 1 updated, 0 failed/);
        assert.strictEqual(mail.Message!.Subject!.Charset, "UTF-8");
        assert.match(mail.Message!.Body!.Text!.Data!, /Office -> Office-Updated-2026-12-01/);
        assert.match(mail.Message!.Body!.Html!.Data!, />Office -&gt; Office-Updated-2026-12-01<\/td>/);
        assert.strictEqual(result.outcome, "SUCCEEDED");
        assert.deepStrictEqual(result.emailedTo, SETTINGS.notifyEmails);
    });

    it("notify sends nothing when no recipients are configured, and still returns the counts", async () => {
        const pointer = await finishedRun();
        const { state } = stored();
        const quiet = { ...state, settings: { ...state.settings, notifyEmails: [], senderEmail: "" } };
        const etag = account.runStates.objects.get(`${BUCKET}/${KEY}`)!.etag;
        await s3RunStore(new S3Client({}), BUCKET).replace(KEY, { state: quiet }, etag);
        const result = (await handleImageUpdateEvent({ action: "notify", run: pointer })) as NotifyResult;
        assert.strictEqual(ses.sent.length, 0);
        assert.deepStrictEqual(result.counts, {
            updated: 1,
            failed: 0,
            upToDate: 0,
            pendingAtTimeout: 0,
            blockedByQuota: 0,
            fleetsRolledOut: 0,
            imagesDeleted: 0,
        });
        assert.deepStrictEqual(result.emailedTo, []);
    });

    it("a fatal error sends a failure email with the error's message", async () => {
        const result = (await handleImageUpdateEvent({
            action: "notifyFailure",
            execution: {
                settings: SETTINGS,
                error: {
                    Error: "AccessDeniedException",
                    Cause: JSON.stringify({
                        errorType: "AccessDeniedException",
                        errorMessage: "not authorized to perform appstream:DescribeImages",
                    }),
                },
            },
        })) as NotifyResult;
        assert.strictEqual(ses.sent.length, 1);
        assert.match(ses.sent[0].Message!.Subject!.Data!, /^FAILED: AppStream image update run/);
        assert.match(
            ses.sent[0].Message!.Body!.Text!.Data!,
            /AccessDeniedException: not authorized to perform appstream:DescribeImages/,
        );
        assert.strictEqual(result.outcome, "FAILED");
    });

    it("rejects a hand-written input, naming every bad field", async () => {
        await assert.rejects(
            handleImageUpdateEvent({
                action: "start",
                settings: { ...SETTINGS, batchSize: 0, notifyEmails: ["not-an-email"], tagValue: "Completed" },
                startedAt: "2026-12-01T12:00:00Z",
                execution: EXECUTION,
            }),
            (err: Error) => {
                assert.strictEqual(err.name, "InvalidRunInput");
                assert.match(err.message, /settings\.batchSize must be an integer >= 1, got 0/);
                assert.match(
                    err.message,
                    /settings\.notifyEmails must be a list of at most 50 email addresses, got \["not-an-email"\]/,
                );
                assert.match(err.message, /settings\.tagValue must be an AppStream tag value, got "Completed"/);
                return true;
            },
        );
        const startWith = (senderEmail: string) =>
            handleImageUpdateEvent({
                action: "start",
                settings: { ...SETTINGS, senderEmail },
                startedAt: "2026-12-01T12:00:00Z",
                execution: EXECUTION,
            });
        await assert.rejects(startWith(""), (err: Error) => {
            assert.match(
                err.message,
                /^  - settings\.senderEmail is required when settings\.notifyEmails is not empty$/m,
            );
            return true;
        });
        // A malformed sender is reported once, as malformed, not also as missing.
        await assert.rejects(startWith("bad"), (err: Error) => {
            assert.deepStrictEqual(err.message.split("\n").slice(1), [
                '  - settings.senderEmail must be "" or an email address, got "bad"',
            ]);
            return true;
        });
        await assert.rejects(handleImageUpdateEvent({ action: "explode" } as never), /unknown action "explode"/);
        await assert.rejects(
            handleImageUpdateEvent({
                action: "start",
                settings: SETTINGS,
                startedAt: "2026-12-01T12:00:00Z",
            } as never),
            { name: "InvalidRunInput", message: /needs the execution's name/ },
        );
        assert.deepStrictEqual(account.calls, []);
    });

    it("without its bucket variable the function says which variable is missing", async () => {
        delete process.env[RUN_STATE_BUCKET_VARIABLE];
        await assert.rejects(start(), new RegExp(`${RUN_STATE_BUCKET_VARIABLE} is not set`));
    });
});
