/**
 * Validation of EventBridge Scheduler expressions, so a typo fails `pulumi preview` with the field
 * at fault instead of failing `pulumi up` with the service's generic "Invalid Schedule Expression".
 * Rules follow the Scheduler user guide ("Schedule types", and the EventBridge "Cron expressions
 * reference" it points to): cron(minutes hours day-of-month month day-of-week year), where exactly
 * one of day-of-month and day-of-week is `?`, `/` is allowed in every field but day-of-week, and a
 * day-of-week with `#` holds that one expression only; and rate(value unit). The API takes at most
 * 256 characters (ScheduleExpression in the Scheduler service model).
 */
import { IANA_TIME_ZONE_NAMES } from "./iana-time-zones";

/** ScheduleExpression and ScheduleExpressionTimezone lengths in the Scheduler service model. */
export const MAX_SCHEDULE_EXPRESSION_LENGTH = 256;
export const MAX_TIME_ZONE_LENGTH = 50;

export interface CronField {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    /** Names the field accepts besides numbers (JAN..DEC, SUN..SAT), mapped to their numbers. */
    readonly names?: readonly string[];
    /** Extra single tokens the field accepts, e.g. `L` or `15W`. */
    readonly special?: RegExp;
    /** Whether `/` (increments) is allowed: everywhere but day-of-week. */
    readonly steps: boolean;
    readonly wording: string;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** The six fields of a cron expression, in order. */
export const CRON_FIELDS: readonly CronField[] = [
    { name: "minutes", min: 0, max: 59, steps: true, wording: "0-59" },
    { name: "hours", min: 0, max: 23, steps: true, wording: "0-23" },
    {
        name: "day-of-month",
        min: 1,
        max: 31,
        special: /^(\?|L|LW|([1-9]|[12]\d|3[01])W)$/,
        steps: true,
        wording: "1-31, ?, L, LW or <day>W",
    },
    { name: "month", min: 1, max: 12, names: MONTHS, steps: true, wording: "1-12 or JAN-DEC" },
    {
        name: "day-of-week",
        min: 1,
        max: 7,
        names: WEEKDAYS,
        special: /^(\?|L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)#[1-5])$/,
        steps: false,
        wording: "1-7, SUN-SAT, ?, L, <day>L or <day>#<1-5>",
    },
    { name: "year", min: 1970, max: 2199, steps: true, wording: "1970-2199" },
];

/** A token's number in a field (`JAN` is 1, `SUN` is 1), or undefined when the field has no such value. */
export function cronFieldValue(field: CronField, token: string): number | undefined {
    const named = field.names?.indexOf(token.toUpperCase()) ?? -1;
    if (named >= 0) return named + 1;
    if (!/^\d+$/.test(token)) return undefined;
    const value = Number(token);
    return value >= field.min && value <= field.max ? value : undefined;
}

/** Checks one comma-separated element: `*`, a value, a range, each optionally `/step`. */
function elementIsValid(field: CronField, element: string): boolean {
    if (field.special?.test(element.toUpperCase())) return true;
    const [base, step, ...extra] = element.split("/");
    if (extra.length > 0) return false;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= field.max)) return false;
    if (base === "*") return true;
    const [from, to, ...more] = base.split("-");
    if (more.length > 0) return false;
    const start = cronFieldValue(field, from);
    if (start === undefined) return false;
    if (to === undefined) return true;
    const end = cronFieldValue(field, to);
    return end !== undefined && end >= start;
}

function cronProblem(body: string): string | undefined {
    const fields = body.trim().split(/\s+/);
    if (fields.length !== 6) {
        return `a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one has ${fields.length}`;
    }
    for (let i = 0; i < CRON_FIELDS.length; i++) {
        const field = CRON_FIELDS[i];
        const text = fields[i];
        if (text.includes("?") && text !== "?") return `${field.name} "${text}": ? must stand alone`;
        if (text === "?" && field.name !== "day-of-month" && field.name !== "day-of-week") {
            return `${field.name} "?" is only allowed in day-of-month or day-of-week`;
        }
        if (text.includes("/") && !field.steps) {
            return `${field.name} "${text}" is not valid: EventBridge allows no increments (/) in ${field.name}`;
        }
        if (text.includes("#") && text.includes(",")) {
            return `${field.name} "${text}" is not valid: a day-of-week with # holds that one expression only`;
        }
        if (!text.split(",").every((element) => element !== "" && elementIsValid(field, element))) {
            const forms = field.steps ? "lists (,), ranges (-) and steps (/)" : "lists (,) and ranges (-)";
            return `${field.name} "${text}" is not valid: expected ${field.wording}, ${forms}`;
        }
    }
    const [dayOfMonth, dayOfWeek] = [fields[2], fields[4]];
    if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
        return `exactly one of day-of-month ("${dayOfMonth}") and day-of-week ("${dayOfWeek}") must be ?`;
    }
    return undefined;
}

function rateProblem(body: string): string | undefined {
    const match = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
    if (!match) return `a rate expression is rate(<value> <minutes|hours|days>), e.g. rate(30 days)`;
    const value = Number(match[1]);
    if (value < 1) return `the rate value must be a positive integer`;
    const singular = !match[2].endsWith("s");
    if (singular !== (value === 1)) return `use "${match[2]}" only with ${singular ? "1" : "values other than 1"}`;
    return undefined;
}

/** Why `expression` is not a valid Scheduler cron() or rate() expression, or undefined when it is. */
export function scheduleExpressionProblem(expression: string): string | undefined {
    if (expression.length > MAX_SCHEDULE_EXPRESSION_LENGTH) {
        return `an expression has at most ${MAX_SCHEDULE_EXPRESSION_LENGTH} characters`;
    }
    // What is checked is what is deployed: no trimming.
    if (expression !== expression.trim()) return "the expression has spaces before or after it; remove them";
    const match = /^(cron|rate)\((.*)\)$/.exec(expression);
    if (!match) return `expected cron(...) or rate(...)`;
    return match[1] === "cron" ? cronProblem(match[2]) : rateProblem(match[2]);
}

const TIME_ZONES = new Set(IANA_TIME_ZONE_NAMES);
const BY_LOWER_CASE = new Map(IANA_TIME_ZONE_NAMES.map((name) => [name.toLowerCase(), name]));

/**
 * Why `zone` is not a time zone the Scheduler evaluates schedules in, or undefined when it is: a
 * name of the IANA time zone database spelled exactly as the database spells it (names are
 * case-sensitive, and offsets such as +01:00 are not names), at most 50 characters.
 */
export function timeZoneProblem(zone: string): string | undefined {
    if (TIME_ZONES.has(zone) && zone.length <= MAX_TIME_ZONE_LENGTH) return undefined;
    const spelled = BY_LOWER_CASE.get(zone.trim().toLowerCase());
    if (spelled) return `time zone names are case-sensitive and exact: write ${spelled}`;
    return "not a name of the IANA time zone database";
}

/** Whether `zone` is an IANA time zone name the Scheduler accepts, such as UTC or Europe/Berlin. */
export function isTimeZone(zone: string): boolean {
    return timeZoneProblem(zone) === undefined;
}
