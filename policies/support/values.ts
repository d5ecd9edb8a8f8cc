import { UnknownValueError } from "@pulumi/policy";

/**
 * Reading resource properties that may be unknown.
 *
 * During `pulumi preview`, any input computed from another resource's outputs (a bucket id, a key
 * ARN, a policy document built from ARNs) is unknown, and @pulumi/policy hands rules a proxy that
 * throws on reading such a value. Letting that throw escape turns the whole policy into one
 * "can't run during preview" advisory, which for a stack policy would silence it for every bucket
 * at once. So rules first copy the properties into plain data with UNKNOWN marking the unknown
 * leaves, and decide per value: a check that needs an unknown value is skipped in preview and made
 * by the analysis `pulumi up` runs with the resolved values.
 */

export const UNKNOWN = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

export function isUnknown(value: unknown): value is Unknown {
    return value === UNKNOWN;
}

/** A plain copy of `value` (possibly @pulumi/policy's unknown-checking proxy), unknown leaves replaced by UNKNOWN. */
export function plain(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    const read = (key: string | number): unknown => {
        try {
            return plain((value as Record<string | number, unknown>)[key]);
        } catch (error) {
            if (error instanceof UnknownValueError) return UNKNOWN;
            throw error;
        }
    };
    if (Array.isArray(value)) return value.map((_, index) => read(index));
    return Object.fromEntries(Object.keys(value).map((key) => [key, read(key)]));
}

/** A plain record of properties; anything else (absent, unknown, scalar) gives an empty record. */
export function plainRecord(value: unknown): Record<string, unknown> {
    const copy = plain(value);
    return isRecord(copy) ? copy : {};
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The value at `path` below `value`: undefined when some step is absent, UNKNOWN when some step is
 * unknown. Numbers index arrays.
 */
export function at(value: unknown, ...path: (string | number)[]): unknown {
    let current = value;
    for (const step of path) {
        if (isUnknown(current)) return UNKNOWN;
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string | number, unknown>)[step];
    }
    return current;
}

/** `value` as a list: arrays as they are, a single value as a one-item list, absent as empty. */
export function asList(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

/**
 * A JSON document that providers accept either as a string or as an object (IAM and bucket
 * policies, provider defaultTags): the parsed object, UNKNOWN, or undefined when absent or not JSON.
 */
export function jsonDocument(value: unknown): Record<string, unknown> | Unknown | undefined {
    if (isUnknown(value)) return UNKNOWN;
    if (typeof value === "string") {
        try {
            return jsonDocument(JSON.parse(value));
        } catch {
            return undefined;
        }
    }
    return isRecord(value) ? value : undefined;
}

/** A non-empty string, or UNKNOWN; anything else is undefined. */
export function nonEmptyString(value: unknown): string | Unknown | undefined {
    if (isUnknown(value)) return UNKNOWN;
    return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/** `value` in a message: objects and arrays as JSON (String would print "[object Object]"), anything else as String prints it. */
export function shown(value: unknown): string {
    return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}
