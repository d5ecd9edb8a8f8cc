/**
 * EventBridge (and Glue trigger) cron expressions, checked field by field as AWS checks them:
 * `cron(minutes hours day-of-month month day-of-week year)`, from "Cron expressions" in the
 * EventBridge user guide. Exactly one of day-of-month and day-of-week is `?`.
 */

interface FieldSpec {
    name: string;
    min: number;
    max: number;
    /** Names accepted in place of numbers (JAN=1 …, SUN=1 …). */
    names?: readonly string[];
    /** `?` is allowed (day-of-month, day-of-week only). */
    question?: boolean;
    /** Checks the field's special forms (L, W, #). */
    special?: (item: string, field: FieldSpec) => SpecialForm;
}

/** What a special-form check says: VALID, why the form is wrong, or undefined when the item is none of the special forms. */
const VALID = Symbol("a valid special form");
type SpecialForm = typeof VALID | string | undefined;

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] as const;
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

function dayOfMonthSpecial(item: string, field: FieldSpec): SpecialForm {
    if (item === "L" || item === "LW") return VALID;
    const weekday = /^(\d+)W$/.exec(item);
    if (weekday === null) return undefined;
    return valueProblem(weekday[1], field) ?? VALID;
}

function dayOfWeekSpecial(item: string, field: FieldSpec): SpecialForm {
    if (item === "L") return VALID;
    const last = /^([^#L]+)L$/.exec(item);
    if (last !== null) return valueProblem(last[1], field) ?? VALID;
    const nth = /^([^#]+)#([^#]*)$/.exec(item);
    if (nth === null) return undefined;
    if (!/^[1-5]$/.test(nth[2])) return `"${item}": the week after # must be 1-5`;
    return valueProblem(nth[1], field) ?? VALID;
}

const FIELDS: readonly FieldSpec[] = [
    { name: "minutes", min: 0, max: 59 },
    { name: "hours", min: 0, max: 23 },
    { name: "day-of-month", min: 1, max: 31, question: true, special: dayOfMonthSpecial },
    { name: "month", min: 1, max: 12, names: MONTHS },
    { name: "day-of-week", min: 1, max: 7, names: WEEKDAYS, question: true, special: dayOfWeekSpecial },
    { name: "year", min: 1970, max: 2199 },
];

/** The rule, as the README and error messages state it. */
export const CRON_RULE =
    "cron(minutes hours day-of-month month day-of-week year): minutes 0-59, hours 0-23, day-of-month 1-31 (or L, LW, nW), " +
    "month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT (or L, nL, n#k), year 1970-2199; with , - * / and exactly one of day-of-month and day-of-week `?`";

function numberOf(text: string, field: FieldSpec): number | undefined {
    if (/^\d+$/.test(text)) return Number(text);
    const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
    return index >= 0 ? index + 1 : undefined;
}

function valueProblem(text: string, field: FieldSpec): string | undefined {
    const value = numberOf(text, field);
    const allowed = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ""}`;
    if (value === undefined) return `"${text}" is not a ${field.name} value (${allowed})`;
    if (value < field.min || value > field.max) return `${text} is out of range (${allowed})`;
    return undefined;
}

/** Why one comma-separated item of a field is wrong, or undefined. */
function itemProblem(item: string, field: FieldSpec): string | undefined {
    const special = field.special?.(item, field);
    if (special === VALID) return undefined;
    if (special !== undefined) return special;
    const [base, step, ...rest] = item.split("/");
    if (rest.length > 0) return `"${item}" has more than one /`;
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > field.max)) {
        return `"${item}": the step after / must be a whole number from 1 to ${field.max}`;
    }
    if (base === "*") return undefined;
    const bounds = base.split("-");
    if (bounds.length > 2) return `"${item}" is not a value or a range`;
    for (const bound of bounds) {
        const problem = valueProblem(bound, field);
        if (problem !== undefined) return problem;
    }
    if (bounds.length === 2 && numberOf(bounds[0], field)! > numberOf(bounds[1], field)!) {
        return `range "${base}" runs backwards`;
    }
    return undefined;
}

/**
 * The UTC minute of the day a valid cron expression fires at, when it fires at one fixed time of day
 * (its minutes and hours are single numbers, as in cron(0 2 * * ? *)); undefined otherwise.
 */
export function fixedMinuteOfDay(expression: string): number | undefined {
    const fields = /^cron\((\d+) (\d+) /.exec(expression);
    return fields === null ? undefined : Number(fields[2]) * 60 + Number(fields[1]);
}

/** Why `expression` is not an EventBridge cron expression, or undefined when it is one. */
export function cronProblem(expression: string): string | undefined {
    const body = /^cron\((.*)\)$/.exec(expression);
    if (body === null) return "must be written cron(...)";
    const fields = body[1].split(" ");
    if (fields.length !== FIELDS.length || fields.some((field) => field === "")) {
        return `must have exactly ${FIELDS.length} fields separated by single spaces (${FIELDS.map((field) => field.name).join(" ")}), has ${body[1].split(/\s+/).filter(Boolean).length}`;
    }
    const problems: string[] = [];
    FIELDS.forEach((spec, index) => {
        const field = fields[index];
        if (field === "?") {
            if (!spec.question) problems.push(`${spec.name}: ? is allowed only in day-of-month and day-of-week`);
            return;
        }
        for (const item of field.split(",")) {
            const problem = item === "" ? "empty list item" : itemProblem(item, spec);
            if (problem !== undefined) problems.push(`${spec.name}: ${problem}`);
        }
    });
    const questions = [fields[2], fields[4]].filter((field) => field === "?").length;
    if (questions !== 1) {
        problems.push(`exactly one of day-of-month and day-of-week must be ?, ${questions === 0 ? "neither is" : "both are"}`);
    }
    return problems.length === 0 ? undefined : problems.join("; ");
}
