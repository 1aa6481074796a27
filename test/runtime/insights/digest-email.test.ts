import * as assert from "assert";
import { DigestContext, athenaExecutionUrl, digestEmail } from "../../../runtime/insights/digest/digest-email";
import { DIGEST_QUERIES, usageDigest } from "../../../runtime/insights/digest/usage-digest";
import { failed, ok, perUserRow, sampleOutcomes } from "../../helpers/digest-outcomes";

const CONTEXT: DigestContext = {
    account: "123456789012",
    region: "eu-west-1",
    stack: "appstream-ops/prod",
    workGroup: "appstream-usage-prod",
    database: "appstream_usage_prod",
    scanCutoffMb: 1024,
};

/** The bars' widths, in order: the coloured cells' width attributes. */
const barWidths = (html: string) => [...html.matchAll(/<td width="(\d+)%" height="14"/g)].map((m) => Number(m[1]));
const textOf = (email: { text: string }, title: string) => {
    const lines = email.text.split("\n");
    const start = lines.findIndex((l) => l.startsWith(title));
    assert.ok(start >= 0, `no section ${title}`);
    const end = lines.indexOf("", start);
    return lines.slice(start + 1, end);
};

describe("the usage digest email", () => {
    const email = digestEmail(usageDigest(sampleOutcomes()), CONTEXT);

    it("puts what needs someone first: a fleet close to full and a session without an end record", () => {
        assert.match(
            email.subject,
            /^ACTION NEEDED \(1 fleet close to full, 1 session without an end record\): AppStream usage 2026-11-23 to 2026-11-29 in eu-west-1 \(123456789012, appstream-ops\/prod\): 3\.5 h, 4 sessions, 2 users$/,
        );
        const needs = email.text.indexOf("== What needs you ==");
        const record = email.text.indexOf("== For the record ==");
        assert.ok(needs > 0 && record > needs);
        assert.ok(email.text.indexOf("Fleets close to full (1):") > needs);
        assert.ok(email.text.indexOf("Totals (sessions that ended in the period):") > record);
        assert.match(
            email.text,
            /fleet-b peaked at 2 of 2 sessions \(maximum concurrent sessions\) on 2026-11-26: close to full/,
        );
    });

    it("the header names the account, Region, stack and period, in the text and the HTML", () => {
        for (const value of ["123456789012", "eu-west-1", "appstream-ops/prod", "2026-11-23 to 2026-11-29"]) {
            assert.ok(email.text.includes(value), value);
            assert.ok(email.html.includes(value.replace("/", "/")), value);
        }
        assert.match(email.text, /Period: 2026-11-23 to 2026-11-29 \(2026-11-23 00:00 to 2026-11-30 00:00 UTC\)/);
    });

    it("totals with their change against the period before", () => {
        assert.deepStrictEqual(textOf(email, "Totals"), [
            "  Streaming hours: 3.5 h (-30% against 2026-11-16 to 2026-11-22)",
            "  Sessions: 4 (0% against 2026-11-16 to 2026-11-22)",
            "  Users: 2 (+100% against 2026-11-16 to 2026-11-22)",
        ]);
    });

    it("bars from table cells: each width is its share of the largest, a zero has no bar; no image, SVG, script or style block", () => {
        // Hours per stack (3, 0.5), then per day (0, 1, 0, 0, 0, 0, 2.5).
        assert.deepStrictEqual(barWidths(email.html), [100, 17, 40, 100]);
        assert.doesNotMatch(email.html, /<img|<svg|<script|<style|<link|<div/i);
        assert.deepStrictEqual(textOf(email, "Hours per stack"), [
            `  sales  ${"#".repeat(30)}  3.0 h`,
            `  eng    ${"#".repeat(5).padEnd(30)}  0.5 h`,
        ]);
        const days = textOf(email, "Hours per day");
        assert.strictEqual(days.length, 7);
        assert.strictEqual(days[0], `  Mon 2026-11-23  ${"".padEnd(30)}  0.0 h`);
        assert.strictEqual(days[6], `  Sun 2026-11-29  ${"#".repeat(30)}  2.5 h`);
    });

    it("top users as a table, most hours first", () => {
        assert.deepStrictEqual(textOf(email, "Top users by hours"), [
            "  User   Hours  Sessions",
            "  alice    2.5         3",
            "  bob      1.0         1",
        ]);
    });

    it("links each query it ran to its page in the Athena console", () => {
        const queries = textOf(email, "Queries (").filter((l) => l.startsWith("  - "));
        assert.strictEqual(queries.length, 4);
        const url = athenaExecutionUrl("eu-west-1", usageDigest(sampleOutcomes()).executions[DIGEST_QUERIES.peaks]!);
        assert.match(
            url,
            /^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/athena\/home\?region=eu-west-1#\/query-editor\/history\/exec-\d+$/,
        );
        assert.ok(
            email.html.includes(
                '<a href="https://eu-west-1.console.aws.amazon.com/athena/home?region=eu-west-1#/query-editor/history/',
            ),
        );
    });

    it("escapes every value from the records: a user named like markup stays text", () => {
        const hostile = '<img src=x onerror="alert(1)">';
        const digest = usageDigest(
            sampleOutcomes({
                current: { [DIGEST_QUERIES.perUser]: ok([perUserRow(hostile, "<b>stack</b>", 1, 3600)]) },
            }),
        );
        const mail = digestEmail(digest, CONTEXT);
        assert.ok(!mail.html.includes(hostile));
        assert.ok(!mail.html.includes("<b>stack</b>"));
        assert.ok(mail.html.includes("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
        assert.ok(mail.text.includes(hostile), "the text part keeps the name as it is");
    });

    it("a failed query leaves its part out, says why, and what to do; the rest is still there", () => {
        const base = sampleOutcomes();
        const digest = usageDigest({
            ...base,
            current: {
                ...base.current,
                [DIGEST_QUERIES.peaks]: failed("Query cancelled: bytes scanned limit was exceeded", true, "exec-peaks"),
            },
        });
        const mail = digestEmail(digest, CONTEXT);
        assert.match(mail.subject, /^ACTION NEEDED \(1 query failed, 1 session without an end record\)/);
        assert.deepStrictEqual(textOf(mail, "Queries that failed"), [
            "  - Peak concurrent sessions per day per fleet, over this period: stopped by the workgroup's scan limit (Query cancelled: bytes scanned limit was exceeded)",
            "  Next step: A query read more than the workgroup appstream-usage-prod allows per query (1024 MB): raise the stack config key athenaBytesScannedCutoffMb, or shorten usageDigestPeriodDays, then pulumi up.",
        ]);
        assert.ok(mail.text.includes("Totals (sessions that ended in the period):"));
        assert.ok(!mail.text.includes("Peak concurrent sessions per fleet ("));
    });

    it("when no query answered: a FAILED email with every reason, never silence", () => {
        const denied = failed("AccessDeniedException: not authorized");
        const digest = usageDigest(
            sampleOutcomes({
                current: Object.fromEntries(Object.values(DIGEST_QUERIES).map((id) => [id, denied])),
                previousPerUser: denied,
            }),
        );
        const mail = digestEmail(digest, CONTEXT);
        assert.match(mail.subject, /^FAILED: AppStream usage digest 2026-11-23 to 2026-11-29 in eu-west-1/);
        assert.match(mail.text, /^The usage digest could not be made: no query answered/);
        assert.strictEqual(textOf(mail, "Queries that failed (5)").filter((l) => l.startsWith("  - ")).length, 5);
        assert.match(mail.html, /background:#b42318/);
    });

    it("when the queries found no session: says so and what to check", () => {
        const empty = usageDigest(
            sampleOutcomes({
                current: {
                    [DIGEST_QUERIES.perUser]: ok([]),
                    [DIGEST_QUERIES.perDay]: ok([]),
                    [DIGEST_QUERIES.peaks]: ok([]),
                    [DIGEST_QUERIES.neverEnded]: ok([]),
                },
            }),
        );
        const mail = digestEmail(empty, CONTEXT);
        assert.match(mail.subject, /^NO DATA: AppStream usage 2026-11-23 to 2026-11-29/);
        assert.match(mail.text, /No session recorded \(1\):\n {2}- The queries ran and found no session record/);
        assert.match(mail.text, /session scripts did not write their records/);
    });

    it("lists at most 20 sessions of a kind and keeps the count whole", () => {
        const lost = Array.from({ length: 45 }, (_, i) => ({
            session_id: `s-${i}`,
            user_name: `u-${i}`,
            stack_name: "sales",
            fleet_name: "fleet-a",
            host_name: "h",
            session_start_utc: "2026-11-24T09:00:00Z",
            hours_since_start: 100,
            status: "ended without an end record",
        }));
        const mail = digestEmail(
            usageDigest(sampleOutcomes({ current: { [DIGEST_QUERIES.neverEnded]: ok(lost) } })),
            CONTEXT,
        );
        const lines = textOf(mail, "Sessions that ended without an end record (45)");
        assert.strictEqual(lines.filter((l) => l.startsWith("  - ")).length, 21);
        assert.match(lines[20], /… and 25 more/);
    });
});
