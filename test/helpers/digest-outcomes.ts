/**
 * A usage digest's query outcomes for the tests, the email's render and `npm run simulate-digest`:
 * two stacks, two fleets (one Always-On, one Elastic), a lost and a running session, and the
 * period before. Each row is what the named query returns, as the Athena adapter types it.
 */
import type { QueryOutcome, QueryRow } from "../../runtime/insights/athena-queries";
import {
    DIGEST_QUERIES,
    DigestOutcomes,
    FleetCapacity,
    RECONCILE_QUERY,
    digestPeriods,
} from "../../runtime/insights/digest/usage-digest";
import { NEVER_ENDED_STATUS } from "../../runtime/usage/named-queries";
import { DigestSettings, digestQueries } from "../../runtime/insights/digest/digest-run";
import { FakeAthena, FakeQueryAnswer } from "./fake-athena";
import type { FakeFleet } from "./fake-fleets";

export const PERIOD = { from: "2026-11-23", to: "2026-11-30" };
export const PREVIOUS = { from: "2026-11-16", to: "2026-11-23" };
/** When a weekly digest of PERIOD runs: the Monday after it, 07:00 UTC. */
export const SAMPLE_NOW = new Date("2026-11-30T07:00:00Z");
let executions = 0;
export const ok = (rows: QueryRow[]): QueryOutcome => ({
    status: "succeeded",
    executionId: `exec-${++executions}`,
    rows,
    scannedBytes: 1000,
});
/** A query that failed: Athena's reason, whether the scan cutoff stopped it, and its execution when one started. */
export const failed = (reason: string, scanCutoff = false, executionId?: string): QueryOutcome => ({
    status: "failed",
    ...(executionId ? { executionId } : {}),
    reason,
    scanCutoff,
});
export const perUserRow = (user_name: string, stack_name: string, sessions: number, seconds: number) => ({
    user_name,
    stack_name,
    sessions,
    streaming_hours: Math.round((seconds / 3600) * 100) / 100,
    streaming_seconds: seconds,
});
export const sampleOutcomes = (more: Partial<DigestOutcomes> = {}): DigestOutcomes => ({
    period: PERIOD,
    previousPeriod: PREVIOUS,
    current: {
        [DIGEST_QUERIES.perUser]: ok([
            perUserRow("alice", "sales", 2, 7200),
            perUserRow("alice", "eng", 1, 1800),
            perUserRow("bob", "sales", 1, 3600),
        ]),
        [DIGEST_QUERIES.perDay]: ok([
            { day: "2026-11-29", stack_name: "sales", active_users: 2, sessions_started: 2, streaming_hours: 2 },
            { day: "2026-11-29", stack_name: "eng", active_users: 1, sessions_started: 1, streaming_hours: 0.5 },
            { day: "2026-11-24", stack_name: "sales", active_users: 1, sessions_started: 1, streaming_hours: 1 },
        ]),
        [DIGEST_QUERIES.neverEnded]: ok([
            {
                session_id: "s-lost",
                user_name: "carol",
                stack_name: "sales",
                fleet_name: "fleet-a",
                host_name: "h",
                session_start_utc: "2026-11-24T09:00:00Z",
                hours_since_start: 135,
                status: NEVER_ENDED_STATUS.lost,
            },
            {
                session_id: "s-running",
                user_name: "dave",
                stack_name: "eng",
                fleet_name: "fleet-b",
                host_name: "h",
                session_start_utc: "2026-11-29T22:00:00Z",
                hours_since_start: 2,
                status: NEVER_ENDED_STATUS.running,
            },
        ]),
        [DIGEST_QUERIES.peaks]: ok([
            { day: "2026-11-29", fleet_name: "fleet-a", peak_concurrent_sessions: 3 },
            { day: "2026-11-25", fleet_name: "fleet-a", peak_concurrent_sessions: 3 },
            { day: "2026-11-24", fleet_name: "fleet-a", peak_concurrent_sessions: 1 },
            { day: "2026-11-26", fleet_name: "fleet-b", peak_concurrent_sessions: 2 },
        ]),
    },
    previousPerUser: ok([perUserRow("alice", "sales", 4, 18000)]),
    capacities: new Map<string, FleetCapacity>([
        ["fleet-a", { fleetType: "ALWAYS_ON", desiredInstances: 10, sessions: 10 }],
        ["fleet-b", { fleetType: "ELASTIC", sessions: 2 }],
    ]),
    ...more,
});

/** The sample's fleets as DescribeFleets describes them: an Always-On fleet and an Elastic one. */
export const SAMPLE_FLEETS: FakeFleet[] = [
    { name: "fleet-a", fleetType: "ALWAYS_ON", states: ["RUNNING"], capacity: { desired: 10 } },
    { name: "fleet-b", fleetType: "ELASTIC", states: ["RUNNING"], capacity: { maxConcurrentSessions: 2 } },
];

/** Athena's column types of each query's sample rows. */
const TYPES: Record<string, string> = {
    sessions: "bigint",
    streaming_hours: "double",
    streaming_seconds: "bigint",
    active_users: "bigint",
    sessions_started: "bigint",
    hours_since_start: "double",
    peak_concurrent_sessions: "bigint",
    day: "date",
};

/** Answers each digest query with the sample rows, as Athena sends them (text, typed by column). */
export function answerWithSamples(
    fake: FakeAthena,
    settings: DigestSettings,
    now: Date,
    more: Partial<FakeQueryAnswer> = {},
) {
    const sample = sampleOutcomes();
    const { period, previous } = digestPeriods(now, settings.periodDays);
    const answer = (sql: string, outcome: (typeof sample.current)[keyof typeof sample.current]) => {
        const rows = outcome?.status === "succeeded" ? outcome.rows : [];
        const names = Object.keys(rows[0] ?? { nothing: null });
        fake.answer({
            matches: (text) => text === sql,
            columns: names.map((name) => ({ name, type: TYPES[name] ?? "varchar" })),
            rows: rows.map((row) => names.map((n) => (row[n] === null ? null : String(row[n])))),
            scannedBytes: 2_000_000,
            ...more,
        });
    };
    for (const q of digestQueries(settings, period)) {
        answer(q.sql, q.id === RECONCILE_QUERY ? undefined : sample.current[q.id as keyof typeof sample.current]);
    }
    const before = digestQueries(settings, previous).find((q) => q.id === DIGEST_QUERIES.perUser)!;
    answer(before.sql, sample.previousPerUser);
}
