import * as assert from "assert";
import { escapeHtml, failureEmail, summaryEmail } from "../../../runtime/image-update/summary-email";
import { RunSummary } from "../../../runtime/image-update/workflow";

const SUMMARY: RunSummary = {
    runDate: "2026-12-01",
    outcome: "FAILED",
    updated: [{ name: "Office", newName: "Office-Updated-2026-12-01" }],
    failed: [
        {
            name: "Legacy",
            newName: "Legacy-Updated-2026-12-01",
            detail: `IncompatibleImageException: <script>alert("x")</script> & 'more'`,
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
};
const CONTEXT = { region: "eu-west-1", executionArn: "arn:aws:states:eu-west-1:123456789012:execution:sm:run-1" };

describe("summary email", () => {
    const email = summaryEmail(SUMMARY, CONTEXT);

    it("has a subject with the date, the Region and every count, flagged when action is needed", () => {
        assert.strictEqual(
            email.subject,
            "ACTION NEEDED: AppStream image updates 2026-12-01 in eu-west-1: 1 updated, 1 failed, 1 up to date, 1 pending",
        );
        assert.strictEqual(
            summaryEmail({ ...SUMMARY, outcome: "SUCCEEDED", failed: [], pendingAtTimeout: [] }).subject,
            "AppStream image updates 2026-12-01: 1 updated, 0 failed, 1 up to date, 0 pending",
        );
    });

    it("lists updated, failed with reasons, already up to date and pending at timeout, in plain text", () => {
        assert.strictEqual(
            email.text,
            [
                "AppStream managed image updates of 2026-12-01 in eu-west-1. Images tagged for automatic update were checked; 1 updated, 1 failed, 1 up to date, 1 pending.",
                "",
                "Updated (1):",
                "  - Office -> Office-Updated-2026-12-01",
                "",
                "Failed (1):",
                `  - Legacy: IncompatibleImageException: <script>alert("x")</script> & 'more'`,
                "",
                "Already up to date (1):",
                "  - Current",
                "",
                "Still pending at timeout (1):",
                "  - Slow -> Slow-Updated-2026-12-01 (still running after 48 checks)",
                "",
                "Execution: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn%3Aaws%3Astates%3Aeu-west-1%3A123456789012%3Aexecution%3Asm%3Arun-1",
                "",
            ].join("\n"),
        );
    });

    it("HTML-escapes every interpolated value", () => {
        assert.ok(!email.html.includes("<script>"), email.html);
        assert.ok(
            email.html.includes(
                "<li>Legacy: IncompatibleImageException: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;more&#39;</li>",
            ),
            email.html,
        );
        assert.ok(email.html.includes("<h3>Still pending at timeout (1)</h3>"));
        assert.ok(!email.html.includes("<p>(none)</p>"), "no group is empty here");
        assert.strictEqual(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    });

    it("says (none) for an empty group", () => {
        const empty = summaryEmail({ ...SUMMARY, failed: [], outcome: "SUCCEEDED" });
        assert.ok(empty.text.includes("Failed (0):\n  (none)"));
        assert.ok(empty.html.includes("<h3>Failed (0)</h3><p>(none)</p>"));
    });

    it("a failure email carries the error and what was known, with a one-line subject", () => {
        const email = failureEmail({ Error: "States.Timeout", Cause: "line one\nline <two>" }, SUMMARY, CONTEXT);
        assert.strictEqual(email.subject, "FAILED: AppStream image update run 2026-12-01 in eu-west-1");
        assert.ok(email.text.includes("Error (1):\n  - States.Timeout: line one\nline <two>"));
        assert.ok(email.html.includes("<li>States.Timeout: line one\nline &lt;two&gt;</li>"));
        assert.ok(email.text.includes("Updated (1):\n  - Office -> Office-Updated-2026-12-01"));
        const withoutRun = failureEmail({ Error: "InvalidRunInput", Cause: "bad\r\ninput" }, undefined);
        assert.strictEqual(withoutRun.subject, "FAILED: AppStream image update run");
    });
});
