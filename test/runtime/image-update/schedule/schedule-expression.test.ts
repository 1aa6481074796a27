import * as assert from "assert";
import { IANA_TIME_ZONE_NAMES, IANA_TZDB_RELEASE } from "../../../../runtime/image-update/schedule/iana-time-zones";
import {
    isTimeZone,
    scheduleExpressionProblem,
    timeZoneProblem,
} from "../../../../runtime/image-update/schedule/schedule-expression";

describe("schedule expressions", () => {
    const valid = [
        "cron(0 12 1 * ? *)",
        "cron(15 10 ? * 6L 2026-2030)",
        "cron(0/15 8-17 ? * MON-FRI *)",
        "cron(0 3 ? * 2#1 *)",
        "cron(0 0 L * ? *)",
        "cron(0 0 15W JAN,JUL ? *)",
        "cron(30 2 1,15 */2 ? *)",
        "rate(30 days)",
        "rate(1 day)",
        "rate(12 hours)",
    ];
    for (const expression of valid) {
        it(`accepts ${expression}`, () => assert.strictEqual(scheduleExpressionProblem(expression), undefined));
    }

    const invalid: [string, RegExp][] = [
        ["0 12 1 * ? *", /expected cron\(\.\.\.\) or rate\(\.\.\.\)/],
        ["cron(0 12 1 * *)", /has 6 fields .* this one has 5/],
        ["cron(0 12 1 * * *)", /exactly one of day-of-month \("1"\) and day-of-week \("\*"\) must be \?/],
        ["cron(0 12 ? * ? *)", /exactly one of day-of-month/],
        ["cron(60 12 1 * ? *)", /minutes "60" is not valid: expected 0-59/],
        ["cron(0 24 1 * ? *)", /hours "24" is not valid/],
        ["cron(0 12 32 * ? *)", /day-of-month "32" is not valid/],
        ["cron(0 12 1 13 ? *)", /month "13" is not valid: expected 1-12 or JAN-DEC/],
        ["cron(0 12 ? * 8 *)", /day-of-week "8" is not valid/],
        ["cron(0 12 1 * ? 1969)", /year "1969" is not valid/],
        ["cron(0 12 5-1 * ? *)", /day-of-month "5-1" is not valid/],
        ["cron(0 ? 1 * ? *)", /hours "\?" is only allowed in day-of-month or day-of-week/],
        ["cron(0 12 1,? * ? *)", /\? must stand alone/],
        ["rate(0 days)", /positive integer/],
        ["rate(1 days)", /use "days" only with values other than 1/],
        ["rate(5 weeks)", /rate\(<value> <minutes\|hours\|days>\)/],
        // EventBridge's cron reference: day-of-week takes , - * ? L # and no /.
        [
            "cron(0 12 ? * 1/2 *)",
            /day-of-week "1\/2" is not valid: EventBridge allows no increments \(\/\) in day-of-week/,
        ],
        ["cron(0 12 ? * */2 *)", /no increments/],
        // "3#1,6#3" is two expressions, which the reference calls invalid.
        ["cron(0 12 ? * 3#1,6#3 *)", /a day-of-week with # holds that one expression only/],
        [`cron(0 12 1 * ? ${"2026,".repeat(60)}2027)`, /at most 256 characters/],
        // Checked trimmed but deployed as written, it reached the schedule with its spaces (issue 15).
        [" cron(0 12 1 * ? *)", /spaces before or after it/],
        ["rate(1 day) ", /spaces before or after it/],
    ];
    for (const [expression, message] of invalid) {
        it(`rejects ${expression}, saying which field is wrong`, () => {
            assert.match(scheduleExpressionProblem(expression) ?? "accepted", message);
        });
    }

    it("knows the IANA database's names as written, and rejects offsets, typos and other spellings", () => {
        for (const zone of ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "Europe/Oslo"])
            assert.ok(isTimeZone(zone), zone);
        for (const zone of ["", "Europe/Berlinn", "+01:00", " UTC", "Mars/Olympus", "utc", "Factory"])
            assert.ok(!isTimeZone(zone), zone);
        // Intl accepts any letter case and so did this check; the Scheduler takes the name as written.
        assert.strictEqual(
            timeZoneProblem("europe/berlin"),
            "time zone names are case-sensitive and exact: write Europe/Berlin",
        );
        assert.strictEqual(timeZoneProblem("Mars/Olympus"), "not a name of the IANA time zone database");
    });

    it("the vendored names are the tz database's, and Node's Intl knows each of them", () => {
        assert.match(IANA_TZDB_RELEASE, /^\d{4}[a-z]$/);
        assert.ok(IANA_TIME_ZONE_NAMES.length > 500);
        // The run's date is computed with Intl in the Lambda: every accepted zone must work there.
        for (const zone of IANA_TIME_ZONE_NAMES) new Intl.DateTimeFormat("en-US", { timeZone: zone });
    });
});
