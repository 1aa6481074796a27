/**
 * What each named query over the session records should answer, computed here from the generated
 * sessions and records with plain TypeScript, independently of the SQL: the Trino suite compares
 * the engine's rows with these.
 */
import { EVENT_TYPES, PARTITION_KEY } from "../../../runtime/usage/record-schema";
import { DEFAULT_MAX_SESSION_HOURS, NEVER_ENDED_STATUS } from "../../../runtime/usage/named-queries";
import { GeneratedSession, allRecords } from "./usage-data";

export interface ExpectedAnswer {
    readonly columns: string[];
    readonly rows: unknown[][];
    /** The ORDER BY key of a row, and how keys compare, to check the order the engine returned. */
    readonly orderKey: (row: unknown[]) => unknown[];
    readonly compareKeys: (a: unknown[], b: unknown[]) => number;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const hours = (seconds: number) => round(seconds / 3600, 2);
const MINUTE = 60_000;
const DAY = 86_400_000;

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
    return groups;
}

const distinct = (values: unknown[]) => new Set(values).size;
const byDescending = (i: number) => (a: unknown[], b: unknown[]) => Number(b[i]) - Number(a[i]);
const compareValues = (x: unknown, y: unknown) => (String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0);

/**
 * `window`: the last N days up to `now`, as the saved queries read, or a period of whole UTC days
 * [from, to), as the usage digest reads; then the period's end stands for "now".
 */
export function expectedUsageAnswers(
    sessions: readonly GeneratedSession[],
    now: string,
    window: number | { from: string; to: string },
    maxSessionHours = DEFAULT_MAX_SESSION_HOURS,
): Record<string, ExpectedAnswer> {
    const period = typeof window === "number" ? undefined : window;
    const nowMs = period ? Date.parse(`${period.to}T00:00:00Z`) : Date.parse(now);
    const firstDay =
        period?.from ?? new Date(Date.parse(now.slice(0, 10)) - (window as number) * DAY).toISOString().slice(0, 10);
    const records = allRecords(sessions).filter(
        (r) => r[PARTITION_KEY] >= firstDay && (!period || r[PARTITION_KEY] < period.to),
    );
    const ends = records.filter((r) => r.event_type === EVENT_TYPES.end);
    const endSeconds = (rows: typeof records) =>
        rows.filter((r) => r.event_type === EVENT_TYPES.end).reduce((sum, r) => sum + Number(r.duration_seconds), 0);

    const perUser = [...groupBy(ends, (r) => JSON.stringify([r.user_name, r.stack_name])).values()].map((rows) => [
        rows[0].user_name,
        rows[0].stack_name,
        distinct(rows.map((r) => r.session_id)),
        hours(endSeconds(rows)),
        endSeconds(rows),
    ]);

    const perDay = [...groupBy(records, (r) => JSON.stringify([r[PARTITION_KEY], r.stack_name])).values()].map(
        (rows) => [
            rows[0][PARTITION_KEY],
            rows[0].stack_name,
            distinct(rows.map((r) => r.user_name)),
            distinct(rows.filter((r) => r.event_type === EVENT_TYPES.start).map((r) => r.session_id)),
            hours(endSeconds(rows)),
        ],
    );

    const perFleet = [...groupBy(records, (r) => JSON.stringify([r.fleet_name, r.instance_type])).values()].map(
        (rows) => [
            rows[0].fleet_name,
            rows[0].instance_type,
            distinct(rows.map((r) => r.session_id)),
            distinct(rows.map((r) => r.user_name)),
            hours(endSeconds(rows)),
        ],
    );

    // A start record in the window and no end record in it.
    const endedIds = new Set(ends.map((r) => r.session_id));
    const neverEnded = records
        .filter((r) => r.event_type === EVENT_TYPES.start && !endedIds.has(r.session_id))
        .map((r) => {
            const since = (nowMs - Date.parse(String(r.session_start_utc))) / 1000;
            return [
                r.session_id,
                r.user_name,
                r.stack_name,
                r.fleet_name,
                r.host_name,
                r.session_start_utc,
                round(since / 3600, 1),
                since <= maxSessionHours * 3600 ? NEVER_ENDED_STATUS.running : NEVER_ENDED_STATUS.lost,
            ];
        });

    // Minute by minute: how many sessions run at each minute of each day of the window, up to now.
    // A session with no end record runs until now, or until the maximum session duration ends it.
    const inWindow = sessions.filter((s) => records.some((r) => r.session_id === s.id));
    const runningUntil = (s: GeneratedSession) =>
        s.end ? Date.parse(s.end) : Math.min(nowMs, Date.parse(s.start) + maxSessionHours * 3_600_000);
    const peaks: unknown[][] = [];
    for (let day = Date.parse(firstDay); period ? day < nowMs : day <= nowMs; day += DAY) {
        for (const fleet of [...new Set(inWindow.map((s) => s.fleet))].sort()) {
            let peak = 0;
            for (let minute = day; minute < Math.min(day + DAY, nowMs); minute += MINUTE) {
                const running = inWindow.filter(
                    (s) => s.fleet === fleet && Date.parse(s.start) <= minute && minute < runningUntil(s),
                ).length;
                peak = Math.max(peak, running);
            }
            if (peak > 0) peaks.push([new Date(day).toISOString().slice(0, 10), fleet, peak]);
        }
    }

    return {
        "streaming-time-per-user": {
            columns: ["user_name", "stack_name", "sessions", "streaming_hours", "streaming_seconds"],
            rows: perUser,
            orderKey: (row) => [row[3]],
            compareKeys: byDescending(0),
        },
        "daily-active-users": {
            columns: ["day", "stack_name", "active_users", "sessions_started", "streaming_hours"],
            rows: perDay,
            orderKey: (row) => [row[0], row[1]],
            compareKeys: (a, b) => compareValues(b[0], a[0]) || compareValues(a[1], b[1]),
        },
        "sessions-per-fleet-instance-type": {
            columns: ["fleet_name", "instance_type", "sessions", "users", "streaming_hours"],
            rows: perFleet,
            orderKey: (row) => [row[2]],
            compareKeys: byDescending(0),
        },
        "sessions-never-ended": {
            columns: [
                "session_id",
                "user_name",
                "stack_name",
                "fleet_name",
                "host_name",
                "session_start_utc",
                "hours_since_start",
                "status",
            ],
            rows: neverEnded,
            orderKey: (row) => [row[5]],
            compareKeys: (a, b) => compareValues(a[0], b[0]),
        },
        "peak-concurrency-per-fleet": {
            columns: ["day", "fleet_name", "peak_concurrent_sessions"],
            rows: peaks,
            orderKey: (row) => [row[0], row[1]],
            compareKeys: (a, b) => compareValues(b[0], a[0]) || compareValues(a[1], b[1]),
        },
    };
}
