/**
 * The Athena named queries over the usage records (Athena engine v3 / Trino SQL). Each reads a
 * window of `dt` partitions only, which partition projection turns into that many S3 prefixes.
 */
import { EVENT_TYPES, PARTITION_KEY } from "./record-schema";

export interface NamedQuerySpec {
    /** Short resource-name suffix. */
    readonly id: string;
    /** Name shown in the Athena console's Saved queries. */
    readonly name: string;
    readonly description: string;
    readonly sql: string;
}

/** The workgroup's BytesScannedCutoffPerQuery for a limit of `mb` (config athenaBytesScannedCutoffMb). */
export const scanCutoffBytesOf = (mb: number) => mb * 1024 * 1024;

/** Days of data a named query reads by default; edit the saved query to widen it. */
export const DEFAULT_QUERY_WINDOW_DAYS = 30;

/**
 * How long a session with no end record may still be running: a fleet's MaxUserDurationInSeconds
 * ends every session by then. 16 hours (57,600 s) was the API's upper limit for years and is a
 * common setting; fleets allowed longer sessions (up to 432,000 s) should pass their own.
 */
export const DEFAULT_MAX_SESSION_HOURS = 16;

/** What "Sessions that started but never ended" says of each session. */
export const NEVER_ENDED_STATUS = {
    running: "still running (within the maximum session duration)",
    lost: "ended without an end record",
} as const;

/**
 * Hours from a bigint number of seconds, rounded to two decimals. The division is in double:
 * the result's scale then does not depend on the engine version's rules for dividing by a
 * decimal literal such as 3600.0.
 */
export const hoursOf = (seconds: string) => `round(CAST(${seconds} AS double) / 3600, 2)`;

/**
 * The days a query reads: the last N days up to now (the saved queries), or a closed period of
 * whole UTC days, `from` included and `to` excluded (the usage digest's week and the week before).
 */
export type QueryWindow = { readonly lastDays: number } | { readonly from: string; readonly to: string };

/** A window's bounds as SQL: its first and last day, its partition filter, and the instant it ends. */
function windowSql(window: QueryWindow) {
    if ("lastDays" in window) {
        const firstDay = `current_date - INTERVAL '${window.lastDays}' DAY`;
        return {
            firstDay,
            lastDay: "current_date",
            inWindow: `${PARTITION_KEY} >= CAST(${firstDay} AS varchar)`,
            end: "current_timestamp",
            days: window.lastDays,
        };
    }
    const date = /^\d{4}-\d{2}-\d{2}$/;
    if (!date.test(window.from) || !date.test(window.to) || !(window.from < window.to)) {
        throw new Error(`a query period needs two dates, from before to (YYYY-MM-DD), got ${JSON.stringify(window)}`);
    }
    return {
        firstDay: `DATE '${window.from}'`,
        lastDay: `DATE '${window.to}' - INTERVAL '1' DAY`,
        inWindow: `${PARTITION_KEY} >= '${window.from}' AND ${PARTITION_KEY} < '${window.to}'`,
        // The period's end, as the timestamps the records carry are read (from_iso8601_timestamp).
        end: `from_iso8601_timestamp('${window.to}T00:00:00Z')`,
        days: (Date.parse(window.to) - Date.parse(window.from)) / 86_400_000,
    };
}

export function usageNamedQueries(
    database: string,
    table: string,
    window: number | QueryWindow = DEFAULT_QUERY_WINDOW_DAYS,
    maxSessionHours = DEFAULT_MAX_SESSION_HOURS,
): NamedQuerySpec[] {
    const source = `"${database}"."${table}"`;
    const {
        firstDay,
        lastDay,
        inWindow,
        end: windowEnd,
        days: windowDays,
    } = windowSql(typeof window === "number" ? { lastDays: window } : window);
    const maxSession = `INTERVAL '${maxSessionHours}' HOUR`;
    const start = `'${EVENT_TYPES.start}'`;
    const end = `'${EVENT_TYPES.end}'`;
    const events = `events AS (\n  SELECT * FROM ${source}\n  WHERE ${inWindow}\n)`;
    return [
        {
            id: "streaming-time-per-user",
            name: "Streaming time per user and stack",
            description: `Total streaming hours and sessions per user and stack over the last ${windowDays} days (from session-end records); streaming_seconds is the exact sum the hours are rounded from.`,
            sql: `SELECT user_name,
       stack_name,
       count(DISTINCT session_id) AS sessions,
       ${hoursOf("sum(duration_seconds)")} AS streaming_hours,
       sum(duration_seconds) AS streaming_seconds
FROM ${source}
WHERE ${inWindow}
  AND event_type = ${end}
GROUP BY user_name, stack_name
ORDER BY streaming_hours DESC`,
        },
        {
            id: "daily-active-users",
            name: "Daily active users and streaming hours per stack",
            description: `Per day and stack: distinct users with a session event, sessions started, and hours of sessions that ended that day, over the last ${windowDays} days.`,
            sql: `SELECT ${PARTITION_KEY} AS day,
       stack_name,
       count(DISTINCT user_name) AS active_users,
       count(DISTINCT session_id) FILTER (WHERE event_type = ${start}) AS sessions_started,
       ${hoursOf(`coalesce(sum(duration_seconds) FILTER (WHERE event_type = ${end}), 0)`)} AS streaming_hours
FROM ${source}
WHERE ${inWindow}
GROUP BY ${PARTITION_KEY}, stack_name
ORDER BY day DESC, stack_name`,
        },
        {
            id: "sessions-per-fleet-instance-type",
            name: "Sessions per fleet and instance type",
            description: `Sessions, users and streaming hours per fleet and instance type over the last ${windowDays} days: input for right-sizing.`,
            sql: `SELECT fleet_name,
       instance_type,
       count(DISTINCT session_id) AS sessions,
       count(DISTINCT user_name) AS users,
       ${hoursOf(`coalesce(sum(duration_seconds) FILTER (WHERE event_type = ${end}), 0)`)} AS streaming_hours
FROM ${source}
WHERE ${inWindow}
GROUP BY fleet_name, instance_type
ORDER BY sessions DESC`,
        },
        {
            id: "sessions-never-ended",
            name: "Sessions that started but never ended",
            description: `Sessions with a start record and no end record in the last ${windowDays} days, each marked "${NEVER_ENDED_STATUS.running}" (started less than ${maxSessionHours} h ago, the assumed maximum session duration) or "${NEVER_ENDED_STATUS.lost}" (older: the instance ended without running the session-end script).`,
            sql: `WITH ${events}
SELECT s.session_id,
       s.user_name,
       s.stack_name,
       s.fleet_name,
       s.host_name,
       s.session_start_utc,
       round(CAST(date_diff('second', from_iso8601_timestamp(s.session_start_utc), ${windowEnd}) AS double) / 3600, 1) AS hours_since_start,
       CASE WHEN from_iso8601_timestamp(s.session_start_utc) + ${maxSession} >= ${windowEnd}
            THEN '${NEVER_ENDED_STATUS.running}'
            ELSE '${NEVER_ENDED_STATUS.lost}' END AS status
FROM events s
WHERE s.event_type = ${start}
  AND NOT EXISTS (
    SELECT 1 FROM events e
    WHERE e.event_type = ${end} AND e.session_id = s.session_id
  )
ORDER BY s.session_start_utc`,
        },
        {
            id: "peak-concurrency-per-fleet",
            name: "Peak concurrent sessions per day per fleet",
            description: `Highest number of simultaneous sessions per fleet and day over the last ${windowDays} days: compare with fleet capacity. A session without an end record counts until now, or until ${maxSessionHours} h after its start (the assumed maximum session duration); a session running across midnight counts on both days.`,
            sql: `WITH ${events},
sessions AS (
  -- End records carry the start too, so a session begun before the window still counts.
  SELECT session_id,
         arbitrary(fleet_name) AS fleet_name,
         min(from_iso8601_timestamp(session_start_utc)) AS started_at,
         max(from_iso8601_timestamp(session_end_utc)) AS ended_at
  FROM events
  WHERE session_start_utc IS NOT NULL
  GROUP BY session_id
),
bounded AS (
  SELECT fleet_name,
         started_at,
         coalesce(ended_at, least(started_at + ${maxSession}, ${windowEnd})) AS ended_at
  FROM sessions
),
days AS (
  SELECT day FROM UNNEST(sequence(${firstDay}, ${lastDay}, INTERVAL '1' DAY)) AS d (day)
),
changes AS (
  SELECT fleet_name, started_at AS changed_at, 1 AS delta FROM bounded
  UNION ALL
  SELECT fleet_name, ended_at AS changed_at, -1 AS delta FROM bounded
  UNION ALL
  -- Midnight of every day of the window, changing nothing: the sessions running then count on that day.
  SELECT f.fleet_name, with_timezone(CAST(d.day AS timestamp), 'UTC') AS changed_at, 0 AS delta
  FROM (SELECT DISTINCT fleet_name FROM bounded) f CROSS JOIN days d
),
running AS (
  -- Ends sort before midnight and midnight before starts at the same instant, so a hand-over is not counted as overlap.
  SELECT fleet_name,
         changed_at,
         sum(delta) OVER (PARTITION BY fleet_name ORDER BY changed_at, delta ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS concurrent_sessions
  FROM changes
)
SELECT CAST(changed_at AS date) AS day,
       fleet_name,
       max(concurrent_sessions) AS peak_concurrent_sessions
FROM running
WHERE CAST(changed_at AS date) BETWEEN ${firstDay} AND ${lastDay}
  AND changed_at <= ${windowEnd}
GROUP BY CAST(changed_at AS date), fleet_name
HAVING max(concurrent_sessions) > 0
ORDER BY day DESC, fleet_name`,
        },
    ];
}
