/**
 * Validation of EventBridge Scheduler expressions, so a typo fails `pulumi preview` with the field
 * at fault instead of failing `pulumi up` with the service's generic "Invalid Schedule Expression".
 * Rules follow the Scheduler user guide: cron(minutes hours day-of-month month day-of-week year),
 * where exactly one of day-of-month and day-of-week is `?`; and rate(value unit).
 */

interface CronField {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    /** Names the field accepts besides numbers (JAN..DEC, SUN..SAT), mapped to their numbers. */
    readonly names?: readonly string[];
    /** Extra single tokens the field accepts, e.g. `L` or `15W`. */
    readonly special?: RegExp;
    readonly wording: string;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const CRON_FIELDS: readonly CronField[] = [
    { name: "minutes", min: 0, max: 59, wording: "0-59" },
    { name: "hours", min: 0, max: 23, wording: "0-23" },
    {
        name: "day-of-month",
        min: 1,
        max: 31,
        special: /^(\?|L|LW|([1-9]|[12]\d|3[01])W)$/,
        wording: "1-31, ?, L, LW or <day>W",
    },
    { name: "month", min: 1, max: 12, names: MONTHS, wording: "1-12 or JAN-DEC" },
    {
        name: "day-of-week",
        min: 1,
        max: 7,
        names: WEEKDAYS,
        special: /^(\?|L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)#[1-5])$/,
        wording: "1-7, SUN-SAT, ?, L, <day>L or <day>#<1-5>",
    },
    { name: "year", min: 1970, max: 2199, wording: "1970-2199" },
];

function valueOf(field: CronField, token: string): number | undefined {
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
    const start = valueOf(field, from);
    if (start === undefined) return false;
    if (to === undefined) return true;
    const end = valueOf(field, to);
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
        if (!text.split(",").every((element) => element !== "" && elementIsValid(field, element))) {
            return `${field.name} "${text}" is not valid: expected ${field.wording}, lists (,), ranges (-) and steps (/)`;
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
    const match = /^(cron|rate)\((.*)\)$/.exec(expression.trim());
    if (!match) return `expected cron(...) or rate(...)`;
    return match[1] === "cron" ? cronProblem(match[2]) : rateProblem(match[2]);
}

/** Whether `zone` is an IANA time zone name the Scheduler accepts, such as UTC or Europe/Berlin. */
export function isTimeZone(zone: string): boolean {
    // Offsets such as +01:00 pass Intl but are not IANA names.
    if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
        return true;
    } catch {
        return false;
    }
}
