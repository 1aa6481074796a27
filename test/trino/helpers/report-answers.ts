/**
 * What each usage-report query should answer for the generated reports, computed here with plain
 * TypeScript, independently of the SQL.
 */
import { DEFAULT_REPORT_WINDOWS } from "../../../runtime/usage/usage-report-queries";
import { DOCUMENTED_TRANSFER_SETTINGS } from "../../helpers/documented-report-columns";
import type { ExpectedAnswer } from "./usage-answers";
import type { ReportDay, ReportRow } from "./report-data";

const DAY_MS = 86_400_000;
const round2 = (value: number) => Math.round(value * 100) / 100;
const compare = (x: unknown, y: unknown) => (String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0);
const descending = (i: number) => (a: unknown[], b: unknown[]) => Number(b[i]) - Number(a[i]);

function groups<T>(items: readonly T[], key: (item: T) => unknown[]): T[][] {
    const byKey = new Map<string, T[]>();
    for (const item of items)
        byKey.set(JSON.stringify(key(item)), [...(byKey.get(JSON.stringify(key(item))) ?? []), item]);
    return [...byKey.values()];
}

export function expectedReportAnswers(days: readonly ReportDay[], now: string): Record<string, ExpectedAnswer> {
    const today = Date.parse(now.slice(0, 10));
    const since = (n: number) => new Date(today - n * DAY_MS).toISOString().slice(0, 10);
    const sessionsIn = (n: number) =>
        days
            .filter((d) => d.day >= since(n))
            .flatMap((d) => d.sessions.map((s): ReportRow & { reportDay: string } => ({ ...s, reportDay: d.day })));
    const hours = (rows: ReportRow[]) =>
        round2(rows.reduce((sum, r) => sum + (Number.parseInt(r.session_duration_in_seconds, 10) || 0), 0) / 3600);

    const monthly = groups(sessionsIn(DEFAULT_REPORT_WINDOWS.monthlyDays), (r) => [
        r.reportDay.slice(0, 7),
        r.authentication_type,
        r.user_id,
    ]).map((rows) => [
        rows[0].reportDay.slice(0, 7),
        rows[0].authentication_type,
        rows[0].user_id,
        rows.length,
        hours(rows),
    ]);

    const launches = days
        .filter((d) => d.day >= since(DEFAULT_REPORT_WINDOWS.days))
        .flatMap((d) => d.applications.map((a): ReportRow & { reportDay: string } => ({ ...a, reportDay: d.day })));
    const perApplication = groups(launches, (a) => [a.application_name]).map((rows) => [
        rows[0].application_name,
        rows.length,
        new Set(rows.map((r) => r.user_session_id)).size,
        rows.map((r) => r.reportDay).sort()[0],
        rows.map((r) => r.reportDay).sort()[rows.length - 1],
    ]);

    const recent = sessionsIn(DEFAULT_REPORT_WINDOWS.days);
    const byIp = recent.flatMap((r) =>
        r.client_ip_addresses
            .split(";")
            .map((ip) => ip.trim())
            .filter((ip) => ip !== "")
            .map((ip): ReportRow & { ip: string } => ({ ...r, ip })),
    );
    const perIp = groups(byIp, (r) => [r.ip, r.authentication_type]).map((rows) => [
        rows[0].ip,
        rows[0].authentication_type,
        new Set(rows.map((r) => r.user_session_id)).size,
        new Set(rows.map((r) => r.authentication_type_user_id)).size,
        rows.map((r) => r.session_start_time).sort()[0],
        rows.map((r) => r.session_end_time).sort()[rows.length - 1],
    ]);

    const transfers = recent
        .filter((r) => DOCUMENTED_TRANSFER_SETTINGS.some((setting) => r[setting] === "ENABLED"))
        .map((r) => [
            r.session_start_time,
            r.session_end_time,
            r.authentication_type,
            r.user_id,
            r.stack_name,
            r.fleet_name,
            r.user_session_id,
            ...DOCUMENTED_TRANSFER_SETTINGS.map((setting) => r[setting]),
        ]);

    return {
        "report-user-monthly-hours": {
            columns: ["report_month", "authentication_type", "user_id", "sessions", "streaming_hours"],
            rows: monthly,
            orderKey: (row) => [row[0], row[4]],
            compareKeys: (a, b) => compare(b[0], a[0]) || Number(b[1]) - Number(a[1]),
        },
        "report-application-launches": {
            columns: ["application_name", "launches", "sessions", "first_day", "last_day"],
            rows: perApplication,
            orderKey: (row) => [row[1]],
            compareKeys: descending(0),
        },
        "report-sessions-by-client-ip": {
            columns: [
                "client_ip",
                "authentication_type",
                "sessions",
                "users",
                "first_session_start",
                "last_session_end",
            ],
            rows: perIp,
            orderKey: (row) => [row[2]],
            compareKeys: descending(0),
        },
        "report-data-transfer-sessions": {
            columns: [
                "session_start_time",
                "session_end_time",
                "authentication_type",
                "user_id",
                "stack_name",
                "fleet_name",
                "user_session_id",
                ...DOCUMENTED_TRANSFER_SETTINGS,
            ],
            rows: transfers,
            orderKey: (row) => [row[0]],
            compareKeys: (a, b) => compare(b[0], a[0]),
        },
    };
}
