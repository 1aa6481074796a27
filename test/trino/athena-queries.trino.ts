/**
 * npm run test:trino: every named query, over the session records and over AppStream's usage
 * reports, run with its own text (runtime/usage/named-queries.ts, usage-report-queries.ts) on a
 * real Trino 483 over generated files, against answers computed independently here. Trino stamps current_date and current_timestamp on each query from
 * the server's clock (a client session's start time is not honoured, and a faked clock slows Trino
 * down thirtyfold), so the data is generated relative to the real clock at the start of the run,
 * with every boundary minutes away from it; the SQL is never edited.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { JSON_SERDE, USAGE_TABLE_NAME } from "../../runtime/usage/glue-table";
import { DEFAULT_QUERY_WINDOW_DAYS, usageNamedQueries } from "../../runtime/usage/named-queries";
import { EVENT_TYPES, PARTITION_KEY, SESSION_RECORDS_PREFIX, glueColumns } from "../../runtime/usage/record-schema";
import { QueryResult, TrinoRun, prepareTrino, runOnTrino } from "./helpers/trino";
import { GeneratedSession, UsageRecord, allRecords, generatedSessions, writeRecords } from "./helpers/usage-data";
import { expectedUsageAnswers } from "./helpers/usage-answers";
import { expectedDigestFigures } from "./helpers/digest-answers";
import type { QueryOutcome, QueryRow } from "../../runtime/insights/athena-queries";
import { DIGEST_QUERIES, usageDigest } from "../../runtime/insights/digest/usage-digest";
import { ReportDay, generatedReports, writeReports } from "./helpers/report-data";
import { expectedReportAnswers } from "./helpers/report-answers";
import { expectedReconciliation } from "./helpers/reconcile-answers";
import { usageReportNamedQueries } from "../../runtime/usage/usage-report-queries";
import {
    CSV_SERDE,
    REPORT_PARTITION_KEYS,
    REPORT_SCHEDULE,
    USAGE_REPORTS,
    UsageReportSpec,
    reportGlueColumns,
    reportTableParameters,
} from "../../runtime/usage/usage-report-schema";

const DATABASE = "appstream_usage_dev";
/** The fixture's file name: the old peak-concurrency query, which must fail the comparison. */
const PLANTED_PEAK = "peak-concurrency-before-fix";

/**
 * Trino's Hive connector names SerDes by storage format. The Glue table's OpenX JSON SerDe is
 * Trino's OPENX_JSON, the same class; its `ignore.malformed.json` parameter has no Trino
 * equivalent, so the generated data holds no malformed line.
 */
const TRINO_FORMAT_OF_SERDE: Record<string, string> = { "org.openx.data.jsonserde.JsonSerDe": "OPENX_JSON" };
const TRINO_TYPE_OF_GLUE_TYPE: Record<string, string> = { string: "varchar", bigint: "bigint" };

/** The Glue table as Trino DDL, from the same definitions the Glue table is built from. */
function sessionEventsDdl(): string {
    const columns = glueColumns().map((c) => `"${c.name}" ${TRINO_TYPE_OF_GLUE_TYPE[c.type]}`);
    return `CREATE TABLE "${DATABASE}"."${USAGE_TABLE_NAME}" (${[...columns, `"${PARTITION_KEY}" varchar`].join(", ")})
WITH (format = '${TRINO_FORMAT_OF_SERDE[JSON_SERDE.serializationLibrary]}',
      external_location = 'local:///${SESSION_RECORDS_PREFIX}',
      partitioned_by = ARRAY['${PARTITION_KEY}'])`;
}

/** Trino's CSV table properties for the Glue table's OpenCSVSerde parameters. */
const TRINO_CSV_PROPERTY_OF_SERDE_PARAMETER: Record<string, string> = {
    separatorChar: "csv_separator",
    quoteChar: "csv_quote",
    escapeChar: "csv_escape",
};
/** A SQL string literal; control characters (the NUL escape character) in Trino's U& form. */
const sqlString = (value: string) =>
    /[\u0000-\u001f]/.test(value)
        ? `U&'${[...value].map((c) => `\\${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}'`
        : `'${value.replace(/'/g, "''")}'`;

/** A usage-report table as Trino DDL, from the definitions its Glue table is built from. */
function reportTableDdl(report: UsageReportSpec): string {
    const columns = reportGlueColumns(report).map((c) => `"${c.name}" ${TRINO_TYPE_OF_GLUE_TYPE[c.type]}`);
    const partitions = REPORT_PARTITION_KEYS.map((key) => `"${key}" varchar`);
    const csvProperties = Object.entries(CSV_SERDE.parameters).map(
        ([parameter, value]) => `${TRINO_CSV_PROPERTY_OF_SERDE_PARAMETER[parameter]} = ${sqlString(value)}`,
    );
    const skipHeader = reportTableParameters("bucket", report)["skip.header.line.count"];
    assert.strictEqual(CSV_SERDE.serializationLibrary, "org.apache.hadoop.hive.serde2.OpenCSVSerde");
    return `CREATE TABLE "${DATABASE}"."${report.tableName}" (${[...columns, ...partitions].join(", ")})
WITH (format = 'CSV', ${csvProperties.join(", ")}, skip_header_line_count = ${skipHeader},
      external_location = 'local:///reports/${report.folder}/schedule=${REPORT_SCHEDULE}',
      partitioned_by = ARRAY[${REPORT_PARTITION_KEYS.map(sqlString).join(", ")}])`;
}

/** Rows as comparable strings, sorted: the queries' ORDER BY leaves ties in any order. */
const sortedRows = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();

/** The run's clock, whole minutes; near UTC midnight it waits, so current_date cannot change mid-run. */
async function runClock(): Promise<string> {
    const untilMidnight = 86_400_000 - (Date.now() % 86_400_000);
    if (untilMidnight < 10 * 60_000) {
        console.log(`      waiting ${Math.ceil(untilMidnight / 60_000)} min for UTC midnight to pass`);
        await new Promise((resolve) => setTimeout(resolve, untilMidnight + 60_000));
    }
    return new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString().replace(".000Z", "Z");
}

describe("every named query, on Trino (the engine of Athena v3)", function () {
    this.timeout(1_200_000);
    let run: TrinoRun;
    let now: string;
    let sessions: GeneratedSession[];
    let reports: ReportDay[];
    const queries = [...usageNamedQueries(DATABASE, USAGE_TABLE_NAME), ...usageReportNamedQueries(DATABASE)];
    /**
     * The usage digest's periods: whole UTC days [from, to), counted back from today. The third
     * starts on the day the midnight-crossing session s03 began and ends before its end record.
     */
    const PERIODS = [
        { name: "this-week", fromDaysAgo: 7, toDaysAgo: 0 },
        { name: "last-week", fromDaysAgo: 14, toDaysAgo: 7 },
        { name: "one-day-before-a-midnight", fromDaysAgo: 21, toDaysAgo: 20 },
        // The digest over four weeks: both stacks, both fleets, and a session whose instance died.
        { name: "four-weeks", fromDaysAgo: 28, toDaysAgo: 0 },
        { name: "four-weeks-before", fromDaysAgo: 56, toDaysAgo: 28 },
    ];
    /** The digests the suite builds from the engine's rows: a period, and the one before it. */
    const DIGESTS = [
        { period: "this-week", previous: "last-week" },
        { period: "four-weeks", previous: "four-weeks-before" },
    ];
    const periodOf = (p: (typeof PERIODS)[number]) => {
        const today = Date.parse(now.slice(0, 10));
        const dayAgo = (n: number) => new Date(today - n * 86_400_000).toISOString().slice(0, 10);
        return { from: dayAgo(p.fromDaysAgo), to: dayAgo(p.toDaysAgo) };
    };
    const USAGE_QUERY_IDS = usageNamedQueries(DATABASE, USAGE_TABLE_NAME).map((q) => q.id);

    before(async () => {
        // Maven may take minutes on a new machine: the clock is read after it, just before Trino starts.
        const engine = prepareTrino();
        now = await runClock();
        sessions = generatedSessions(now);
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "appstream-usage-"));
        const days = writeRecords(root, sessions);
        reports = generatedReports(now);
        const reportPartitions = writeReports(path.join(root, "reports"), reports);
        run = await runOnTrino(engine, {
            schema: DATABASE,
            timeZone: "UTC",
            catalog: {
                "hive.metastore": "file",
                "hive.metastore.catalog.dir": "local:///metastore",
                "fs.native-local.enabled": "true",
                "local.location": root,
                // Partition projection is Athena's own feature: here the partitions are registered.
                "hive.allow-register-partition-procedure": "true",
            },
            setup: [
                `CREATE SCHEMA "${DATABASE}" WITH (location = 'local:///warehouse')`,
                sessionEventsDdl(),
                ...days.map(
                    (day) =>
                        `CALL system.register_partition('${DATABASE}', '${USAGE_TABLE_NAME}', ARRAY['${PARTITION_KEY}'], ARRAY['${day}'])`,
                ),
                ...USAGE_REPORTS.map(reportTableDdl),
                ...USAGE_REPORTS.flatMap((report) =>
                    reportPartitions.map(
                        (values) =>
                            `CALL system.register_partition('${DATABASE}', '${report.tableName}', ARRAY[${REPORT_PARTITION_KEYS.map(sqlString).join(", ")}], ARRAY[${values.map(sqlString).join(", ")}])`,
                    ),
                ),
            ],
            queries: [
                ...queries.map(({ id, sql }) => ({ id, sql })),
                ...PERIODS.flatMap((p) =>
                    usageNamedQueries(DATABASE, USAGE_TABLE_NAME, periodOf(p)).map(({ id, sql }) => ({
                        id: `${p.name}:${id}`,
                        sql,
                    })),
                ),
                { id: "all-records", sql: `SELECT * FROM "${DATABASE}"."${USAGE_TABLE_NAME}"` },
                { id: "all-report-sessions", sql: `SELECT * FROM "${DATABASE}"."usage_report_sessions"` },
                {
                    id: PLANTED_PEAK,
                    sql: fs.readFileSync(path.join(__dirname, "fixtures", `${PLANTED_PEAK}.sql`), "utf8"),
                },
                // Athena v3's documented decimal rule would give this scale 1 (2.1 for 7,380 s).
                {
                    id: "decimal-hours",
                    sql: "SELECT round(CAST(7380 AS bigint) / 3600.0, 2), typeof(CAST(7380 AS bigint) / 3600.0)",
                },
            ],
        });
        console.log(`      Trino ${run.trinoVersion}, started in ${run.startupMillis} ms`);
    });

    it("reads every record the scripts write, fields intact (backslashes, quotes, commas, newlines, non-ASCII)", () => {
        const result = run.queries["all-records"];
        assert.strictEqual(result.error, undefined, result.error);
        const written = allRecords(sessions).map((r: UsageRecord) => result.columns.map((c) => r[c] ?? null));
        assert.deepStrictEqual(sortedRows(result.rows), sortedRows(written));
    });

    /** Every saved query's answer, computed independently from the generated sessions and reports. */
    const expectedAnswers = () => ({
        ...expectedUsageAnswers(sessions, now, DEFAULT_QUERY_WINDOW_DAYS),
        ...expectedReportAnswers(reports, now),
        ...expectedReconciliation(sessions, reports, now),
    });

    it("the reconciliation finds each planted disagreement, and passes the sessions that agree", () => {
        const answer = expectedReconciliation(sessions, reports, now)["report-reconcile-script-records"];
        const findingOf = (id: string) => answer.rows.find((row) => row[0] === id)?.[2];
        // The independent answer itself must see what the data plants; the loop below holds the SQL to it.
        assert.strictEqual(findingOf("s11"), undefined, "s11 agrees");
        assert.strictEqual(findingOf("s10"), undefined, "s10 is within the tolerance");
        assert.strictEqual(findingOf("s12"), "different user");
        assert.strictEqual(findingOf("s13"), "duration differs");
        assert.strictEqual(findingOf("s05"), "no session_end record");
        assert.strictEqual(findingOf("s09"), "not in the usage report");
        assert.strictEqual(findingOf("r01"), "no script record");
    });

    for (const query of queries) {
        it(`${query.id}: the rows equal an answer computed independently`, () => {
            const result: QueryResult = run.queries[query.id];
            assert.strictEqual(result.error, undefined, result.error);
            const expected = expectedAnswers()[query.id];
            console.log(`        ${query.id}: ${JSON.stringify(result.rows)}`);
            assert.deepStrictEqual(result.columns, expected.columns);
            assert.deepStrictEqual(sortedRows(result.rows), sortedRows(expected.rows));
            assert.deepStrictEqual(
                result.rows.map(expected.orderKey),
                [...result.rows.map(expected.orderKey)].sort(expected.compareKeys),
            );
        });
    }

    for (const p of PERIODS) {
        for (const id of USAGE_QUERY_IDS) {
            it(`${id} over a period (${p.name}, as the usage digest reads it): the rows equal an answer computed independently`, () => {
                const result: QueryResult = run.queries[`${p.name}:${id}`];
                assert.strictEqual(result.error, undefined, result.error);
                const expected = expectedUsageAnswers(sessions, now, periodOf(p))[id];
                console.log(`        ${p.name}:${id}: ${JSON.stringify(result.rows)}`);
                assert.deepStrictEqual(result.columns, expected.columns);
                assert.deepStrictEqual(sortedRows(result.rows), sortedRows(expected.rows));
            });
        }
    }

    it("the periods tell the weeks apart: each reads only its own sessions (negative control for the period filter)", () => {
        const users = (name: string) => run.queries[`${name}:streaming-time-per-user`].rows.map((row) => row[0]).sort();
        assert.deepStrictEqual(users("this-week"), ["bob", "Ελένη"]);
        assert.deepStrictEqual(users("last-week"), ["alice", "bob"]);
        assert.notDeepStrictEqual(
            sortedRows(run.queries["this-week:streaming-time-per-user"].rows),
            sortedRows(run.queries["streaming-time-per-user"].rows),
        );
    });

    /** A query's answer as the Athena adapter gives it: one object per row, keyed by column. */
    const outcomeOf = (id: string): QueryOutcome => {
        const result: QueryResult = run.queries[id];
        assert.strictEqual(result.error, undefined, result.error);
        const rows = result.rows.map((row) =>
            Object.fromEntries(result.columns.map((c, i) => [c, row[i]])),
        ) as QueryRow[];
        return { status: "succeeded", executionId: id, rows, scannedBytes: 0 };
    };
    const digestOf = (d: (typeof DIGESTS)[number]) => {
        const named = (name: string) => PERIODS.find((p) => p.name === name)!;
        return usageDigest({
            period: periodOf(named(d.period)),
            previousPeriod: periodOf(named(d.previous)),
            current: Object.fromEntries(
                Object.values(DIGEST_QUERIES).map((id) => [id, outcomeOf(`${d.period}:${id}`)]),
            ),
            previousPerUser: outcomeOf(`${d.previous}:${DIGEST_QUERIES.perUser}`),
            capacities: new Map(),
        });
    };

    for (const d of DIGESTS) {
        it(`the usage digest of ${d.period}, built from the engine's rows: totals, hours per stack, peaks and lost sessions equal an answer computed independently`, () => {
            const digest = digestOf(d);
            const named = (name: string) => PERIODS.find((p) => p.name === name)!;
            const expected = expectedDigestFigures(sessions, periodOf(named(d.period)));
            const before = expectedDigestFigures(sessions, periodOf(named(d.previous)));
            console.log(`        ${d.period}: ${JSON.stringify({ totals: digest.totals, peaks: digest.peaks })}`);
            assert.deepStrictEqual(digest.missing, []);
            assert.deepStrictEqual(digest.totals, expected.totals);
            assert.deepStrictEqual(digest.previous, before.totals);
            assert.deepStrictEqual(
                Object.fromEntries(digest.hoursPerStack!.map((s) => [s.stack, s.hours])),
                expected.hoursPerStack,
            );
            assert.deepStrictEqual(
                Object.fromEntries(digest.peaks!.map((p) => [p.fleet, { peak: p.peak, day: p.day }])),
                expected.peaks,
            );
            assert.deepStrictEqual(digest.neverEnded!.lost.map((s) => s.sessionId).sort(), expected.lost);
            const perDay = digest.hoursPerDay!.reduce((sum, day) => sum + day.hours, 0);
            assert.ok(Math.abs(perDay - expected.totals.hours) < 0.01 * digest.hoursPerDay!.length, `${perDay}`);
        });
    }

    it("the digests cover what they claim: two stacks, two fleets, a lost session, a change against the period before", () => {
        const fourWeeks = digestOf(DIGESTS[1]);
        assert.strictEqual(fourWeeks.hoursPerStack!.length, 2);
        assert.strictEqual(fourWeeks.peaks!.length, 2);
        assert.ok(fourWeeks.peaks!.some((p) => p.peak >= 2));
        assert.deepStrictEqual(
            fourWeeks.neverEnded!.lost.map((s) => s.sessionId),
            ["s05"],
        );
        const thisWeek = digestOf(DIGESTS[0]);
        assert.ok(thisWeek.totals!.hours > 0 && thisWeek.previous!.hours > 0);
        assert.notDeepStrictEqual(thisWeek.totals, thisWeek.previous);
    });

    it("reads every report row as AppStream wrote it: DOMAIN\\user, commas and quotes intact", () => {
        const result = run.queries["all-report-sessions"];
        assert.strictEqual(result.error, undefined, result.error);
        const userIds = result.rows.map((row) => row[result.columns.indexOf("user_id")]).sort();
        const written = reports.flatMap((d) => d.sessions.map((r) => r.user_id)).sort();
        assert.deepStrictEqual(userIds, written);
    });

    it("negative control: the old peak-concurrency query gives rows the independent answer does not", () => {
        const result = run.queries[PLANTED_PEAK];
        assert.strictEqual(result.error, undefined, result.error);
        const expected = expectedAnswers()["peak-concurrency-per-fleet"];
        console.log(`        old peak query: ${JSON.stringify(result.rows)}`);
        assert.notDeepStrictEqual(sortedRows(result.rows), sortedRows(expected.rows));
    });

    it("records how this Trino divides a bigint by 3600.0 (the queries divide in double instead)", () => {
        const [[rounded, type]] = run.queries["decimal-hours"].rows;
        console.log(`        round(7380 / 3600.0, 2) = ${rounded} (${type})`);
        assert.ok(rounded === 2.05 || rounded === 2.1, String(rounded));
    });

    it("covers what it claims: events of both types, a session with no end record", () => {
        assert.ok(sessions.some((session) => !session.end));
        assert.ok(allRecords(sessions).some((r) => r.event_type === EVENT_TYPES.end));
    });
});
