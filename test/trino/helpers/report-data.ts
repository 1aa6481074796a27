/**
 * Deterministic AppStream usage reports for the Trino suite, written as AppStream writes them: one
 * CSV file a day with a header row, at the documented key (reportObjectKey), fields quoted as
 * RFC 4180 does when they hold a comma, a quote or a line break.
 */
import * as fs from "fs";
import * as path from "path";
import {
    APPLICATIONS_REPORT,
    SESSIONS_REPORT,
    UsageReportSpec,
    reportObjectKey,
} from "../../../runtime/usage/usage-report-schema";

export type ReportRow = Record<string, string>;

export interface ReportDay {
    /** YYYY-MM-DD */
    readonly day: string;
    readonly sessions: ReportRow[];
    readonly applications: ReportRow[];
}

const DAY_MS = 86_400_000;

function csvField(value: string): string {
    return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csv(report: UsageReportSpec, rows: readonly ReportRow[]): string {
    const lines = [report.columns.map((c) => c.name).join(",")];
    for (const row of rows) lines.push(report.columns.map((c) => csvField(row[c.name] ?? "")).join(","));
    return `${lines.join("\n")}\n`;
}

/** One sessions-report row with every column; `overrides` sets what the case is about. */
function sessionRow(id: string, day: string, overrides: ReportRow): ReportRow {
    const base: ReportRow = Object.fromEntries(SESSIONS_REPORT.columns.map((c) => [c.name, ""]));
    return {
        ...base,
        user_session_id: id,
        aws_account_id: "123456789012",
        region: "eu-west-1",
        session_start_time: `${day}T09:00:00Z`,
        session_end_time: `${day}T10:00:00Z`,
        session_duration_in_seconds: "3600",
        authentication_type: "SAML",
        fleet_name: "fleet-a",
        stack_name: "sales",
        instance_type: "stream.standard.medium",
        connected_at_least_once: "true",
        client_ip_addresses: "203.0.113.10",
        user_settings_clipboard_copy_from_local_device: "DISABLED",
        user_settings_clipboard_copy_to_local_device: "DISABLED",
        user_settings_file_upload: "DISABLED",
        user_settings_file_download: "DISABLED",
        user_settings_printing_to_local_device: "DISABLED",
        ...overrides,
        authentication_type_user_id: `${overrides.authentication_type ?? "SAML"}:${overrides.user_id ?? ""}`,
    };
}

/**
 * Report days relative to `now`: inside the 30-day window, one day just outside it, one inside the
 * monthly query's 365 days only, and one just outside those. Users include `DOMAIN\user` (the SAML form on domain-joined
 * fleets), commas, quotes and non-ASCII letters; one session lists several client IPs.
 */
export function generatedReports(now: string): ReportDay[] {
    const today = Date.parse(now.slice(0, 10));
    const dayAgo = (n: number) => new Date(today - n * DAY_MS).toISOString().slice(0, 10);
    const d3 = dayAgo(3);
    const d12 = dayAgo(12);
    const d31 = dayAgo(31);
    const d200 = dayAgo(200);
    const d366 = dayAgo(366);
    return [
        {
            day: d3,
            sessions: [
                sessionRow("r01", d3, {
                    user_id: "CORP\\carol",
                    session_duration_in_seconds: "7380",
                    client_ip_addresses: "203.0.113.10;198.51.100.7; 203.0.113.10",
                    user_settings_file_download: "ENABLED",
                }),
                sessionRow("r02", d3, { user_id: 'O\'Brien, Pat "PJ"', authentication_type: "USERPOOL" }),
            ],
            applications: [
                { user_session_id: "r01", application_name: "Excel" },
                { user_session_id: "r01", application_name: "Word" },
                { user_session_id: "r02", application_name: "Excel" },
            ],
        },
        {
            day: d12,
            sessions: [
                sessionRow("r03", d12, { user_id: "CORP\\carol", session_duration_in_seconds: "1800" }),
                sessionRow("r04", d12, {
                    user_id: "zoë",
                    client_ip_addresses: "198.51.100.7",
                    user_settings_clipboard_copy_to_local_device: "ENABLED",
                    user_settings_printing_to_local_device: "ENABLED",
                }),
            ],
            applications: [{ user_session_id: "r03", application_name: "Visual Studio Code" }],
        },
        // Sessions the script records also hold (usage-data.ts), for the reconciliation query: one
        // that agrees, one within the duration tolerance, one with another user, one whose
        // duration differs by 10 minutes, and one whose instance died (no end record).
        {
            day: dayAgo(6),
            sessions: [
                sessionRow("s11", dayAgo(6), { user_id: "Ελένη", session_duration_in_seconds: "12000" }),
                sessionRow("s12", dayAgo(6), { user_id: "CORP\\bob", session_duration_in_seconds: "2400" }),
                sessionRow("s13", dayAgo(6), { user_id: "bob", session_duration_in_seconds: "3600" }),
            ],
            applications: [],
        },
        {
            day: dayAgo(11),
            sessions: [sessionRow("s10", dayAgo(11), { user_id: "ALICE", session_duration_in_seconds: "2000" })],
            applications: [],
        },
        {
            day: dayAgo(19),
            sessions: [
                sessionRow("s05", dayAgo(19), { user_id: 'O\'Brien, Pat "PJ"', session_duration_in_seconds: "14400" }),
            ],
            applications: [],
        },
        {
            // Just outside the 30-day window: only the monthly query reads it.
            day: d31,
            sessions: [
                sessionRow("r05", d31, {
                    user_id: "CORP\\carol",
                    client_ip_addresses: "192.0.2.99",
                    user_settings_file_upload: "ENABLED",
                }),
            ],
            applications: [{ user_session_id: "r05", application_name: "Excel" }],
        },
        {
            day: d200,
            sessions: [sessionRow("r06", d200, { user_id: "zoë", session_duration_in_seconds: "5400" })],
            applications: [],
        },
        {
            // Just outside the monthly query's 365 days: no query reads it.
            day: d366,
            sessions: [sessionRow("r07", d366, { user_id: "zoë", user_settings_file_upload: "ENABLED" })],
            applications: [{ user_session_id: "r07", application_name: "Excel" }],
        },
    ];
}

/** Writes each day's two reports under `root`; returns the partitions as [year, month, day]. */
export function writeReports(root: string, days: readonly ReportDay[]): string[][] {
    for (const day of days) {
        const date = new Date(`${day.day}T00:00:00Z`);
        for (const [report, rows] of [
            [SESSIONS_REPORT, day.sessions],
            [APPLICATIONS_REPORT, day.applications],
        ] as const) {
            const file = path.join(root, reportObjectKey(report, date));
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, csv(report, rows));
        }
    }
    return days.map((d) => d.day.split("-"));
}
