/**
 * Deterministic session-usage data for the Trino suite, written the way the session scripts write
 * it: one newline-terminated JSON object per file, at `sessions/dt=<day of the event>/<session>-<event>.json`.
 * Every record carries every schema field; end records carry the end, the duration and the start.
 */
import * as fs from "fs";
import * as path from "path";
import {
    EVENT_TYPES,
    PARTITION_KEY,
    SESSION_RECORDS_PREFIX,
    USAGE_RECORD_FIELDS,
} from "../../../runtime/usage/record-schema";

export interface GeneratedSession {
    readonly id: string;
    readonly user: string;
    readonly stack: string;
    readonly fleet: string;
    readonly instanceType: string;
    /** Whole minutes, ISO 8601 UTC. */
    readonly start: string;
    /** Absent: the end script never wrote a record (still running, or the instance died). */
    readonly end?: string;
}

const FLEETS: Record<string, string> = { "fleet-a": "stream.standard.medium", "fleet-b": "stream.compute.large" };
const DAY_MS = 86_400_000;

/**
 * The sessions, each there for a reason, placed relative to `now` (whole minutes, UTC): overlaps,
 * a session across midnight and one across the window's first midnight, a hand-over at the same
 * instant, a session still running and one whose instance died, a session wholly before the
 * window, and user names with commas, quotes, backslashes, a newline and non-ASCII letters.
 */
export function generatedSessions(now: string): GeneratedSession[] {
    const today = Date.parse(now.slice(0, 10));
    /** `daysAgo` days before today's midnight, at hh:mm UTC. */
    const at = (daysAgo: number, time: string) =>
        new Date(today - daysAgo * DAY_MS + Date.parse(`1970-01-01T${time}:00Z`)).toISOString().replace(".000Z", "Z");
    const s = (id: string, user: string, stack: string, fleet: string, start: string, end?: string) => ({
        id,
        user,
        stack,
        fleet,
        instanceType: FLEETS[fleet],
        start,
        ...(end ? { end } : {}),
    });
    // Sessions without an end record start a whole number of hours before `now`, so that the few
    // seconds Trino's clock runs ahead of it never change hours_since_start at one decimal.
    const hoursAgo = (hours: number) =>
        new Date(Date.parse(now) - hours * 3_600_000).toISOString().replace(".000Z", "Z");
    return [
        s("s01", "alice", "sales", "fleet-a", at(21, "09:00"), at(21, "11:03")), // 7,380 s: 2.05 h
        s("s02", "bob", "sales", "fleet-a", at(21, "10:00"), at(21, "12:00")),
        s("s03", "CORP\\carol", "eng", "fleet-b", at(21, "23:00"), at(20, "01:30")), // across midnight
        s("s04", "zoë", "eng", "fleet-b", at(20, "00:15"), at(20, "00:45")),
        s("s05", 'O\'Brien, Pat "PJ"', "sales", "fleet-a", hoursAgo(19 * 24 + 4)), // its instance died
        s("s06", "alice", "eng", "fleet-b", hoursAgo(2)), // still running
        s("s07", "bob", "sales", "fleet-a", at(32, "22:00"), at(31, "02:00")), // before the window
        s("s08", "multi\nline", "sales", "fleet-a", at(31, "23:30"), at(30, "00:30")), // into the window
        s("s09", "bob", "sales", "fleet-a", at(11, "10:00"), at(11, "10:30")),
        s("s10", "alice", "sales", "fleet-a", at(11, "10:30"), at(11, "11:00")), // hand-over from s09
        s("s11", "Ελένη", "eng", "fleet-b", at(6, "14:00"), at(6, "17:20")),
        s("s12", "bob", "eng", "fleet-b", at(6, "15:00"), at(6, "15:40")),
        s("s13", "bob", "eng", "fleet-b", at(6, "15:10"), at(6, "16:00")),
    ];
}

export type UsageRecord = Record<string, string | number | null>;

const day = (iso: string) => iso.slice(0, 10);

/** The records the scripts write for one session: a start record and, if it ended, an end record. */
export function recordsOf(session: GeneratedSession): UsageRecord[] {
    const base = {
        region: "eu-west-1",
        stack_name: session.stack,
        fleet_name: session.fleet,
        access_mode: "saml",
        user_name: session.user,
        image_arn: "arn:aws:appstream:eu-west-1:123456789012:image/Office",
        instance_type: session.instanceType,
        session_id: session.id,
        session_start_utc: session.start,
        host_name: `EC2AMAZ-${session.id.toUpperCase()}`,
    };
    const records: UsageRecord[] = [
        {
            ...base,
            event_type: EVENT_TYPES.start,
            event_time_utc: session.start,
            session_end_utc: null,
            duration_seconds: null,
        },
    ];
    if (session.end) {
        records.push({
            ...base,
            event_type: EVENT_TYPES.end,
            event_time_utc: session.end,
            session_end_utc: session.end,
            duration_seconds: (Date.parse(session.end) - Date.parse(session.start)) / 1000,
        });
    }
    // Every field of the schema, in its order, as ConvertTo-Json writes the record.
    return records.map((r) =>
        Object.fromEntries(USAGE_RECORD_FIELDS.map((f) => [f.name, r[f.name as keyof typeof r] ?? null])),
    );
}

/** All records, with the day partition each lands in (the day its script ran). */
export function allRecords(sessions: readonly GeneratedSession[]): (UsageRecord & { [PARTITION_KEY]: string })[] {
    return sessions.flatMap(recordsOf).map((r) => ({ ...r, [PARTITION_KEY]: day(String(r.event_time_utc)) }));
}

/** Writes the records under `root/<SESSION_RECORDS_PREFIX>/dt=<day>/`; returns the partition values. */
export function writeRecords(root: string, sessions: readonly GeneratedSession[]): string[] {
    const days = new Set<string>();
    for (const record of allRecords(sessions)) {
        const dir = path.join(root, SESSION_RECORDS_PREFIX, `${PARTITION_KEY}=${record[PARTITION_KEY]}`);
        fs.mkdirSync(dir, { recursive: true });
        const { [PARTITION_KEY]: partition, ...fields } = record;
        days.add(partition);
        fs.writeFileSync(
            path.join(dir, `${fields.session_id}-${fields.event_type}.json`),
            `${JSON.stringify(fields)}\n`,
        );
    }
    return [...days].sort();
}
