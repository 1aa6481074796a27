import * as assert from "assert";
import { AppStreamClient } from "@aws-sdk/client-appstream";
import { AthenaClient } from "@aws-sdk/client-athena";
import type { Email } from "../../../runtime/email/email-layout";
import { athenaQueries } from "../../../runtime/insights/athena-queries";
import {
    DigestSettings,
    digestQueries,
    requestTokenOf,
    runUsageDigest,
} from "../../../runtime/insights/digest/digest-run";
import { capacityOf, fleetCapacities } from "../../../runtime/insights/digest/fleet-capacity";
import { RECONCILE_QUERY, digestPeriods } from "../../../runtime/insights/digest/usage-digest";
import { FakeAthena, mockAthena } from "../../helpers/fake-athena";
import { FakeFleets } from "../../helpers/fake-fleets";
import { manualClock } from "../../helpers/manual-clock";
import { SAMPLE_FLEETS, SAMPLE_NOW, answerWithSamples } from "../../helpers/digest-outcomes";

const SETTINGS: DigestSettings = {
    database: "appstream_usage_prod",
    table: "session_events",
    workGroup: "appstream-usage-prod",
    scanCutoffMb: 1024,
    periodDays: 7,
    maxSessionHours: 16,
    usageReports: false,
};
const NOW = SAMPLE_NOW;
const CONTEXT = { account: "123456789012", region: "eu-west-1", stack: "appstream-ops/prod" };

describe("one usage digest run: Athena (fake checked against its model), DescribeFleets, one email", () => {
    let athena: FakeAthena;
    let mock: { restore(): void };
    let fleets: FakeFleets;
    let sent: Email[];
    beforeEach(() => {
        athena = new FakeAthena();
        mock = mockAthena(athena);
        fleets = new FakeFleets(SAMPLE_FLEETS);
        sent = [];
    });
    afterEach(() => {
        mock.restore();
        fleets.mock.restore();
    });
    const ports = () => ({
        athena: athenaQueries(
            new AthenaClient({}),
            {
                workGroup: SETTINGS.workGroup,
                database: SETTINGS.database,
                scanCutoffBytes: SETTINGS.scanCutoffMb * 1_000_000,
                timeoutMs: 240_000,
            },
            manualClock(),
        ),
        capacities: (names: readonly string[]) => fleetCapacities(new AppStreamClient({}), names),
        send: async (email: Email) => {
            sent.push(email);
        },
    });

    it("runs the four queries over the period and one over the period before, in the pipeline's workgroup, and sends one email", async () => {
        answerWithSamples(athena, SETTINGS, NOW);
        const { digest } = await runUsageDigest(ports(), SETTINGS, CONTEXT, NOW);
        assert.strictEqual(athena.executions.length, 5);
        assert.ok(athena.executions.every((e) => e.input.WorkGroup === SETTINGS.workGroup));
        assert.ok(athena.executions.every((e) => e.input.QueryExecutionContext?.Database === SETTINGS.database));
        assert.strictEqual(sent.length, 1);
        assert.deepStrictEqual(digest.totals, { hours: 3.5, sessions: 4, users: 2 });
        assert.deepStrictEqual(digest.previous, { hours: 5, sessions: 4, users: 1 });
        assert.strictEqual(digest.scannedBytes, 10_000_000);
        assert.deepStrictEqual(digest.missing, []);
    });

    it("the capacities come from DescribeFleets, one fleet per call, for the fleets that ran sessions", async () => {
        answerWithSamples(athena, SETTINGS, NOW);
        const { digest, email } = await runUsageDigest(ports(), SETTINGS, CONTEXT, NOW);
        assert.deepStrictEqual(fleets.calls(), ["DescribeFleetsCommand", "DescribeFleetsCommand"]);
        assert.deepStrictEqual(
            digest.peaks!.map((p) => [p.fleet, p.peak, p.capacity, p.fit]),
            [
                ["fleet-a", 3, { fleetType: "ALWAYS_ON", desiredInstances: 10, sessions: 10 }, "could be smaller"],
                ["fleet-b", 2, { fleetType: "ELASTIC", sessions: 2 }, "close to full"],
            ],
        );
        assert.match(
            email.text,
            /fleet-a peaked at 3 of 10 sessions \(desired capacity now: 10 instances\) on 2026-11-25: desired capacity could be lower; see Costs/,
        );
    });

    it("a retried run starts no second query: the request tokens are the queries' own", async () => {
        answerWithSamples(athena, SETTINGS, NOW);
        await runUsageDigest(ports(), SETTINGS, CONTEXT, NOW);
        await runUsageDigest(ports(), SETTINGS, CONTEXT, NOW);
        assert.strictEqual(athena.executions.length, 5);
        const tokens = athena.executions.map((e) => e.input.ClientRequestToken!);
        assert.strictEqual(new Set(tokens).size, 5);
        assert.notStrictEqual(requestTokenOf("q", "SELECT 1"), requestTokenOf("q", "SELECT 2"));
    });

    it("with usage reports on, the reconciliation runs over the period too", async () => {
        const settings = { ...SETTINGS, usageReports: true };
        answerWithSamples(athena, settings, NOW);
        const { digest } = await runUsageDigest(ports(), settings, CONTEXT, NOW);
        assert.strictEqual(athena.executions.length, 6);
        const reconcile = digestQueries(settings, digestPeriods(NOW, 7).period).find((q) => q.id === RECONCILE_QUERY)!;
        assert.match(reconcile.sql, /session_day BETWEEN .*INTERVAL '7' DAY/);
        assert.deepStrictEqual(digest.reconciliation, []);
    });

    it("queries Athena fails or the scan limit cancels still send the email, saying so", async () => {
        answerWithSamples(athena, SETTINGS, NOW, {
            end: "CANCELLED",
            reason: "Bytes scanned limit was exceeded",
            scannedBytes: 2e9,
        });
        const { digest, email } = await runUsageDigest(ports(), SETTINGS, CONTEXT, NOW);
        assert.strictEqual(digest.missing.length, 5);
        assert.ok(digest.missing.every((m) => m.scanCutoff));
        assert.strictEqual(sent.length, 1);
        assert.match(email.subject, /^FAILED: AppStream usage digest/);
        assert.match(email.text, /raise the stack config key athenaBytesScannedCutoffMb/);
        assert.deepStrictEqual(fleets.calls(), [], "no peaks, no fleet to describe");
    });

    it("a failure to send is thrown: the function's Errors alarm is then the only one to tell", async () => {
        answerWithSamples(athena, SETTINGS, NOW);
        const failing = {
            ...ports(),
            send: async () => Promise.reject(new Error("MessageRejected: Email address is not verified")),
        };
        await assert.rejects(runUsageDigest(failing, SETTINGS, CONTEXT, NOW), /not verified/);
    });
});

describe("a fleet's capacity, as DescribeFleets gives it", () => {
    it("Always-On and On-Demand: desired instances, times the sessions per instance of a multi-session fleet", () => {
        assert.deepStrictEqual(capacityOf({ FleetType: "ON_DEMAND", ComputeCapacityStatus: { Desired: 4 } }), {
            fleetType: "ON_DEMAND",
            desiredInstances: 4,
            sessions: 4,
        });
        assert.deepStrictEqual(
            capacityOf({ FleetType: "ALWAYS_ON", MaxSessionsPerInstance: 5, ComputeCapacityStatus: { Desired: 4 } }),
            { fleetType: "ALWAYS_ON", desiredInstances: 4, sessions: 20 },
        );
        assert.deepStrictEqual(
            capacityOf({
                FleetType: "ALWAYS_ON",
                MaxSessionsPerInstance: 5,
                ComputeCapacityStatus: { Desired: 4, DesiredUserSessions: 18 },
            }),
            { fleetType: "ALWAYS_ON", desiredInstances: 4, sessions: 18 },
        );
    });

    it("Elastic: its maximum concurrent sessions", () => {
        assert.deepStrictEqual(capacityOf({ FleetType: "ELASTIC", MaxConcurrentSessions: 30 }), {
            fleetType: "ELASTIC",
            sessions: 30,
        });
        assert.ok("unknown" in capacityOf({ FleetType: "ELASTIC" }));
    });

    it("a fleet deleted since its sessions gets its reason; the others are read (negative control of one call for all)", async () => {
        const fleets = new FakeFleets([
            { name: "fleet-a", fleetType: "ON_DEMAND", states: ["RUNNING"], capacity: { desired: 3 } },
        ]);
        try {
            const capacities = await fleetCapacities(new AppStreamClient({ maxAttempts: 1 }), ["fleet-a", "gone"]);
            assert.deepStrictEqual(capacities.get("fleet-a"), {
                fleetType: "ON_DEMAND",
                desiredInstances: 3,
                sessions: 3,
            });
            assert.match(JSON.stringify(capacities.get("gone")), /DescribeFleets: ResourceNotFoundException/);
            // One call naming both fleets is refused whole: that is why each fleet is read alone.
            await assert.rejects(
                new AppStreamClient({ maxAttempts: 1 }).send(
                    new (await import("@aws-sdk/client-appstream")).DescribeFleetsCommand({
                        Names: ["fleet-a", "gone"],
                    }),
                ),
                /not found/,
            );
        } finally {
            fleets.mock.restore();
        }
    });
});
