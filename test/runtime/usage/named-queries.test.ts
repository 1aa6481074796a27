import * as assert from "assert";
import { usageNamedQueries } from "../../../runtime/usage/named-queries";

describe("named queries", () => {
    const queries = usageNamedQueries("db", "session_events", 30);

    it("answers the five usage questions, each under a unique id and name", () => {
        assert.deepStrictEqual(
            queries.map((q) => q.id),
            [
                "streaming-time-per-user",
                "daily-active-users",
                "sessions-per-fleet-instance-type",
                "sessions-never-ended",
                "peak-concurrency-per-fleet",
            ],
        );
        assert.strictEqual(new Set(queries.map((q) => q.name)).size, queries.length);
    });

    it("every query reads the table through a dt window, so projection lists only those days", () => {
        for (const query of queries) {
            assert.ok(query.sql.includes(`FROM "db"."session_events"`), query.id);
            assert.ok(query.sql.includes("dt >= CAST(current_date - INTERVAL '30' DAY AS varchar)"), query.id);
        }
    });

    it("the window is a parameter", () => {
        for (const query of usageNamedQueries("db", "t", 7))
            assert.ok(query.sql.includes("INTERVAL '7' DAY"), query.id);
    });

    describe("over a period of whole days (the usage digest's week)", () => {
        const period = usageNamedQueries("db", "t", { from: "2026-11-23", to: "2026-11-30" });

        it("reads the period's partitions only, and takes its end for now: no query depends on the clock", () => {
            for (const query of period) {
                assert.ok(query.sql.includes("dt >= '2026-11-23' AND dt < '2026-11-30'"), query.id);
                assert.ok(!/current_date|current_timestamp/.test(query.sql), query.id);
            }
            const peak = period.find((q) => q.id === "peak-concurrency-per-fleet")!;
            assert.ok(peak.sql.includes("sequence(DATE '2026-11-23', DATE '2026-11-30' - INTERVAL '1' DAY"));
            assert.ok(
                peak.sql.includes(
                    "least(started_at + INTERVAL '16' HOUR, from_iso8601_timestamp('2026-11-30T00:00:00Z'))",
                ),
            );
            assert.match(period[0].description, /over the last 7 days/);
        });

        for (const bad of [
            { from: "2026-11-30", to: "2026-11-23" },
            { from: "2026-11-23", to: "2026-11-23" },
            { from: "23/11/2026", to: "2026-11-30" },
        ]) {
            it(`refuses ${JSON.stringify(bad)}, naming it`, () => {
                assert.throws(
                    () => usageNamedQueries("db", "t", bad),
                    /a query period needs two dates, from before to/,
                );
            });
        }
    });
});
