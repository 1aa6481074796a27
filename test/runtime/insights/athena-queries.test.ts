import * as assert from "assert";
import { AthenaClient } from "@aws-sdk/client-athena";
import { AthenaQuerySettings, athenaQueries, typedValue } from "../../../runtime/insights/athena-queries";
import { FakeAthena, mockAthena } from "../../helpers/fake-athena";
import { expectModelRefusals } from "../../helpers/contract-hooks";
import { manualClock } from "../../helpers/manual-clock";
import { sdkError } from "../../helpers/sdk-errors";

const SETTINGS: AthenaQuerySettings = {
    workGroup: "appstream-usage-dev",
    database: "appstream_usage_dev",
    scanCutoffBytes: 1024 * 1024 * 1024,
    timeoutMs: 60_000,
};
const TOKEN = "digest-2026-11-30-streaming-time-per-user";

describe("the usage digest's Athena adapter, against a fake checked against Athena's model", () => {
    let fake: FakeAthena;
    let mock: { restore(): void };
    beforeEach(() => {
        fake = new FakeAthena();
        mock = mockAthena(fake);
    });
    afterEach(() => mock.restore());
    const run = (sql: string, clock = manualClock()) =>
        athenaQueries(new AthenaClient({}), SETTINGS, clock).run(sql, TOKEN);

    it("starts the query in the pipeline's workgroup and database, polls with a doubling back-off, and reads every page", async () => {
        const rows = Array.from({ length: 2500 }, (_, i) => [`user-${i}`, String(i), "1.5"]);
        fake.answer({
            matches: (sql) => sql.includes("user_name"),
            columns: [
                { name: "user_name", type: "varchar" },
                { name: "sessions", type: "bigint" },
                { name: "streaming_hours", type: "double" },
            ],
            rows,
            polls: 4,
            scannedBytes: 4096,
        });
        const clock = manualClock();
        const outcome = await run("SELECT user_name, sessions, streaming_hours FROM t", clock);
        assert.strictEqual(outcome.status, "succeeded");
        if (outcome.status !== "succeeded") return;
        assert.strictEqual(outcome.rows.length, 2500, "the header row is dropped once, not once per page");
        assert.deepStrictEqual(outcome.rows[0], { user_name: "user-0", sessions: 0, streaming_hours: 1.5 });
        assert.deepStrictEqual(outcome.rows[2499], { user_name: "user-2499", sessions: 2499, streaming_hours: 1.5 });
        assert.strictEqual(outcome.scannedBytes, 4096);
        assert.deepStrictEqual(clock.waits, [500, 1000, 2000, 4000]);
        const [start] = fake.executions;
        assert.deepStrictEqual(
            [start.input.WorkGroup, start.input.QueryExecutionContext?.Database, start.input.ClientRequestToken],
            [SETTINGS.workGroup, SETTINGS.database, TOKEN],
        );
    });

    it("types each value by its column: numbers, booleans, NULL, and a bigint too large for a number stays text", () => {
        assert.strictEqual(typedValue("42", { Name: "n", Type: "bigint" }), 42);
        assert.strictEqual(typedValue("9007199254740993", { Name: "n", Type: "bigint" }), "9007199254740993");
        assert.strictEqual(typedValue("0.25", { Name: "h", Type: "double" }), 0.25);
        assert.strictEqual(typedValue("true", { Name: "b", Type: "boolean" }), true);
        assert.strictEqual(typedValue(undefined, { Name: "d", Type: "date" }), null);
        assert.strictEqual(typedValue("2026-11-18", { Name: "d", Type: "date" }), "2026-11-18");
    });

    it("a retried start with the same request token is the same query (Athena's idempotency token)", async () => {
        fake.answer({ matches: () => true, columns: [{ name: "n", type: "bigint" }], rows: [["1"]] });
        await run("SELECT 1 AS n");
        await run("SELECT 1 AS n");
        assert.strictEqual(fake.executions.length, 1);
    });

    it("a failed query is an outcome with Athena's message, not an exception", async () => {
        fake.answer({ matches: () => true, end: "FAILED", reason: "TABLE_NOT_FOUND: line 1:15: Table does not exist" });
        assert.deepStrictEqual(await run("SELECT * FROM missing"), {
            status: "failed",
            executionId: fake.executions[0].id,
            reason: "TABLE_NOT_FOUND: line 1:15: Table does not exist",
            scanCutoff: false,
        });
    });

    it("a query cancelled at the workgroup's scan limit is told apart from one cancelled or failed otherwise", async () => {
        fake.answer({
            matches: (sql) => sql.includes("big"),
            end: "CANCELLED",
            reason: "Query cancelled",
            scannedBytes: SETTINGS.scanCutoffBytes,
        });
        fake.answer({
            matches: (sql) => sql.includes("small"),
            end: "CANCELLED",
            reason: "Query cancelled",
            scannedBytes: 10,
        });
        fake.answer({
            matches: (sql) => sql.includes("broken"),
            end: "FAILED",
            reason: "GENERIC_INTERNAL_ERROR",
            scannedBytes: SETTINGS.scanCutoffBytes,
        });
        const broken = await athenaQueries(new AthenaClient({}), SETTINGS, manualClock()).run(
            "SELECT broken",
            "c".repeat(32),
        );
        assert.deepStrictEqual([broken.status, broken.status === "failed" && broken.scanCutoff], ["failed", false]);
        const big = await athenaQueries(new AthenaClient({}), SETTINGS, manualClock()).run(
            "SELECT big",
            "a".repeat(32),
        );
        const small = await athenaQueries(new AthenaClient({}), SETTINGS, manualClock()).run(
            "SELECT small",
            "b".repeat(32),
        );
        assert.deepStrictEqual([big.status, big.status === "failed" && big.scanCutoff], ["failed", true]);
        assert.deepStrictEqual([small.status, small.status === "failed" && small.scanCutoff], ["failed", false]);
    });

    it("a query still running at the timeout is reported, and no result is read", async () => {
        fake.answer({ matches: () => true, end: "never" });
        const outcome = await run("SELECT slow");
        assert.deepStrictEqual(outcome.status === "failed" && outcome.reason, "still running after 60 s");
    });

    it("an API error (throttling past the SDK's retries) is an outcome too", async () => {
        fake.startErrors.push(sdkError("TooManyRequestsException", "Rate exceeded"));
        const outcome = await run("SELECT 1");
        assert.deepStrictEqual(
            outcome.status === "failed" && outcome.reason,
            "TooManyRequestsException: Rate exceeded",
        );
    });

    it("negative control: the fake, checked against the model, refuses a page larger than Athena's 1,000", async () => {
        expectModelRefusals();
        fake.answer({ matches: () => true, columns: [{ name: "n", type: "bigint" }], rows: [["1"]] });
        const { QueryExecutionId } = fake.start({ QueryString: "SELECT 1" });
        fake.get({ QueryExecutionId });
        fake.get({ QueryExecutionId });
        fake.get({ QueryExecutionId });
        const { GetQueryResultsCommand } = await import("@aws-sdk/client-athena");
        await assert.rejects(
            new AthenaClient({}).send(new GetQueryResultsCommand({ QueryExecutionId, MaxResults: 1001 })),
            /MaxResults: value 1001 is above the maximum 1000/,
        );
    });
});
