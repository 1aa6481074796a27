/**
 * The usage digest's figures, from the rows of the pipeline's own named queries run over two
 * periods (named-queries.ts with a period window, run by athena-queries.ts). Nothing here reads
 * records: it only adds up what the queries answered, so the digest and the saved queries cannot
 * disagree. A query that failed leaves its part of the digest missing, with the reason; no figure
 * is guessed.
 */
import type { QueryOutcome, QueryRow } from "../athena-queries";
import { NEVER_ENDED_STATUS } from "../../usage/named-queries";

/** Whole UTC days, `from` included and `to` excluded (YYYY-MM-DD), as the period queries read. */
export interface Period {
    readonly from: string;
    readonly to: string;
}

/** The named queries the digest runs over its period; the first also over the period before. */
export const DIGEST_QUERIES = {
    perUser: "streaming-time-per-user",
    perDay: "daily-active-users",
    neverEnded: "sessions-never-ended",
    peaks: "peak-concurrency-per-fleet",
} as const;
/** Run too when AppStream's usage reports are on (usage-report-queries.ts). */
export const RECONCILE_QUERY = "report-reconcile-script-records";

export type DigestQueryId = (typeof DIGEST_QUERIES)[keyof typeof DIGEST_QUERIES] | typeof RECONCILE_QUERY;

/** Users listed under "Top users". */
export const TOP_USERS = 10;
/** Sessions listed by name in a section; the count stays whole. */
export const LISTED_SESSIONS = 20;
/** A peak below this share of capacity suggests less capacity; at or above the high one, more. */
export const LOW_PEAK_SHARE = 0.5;
export const HIGH_PEAK_SHARE = 0.9;

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The `days` whole UTC days before `runAt`'s day, and the as many days before them. */
export function digestPeriods(runAt: Date, days: number): { period: Period; previous: Period } {
    const today = Date.parse(runAt.toISOString().slice(0, 10));
    return {
        period: { from: dayOf(today - days * DAY_MS), to: dayOf(today) },
        previous: { from: dayOf(today - 2 * days * DAY_MS), to: dayOf(today - days * DAY_MS) },
    };
}

/** The days of a period, in order. */
export function daysOf(period: Period): string[] {
    const days: string[] = [];
    for (let day = Date.parse(period.from); day < Date.parse(period.to); day += DAY_MS) days.push(dayOf(day));
    return days;
}

export interface PeriodTotals {
    /** From the exact seconds (streaming_seconds), rounded to hundredths only here. */
    readonly hours: number;
    /** Sessions that ended in the period. */
    readonly sessions: number;
    /** Users with a session that ended in the period. */
    readonly users: number;
}

/**
 * A fleet's capacity in sessions now, as DescribeFleets gives it: an Always-On or On-Demand fleet's
 * desired instances (times the sessions per instance of a multi-session fleet), or an Elastic
 * fleet's maximum concurrent sessions.
 */
export type FleetCapacity =
    | { readonly fleetType: "ALWAYS_ON" | "ON_DEMAND"; readonly desiredInstances: number; readonly sessions: number }
    | { readonly fleetType: "ELASTIC"; readonly sessions: number }
    | { readonly unknown: string };

export interface FleetPeak {
    readonly fleet: string;
    /** Most sessions at once over the period, and the first day it was reached. */
    readonly peak: number;
    readonly day: string;
    readonly capacity: FleetCapacity;
    readonly fit: "close to full" | "could be smaller" | "fits" | "unknown";
    /** A plain right-sizing hint, or why there is none. */
    readonly hint: string;
}

export interface NeverEndedSession {
    readonly sessionId: string;
    readonly user: string;
    readonly stack: string;
    readonly fleet: string;
    readonly started: string;
    readonly hoursSinceStart: number;
}

export interface ReconcileFinding {
    readonly sessionId: string;
    readonly day: string;
    readonly finding: string;
}

/** A part of the digest its query could not give. */
export interface MissingPart {
    readonly query: DigestQueryId;
    readonly period: "this period" | "the period before";
    readonly reason: string;
    readonly scanCutoff: boolean;
    readonly executionId?: string;
}

export interface UsageDigest {
    readonly period: Period;
    readonly previousPeriod: Period;
    readonly totals?: PeriodTotals;
    readonly previous?: PeriodTotals;
    readonly hoursPerStack?: readonly { readonly stack: string; readonly hours: number }[];
    /** Every day of the period, in order, zero when no session ended that day. */
    readonly hoursPerDay?: readonly { readonly day: string; readonly hours: number }[];
    readonly topUsers?: readonly { readonly user: string; readonly hours: number; readonly sessions: number }[];
    readonly peaks?: readonly FleetPeak[];
    /** Sessions with a start record and no end: ended without running the script, or still running. */
    readonly neverEnded?: { readonly lost: NeverEndedSession[]; readonly running: NeverEndedSession[] };
    /** Only when AppStream's usage reports are on. */
    readonly reconciliation?: readonly ReconcileFinding[];
    /** The query execution behind each part, for the console links. */
    readonly executions: Readonly<Partial<Record<DigestQueryId, string>>>;
    readonly missing: readonly MissingPart[];
    /** Bytes Athena scanned for the whole digest (what it costs). */
    readonly scannedBytes: number;
}

export interface DigestOutcomes {
    readonly period: Period;
    readonly previousPeriod: Period;
    readonly current: Readonly<Partial<Record<DigestQueryId, QueryOutcome>>>;
    /** streaming-time-per-user over the period before, for the changes. */
    readonly previousPerUser?: QueryOutcome;
    /** By fleet name, for every fleet in the peaks. */
    readonly capacities: ReadonlyMap<string, FleetCapacity>;
}

const hundredths = (value: number) => Math.round(value * 100) / 100;
const num = (value: unknown) => (typeof value === "number" ? value : Number(value ?? 0));
const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));

function sumBy(rows: readonly QueryRow[], key: string, value: string): Map<string, number> {
    const sums = new Map<string, number>();
    for (const row of rows) sums.set(text(row[key]), (sums.get(text(row[key])) ?? 0) + num(row[value]));
    return sums;
}

/** Totals from streaming-time-per-user's rows: one per user and stack, each ended session in one row. */
export function periodTotals(perUser: readonly QueryRow[]): PeriodTotals {
    const seconds = perUser.reduce((sum, row) => sum + num(row.streaming_seconds), 0);
    return {
        hours: hundredths(seconds / 3600),
        sessions: perUser.reduce((sum, row) => sum + num(row.sessions), 0),
        users: new Set(perUser.map((row) => text(row.user_name))).size,
    };
}

export function fitOf(peak: number, capacity: FleetCapacity): Pick<FleetPeak, "fit" | "hint"> {
    if ("unknown" in capacity) return { fit: "unknown", hint: `no hint: ${capacity.unknown}` };
    const setting = capacity.fleetType === "ELASTIC" ? "maximum concurrent sessions" : "desired capacity";
    if (capacity.sessions <= 0) {
        return { fit: "unknown", hint: `no hint: its ${setting} is 0 now (stopped, or scaled in)` };
    }
    const share = peak / capacity.sessions;
    if (share >= HIGH_PEAK_SHARE) {
        return { fit: "close to full", hint: `close to full: raise its ${setting} before users are refused` };
    }
    if (share < LOW_PEAK_SHARE) return { fit: "could be smaller", hint: `${setting} could be lower; see Costs` };
    return { fit: "fits", hint: "within its capacity" };
}

function neverEndedOf(rows: readonly QueryRow[]): UsageDigest["neverEnded"] {
    const sessions = rows.map((row) => ({
        status: text(row.status),
        session: {
            sessionId: text(row.session_id),
            user: text(row.user_name),
            stack: text(row.stack_name),
            fleet: text(row.fleet_name),
            started: text(row.session_start_utc),
            hoursSinceStart: num(row.hours_since_start),
        },
    }));
    return {
        lost: sessions.filter((s) => s.status === NEVER_ENDED_STATUS.lost).map((s) => s.session),
        running: sessions.filter((s) => s.status !== NEVER_ENDED_STATUS.lost).map((s) => s.session),
    };
}

/** The highest of each fleet's daily peaks, on the first day it was reached, by fleet name. */
function peaksOf(rows: readonly QueryRow[], capacities: ReadonlyMap<string, FleetCapacity>): FleetPeak[] {
    const peaks = new Map<string, { peak: number; day: string }>();
    for (const row of [...rows].sort((a, b) => text(a.day).localeCompare(text(b.day)))) {
        const fleet = text(row.fleet_name);
        const peak = num(row.peak_concurrent_sessions);
        if (peak > (peaks.get(fleet)?.peak ?? 0)) peaks.set(fleet, { peak, day: text(row.day) });
    }
    return [...peaks]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([fleet, { peak, day }]) => {
            const capacity = capacities.get(fleet) ?? { unknown: "its capacity was not read" };
            return { fleet, peak, day, capacity, ...fitOf(peak, capacity) };
        });
}

export function usageDigest(outcomes: DigestOutcomes): UsageDigest {
    const missing: MissingPart[] = [];
    const executions: Partial<Record<DigestQueryId, string>> = {};
    let scannedBytes = 0;
    const rowsOf = (query: DigestQueryId, outcome: QueryOutcome | undefined, period: MissingPart["period"]) => {
        if (!outcome) return undefined;
        if (outcome.executionId && period === "this period") executions[query] = outcome.executionId;
        if (outcome.status === "succeeded") {
            scannedBytes += outcome.scannedBytes;
            return outcome.rows;
        }
        missing.push({
            query,
            period,
            reason: outcome.reason,
            scanCutoff: outcome.scanCutoff,
            ...(outcome.executionId ? { executionId: outcome.executionId } : {}),
        });
        return undefined;
    };
    const { current } = outcomes;
    const perUser = rowsOf(DIGEST_QUERIES.perUser, current[DIGEST_QUERIES.perUser], "this period");
    const previousPerUser = rowsOf(DIGEST_QUERIES.perUser, outcomes.previousPerUser, "the period before");
    const perDay = rowsOf(DIGEST_QUERIES.perDay, current[DIGEST_QUERIES.perDay], "this period");
    const neverEnded = rowsOf(DIGEST_QUERIES.neverEnded, current[DIGEST_QUERIES.neverEnded], "this period");
    const peaks = rowsOf(DIGEST_QUERIES.peaks, current[DIGEST_QUERIES.peaks], "this period");
    const reconciliation = rowsOf(RECONCILE_QUERY, current[RECONCILE_QUERY], "this period");

    const perStackSeconds = perUser && sumBy(perUser, "stack_name", "streaming_seconds");
    const perDayHours = perDay && sumBy(perDay, "day", "streaming_hours");
    const users = perUser && {
        seconds: sumBy(perUser, "user_name", "streaming_seconds"),
        sessions: sumBy(perUser, "user_name", "sessions"),
    };
    return {
        period: outcomes.period,
        previousPeriod: outcomes.previousPeriod,
        ...(perUser && { totals: periodTotals(perUser) }),
        ...(previousPerUser && { previous: periodTotals(previousPerUser) }),
        ...(perStackSeconds && {
            hoursPerStack: [...perStackSeconds]
                .map(([stack, seconds]) => ({ stack, hours: hundredths(seconds / 3600) }))
                .sort((a, b) => b.hours - a.hours || a.stack.localeCompare(b.stack)),
        }),
        ...(perDayHours && {
            hoursPerDay: daysOf(outcomes.period).map((day) => ({ day, hours: hundredths(perDayHours.get(day) ?? 0) })),
        }),
        ...(users && {
            topUsers: [...users.seconds]
                .map(([user, seconds]) => ({
                    user,
                    hours: hundredths(seconds / 3600),
                    sessions: users.sessions.get(user) ?? 0,
                }))
                .sort((a, b) => b.hours - a.hours || a.user.localeCompare(b.user))
                .slice(0, TOP_USERS),
        }),
        ...(peaks && { peaks: peaksOf(peaks, outcomes.capacities) }),
        ...(neverEnded && { neverEnded: neverEndedOf(neverEnded) }),
        ...(reconciliation && {
            reconciliation: reconciliation.map((row) => ({
                sessionId: text(row.session_id),
                day: text(row.session_day),
                finding: text(row.finding),
            })),
        }),
        executions,
        missing,
        scannedBytes,
    };
}

/** The change from `previous` to `current`, in whole percent; undefined when there was nothing before. */
export function change(current: number, previous: number): number | undefined {
    return previous === 0 ? undefined : Math.round(((current - previous) / previous) * 100);
}

/** Whether the period held any session at all, as far as the queries that answered tell. */
export function hasUsage(digest: UsageDigest): boolean {
    return Boolean(
        (digest.totals && digest.totals.sessions > 0) ||
        (digest.peaks && digest.peaks.length > 0) ||
        (digest.neverEnded && digest.neverEnded.lost.length + digest.neverEnded.running.length > 0),
    );
}
