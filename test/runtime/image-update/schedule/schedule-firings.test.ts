/**
 * When schedules fire, checked against calendar facts (a Gregorian calendar, not this code's):
 * 2026-11-27 is the last Friday of November 2026, 2027-05-15 is a Saturday, 2028 is the next leap
 * year and 2100 is not one.
 */
import * as assert from "assert";
import { scheduleTiming } from "../../../../runtime/image-update/schedule/schedule-firings";

const FROM = new Date("2026-11-24T15:00:00Z");

describe("schedule firings", () => {
    const next: [string, string | undefined][] = [
        ["cron(0 12 1 * ? *)", "2026-12-01T12:00"],
        ["cron(0 12 30 2 ? *)", undefined],
        ["cron(0 12 31 4,6,9,11 ? *)", undefined],
        ["cron(0 12 1 * ? 2020-2025)", undefined],
        ["cron(0 12 29 2 ? *)", "2028-02-29T12:00"],
        ["cron(0 12 ? * 6L *)", "2026-11-27T12:00"],
        ["cron(0 12 ? * MON#1 *)", "2026-12-07T12:00"],
        ["cron(0 12 L * ? *)", "2026-11-30T12:00"],
        // 15 May 2027 is a Saturday: the nearest weekday is Friday the 14th.
        ["cron(0 12 15W 5 ? 2027)", "2027-05-14T12:00"],
        // 1 May 2027 is a Saturday too, and 1W stays in May: Monday the 3rd.
        ["cron(0 12 1W 5 ? 2027)", "2027-05-03T12:00"],
        // The last day of July 2027 is a Saturday: LW is Friday the 30th.
        ["cron(0 12 LW 7 ? 2027)", "2027-07-30T12:00"],
        ["cron(30 15 24 11 ? 2026)", "2026-11-24T15:30"],
        ["cron(0 15 24 11 ? 2026)", "2026-11-24T15:00"],
        ["cron(59 14 24 11 ? 2026)", undefined],
        ["rate(7 days)", "2026-11-24T15:00"],
    ];
    for (const [expression, expected] of next) {
        it(`${expression} next fires at ${expected ?? "no date"}`, () => {
            assert.strictEqual(scheduleTiming(expression, FROM).next, expected);
        });
    }

    const gaps: [string, number | undefined][] = [
        ["rate(12 hours)", 720],
        ["cron(0/15 * * * ? *)", 15],
        // 23:00 then 01:00: the shortest gap crosses midnight.
        ["cron(0 1,23 ? * MON-FRI *)", 120],
        // Every day but weekends: Friday to Monday is the longest, Monday to Tuesday the shortest.
        ["cron(0 9 ? * MON-FRI *)", 1440],
        // Monthly on the 1st: February is the shortest month.
        ["cron(0 12 1 * ? *)", 28 * 1440],
        // 2096 to 2104: 2100 is not a leap year.
        ["cron(0 12 29 2 ? 2096-2104)", 8 * 365 * 1440 + 1440],
        ["cron(0 12 1 1 ? 2027)", undefined],
    ];
    for (const [expression, expected] of gaps) {
        it(`${expression} fires at least ${expected ?? "(once only)"} minutes apart`, () => {
            assert.strictEqual(scheduleTiming(expression, FROM).shortestGapMinutes, expected);
        });
    }

    it("names the two closest firings", () => {
        assert.deepStrictEqual(scheduleTiming("cron(0 1,23 ? * MON-FRI *)", FROM).closestPair, [
            "2026-11-24T23:00",
            "2026-11-25T01:00",
        ]);
    });
});
