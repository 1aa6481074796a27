/**
 * Athena named queries over AppStream's usage reports (Athena engine v3 / Trino SQL). Each reads
 * a window of report days only: partition projection lists just those prefixes.
 */
import { USAGE_TABLE_NAME } from "./glue-table";
import { NamedQuerySpec, hoursOf } from "./named-queries";
import { EVENT_TYPES } from "./record-schema";
import { APPLICATIONS_REPORT, REPORT_DAY_SQL, SESSIONS_REPORT } from "./usage-report-schema";

/** The settings through which data leaves or enters a session. */
export const DATA_TRANSFER_SETTINGS = [
    "user_settings_clipboard_copy_from_local_device",
    "user_settings_clipboard_copy_to_local_device",
    "user_settings_file_upload",
    "user_settings_file_download",
    "user_settings_printing_to_local_device",
] as const;

export interface ReportQueryWindows {
    /** Days of reports a query reads. */
    readonly days: number;
    /** Days the monthly query reads. */
    readonly monthlyDays: number;
}

export const DEFAULT_REPORT_WINDOWS: ReportQueryWindows = { days: 30, monthlyDays: 365 };

/** Seconds by which the script records' and AppStream's durations of one session may differ. */
export const RECONCILE_TOLERANCE_SECONDS = 300;

/** What the reconciliation says of a session, in the order it checks. */
export const RECONCILE_FINDINGS = {
    notInReport: "not in the usage report",
    noScriptRecord: "no script record",
    differentUser: "different user",
    noEndRecord: "no session_end record",
    durationDiffers: "duration differs",
} as const;

/**
 * The report days of the last `days` days, as plain comparisons of the partition columns with
 * constants of the query (no function of a partition column), so that partition projection can
 * prune year, then month, then day: the year range first, then the first month and day.
 */
export function reportWindow(days: number): string {
    const first = (format: string) => `date_format(current_date - INTERVAL '${days}' DAY, '${format}')`;
    return `year >= ${first("%Y")}
  AND (year > ${first("%Y")}
       OR month > ${first("%m")}
       OR (month = ${first("%m")} AND day >= ${first("%d")}))`;
}

export function usageReportNamedQueries(
    database: string,
    windows: ReportQueryWindows = DEFAULT_REPORT_WINDOWS,
): NamedQuerySpec[] {
    const sessions = `"${database}"."${SESSIONS_REPORT.tableName}"`;
    const applications = `"${database}"."${APPLICATIONS_REPORT.tableName}"`;
    const since = reportWindow;
    const hours = hoursOf("sum(coalesce(try_cast(session_duration_in_seconds AS bigint), 0))");
    const records = `"${database}"."${USAGE_TABLE_NAME}"`;
    const dayAgo = (n: number) => `date_format(current_date - INTERVAL '${n}' DAY, '%Y-%m-%d')`;
    const f = RECONCILE_FINDINGS;
    return [
        {
            id: "report-user-monthly-hours",
            name: "Usage report: sessions and hours per user per month",
            description: `Sessions and streaming hours per user and month over the last ${windows.monthlyDays} days, from AppStream's sessions reports (a session counts in the month it ended). authentication_type_user_id is the user AppStream bills.`,
            sql: `SELECT year || '-' || month AS report_month,
       authentication_type,
       user_id,
       count(*) AS sessions,
       ${hours} AS streaming_hours
FROM ${sessions}
WHERE ${since(windows.monthlyDays)}
GROUP BY year, month, authentication_type, user_id
ORDER BY report_month DESC, streaming_hours DESC`,
        },
        {
            id: "report-application-launches",
            name: "Usage report: launches per application",
            description: `Launches, sessions and days of use per application over the last ${windows.days} days, from AppStream's applications reports. Only launches from the AppStream application catalog are reported.`,
            sql: `SELECT application_name,
       count(*) AS launches,
       count(DISTINCT user_session_id) AS sessions,
       min(${REPORT_DAY_SQL}) AS first_day,
       max(${REPORT_DAY_SQL}) AS last_day
FROM ${applications}
WHERE ${since(windows.days)}
GROUP BY application_name
ORDER BY launches DESC`,
        },
        {
            id: "report-sessions-by-client-ip",
            name: "Usage report: sessions by client IP and authentication type",
            description: `Security review: for each client IP address and authentication type, the sessions and users seen over the last ${windows.days} days, with the first and last session. A session lists up to its last 10 client IPs.`,
            sql: `SELECT trim(client_ip) AS client_ip,
       authentication_type,
       count(DISTINCT user_session_id) AS sessions,
       count(DISTINCT authentication_type_user_id) AS users,
       min(session_start_time) AS first_session_start,
       max(session_end_time) AS last_session_end
FROM ${sessions}
CROSS JOIN UNNEST(split(client_ip_addresses, ';')) AS ips (client_ip)
WHERE ${since(windows.days)}
  AND trim(client_ip) <> ''
GROUP BY trim(client_ip), authentication_type
ORDER BY sessions DESC`,
        },
        {
            id: "report-data-transfer-sessions",
            name: "Usage report: sessions with clipboard, file transfer or printing enabled",
            description: `Data-exfiltration review: sessions over the last ${windows.days} days in which the user could copy through the clipboard, upload or download files, or print to the local device, with the setting of each.`,
            sql: `SELECT session_start_time,
       session_end_time,
       authentication_type,
       user_id,
       stack_name,
       fleet_name,
       user_session_id,
       ${DATA_TRANSFER_SETTINGS.join(",\n       ")}
FROM ${sessions}
WHERE ${since(windows.days)}
  AND 'ENABLED' IN (${DATA_TRANSFER_SETTINGS.join(", ")})
ORDER BY session_start_time DESC`,
        },
        {
            id: "report-reconcile-script-records",
            name: "Usage report: script records reconciled with AppStream's report",
            description: `The session scripts' records against AppStream's own sessions report, for sessions of the last ${windows.days} days up to yesterday (the report of a day arrives the next day): sessions missing on either side, a different user, an end record missing, and durations that differ by more than ${RECONCILE_TOLERANCE_SECONDS / 60} minutes. The script records are attested by the streaming instance, the report by AppStream.`,
            sql: `WITH script_sessions AS (
    SELECT session_id,
           min(user_name) AS first_user,
           max(user_name) AS last_user,
           max(CASE WHEN event_type = '${EVENT_TYPES.end}' THEN duration_seconds END) AS script_seconds,
           max(dt) AS script_day
    FROM ${records}
    WHERE dt >= ${dayAgo(windows.days + 1)}
    GROUP BY session_id
),
report_sessions AS (
    SELECT user_session_id AS session_id,
           min(user_id) AS report_user,
           max(try_cast(session_duration_in_seconds AS bigint)) AS report_seconds,
           max(year || '-' || month || '-' || day) AS report_day
    FROM ${sessions}
    WHERE ${since(windows.days)}
    GROUP BY user_session_id
),
paired AS (
    SELECT coalesce(s.session_id, r.session_id) AS session_id,
           coalesce(s.script_day, r.report_day) AS session_day,
           CASE
               WHEN r.session_id IS NULL THEN '${f.notInReport}'
               WHEN s.session_id IS NULL THEN '${f.noScriptRecord}'
               WHEN s.first_user <> s.last_user OR lower(s.first_user) IS DISTINCT FROM lower(r.report_user) THEN '${f.differentUser}'
               WHEN s.script_seconds IS NULL THEN '${f.noEndRecord}'
               WHEN abs(s.script_seconds - r.report_seconds) > ${RECONCILE_TOLERANCE_SECONDS} THEN '${f.durationDiffers}'
           END AS finding,
           s.first_user AS script_user,
           r.report_user,
           s.script_seconds,
           r.report_seconds
    FROM script_sessions s
    FULL OUTER JOIN report_sessions r ON s.session_id = r.session_id
)
SELECT session_id, session_day, finding, script_user, report_user, script_seconds, report_seconds
FROM paired
WHERE finding IS NOT NULL
  AND session_day BETWEEN ${dayAgo(windows.days)} AND ${dayAgo(1)}
ORDER BY session_day DESC, session_id`,
        },
    ];
}
