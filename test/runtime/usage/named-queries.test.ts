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
});
