import * as assert from "assert";
import { isTimeZone, scheduleExpressionProblem } from "../../../runtime/image-update/schedule-expression";

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
    ];
    for (const [expression, message] of invalid) {
        it(`rejects ${expression}, saying which field is wrong`, () => {
            assert.match(scheduleExpressionProblem(expression) ?? "accepted", message);
        });
    }

    it("knows IANA time zones and rejects offsets and typos", () => {
        for (const zone of ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
            assert.ok(isTimeZone(zone), zone);
        for (const zone of ["", "Europe/Berlinn", "+01:00", " UTC", "Mars/Olympus"]) assert.ok(!isTimeZone(zone), zone);
    });
});
