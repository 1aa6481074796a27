import * as assert from "assert";
import { NotifyResult, handleImageUpdateEvent } from "../../../../runtime/image-update/run/handler";
import { RunState } from "../../../../runtime/image-update/run/run-state";
import { runSettings } from "../../../helpers/direct-run";
import { FakeAppStreamAccount, mockAppStream, mockSes } from "../../../helpers/fake-appstream";

const SETTINGS = runSettings({
    notifyEmails: ["ops@example.com", "lead@example.com"],
    senderEmail: "appstream@example.com",
});

describe("image update Lambda handler", () => {
    let ses: ReturnType<typeof mockSes>;
    let appstream: ReturnType<typeof mockAppStream>;
    let account: FakeAppStreamAccount;
    beforeEach(() => {
        account = new FakeAppStreamAccount([{ name: "Office", tags: { AutoUpdate: "Enabled" } }]);
        appstream = mockAppStream(account);
        ses = mockSes();
    });
    afterEach(() => {
        appstream.restore();
        ses.restore();
    });

    async function finishedRun(): Promise<RunState> {
        const started = (await handleImageUpdateEvent({
            action: "start",
            settings: SETTINGS,
            startedAt: "2026-12-01T12:00:00Z",
        })) as RunState;
        account.advance(60);
        return (await handleImageUpdateEvent({ action: "check", state: started })) as RunState;
    }

    it("notify sends exactly one summary email, from the sender to every recipient, as text and HTML", async () => {
        const result = (await handleImageUpdateEvent({
            action: "notify",
            state: await finishedRun(),
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
        const state = await finishedRun();
        const quiet = { ...state, settings: { ...state.settings, notifyEmails: [], senderEmail: "" } };
        const result = (await handleImageUpdateEvent({ action: "notify", state: quiet })) as NotifyResult;
        assert.strictEqual(ses.sent.length, 0);
        assert.deepStrictEqual(result.counts, {
            updated: 1,
            failed: 0,
            upToDate: 0,
            pendingAtTimeout: 0,
            blockedByQuota: 0,
            leftOut: 0,
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
        const start = (senderEmail: string) =>
            handleImageUpdateEvent({
                action: "start",
                settings: { ...SETTINGS, senderEmail },
                startedAt: "2026-12-01T12:00:00Z",
            });
        await assert.rejects(start(""), (err: Error) => {
            assert.match(
                err.message,
                /^  - settings\.senderEmail is required when settings\.notifyEmails is not empty$/m,
            );
            return true;
        });
        // A malformed sender is reported once, as malformed, not also as missing.
        await assert.rejects(start("bad"), (err: Error) => {
            assert.deepStrictEqual(err.message.split("\n").slice(1), [
                '  - settings.senderEmail must be "" or an email address, got "bad"',
            ]);
            return true;
        });
        await assert.rejects(handleImageUpdateEvent({ action: "explode" } as never), /unknown action "explode"/);
        assert.deepStrictEqual(account.calls, []);
    });
});
