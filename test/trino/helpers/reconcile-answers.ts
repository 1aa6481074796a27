/**
 * What the reconciliation query should answer, computed here from the generated script records and
 * reports with plain TypeScript, independently of the SQL.
 */
import {
    DEFAULT_REPORT_WINDOWS,
    RECONCILE_FINDINGS,
    RECONCILE_TOLERANCE_SECONDS,
} from "../../../runtime/usage/usage-report-queries";
import { EVENT_TYPES, PARTITION_KEY } from "../../../runtime/usage/record-schema";
import type { ReportDay } from "./report-data";
import type { ExpectedAnswer } from "./usage-answers";
import { GeneratedSession, allRecords } from "./usage-data";

const DAY_MS = 86_400_000;
const max = (a: string, b: string) => (a > b ? a : b);

interface Side {
    users: string[];
    seconds: number | null;
    day: string;
}

export function expectedReconciliation(
    sessions: readonly GeneratedSession[],
    reports: readonly ReportDay[],
    now: string,
): Record<string, ExpectedAnswer> {
    const today = Date.parse(now.slice(0, 10));
    const dayAgo = (n: number) => new Date(today - n * DAY_MS).toISOString().slice(0, 10);
    const window = DEFAULT_REPORT_WINDOWS.days;
    const add = (sides: Map<string, Side>, id: string, user: string, seconds: number | null, day: string) => {
        const side = sides.get(id) ?? { users: [], seconds: null, day: "" };
        side.users.push(user);
        if (seconds !== null) side.seconds = side.seconds === null ? seconds : Math.max(side.seconds, seconds);
        side.day = max(side.day, day);
        sides.set(id, side);
    };
    const script = new Map<string, Side>();
    for (const record of allRecords(sessions)) {
        if (record[PARTITION_KEY] < dayAgo(window + 1)) continue;
        const seconds = record.event_type === EVENT_TYPES.end ? Number(record.duration_seconds) : null;
        add(script, String(record.session_id), String(record.user_name), seconds, record[PARTITION_KEY]);
    }
    const report = new Map<string, Side>();
    for (const day of reports.filter((d) => d.day >= dayAgo(window))) {
        for (const row of day.sessions) {
            const seconds = /^-?\d+$/.test(row.session_duration_in_seconds)
                ? Number(row.session_duration_in_seconds)
                : null;
            add(report, row.user_session_id, row.user_id, seconds, day.day);
        }
    }
    const first = (users: string[]) => [...users].sort()[0];
    const last = (users: string[]) => [...users].sort().at(-1)!;
    const rows: unknown[][] = [];
    for (const id of new Set([...script.keys(), ...report.keys()])) {
        const s = script.get(id);
        const r = report.get(id);
        const day = s?.day ?? r!.day;
        let finding: string | undefined;
        if (!r) finding = RECONCILE_FINDINGS.notInReport;
        else if (!s) finding = RECONCILE_FINDINGS.noScriptRecord;
        else if (first(s.users) !== last(s.users) || first(s.users).toLowerCase() !== first(r.users).toLowerCase())
            finding = RECONCILE_FINDINGS.differentUser;
        else if (s.seconds === null) finding = RECONCILE_FINDINGS.noEndRecord;
        else if (r.seconds !== null && Math.abs(s.seconds - r.seconds) > RECONCILE_TOLERANCE_SECONDS)
            finding = RECONCILE_FINDINGS.durationDiffers;
        if (!finding || day < dayAgo(window) || day > dayAgo(1)) continue;
        rows.push([
            id,
            day,
            finding,
            s ? first(s.users) : null,
            r ? first(r.users) : null,
            s?.seconds ?? null,
            r?.seconds ?? null,
        ]);
    }
    return {
        "report-reconcile-script-records": {
            columns: [
                "session_id",
                "session_day",
                "finding",
                "script_user",
                "report_user",
                "script_seconds",
                "report_seconds",
            ],
            rows,
            orderKey: (row) => [row[1], row[0]],
            compareKeys: (a, b) =>
                String(b[0]).localeCompare(String(a[0])) ||
                (String(a[1]) < String(b[1]) ? -1 : String(a[1]) > String(b[1]) ? 1 : 0),
        },
    };
}
