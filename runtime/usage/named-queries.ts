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

/** Days of data a named query reads by default; edit the saved query to widen it. */
export const DEFAULT_QUERY_WINDOW_DAYS = 30;

export function usageNamedQueries(
    database: string,
    table: string,
    windowDays = DEFAULT_QUERY_WINDOW_DAYS,
): NamedQuerySpec[] {
    const source = `"${database}"."${table}"`;
    const inWindow = `${PARTITION_KEY} >= CAST(current_date - INTERVAL '${windowDays}' DAY AS varchar)`;
    const start = `'${EVENT_TYPES.start}'`;
    const end = `'${EVENT_TYPES.end}'`;
    const events = `events AS (\n  SELECT * FROM ${source}\n  WHERE ${inWindow}\n)`;
    return [
        {
            id: "streaming-time-per-user",
            name: "Streaming time per user and stack",
            description: `Total streaming hours and sessions per user and stack over the last ${windowDays} days (from session-end records).`,
            sql: `SELECT user_name,
       stack_name,
       count(DISTINCT session_id) AS sessions,
       round(sum(duration_seconds) / 3600.0, 2) AS streaming_hours
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
       round(coalesce(sum(duration_seconds) FILTER (WHERE event_type = ${end}), 0) / 3600.0, 2) AS streaming_hours
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
       round(coalesce(sum(duration_seconds) FILTER (WHERE event_type = ${end}), 0) / 3600.0, 2) AS streaming_hours
FROM ${source}
WHERE ${inWindow}
GROUP BY fleet_name, instance_type
ORDER BY sessions DESC`,
        },
        {
            id: "sessions-never-ended",
            name: "Sessions that started but never ended",
            description: `Sessions with a start record and no end record in the last ${windowDays} days. Sessions still running appear too: hours_since_start above the fleet's maximum session duration means the instance ended without running the termination script.`,
            sql: `WITH ${events}
SELECT s.session_id,
       s.user_name,
       s.stack_name,
       s.fleet_name,
       s.host_name,
       s.session_start_utc,
       round(date_diff('second', from_iso8601_timestamp(s.session_start_utc), current_timestamp) / 3600.0, 1) AS hours_since_start
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
            description: `Highest number of simultaneous sessions per fleet and day over the last ${windowDays} days: compare with fleet capacity. Counted at session starts and ends, so a day with no start or end in a fleet is not listed.`,
            sql: `WITH ${events},
sessions AS (
  SELECT session_id,
         arbitrary(fleet_name) AS fleet_name,
         min(from_iso8601_timestamp(session_start_utc)) AS started_at,
         max(from_iso8601_timestamp(session_end_utc)) AS ended_at
  FROM events
  WHERE session_start_utc IS NOT NULL
  GROUP BY session_id
),
changes AS (
  SELECT fleet_name, started_at AS changed_at, 1 AS delta FROM sessions
  UNION ALL
  SELECT fleet_name, ended_at AS changed_at, -1 AS delta FROM sessions WHERE ended_at IS NOT NULL
),
running AS (
  -- Ends sort before starts at the same instant, so a hand-over is not counted as overlap.
  SELECT fleet_name,
         changed_at,
         sum(delta) OVER (PARTITION BY fleet_name ORDER BY changed_at, delta ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS concurrent_sessions
  FROM changes
)
SELECT CAST(changed_at AS date) AS day,
       fleet_name,
       max(concurrent_sessions) AS peak_concurrent_sessions
FROM running
GROUP BY CAST(changed_at AS date), fleet_name
ORDER BY day DESC, fleet_name`,
        },
    ];
}
