import * as assert from "assert";
import * as path from "path";
import { USAGE_TABLE_NAME } from "../../../runtime/usage/glue-table";
import { glueColumns } from "../../../runtime/usage/record-schema";
import {
    DATA_TRANSFER_SETTINGS,
    reportWindow,
    usageReportNamedQueries,
} from "../../../runtime/usage/usage-report-queries";
import {
    APPLICATIONS_REPORT,
    REPORT_PARTITION_KEYS,
    SESSIONS_REPORT,
    USAGE_REPORTS,
    reportObjectKey,
    reportTableParameters,
} from "../../../runtime/usage/usage-report-schema";
import {
    DOCUMENTED_SESSIONS_REPORT_COLUMNS,
    DOCUMENTED_TRANSFER_SETTINGS,
} from "../../helpers/documented-report-columns";

describe("usage report schema", () => {
    it("has the sessions report's documented columns, in file order", () => {
        assert.deepStrictEqual(
            SESSIONS_REPORT.columns.map((c) => c.name),
            DOCUMENTED_SESSIONS_REPORT_COLUMNS,
        );
    });

    it("has the applications report's documented columns; schedule, year, month and day are the path's", () => {
        assert.deepStrictEqual(
            APPLICATIONS_REPORT.columns.map((c) => c.name),
            ["user_session_id", "application_name"],
        );
    });

    it("names the report files as AppStream writes them", () => {
        const day = new Date("2026-03-07T23:59:00Z");
        assert.strictEqual(
            reportObjectKey(SESSIONS_REPORT, day),
            "sessions/schedule=DAILY/year=2026/month=03/day=07/daily-session-report-2026-03-07.csv",
        );
        assert.strictEqual(
            reportObjectKey(APPLICATIONS_REPORT, day),
            "applications/schedule=DAILY/year=2026/month=03/day=07/daily-app-report-2026-03-07.csv",
        );
    });

    // Athena fills the template with each projected value: two-digit months and days, four-digit years.
    const projected = (params: Record<string, string>, values: Record<string, string>) =>
        params["storage.location.template"].replace(/\$\{(\w+)\}/g, (_, key: string) => values[key]);

    for (const report of USAGE_REPORTS) {
        it(`projects the ${report.id} partitions onto the folder of each day's file`, () => {
            const params = reportTableParameters("appstream-logs-bucket", report);
            for (const iso of ["2019-01-01", "2024-02-29", "2026-11-23", "2026-12-31"]) {
                const [year, month, day] = iso.split("-");
                assert.strictEqual(
                    projected(params, { year, month, day }),
                    `s3://appstream-logs-bucket/${path.posix.dirname(reportObjectKey(report, new Date(iso)))}/`,
                );
            }
            assert.strictEqual(params["projection.month.digits"], "2");
            assert.strictEqual(params["projection.day.digits"], "2");
            assert.strictEqual(params["projection.year.range"], "2019,NOW");
            assert.strictEqual(params["skip.header.line.count"], "1");
            for (const key of REPORT_PARTITION_KEYS) assert.ok(params[`projection.${key}.type`], key);
        });
    }
});

describe("usage report named queries", () => {
    const queries = usageReportNamedQueries("db");
    const columns = new Set([...USAGE_REPORTS.flatMap((r) => r.columns.map((c) => c.name)), ...REPORT_PARTITION_KEYS]);

    it("answers the four review questions and the reconciliation, each under a unique id and name", () => {
        assert.deepStrictEqual(
            queries.map((q) => q.id),
            [
                "report-user-monthly-hours",
                "report-application-launches",
                "report-sessions-by-client-ip",
                "report-data-transfer-sessions",
                "report-reconcile-script-records",
            ],
        );
        assert.strictEqual(new Set(queries.map((q) => q.name)).size, queries.length);
    });

    it("every query reads a window of report days as plain predicates on the partition columns, so projection prunes them", () => {
        const windows = { "report-user-monthly-hours": 365 } as Record<string, number>;
        for (const query of queries) {
            const window = reportWindow(windows[query.id] ?? 30);
            assert.ok(query.sql.includes(`WHERE ${window}`), query.id);
            // No function of a partition column in the query's own window, the 365-day one included
            // (the rows it returns run on Trino in npm run test:trino).
            assert.doesNotMatch(window, /\w+\((year|month|day)\b/, query.id);
        }
        assert.ok(
            queries.some((q) => q.sql.includes(`WHERE ${reportWindow(365)}`)),
            "the 365-day window is checked",
        );
    });

    it("uses only columns the reports have (besides its own aliases and SQL functions)", () => {
        const functions = new Set(["try_cast", "date_format", "current_date"]);
        // The reconciliation also reads the script records' table, by its schema's columns.
        const recordColumns = new Set([USAGE_TABLE_NAME, ...glueColumns().map((c) => c.name), "session_end"]);
        for (const query of queries) {
            const aliases = new Set(
                [...query.sql.matchAll(/\bAS\s+(\w+)|\bips \((\w+)\)|^(?:WITH )?(\w+) AS \(/gm)].map(
                    (m) => m[1] ?? m[2] ?? m[3],
                ),
            );
            const tables = new Set([...USAGE_REPORTS.map((r) => r.tableName), ...recordColumns]);
            const unknown = [...query.sql.matchAll(/\b[a-z]+(?:_[a-z0-9]+)+\b/g)]
                .map((m) => m[0])
                .filter((id) => !columns.has(id) && !aliases.has(id) && !functions.has(id) && !tables.has(id));
            assert.deepStrictEqual(unknown, [], query.id);
        }
    });

    it("the data-exfiltration review selects sessions with any of the five transfer settings enabled", () => {
        // Pinned to AppStream's documented columns, not to the constant the query is built from.
        assert.deepStrictEqual(DATA_TRANSFER_SETTINGS, DOCUMENTED_TRANSFER_SETTINGS);
        const query = queries.find((q) => q.id === "report-data-transfer-sessions")!;
        assert.ok(query.sql.includes(`'ENABLED' IN (${DOCUMENTED_TRANSFER_SETTINGS.join(", ")})`));
    });

    it("the client-IP review splits the semicolon-separated address list", () => {
        const query = queries.find((q) => q.id === "report-sessions-by-client-ip")!;
        assert.ok(query.sql.includes("CROSS JOIN UNNEST(split(client_ip_addresses, ';')) AS ips (client_ip)"));
        assert.ok(query.sql.includes("GROUP BY trim(client_ip), authentication_type"));
    });

    it("reads the tables of the given database", () => {
        for (const query of usageReportNamedQueries("appstream_usage_prod")) {
            assert.match(query.sql, /FROM "appstream_usage_prod"\."usage_report_(sessions|applications)"/);
        }
    });
});
