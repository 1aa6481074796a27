/**
 * When a valid Scheduler expression fires: whether it fires at all after a date, and the shortest
 * time between two of its firings. Config uses it to refuse a schedule that never fires (30
 * February, a past year) and one that starts a run before the previous run can have ended.
 *
 * Hand-written because the npm package for AWS cron expressions (aws-cron-parser 1.1.12) answers
 * cron(0 12 30 2 ? *) with 2 March; the field rules are those of the EventBridge "Cron expressions
 * reference" that schedule-expression.ts checks. Firings are computed in wall-clock time of the
 * schedule's time zone, from `from` read as a wall-clock time: a daylight-saving change moves one
 * firing a year by an hour, which does not change what these checks decide.
 */
import { CRON_FIELDS, CronField, cronFieldValue } from "./schedule-expression";

const [MINUTES, HOURS, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR] = CRON_FIELDS;
const MINUTES_PER_DAY = 24 * 60;
const RATE_UNIT_MINUTES: Record<string, number> = { minute: 1, hour: 60, day: MINUTES_PER_DAY };

export interface ScheduleTiming {
    /** The first firing at or after `from`, as wall-clock ISO text (no zone); undefined when it never fires. */
    readonly next?: string;
    /** Fewest minutes between two consecutive firings; undefined when it fires at most once. */
    readonly shortestGapMinutes?: number;
    /** Two consecutive firings that far apart, as wall-clock ISO text. */
    readonly closestPair?: readonly [string, string];
}

/** The numbers one comma-separated element list of `field` selects: `*`, values, ranges and `/` steps. */
function numbersOf(text: string, field: CronField): number[] {
    // The expression is valid (scheduleExpressionProblem), so every token names a value.
    const value = (token: string) => cronFieldValue(field, token)!;
    const selected: number[] = [];
    for (const element of text.split(",")) {
        const [base, stepText] = element.split("/");
        const step = stepText === undefined ? 1 : Number(stepText);
        const [fromText, toText] = base.split("-");
        const from = base === "*" ? field.min : value(fromText);
        // A value with a step runs to the end of the field's range (5/15 in minutes: 5, 20, 35, 50).
        const to =
            base === "*" || (toText === undefined && stepText !== undefined) ? field.max : value(toText ?? fromText);
        for (let n = from; n <= to; n += step) selected.push(n);
    }
    return selected;
}

const wallClock = (minutes: number) => new Date(minutes * 60_000).toISOString().slice(0, 16);
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 (Sunday) to 7 (Saturday), as cron numbers weekdays. */
const weekday = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

/** The weekday (Monday to Friday) nearest `day` in the same month, as `<day>W` means. */
function nearestWorkday(year: number, month: number, day: number): number | undefined {
    const last = daysInMonth(year, month);
    if (day > last) return undefined;
    const dow = weekday(year, month, day);
    if (dow === 7) return day === 1 ? 3 : day - 1; // Saturday: the Friday before, or Monday the 3rd.
    if (dow === 1) return day === last ? day - 2 : day + 1; // Sunday: the Monday after, or the Friday before.
    return day;
}

type DayMatcher = (year: number, month: number, day: number) => boolean;

/** Which dates the day-of-month field selects: days, `L`, `LW` and `<day>W`. */
function dayOfMonthMatcher(field: string): DayMatcher {
    const matchers = field.split(",").map((element): DayMatcher => {
        const upper = element.toUpperCase();
        if (upper === "L") return (y, m, d) => d === daysInMonth(y, m);
        if (upper === "LW") return (y, m, d) => d === nearestWorkday(y, m, daysInMonth(y, m));
        if (upper.endsWith("W")) return (y, m, d) => d === nearestWorkday(y, m, Number(upper.slice(0, -1)));
        const days = numbersOf(element, DAY_OF_MONTH);
        return (_y, _m, d) => days.includes(d);
    });
    return (y, m, d) => matchers.some((matches) => matches(y, m, d));
}

/** Which dates the day-of-week field selects: weekdays, `L` (Saturday), `<day>L` and `<day>#<n>`. */
function dayOfWeekMatcher(field: string): DayMatcher {
    const dayNumber = (token: string) => numbersOf(token, DAY_OF_WEEK)[0];
    const matchers = field.split(",").map((element): DayMatcher => {
        const upper = element.toUpperCase();
        if (upper === "L") return (y, m, d) => weekday(y, m, d) === 7;
        if (upper.endsWith("L")) {
            const last = dayNumber(upper.slice(0, -1));
            return (y, m, d) => weekday(y, m, d) === last && d + 7 > daysInMonth(y, m);
        }
        if (upper.includes("#")) {
            const [name, nth] = upper.split("#");
            const wanted = dayNumber(name);
            return (y, m, d) => weekday(y, m, d) === wanted && Math.ceil(d / 7) === Number(nth);
        }
        const days = numbersOf(element, DAY_OF_WEEK);
        return (y, m, d) => days.includes(weekday(y, m, d));
    });
    return (y, m, d) => matchers.some((matches) => matches(y, m, d));
}

function cronTiming(body: string, from: Date): ScheduleTiming {
    const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = body.trim().split(/\s+/);
    const minuteSet = numbersOf(minutes, MINUTES);
    const times = numbersOf(hours, HOURS)
        .flatMap((h) => minuteSet.map((m) => h * 60 + m))
        .sort((a, b) => a - b)
        .filter((t, i, all) => i === 0 || t !== all[i - 1]);
    // No two firings can be closer than the closest two times of one day (or of two days in a row).
    const gaps = times.map((t, i) => (i === 0 ? t + MINUTES_PER_DAY - times[times.length - 1] : t - times[i - 1]));
    const floor = Math.min(...gaps);
    const months = [...new Set(numbersOf(month, MONTH))].sort((a, b) => a - b);
    const years = numbersOf(year, YEAR);
    const dayMatches = dayOfMonth === "?" ? dayOfWeekMatcher(dayOfWeek) : dayOfMonthMatcher(dayOfMonth);
    const fromMinutes = Math.floor(from.getTime() / 60_000);
    let previous: number | undefined;
    let next: number | undefined;
    let shortest: [number, number] | undefined;
    const consider = (firing: number) => {
        if (firing < fromMinutes) return;
        next ??= firing;
        if (previous !== undefined && (!shortest || firing - previous < shortest[1] - shortest[0])) {
            shortest = [previous, firing];
        }
        previous = firing;
    };
    const firstDay = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()) / 60_000;
    scan: for (let y = from.getUTCFullYear(); y <= YEAR.max; y++) {
        if (!years.includes(y)) continue;
        for (const m of months) {
            for (let d = 1, last = daysInMonth(y, m); d <= last; d++) {
                const dayMinutes = Date.UTC(y, m - 1, d) / 60_000;
                if (dayMinutes < firstDay || !dayMatches(y, m, d)) continue;
                for (const time of times) consider(dayMinutes + time);
                if (shortest && shortest[1] - shortest[0] <= floor) break scan;
            }
        }
    }
    return {
        next: next === undefined ? undefined : wallClock(next),
        shortestGapMinutes: shortest ? shortest[1] - shortest[0] : undefined,
        closestPair: shortest ? [wallClock(shortest[0]), wallClock(shortest[1])] : undefined,
    };
}

/**
 * When `expression` (already valid by scheduleExpressionProblem) fires at or after `from`, and the
 * shortest gap between its firings up to the last year a cron expression may name.
 */
export function scheduleTiming(expression: string, from: Date): ScheduleTiming {
    const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
    if (rate) {
        const gap = Number(rate[1]) * RATE_UNIT_MINUTES[rate[2]];
        const start = Math.floor(from.getTime() / 60_000);
        return {
            next: wallClock(start),
            shortestGapMinutes: gap,
            closestPair: [wallClock(start), wallClock(start + gap)],
        };
    }
    return cronTiming(/^cron\((.*)\)$/.exec(expression)![1], from);
}
