import * as assert from "assert";
import {
    DIGEST_QUERIES,
    FleetCapacity,
    RECONCILE_QUERY,
    TOP_USERS,
    change,
    digestPeriods,
    fitOf,
    hasUsage,
    usageDigest,
} from "../../../runtime/insights/digest/usage-digest";
import { PERIOD, PREVIOUS, failed, ok, perUserRow, sampleOutcomes } from "../../helpers/digest-outcomes";

describe("the usage digest's figures, from the named queries' rows", () => {
    it("reads the whole UTC days before the run, and as many before them", () => {
        assert.deepStrictEqual(digestPeriods(new Date("2026-11-30T07:00:00Z"), 7), {
            period: PERIOD,
            previous: PREVIOUS,
        });
        assert.deepStrictEqual(digestPeriods(new Date("2026-03-01T23:59:59Z"), 1).period, {
            from: "2026-02-28",
            to: "2026-03-01",
        });
    });

    it("totals: hours from the exact seconds, sessions and distinct users; the period before beside them", () => {
        const digest = usageDigest(sampleOutcomes());
        assert.deepStrictEqual(digest.totals, { hours: 3.5, sessions: 4, users: 2 });
        assert.deepStrictEqual(digest.previous, { hours: 5, sessions: 4, users: 1 });
        assert.strictEqual(change(digest.totals!.hours, digest.previous!.hours), -30);
    });

    it("totals are not the sum of rounded rows: 3 users of 18 s each stream 0.02 h, not 0.03 h (negative control of rounding)", () => {
        const rows = ["a", "b", "c"].map((user) => perUserRow(user, "sales", 1, 18));
        assert.deepStrictEqual(
            rows.map((r) => r.streaming_hours),
            [0.01, 0.01, 0.01],
        );
        const digest = usageDigest(sampleOutcomes({ current: { [DIGEST_QUERIES.perUser]: ok(rows) } }));
        assert.strictEqual(digest.totals!.hours, 0.02);
    });

    it("hours per stack, largest first; per day, every day of the period in order, zero-filled", () => {
        const digest = usageDigest(sampleOutcomes());
        assert.deepStrictEqual(digest.hoursPerStack, [
            { stack: "sales", hours: 3 },
            { stack: "eng", hours: 0.5 },
        ]);
        assert.deepStrictEqual(digest.hoursPerDay, [
            { day: "2026-11-23", hours: 0 },
            { day: "2026-11-24", hours: 1 },
            { day: "2026-11-25", hours: 0 },
            { day: "2026-11-26", hours: 0 },
            { day: "2026-11-27", hours: 0 },
            { day: "2026-11-28", hours: 0 },
            { day: "2026-11-29", hours: 2.5 },
        ]);
    });

    it(`top users add up every stack, most hours first, at most ${TOP_USERS}`, () => {
        assert.deepStrictEqual(usageDigest(sampleOutcomes()).topUsers, [
            { user: "alice", hours: 2.5, sessions: 3 },
            { user: "bob", hours: 1, sessions: 1 },
        ]);
        const many = Array.from({ length: 25 }, (_, i) => perUserRow(`user-${i}`, "sales", 1, 60 * (i + 1)));
        const top = usageDigest(sampleOutcomes({ current: { [DIGEST_QUERIES.perUser]: ok(many) } })).topUsers!;
        assert.strictEqual(top.length, TOP_USERS);
        assert.strictEqual(top[0].user, "user-24");
    });

    it("peaks: each fleet's highest, on the first day it was reached, against its capacity now", () => {
        const [a, b] = usageDigest(sampleOutcomes()).peaks!;
        assert.deepStrictEqual(
            { fleet: a.fleet, peak: a.peak, day: a.day, fit: a.fit, hint: a.hint },
            {
                fleet: "fleet-a",
                peak: 3,
                day: "2026-11-25",
                fit: "could be smaller",
                hint: "desired capacity could be lower; see Costs",
            },
        );
        assert.deepStrictEqual(
            { fleet: b.fleet, peak: b.peak, fit: b.fit, hint: b.hint },
            {
                fleet: "fleet-b",
                peak: 2,
                fit: "close to full",
                hint: "close to full: raise its maximum concurrent sessions before users are refused",
            },
        );
    });

    it("a fit for each share of capacity, and no hint without a capacity", () => {
        const fleet = (sessions: number): FleetCapacity => ({ fleetType: "ON_DEMAND", desiredInstances: 5, sessions });
        assert.strictEqual(fitOf(9, fleet(10)).fit, "close to full");
        assert.strictEqual(fitOf(8, fleet(10)).fit, "fits");
        assert.strictEqual(fitOf(5, fleet(10)).fit, "fits");
        assert.strictEqual(fitOf(4, fleet(10)).fit, "could be smaller");
        assert.deepStrictEqual(fitOf(4, fleet(0)), {
            fit: "unknown",
            hint: "no hint: its desired capacity is 0 now (stopped, or scaled in)",
        });
        assert.deepStrictEqual(fitOf(4, { unknown: "DescribeFleets: ResourceNotFoundException" }), {
            fit: "unknown",
            hint: "no hint: DescribeFleets: ResourceNotFoundException",
        });
        const digest = usageDigest(sampleOutcomes({ capacities: new Map() }));
        assert.ok(digest.peaks!.every((p) => p.fit === "unknown" && p.hint === "no hint: its capacity was not read"));
    });

    it("sessions that never ended: those that ended without a record apart from those still running", () => {
        const { lost, running } = usageDigest(sampleOutcomes()).neverEnded!;
        assert.deepStrictEqual(
            lost.map((s) => s.sessionId),
            ["s-lost"],
        );
        assert.deepStrictEqual(
            running.map((s) => [s.sessionId, s.hoursSinceStart]),
            [["s-running", 2]],
        );
    });

    it("the reconciliation's findings only when its query ran (usage reports on)", () => {
        assert.strictEqual(usageDigest(sampleOutcomes()).reconciliation, undefined);
        const base = sampleOutcomes();
        const digest = usageDigest({
            ...base,
            current: {
                ...base.current,
                [RECONCILE_QUERY]: ok([
                    { session_id: "s9", session_day: "2026-11-25", finding: "not in the usage report" },
                ]),
            },
        });
        assert.deepStrictEqual(digest.reconciliation, [
            { sessionId: "s9", day: "2026-11-25", finding: "not in the usage report" },
        ]);
    });

    it("a failed query loses only its own part, says why, and keeps its execution for the link", () => {
        const base = sampleOutcomes();
        const digest = usageDigest({
            ...base,
            current: {
                ...base.current,
                [DIGEST_QUERIES.peaks]: failed("Query exhausted resources", false, "exec-peaks"),
                [DIGEST_QUERIES.perDay]: failed("cancelled", true, "exec-days"),
            },
            previousPerUser: failed("ThrottlingException"),
        });
        assert.strictEqual(digest.peaks, undefined);
        assert.strictEqual(digest.hoursPerDay, undefined);
        assert.strictEqual(digest.previous, undefined);
        assert.ok(digest.totals && digest.hoursPerStack && digest.topUsers && digest.neverEnded);
        assert.deepStrictEqual(
            digest.missing.map((m) => [m.query, m.period, m.scanCutoff]),
            [
                [DIGEST_QUERIES.perUser, "the period before", false],
                [DIGEST_QUERIES.perDay, "this period", true],
                [DIGEST_QUERIES.peaks, "this period", false],
            ],
        );
        assert.strictEqual(digest.executions[DIGEST_QUERIES.peaks], "exec-peaks");
        assert.strictEqual(digest.scannedBytes, 2000);
    });

    it("the change is undefined when there was nothing before, and whole percent otherwise", () => {
        assert.strictEqual(change(5, 0), undefined);
        assert.strictEqual(change(0, 4), -100);
        assert.strictEqual(change(3, 2), 50);
    });

    it("tells a period with no session from one with sessions", () => {
        assert.strictEqual(hasUsage(usageDigest(sampleOutcomes())), true);
        const empty = usageDigest(
            sampleOutcomes({
                current: {
                    [DIGEST_QUERIES.perUser]: ok([]),
                    [DIGEST_QUERIES.peaks]: ok([]),
                    [DIGEST_QUERIES.neverEnded]: ok([]),
                },
            }),
        );
        assert.strictEqual(hasUsage(empty), false);
    });
});
