import { SECRET_MASK, UNKNOWN_MASK } from "../synth/manifestFile";

/**
 * How the reviewer diff shows a value: short scalars inline, everything else in full as lines of a
 * document, so two versions can be compared line by line. Nothing is ever cut short.
 */
export type ShownValue =
    | { kind: "inline"; text: string }
    | {
          kind: "document";
          lines: string[];
          /** What the lines are, when they are not the value as written (a decoded view, a pretty-printed policy). */
          note?: string;
      };

/** Longest value shown inline; anything longer is a document. */
export const INLINE_LIMIT = 80;

/** `/* Presto View: <base64 of the view's JSON definition> *\/`, as Athena stores views in Glue (infra/queries/prestoView.ts). */
const PRESTO_VIEW = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/;

/** The JSON a string holds, when it is a JSON object or array (policies, documents). */
function parseJsonDocument(text: string): unknown {
    const trimmed = text.trim();
    if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) return undefined;
    try {
        const parsed: unknown = JSON.parse(trimmed);
        return parsed !== null && typeof parsed === "object" ? parsed : undefined;
    } catch {
        return undefined;
    }
}

/** The decoded definition of a Presto view text, or undefined when `text` is not one. */
export function decodePrestoView(text: string): unknown {
    const match = PRESTO_VIEW.exec(text);
    if (match === null) return undefined;
    try {
        return JSON.parse(Buffer.from(match[1], "base64").toString("utf8"));
    } catch {
        return undefined;
    }
}

export function showValue(value: unknown): ShownValue {
    if (value === undefined) return { kind: "inline", text: "(absent)" };
    if (value === SECRET_MASK || value === UNKNOWN_MASK) return { kind: "inline", text: String(value) };
    if (typeof value === "string") {
        const view = decodePrestoView(value);
        if (view !== undefined) return { kind: "document", lines: prettyLines(view), note: "Presto view definition: base64 JSON, decoded" };
        const json = parseJsonDocument(value);
        if (json !== undefined) return { kind: "document", lines: prettyLines(json), note: "JSON document, pretty-printed" };
        if (value.includes("\n") || value.length > INLINE_LIMIT) return { kind: "document", lines: value.split("\n"), note: "text" };
        return { kind: "inline", text: JSON.stringify(value) };
    }
    if (value === null || typeof value !== "object") return { kind: "inline", text: JSON.stringify(value) };
    const compact = JSON.stringify(value);
    if (compact.length <= INLINE_LIMIT && !compact.includes("\\n")) return { kind: "inline", text: compact };
    return { kind: "document", lines: prettyLines(value) };
}

/** True when the value is shown on one line. */
export function isInline(value: unknown): boolean {
    return showValue(value).kind === "inline";
}

/** The lines of a value as a document (a scalar is one line). */
export function documentLines(value: unknown): string[] {
    const shown = showValue(value);
    return shown.kind === "inline" ? [shown.text] : shown.lines;
}

/**
 * JSON with two-space indentation, keys in their original order, and multi-line strings (SQL,
 * scripts) written one line per line under a `|` marker, so a changed line of SQL is one changed
 * line of the document.
 */
export function prettyLines(value: unknown): string[] {
    const lines: string[] = [];
    const write = (item: unknown, indent: string, prefix: string, suffix: string) => {
        if (typeof item === "string" && item.includes("\n")) {
            lines.push(`${indent}${prefix}|`);
            // A display form, not JSON: the block ends where the indentation does, without a comma.
            for (const line of item.split("\n")) lines.push(`${indent}    ${line}`);
            return;
        }
        if (Array.isArray(item)) {
            if (item.length === 0) {
                lines.push(`${indent}${prefix}[]${suffix}`);
                return;
            }
            lines.push(`${indent}${prefix}[`);
            item.forEach((element, index) => write(element, `${indent}  `, "", index < item.length - 1 ? "," : ""));
            lines.push(`${indent}]${suffix}`);
            return;
        }
        if (item !== null && typeof item === "object") {
            const entries = Object.entries(item as Record<string, unknown>);
            if (entries.length === 0) {
                lines.push(`${indent}${prefix}{}${suffix}`);
                return;
            }
            lines.push(`${indent}${prefix}{`);
            entries.forEach(([key, element], index) => write(element, `${indent}  `, `${JSON.stringify(key)}: `, index < entries.length - 1 ? "," : ""));
            lines.push(`${indent}}${suffix}`);
            return;
        }
        lines.push(`${indent}${prefix}${item === undefined ? "null" : JSON.stringify(item)}${suffix}`);
    };
    write(value, "", "", "");
    return lines;
}
