/**
 * The usage digest email, in the layout every email of appstream-ops shares (email-layout.ts):
 * what needs someone first (queries that failed, fleets close to full, sessions that lost their end
 * record, reconciliation findings), then the figures. The charts are bars built from table cells
 * whose widths are percentages, with no image, SVG or script, so Outlook's Word engine and Gmail
 * draw them as they draw any table; the text twin draws the same bars with characters.
 */
import { Email, FONT, Section, Tone, WRAP, escapeHtml, renderEmail } from "../../email/email-layout";
import {
    DIGEST_QUERIES,
    DigestQueryId,
    FleetPeak,
    LISTED_SESSIONS,
    MissingPart,
    NeverEndedSession,
    Period,
    RECONCILE_QUERY,
    UsageDigest,
    change,
    hasUsage,
} from "./usage-digest";

/** Where the digest was made: the header, the subject and the links. */
export interface DigestContext {
    readonly account?: string;
    readonly region?: string;
    /** Pulumi project/stack that deployed it. */
    readonly stack?: string;
    /** The pipeline's Athena workgroup, whose scan cutoff applies, and its database. */
    readonly workGroup: string;
    readonly database: string;
    /** The stack config key that sets the workgroup's scan cutoff, for the next step. */
    readonly scanCutoffMb: number;
}

/** The saved queries' names, as the Athena console lists them (named-queries.ts, usage-report-queries.ts). */
const QUERY_TITLES: Record<DigestQueryId, string> = {
    [DIGEST_QUERIES.perUser]: "Streaming time per user and stack",
    [DIGEST_QUERIES.perDay]: "Daily active users and streaming hours per stack",
    [DIGEST_QUERIES.neverEnded]: "Sessions that started but never ended",
    [DIGEST_QUERIES.peaks]: "Peak concurrent sessions per day per fleet",
    [RECONCILE_QUERY]: "Usage report: script records reconciled with AppStream's report",
};

/** Bar colour, and the widest text bar in characters. */
const BAR = "#2e90fa";
const TEXT_BAR_WIDTH = 30;

const hours = (value: number) => `${value.toFixed(1)} h`;
/** The last day a period covers: the day before its exclusive end. */
const lastDayOf = (period: Period) => new Date(Date.parse(period.to) - 86_400_000).toISOString().slice(0, 10);
const spanOf = (period: Period) => `${period.from} to ${lastDayOf(period)}`;
const weekday = (day: string) =>
    new Date(`${day}T00:00:00Z`).toLocaleDateString("en-GB", { weekday: "short", timeZone: "UTC" });

/**
 * The Athena console's page for one query execution: its text, its state and its results. The
 * console's own address (what its History tab opens); AWS documents no deep-link format, so the
 * section also gives the CLI command.
 */
export function athenaExecutionUrl(region: string, executionId: string): string {
    return `https://${region}.console.aws.amazon.com/athena/home?region=${region}#/query-editor/history/${encodeURIComponent(executionId)}`;
}

interface Bar {
    readonly label: string;
    readonly value: number;
    readonly shown: string;
}

/**
 * A bar chart as rows of a table: label, bar, value. The bar is a cell whose width attribute is
 * its share of the largest value (Outlook honours width on cells, not CSS on divs); a zero gets no
 * coloured cell at all rather than a sliver. Even the empty cells name the email's font: a client
 * that falls back to its serif default for them shows a taller row.
 */
function barChart(bars: readonly Bar[]): { html: string; text: string[] } {
    const largest = Math.max(0, ...bars.map((b) => b.value));
    const share = (value: number) => (largest > 0 ? Math.round((value / largest) * 100) : 0);
    const labelWidth = Math.max(0, ...bars.map((b) => b.label.length));
    const cell = `${FONT}font-size:13px;line-height:18px;color:#344054;padding:4px 8px;`;
    const html = bars
        .map((b) => {
            const width = share(b.value);
            const bar =
                width > 0
                    ? `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>` +
                      `<td width="${width}%" height="14" style="${FONT}width:${width}%;height:14px;background:${BAR};font-size:0;line-height:0;">&nbsp;</td>` +
                      (width < 100 ? `<td style="${FONT}font-size:0;line-height:0;">&nbsp;</td>` : "") +
                      `</tr></table>`
                    : "&nbsp;";
            return (
                `<tr><td style="padding:0;border-bottom:1px solid #eaecf0;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed;"><tr>` +
                `<td width="34%" style="${cell}${WRAP}">${escapeHtml(b.label)}</td>` +
                `<td width="46%" style="${FONT}padding:4px 0;">${bar}</td>` +
                `<td width="20%" align="right" style="${cell}white-space:nowrap;">${escapeHtml(b.shown)}</td>` +
                `</tr></table></td></tr>`
            );
        })
        .join("");
    const text = bars.map((b) => {
        const length = largest > 0 ? Math.round((b.value / largest) * TEXT_BAR_WIDTH) : 0;
        return `  ${b.label.padEnd(labelWidth)}  ${"#".repeat(length).padEnd(TEXT_BAR_WIDTH)}  ${b.shown}`;
    });
    return { html, text };
}

/** A table of a few columns, the first a name that wraps, the others numbers. */
function table(heads: readonly string[], rows: readonly (readonly string[])[]): { html: string; text: string[] } {
    const cell = `${FONT}font-size:13px;line-height:18px;color:#101828;padding:4px 8px;`;
    const row = (cells: readonly string[], head: boolean) =>
        `<tr><td style="padding:0;border-bottom:1px solid #eaecf0;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed;"><tr>` +
        cells
            .map((c, i) =>
                i === 0
                    ? `<td width="${100 - 20 * (cells.length - 1)}%" style="${cell}${WRAP}${head ? "color:#667085;" : ""}">${escapeHtml(c)}</td>`
                    : `<td width="20%" align="right" style="${cell}white-space:nowrap;${head ? "color:#667085;" : ""}">${escapeHtml(c)}</td>`,
            )
            .join("") +
        `</tr></table></td></tr>`;
    const widths = heads.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: readonly string[]) =>
        `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")}`;
    return { html: [row(heads, true), ...rows.map((r) => row(r, false))].join(""), text: [heads, ...rows].map(line) };
}

const changeText = (current: number, previous: number | undefined, previousPeriod: Period) => {
    if (previous === undefined) return "no figure for the period before";
    const pct = change(current, previous);
    const against = `against ${spanOf(previousPeriod)}`;
    return pct === undefined ? `none in the period before` : `${pct > 0 ? "+" : ""}${pct}% ${against}`;
};

function capacityText(peak: FleetPeak): string {
    const c = peak.capacity;
    if ("unknown" in c) return `${peak.peak} sessions`;
    if (c.fleetType === "ELASTIC") return `${peak.peak} of ${c.sessions} sessions (maximum concurrent sessions)`;
    const instances = `desired capacity now: ${c.desiredInstances} instance${c.desiredInstances === 1 ? "" : "s"}`;
    return `${peak.peak} of ${c.sessions} sessions (${instances})`;
}
const peakLine = (p: FleetPeak) => `${p.fleet} peaked at ${capacityText(p)} on ${p.day}: ${p.hint}`;

const sessionLine = (s: NeverEndedSession) =>
    `${s.user} on ${s.stack} (fleet ${s.fleet}), session ${s.sessionId}, started ${s.started}, ${s.hoursSinceStart} h before the period ended`;

function listed<T>(items: readonly T[], line: (item: T) => string): { lines: string[]; count: number } {
    const lines = items.slice(0, LISTED_SESSIONS).map(line);
    if (items.length > LISTED_SESSIONS) {
        lines.push(`… and ${items.length - LISTED_SESSIONS} more: see the query's results (link under Queries)`);
    }
    return { lines, count: items.length };
}

function missingLine(m: MissingPart): string {
    const why = m.scanCutoff ? `stopped by the workgroup's scan limit (${m.reason})` : m.reason;
    return `${QUERY_TITLES[m.query]}, over ${m.period}: ${why}`;
}

function missingNextStep(missing: readonly MissingPart[], context: DigestContext): string {
    const steps = [];
    if (missing.some((m) => m.scanCutoff)) {
        steps.push(
            `A query read more than the workgroup ${context.workGroup} allows per query (${context.scanCutoffMb} MB): raise the stack config key athenaBytesScannedCutoffMb, or shorten usageDigestPeriodDays, then pulumi up.`,
        );
    }
    if (missing.some((m) => !m.scanCutoff)) {
        steps.push(
            `Open the query in the Athena console (Queries, below) to read the whole error; a throttled or timed-out query usually passes on the next digest. Its part of the digest is left out rather than guessed.`,
        );
    }
    return steps.join(" ");
}

/** How the subject and banner count each section of what needs the reader. */
const NEEDS: Record<string, [string, string]> = {
    "Queries that failed": ["query failed", "queries failed"],
    "Fleets close to full": ["fleet close to full", "fleets close to full"],
    "Sessions that ended without an end record": ["session without an end record", "sessions without an end record"],
    "Sessions the usage report disagrees with": ["reconciliation finding", "reconciliation findings"],
};

function actionSections(digest: UsageDigest, context: DigestContext): Section[] {
    const full = (digest.peaks ?? []).filter((p) => p.fit === "close to full");
    const lost = listed(digest.neverEnded?.lost ?? [], sessionLine);
    const findings = listed(digest.reconciliation ?? [], (f) => `${f.sessionId} (${f.day}): ${f.finding}`);
    return [
        {
            title: "Queries that failed",
            lines: digest.missing.map(missingLine),
            nextStep: missingNextStep(digest.missing, context),
        },
        {
            title: "Fleets close to full",
            lines: full.map(peakLine),
            nextStep:
                "Users are refused a session when a fleet has no free instance. Raise the fleet's desired capacity (Always-On, On-Demand: its scaling policy's minimum and maximum too) or an Elastic fleet's maximum concurrent sessions. The fleet's InsufficientCapacityError alarm (monitoredFleets) tells when users were refused.",
        },
        {
            title: "Sessions that ended without an end record",
            ...lost,
            nextStep:
                "The streaming instance ended before its session-end script wrote a record (the instance was reclaimed, or the script timed out), so these sessions' hours are not counted above. Check the fleet's session-script logs (README, Session scripts).",
        },
        {
            title: "Sessions the usage report disagrees with",
            ...findings,
            nextStep:
                "Each line says what differs between the scripts' records and AppStream's own sessions report; the saved query of the same name lists both sides.",
        },
    ];
}

function totalsSection(digest: UsageDigest): Section | undefined {
    const t = digest.totals;
    if (!t) return undefined;
    const p = digest.previous;
    const rows = [
        ["Streaming hours", hours(t.hours), changeText(t.hours, p?.hours, digest.previousPeriod)],
        ["Sessions", String(t.sessions), changeText(t.sessions, p?.sessions, digest.previousPeriod)],
        ["Users", String(t.users), changeText(t.users, p?.users, digest.previousPeriod)],
    ];
    const cell = `${FONT}font-size:13px;line-height:18px;color:#667085;padding:6px 12px;`;
    const html = rows
        .map(
            ([label, value, delta]) =>
                `<tr><td style="padding:0;border-bottom:1px solid #eaecf0;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>` +
                `<td style="${cell}${WRAP}">${escapeHtml(label)}<br><span style="${FONT}font-size:22px;line-height:30px;font-weight:bold;color:#101828;">${escapeHtml(value)}</span></td>` +
                `<td align="right" style="${cell}${WRAP}">${escapeHtml(delta)}</td>` +
                `</tr></table></td></tr>`,
        )
        .join("");
    return {
        title: "Totals (sessions that ended in the period)",
        lines: [],
        body: { html, text: rows.map(([label, value, delta]) => `  ${label}: ${value} (${delta})`) },
    };
}

function reportSections(digest: UsageDigest, context: DigestContext): Section[] {
    const sections: (Section | undefined)[] = [
        totalsSection(digest),
        digest.hoursPerStack?.length
            ? {
                  title: "Hours per stack",
                  lines: [],
                  body: barChart(
                      digest.hoursPerStack.map((s) => ({ label: s.stack, value: s.hours, shown: hours(s.hours) })),
                  ),
              }
            : undefined,
        digest.hoursPerDay
            ? {
                  title: "Hours per day (sessions that ended that day, UTC)",
                  lines: [],
                  body: barChart(
                      digest.hoursPerDay.map((d) => ({
                          label: `${weekday(d.day)} ${d.day}`,
                          value: d.hours,
                          shown: hours(d.hours),
                      })),
                  ),
              }
            : undefined,
        digest.topUsers?.length
            ? {
                  title: "Top users by hours",
                  lines: [],
                  body: table(
                      ["User", "Hours", "Sessions"],
                      digest.topUsers.map((u) => [u.user, u.hours.toFixed(1), String(u.sessions)]),
                  ),
              }
            : undefined,
        { title: "Peak concurrent sessions per fleet", lines: (digest.peaks ?? []).map(peakLine) },
        {
            title: "Sessions still running when the period ended",
            ...listed(digest.neverEnded?.running ?? [], sessionLine),
        },
        {
            title: "Queries",
            lines: (Object.keys(QUERY_TITLES) as DigestQueryId[])
                .filter((id) => digest.executions[id])
                .map((id) => {
                    const execution = digest.executions[id]!;
                    const where = context.region
                        ? athenaExecutionUrl(context.region, execution)
                        : `query execution ${execution}`;
                    return `${QUERY_TITLES[id]}: ${where}`;
                }),
            nextStep: `Each link opens the query this digest ran, with its results. From a shell: aws athena get-query-results --query-execution-id <id>${context.region ? ` --region ${context.region}` : ""}. The saved queries of the same names (workgroup ${context.workGroup}) read the last 30 days.`,
        },
    ];
    return sections.filter((s): s is Section => s !== undefined);
}

/** ` in eu-west-1 (123456789012, acme/prod)`, with what is known. */
function whereOf(context: DigestContext): string {
    const ids = [context.account, context.stack].filter(Boolean);
    return `${context.region ? ` in ${context.region}` : ""}${ids.length ? ` (${ids.join(", ")})` : ""}`;
}

export function digestEmail(digest: UsageDigest, context: DigestContext): Email {
    const span = spanOf(digest.period);
    const actions = actionSections(digest, context);
    const needs = actions
        .filter((s) => s.lines.length > 0)
        .map((s) => {
            const count = s.count ?? s.lines.length;
            const [one, many] = NEEDS[s.title] ?? [s.title.toLowerCase(), s.title.toLowerCase()];
            return `${count} ${count === 1 ? one : many}`;
        });
    const nothingAnswered = !digest.totals && !digest.peaks && !digest.neverEnded;
    const noUsage = !nothingAnswered && !hasUsage(digest);
    const t = digest.totals;
    const figures = t ? `${hours(t.hours)}, ${t.sessions} sessions, ${t.users} users` : "figures missing";
    let tone: Tone = needs.length ? "action" : "ok";
    let headline = needs.length ? `Action needed: ${needs.join(", ")}` : "No action needed";
    let intro = `Streaming sessions of ${span} (UTC days), from the usage pipeline's own saved queries, run in the Athena workgroup ${context.workGroup} (database ${context.database}). Athena read ${(digest.scannedBytes / 1_000_000).toFixed(1)} MB for it.`;
    let subject = `${needs.length ? `ACTION NEEDED (${needs.join(", ")}): ` : ""}AppStream usage ${span}${whereOf(context)}: ${figures}`;
    const report = reportSections(digest, context);
    const actionList: Section[] = actions;
    if (nothingAnswered) {
        tone = "failed";
        headline = "The usage digest could not be made: no query answered";
        subject = `FAILED: AppStream usage digest ${span}${whereOf(context)}`;
        intro = `None of the digest's queries answered, so there are no figures for ${span}. Each failure is below, with what to do.`;
    } else if (noUsage) {
        tone = "action";
        headline = "No streaming session was recorded in the period";
        subject = `NO DATA: AppStream usage ${span}${whereOf(context)}`;
        actionList.unshift({
            title: "No session recorded",
            lines: [`The queries ran and found no session record for ${span}.`],
            nextStep:
                "If users streamed in this period, the session scripts did not write their records: check that the fleet's image has the session scripts installed and the fleet uses the script role (README, Session scripts), and that the fleet's session-script logs show no error. If nobody streamed, there is nothing to do.",
        });
    }
    return renderEmail({
        subject,
        headline,
        tone,
        title: `AppStream usage, ${span}`,
        header: [
            ["Account", context.account ?? "unknown"],
            ["Region", context.region ?? "unknown"],
            ["Stack", context.stack ?? "unknown"],
            ["Period", `${span} (${digest.period.from} 00:00 to ${digest.period.to} 00:00 UTC)`],
        ],
        intro,
        actions: actionList,
        report,
        footer: "Sent by appstream-ops' usage digest. Every figure comes from the queries listed under Queries, run over the period's days.",
    });
}
