import * as assert from "assert";
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { S3Client } from "@aws-sdk/client-s3";
import {
    SES_MAX_MESSAGE_BYTES,
    emailWithinSes,
    encodedEmailBytes,
} from "../../../../runtime/image-update/email/ses-size";
import { Email, EmailOptions, FullReport, summaryEmail } from "../../../../runtime/image-update/email/summary-email";
import { RUN_STATE_BUCKET_VARIABLE, handleImageUpdateEvent } from "../../../../runtime/image-update/run/handler";
import { RunState } from "../../../../runtime/image-update/run/run-state";
import { s3RunStore } from "../../../../runtime/image-update/run/run-store";
import { summarize } from "../../../../runtime/image-update/run/run-summary";
import { runSettings } from "../../../helpers/direct-run";
import { withEnvironment } from "../../../helpers/environment";
import { FakeAppStreamAccount, mockAppStream, mockSes } from "../../../helpers/fake-appstream";

/** A finished run of `count` failed images, each with the longest reason a run keeps. */
function failedRun(count: number): RunState {
    return {
        runDate: "2026-12-01",
        settings: runSettings({ notifyEmails: ["ops@example.com"], senderEmail: "appstream@example.com" }),
        imageArnPrefix: "arn:aws:appstream:eu-west-1:123456789012:image/",
        checks: 3,
        done: true,
        images: Array.from({ length: count }, (_, i) => ({
            name: `Win2022-Business-Unit-${String(i).padStart(5, "0")}-Office-And-Line-Of-Business-Apps`,
            status: "failed" as const,
            reason: `IMAGE_UPDATE_FAILURE: ${"é".repeat(400)}`,
        })),
    };
}

/** The size SES measures, worked out here independently: every part base64-encoded. */
const base64Bytes = (email: Email) =>
    [email.subject, email.text, email.html].reduce((n, part) => n + Buffer.from(part).toString("base64").length, 0);

const REPORT: FullReport = { bucket: "run-state", key: "runs/run-1/report.html", region: "eu-west-1" };

describe("summary emails within SES's message size", () => {
    const large = summarize(failedRun(6000));
    const build = (options?: EmailOptions) => summaryEmail(large, { region: "eu-west-1" }, options);

    it("a summary that fits is sent whole, and no report is stored", async () => {
        const small = summarize(failedRun(10));
        let stored = 0;
        const email = await emailWithinSes(
            (options) => summaryEmail(small, {}, options),
            async () => {
                stored++;
                return REPORT;
            },
        );
        assert.deepStrictEqual(email, summaryEmail(small));
        assert.strictEqual(stored, 0);
    });

    it("past 10 MB, the full report is stored and the email lists the first lines of each section, every count whole, with the way to the report", async () => {
        const full = build();
        assert.ok(base64Bytes(full) > SES_MAX_MESSAGE_BYTES, `the full email is ${base64Bytes(full)} bytes`);
        const stored: string[] = [];
        const email = await emailWithinSes(build, async (report) => {
            stored.push(report.html);
            return REPORT;
        });
        assert.deepStrictEqual(stored, [full.html], "the stored report is the whole email");
        assert.ok(base64Bytes(email) <= SES_MAX_MESSAGE_BYTES, `${base64Bytes(email)} bytes`);
        assert.ok(encodedEmailBytes(email) >= base64Bytes(email), "the runtime's measure is not below SES's");
        assert.strictEqual(email.subject, full.subject);
        assert.match(email.text, /^Failed \(6000\):$/m);
        assert.match(email.text, /… and 5800 more, in the full report/);
        assert.strictEqual((email.text.match(/^ {2}- Win2022-Business-Unit-/gm) ?? []).length, 200);
        assert.match(email.text, /aws s3 cp s3:\/\/run-state\/runs\/run-1\/report\.html report\.html/);
        assert.match(
            email.html,
            /href="https:\/\/s3\.console\.aws\.amazon\.com\/s3\/object\/run-state\?region=eu-west-1&amp;prefix=runs%2Frun-1%2Freport\.html"/,
        );
    });

    it("lists fewer lines per section until the email fits", async () => {
        // An email of 100 KB per listed line: 200 lines would be 20 MB, 50 lines 5 MB.
        const sized = (options?: EmailOptions): Email => {
            const lines = options?.listedPerSection ?? 1000;
            return { subject: `${lines}`, text: "x".repeat(lines * 100_000), html: "" };
        };
        const email = await emailWithinSes(sized, async () => REPORT);
        assert.strictEqual(email.subject, "50");
    });

    it("when the report cannot be stored, the email says why and where every image still is, and fits", async () => {
        const email = await emailWithinSes(build, async () => {
            throw Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
        });
        assert.ok(base64Bytes(email) <= SES_MAX_MESSAGE_BYTES);
        assert.match(email.text, /The full report could not be stored: AccessDenied: Access Denied\./);
        assert.match(email.text, /imageUpdateRunStateBucketName/);
        assert.match(email.text, /^Failed \(6000\):$/m);
    });

    describe("through the handler, against the fake bucket and SES", () => {
        let account: FakeAppStreamAccount;
        let mocks: { restore(): void }[];
        let ses: ReturnType<typeof mockSes>;
        beforeEach(() => {
            account = new FakeAppStreamAccount();
            ses = mockSes();
            mocks = [mockAppStream(account), ses];
        });
        afterEach(() => mocks.forEach((mock) => mock.restore()));

        it("negative control: SES (the fake, measuring on its own) refuses the whole email", async () => {
            const full = build();
            await assert.rejects(
                new SESClient({}).send(
                    new SendEmailCommand({
                        Source: "appstream@example.com",
                        Destination: { ToAddresses: ["ops@example.com"] },
                        Message: {
                            Subject: { Data: full.subject },
                            Body: { Text: { Data: full.text }, Html: { Data: full.html } },
                        },
                    }),
                ),
                { name: "MessageRejected" },
            );
        });

        it("notify stores the report beside the run's state and sends the shortened email, which SES accepts", async () => {
            const key = "runs/run-1/state.json";
            await s3RunStore(new S3Client({}), "run-state").create(key, { state: failedRun(6000) });
            const result = await withEnvironment(
                { [RUN_STATE_BUCKET_VARIABLE]: "run-state", AWS_REGION: "eu-west-1" },
                () => handleImageUpdateEvent({ action: "notify", run: { key, checks: 3, done: true, images: 6000 } }),
            );
            assert.deepStrictEqual((result as { counts: { failed: number } }).counts.failed, 6000);
            const report = account.runStates.objects.get("run-state/runs/run-1/report.html");
            assert.ok(report, "report.html is stored beside state.json");
            assert.match(report.body, /Failed \(6000\)/);
            assert.strictEqual(ses.sent.length, 1);
            assert.match(
                ses.sent[0].Message?.Body?.Text?.Data ?? "",
                /aws s3 cp s3:\/\/run-state\/runs\/run-1\/report\.html/,
            );
        });
    });
});
