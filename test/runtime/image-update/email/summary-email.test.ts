import * as assert from "assert";
import { escapeHtml, failureEmail, summaryEmail } from "../../../../runtime/image-update/email/summary-email";
import { RunSummary } from "../../../../runtime/image-update/run/run-summary";

const SUMMARY: RunSummary = {
    runDate: "2026-12-01",
    outcome: "FAILED",
    region: "eu-west-1",
    updated: [{ name: "Office", newName: "Office-Updated-2026-12-01" }],
    stillRunning: [],
    failed: [
        {
            name: "Legacy",
            newName: "Legacy-Updated-2026-12-01",
            detail: `IncompatibleImageException: <script>alert("x")</script> & 'more'`,
        },
        {
            name: "Broken",
            newName: "Broken-Updated-2026-12-01",
            detail: "IMAGE_UPDATE_FAILURE: not enough free space on drive C:",
        },
    ],
    upToDate: [{ name: "Current" }],
    pendingAtTimeout: [{ name: "Slow", newName: "Slow-Updated-2026-12-01", detail: "still running after 48 checks" }],
    quotaBlocks: [],
    fleets: [],
    fleetsOmitted: 0,
    keepImageVersions: 0,
    retention: [],
    retentionOmitted: 0,
    optInTag: { key: "AutoUpdate", value: "Enabled" },
    imageArnPrefix: "arn:aws:appstream:eu-west-1:123456789012:image/",
};
const CONTEXT = {
    region: "eu-west-1",
    executionArn: "arn:aws:states:eu-west-1:123456789012:execution:sm:run-1",
    stack: "platform/prod",
};
const EXECUTION_URL =
    "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn%3Aaws%3Astates%3Aeu-west-1%3A123456789012%3Aexecution%3Asm%3Arun-1";
const SUCCESS: RunSummary = { ...SUMMARY, outcome: "SUCCEEDED", failed: [], pendingAtTimeout: [] };

describe("summary email", () => {
    const email = summaryEmail(SUMMARY, CONTEXT);

    it("has a subject that names the actions, the date, the Region, the account, the stack and every count", () => {
        // Before: "ACTION NEEDED:" named no action, and no account or stack.
        assert.strictEqual(
            email.subject,
            "ACTION NEEDED (2 failed, 1 still pending at timeout): AppStream image updates 2026-12-01 in eu-west-1 (123456789012, platform/prod): 1 updated, 2 failed, 1 up to date, 1 pending",
        );
        assert.strictEqual(
            summaryEmail(SUCCESS).subject,
            "AppStream image updates 2026-12-01: 1 updated, 0 failed, 1 up to date, 0 pending",
        );
    });

    it("puts what needs someone first, each with its next step, in plain text", () => {
        // Before: failures came after successes, with no next step, and without the header.
        assert.strictEqual(
            email.text,
            [
                "Action needed: 2 failed, 1 still pending at timeout",
                "",
                "AppStream image updates of 2026-12-01",
                "Account: 123456789012",
                "Region: eu-west-1",
                "Stack: platform/prod",
                `Execution: ${EXECUTION_URL}`,
                "",
                "Images tagged for automatic update were checked: 1 updated, 2 failed, 1 up to date, 1 pending.",
                "",
                "== What needs you ==",
                "",
                "Failed (2):",
                `  - Legacy: IncompatibleImageException: <script>alert("x")</script> & 'more'. It keeps its opt-in tag AutoUpdate=Enabled, so the next run tries it again; to stop that: aws appstream untag-resource --resource-arn arn:aws:appstream:eu-west-1:123456789012:image/Legacy --tag-keys AutoUpdate --region eu-west-1`,
                "  - Broken: IMAGE_UPDATE_FAILURE: not enough free space on drive C:. It keeps its opt-in tag AutoUpdate=Enabled, so the next run tries it again; to stop that: aws appstream untag-resource --resource-arn arn:aws:appstream:eu-west-1:123456789012:image/Broken --tag-keys AutoUpdate --region eu-west-1",
                "  Next step: Fix what each reason names before the next run tries again: for example, free disk space on an image builder made from the image and create a new image from it, or rebuild it on a current base image.",
                "",
                "Still pending at timeout (1):",
                "  - Slow -> Slow-Updated-2026-12-01 (still running after 48 checks)",
                "  Next step: AppStream goes on with these updates after the run ends. Check each new image later (aws appstream describe-images --names <new image> --region eu-west-1); once it is AVAILABLE, roll it out to its fleets with aws appstream update-fleet. The next run does not start them again.",
                "",
                "== For the record ==",
                "",
                "Updated (1):",
                "  - Office -> Office-Updated-2026-12-01",
                "",
                "Already up to date (1):",
                "  - Current",
                "",
            ].join("\n"),
        );
    });

    it("leaves out empty sections, in text and HTML", () => {
        // Before: "Failed (0): (none)" and every other empty group were shown.
        const success = summaryEmail(SUCCESS, CONTEXT);
        const empty = /\(0\)|\(none\)|Failed \(|pending at timeout \(|What needs you/i;
        assert.doesNotMatch(success.text, empty);
        assert.doesNotMatch(success.html, empty);
        assert.match(success.text, /^No action needed\n/);
    });

    it("HTML: the same content and order, escaped, inline styles and tables only", () => {
        const { html } = email;
        assert.ok(!html.includes("<script>"), "an image's reason must be escaped");
        assert.ok(
            html.includes(
                "Legacy: IncompatibleImageException: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;more&#39;",
            ),
        );
        assert.doesNotMatch(html, /<style|class=|<div|<link /, "mail clients drop style sheets and classes");
        assert.match(html, /<table role="presentation" width="100%" [^>]*style="width:100%;max-width:640px;/);
        const order = [
            "Action needed: 2 failed",
            "Account</td>",
            "What needs you",
            "Failed (2)",
            "Still pending at timeout (1)",
            "For the record",
            "Updated (1)",
            "Already up to date (1)",
        ];
        const at = order.map((needle) => html.indexOf(needle));
        assert.ok(
            at.every((i) => i >= 0),
            JSON.stringify(at),
        );
        assert.deepStrictEqual(
            [...at].sort((a, b) => a - b),
            at,
        );
        assert.match(
            html,
            /<code style="[^"]*">aws appstream untag-resource --resource-arn arn:aws:appstream:eu-west-1:123456789012:image\/Broken --tag-keys AutoUpdate --region eu-west-1<\/code>/,
        );
        assert.ok(html.includes(`<a href="${escapeHtml(EXECUTION_URL)}"`));
        assert.strictEqual(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    });

    it("a failure email puts the error and its next step first, then what was known, with a one-line subject", () => {
        const failed = failureEmail({ Error: "States.Timeout", Cause: "line one\nline <two>" }, SUMMARY, CONTEXT);
        assert.strictEqual(
            failed.subject,
            "FAILED: AppStream image update run 2026-12-01 in eu-west-1 (123456789012, platform/prod)",
        );
        assert.ok(failed.text.startsWith("The image update run stopped with an error\n"));
        assert.ok(
            failed.text.includes("Error (1):\n  - States.Timeout: line one\nline <two>\n  Next step: Read the error"),
        );
        assert.ok(failed.text.indexOf("Error (1)") < failed.text.indexOf("Failed (2)"));
        assert.ok(failed.text.includes("Updated (1):\n  - Office -> Office-Updated-2026-12-01"));
        assert.ok(failed.html.includes("States.Timeout: line one\nline &lt;two&gt;"));
    });

    it("a failure email with no run says that no image is listed, instead of pointing at images below", () => {
        // Before: "the images below show what was known" with no image below.
        const withoutRun = failureEmail({ Error: "InvalidRunInput", Cause: "bad\r\ninput" }, undefined);
        assert.strictEqual(withoutRun.subject, "FAILED: AppStream image update run");
        assert.match(withoutRun.text, /The run stopped before it had found any image, so no image is listed\./);
        assert.doesNotMatch(withoutRun.text, /below/);
    });
});
