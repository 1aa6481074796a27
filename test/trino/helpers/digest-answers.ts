/**
 * What the usage digest should say for a period, computed here from the generated sessions with
 * plain TypeScript, independently of the SQL and of the digest's own adding-up: the Trino suite
 * builds the digest from the engine's rows and compares its figures with these.
 */
import { EVENT_TYPES, PARTITION_KEY } from "../../../runtime/usage/record-schema";
import { DEFAULT_MAX_SESSION_HOURS } from "../../../runtime/usage/named-queries";
import { GeneratedSession, allRecords } from "./usage-data";

export interface ExpectedDigestFigures {
    readonly totals: { hours: number; sessions: number; users: number };
    /** Stack → hours, for every stack with a session that ended in the period. */
    readonly hoursPerStack: Record<string, number>;
    /** Fleet → the most sessions running at one minute of the period, and the first day it happened. */
    readonly peaks: Record<string, { peak: number; day: string }>;
    /** Sessions started in the period, with no end record in it, whose maximum duration ran out before its end. */
    readonly lost: string[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const hours = (seconds: number) => Math.round((seconds / 3600) * 100) / 100;

export function expectedDigestFigures(
    sessions: readonly GeneratedSession[],
    period: { from: string; to: string },
): ExpectedDigestFigures {
    const periodEnd = Date.parse(`${period.to}T00:00:00Z`);
    const records = allRecords(sessions).filter((r) => r[PARTITION_KEY] >= period.from && r[PARTITION_KEY] < period.to);
    const ends = records.filter((r) => r.event_type === EVENT_TYPES.end);
    const seconds = (rows: typeof ends) => rows.reduce((sum, r) => sum + Number(r.duration_seconds), 0);

    const hoursPerStack: Record<string, number> = {};
    for (const stack of new Set(ends.map((r) => String(r.stack_name)))) {
        hoursPerStack[stack] = hours(seconds(ends.filter((r) => r.stack_name === stack)));
    }

    // Minute by minute over the period, for the sessions with a record in it.
    const inPeriod = sessions.filter((s) => records.some((r) => r.session_id === s.id));
    const runningUntil = (s: GeneratedSession) =>
        s.end ? Date.parse(s.end) : Math.min(periodEnd, Date.parse(s.start) + DEFAULT_MAX_SESSION_HOURS * 3_600_000);
    const peaks: Record<string, { peak: number; day: string }> = {};
    for (let minute = Date.parse(period.from); minute < periodEnd; minute += MINUTE) {
        for (const fleet of new Set(inPeriod.map((s) => s.fleet))) {
            const running = inPeriod.filter(
                (s) => s.fleet === fleet && Date.parse(s.start) <= minute && minute < runningUntil(s),
            ).length;
            if (running > (peaks[fleet]?.peak ?? 0)) {
                peaks[fleet] = { peak: running, day: new Date(minute - (minute % DAY)).toISOString().slice(0, 10) };
            }
        }
    }

    const endedIds = new Set(ends.map((r) => r.session_id));
    const lost = records
        .filter((r) => r.event_type === EVENT_TYPES.start && !endedIds.has(r.session_id))
        .filter((r) => Date.parse(String(r.session_start_utc)) + DEFAULT_MAX_SESSION_HOURS * 3_600_000 < periodEnd)
        .map((r) => String(r.session_id))
        .sort();

    return {
        totals: {
            hours: hours(seconds(ends)),
            sessions: endedIds.size,
            users: new Set(ends.map((r) => r.user_name)).size,
        },
        hoursPerStack,
        peaks,
        lost,
    };
}
