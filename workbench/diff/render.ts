import {
    ChangeKind,
    CHANGE_KINDS,
    countKinds,
    PropertyChange,
    rankedStages,
    ResourceChange,
    StackDiff,
    stackWarningCount,
    StageDiff,
    stageWarnings,
    Warning,
} from "./manifestDiff";
import { unifiedDiff } from "./textDiff";
import { showValue } from "./values";

/** The reviewer diff as text for a terminal and as Markdown for a pull-request comment. */

export interface RenderOptions {
    /** What is compared, e.g. "HEAD → working tree". */
    title?: string;
    /** Longest diff block shown per property before it is cut with a pointer to the full diff. Default: no limit. */
    maxBlockLines?: number;
    /** Show the inputs of created resources (default true). */
    showCreatedInputs?: boolean;
    /** Where the full diff is, named when a block is cut. */
    fullDiffHint?: string;
    /** List the stage's warnings before its stacks (default true; the PR comment lists them once for all stages). */
    listWarnings?: boolean;
    /** Document diffs that recur in several places (sharedDiffs): shown in full once, naming the others. */
    shared?: SharedDiffs;
}

/** A document diff (a definition, a policy) and every place it recurs identically, across stacks and stages. */
interface SharedDiff {
    places: string[];
    /** Where it was shown in full, once it has been. */
    shownAt?: string;
}
export type SharedDiffs = Map<string, SharedDiff>;

function placeOf(stage: string, stack: string, resource: string, property: string): string {
    return `${code(stage)} ${code(stack)} **${resource}** ${code(property)}`;
}

function diffKey(property: PropertyChange, block: Block): string | undefined {
    return block.kind === "diff" ? JSON.stringify([property.property, block.lines]) : undefined;
}

/**
 * The document diffs that are identical in more than one place (an analysis and its dashboard, dev
 * and prod): each is then rendered once in full, with where else it applies, and referred to there.
 */
export function sharedDiffs(stageDiffs: readonly StageDiff[]): SharedDiffs {
    const found: SharedDiffs = new Map();
    for (const stageDiff of stageDiffs) {
        for (const stackDiff of stageDiff.stacks) {
            for (const change of stackDiff.changes) {
                for (const property of change.properties) {
                    const key = diffKey(property, propertyBlock(property));
                    if (key === undefined) continue;
                    const place = placeOf(stageDiff.stage, stackDiff.stack, change.name, property.property);
                    found.set(key, { places: [...(found.get(key)?.places ?? []), place] });
                }
            }
        }
    }
    return new Map([...found].filter(([, shared]) => shared.places.length > 1));
}

export const SYMBOL: Record<ChangeKind, string> = { create: "+", update: "~", replace: "+-", delete: "-" };
const VERB: Record<ChangeKind, string> = { create: "create", update: "update", replace: "replace", delete: "delete" };

/** Changes inside one property shown on one line each, when there are this few and all are short. */
const INLINE_CHANGES = 8;

interface InlineChange {
    path: string;
    before: string;
    after: string;
    forcesReplacement: boolean;
}

type Block = { kind: "inline"; changes: InlineChange[] } | { kind: "diff"; title: string; lines: string[]; changedLines: number };

const REPLACES = "[forces replacement]";

function inlineLine(change: InlineChange): string {
    return `${change.path}: ${change.before} → ${change.after}${change.forcesReplacement ? `  ${REPLACES}` : ""}`;
}

function valueDocument(value: unknown): { lines: string[]; note?: string } {
    if (value === undefined) return { lines: [] };
    const shown = showValue(value);
    return shown.kind === "inline" ? { lines: [shown.text] } : { lines: shown.lines, note: shown.note };
}

/** How one property's change is shown: `path: before → after` lines, or a unified diff of the whole property. */
export function propertyBlock(property: PropertyChange): Block {
    const inline =
        property.changes.length <= INLINE_CHANGES &&
        property.changes.every((change) => showValue(change.before).kind === "inline" && showValue(change.after).kind === "inline");
    const marker = property.forcesReplacement ? `  ${REPLACES}` : "";
    if (inline) {
        return {
            kind: "inline",
            changes: property.changes.map((change, index) => ({
                path: change.path,
                before: inlineText(change.before),
                after: inlineText(change.after),
                forcesReplacement: property.forcesReplacement && index === 0,
            })),
        };
    }
    const before = valueDocument(property.before);
    const after = valueDocument(property.after);
    const note = after.note ?? before.note;
    const lines = unifiedDiff(before.lines.join("\n"), after.lines.join("\n"));
    return {
        kind: "diff",
        title: `${property.property}${note === undefined ? "" : ` (${note})`}${marker}`,
        lines,
        changedLines: lines.filter((line) => /^[-+]/.test(line)).length,
    };
}

function inlineText(value: unknown): string {
    const shown = showValue(value);
    return shown.kind === "inline" ? shown.text : "(document)";
}

/** The lines of a created resource's inputs, documents expanded. */
function createdInputLines(inputs: Record<string, unknown>): string[] {
    const lines: string[] = [];
    for (const [key, value] of Object.entries(inputs)) {
        const shown = showValue(value);
        if (shown.kind === "inline") lines.push(`${key}: ${shown.text}`);
        else lines.push(`${key}:${shown.note === undefined ? "" : ` (${shown.note})`}`, ...shown.lines.map((line) => `    ${line}`));
    }
    return lines;
}

function cut(lines: string[], options: RenderOptions): string[] {
    const limit = options.maxBlockLines;
    if (limit === undefined || lines.length <= limit) return lines;
    return [
        ...lines.slice(0, limit),
        `… ${lines.length - limit} more line(s) not shown${options.fullDiffHint === undefined ? "" : `: ${options.fullDiffHint}`}`,
    ];
}

function counts(changes: readonly ResourceChange[]): string {
    const byKind = countKinds(changes);
    const parts = CHANGE_KINDS.filter((kind) => byKind[kind] > 0).map((kind) => `${byKind[kind]} to ${VERB[kind]}`);
    return parts.length === 0 ? "no resource changes" : parts.join(", ");
}

function stackSummary(stackDiff: StackDiff): string {
    const outputs = stackDiff.outputChanges.length > 0 ? `, ${stackDiff.outputChanges.length} output(s) changed` : "";
    if (stackDiff.changes.length === 0 && stackDiff.outputChanges.length === 0) return "no changes";
    return `${counts(stackDiff.changes)}${outputs}`;
}

function stageSummary(stageDiff: StageDiff): string {
    const all = stageDiff.stacks.flatMap((stackDiff) => stackDiff.changes);
    const changedStacks = stageDiff.stacks.filter((stackDiff) => stackDiff.changes.length > 0 || stackDiff.outputChanges.length > 0).length;
    if (changedStacks === 0) return `no changes in ${stageDiff.stacks.length} stack(s)`;
    return `${counts(all)} in ${changedStacks} of ${stageDiff.stacks.length} stack(s)`;
}

function warningCount(count: number): string {
    return count === 1 ? "1 warning" : `${count} warnings`;
}

function resourceLabel(change: ResourceChange): string {
    return `${change.name} (${change.type})`;
}

// ── Text ────────────────────────────────────────────────────────────────────────────────────────

/** How each warning level reads in a terminal: what fails, what loses data, what needs a look. */
export const TEXT_LEVEL: Record<Warning["level"], string> = { blocking: "FAILS", "data-loss": "LOSES DATA", caution: "caution" };

export function renderText(stageDiffs: readonly StageDiff[], options: RenderOptions = {}): string {
    const lines: string[] = [];
    for (const stageDiff of rankedStages(stageDiffs)) {
        lines.push(`Stage ${stageDiff.stage}${options.title === undefined ? "" : `: ${options.title}`}`, `  ${stageSummary(stageDiff)}`, "");
        const warnings = stageWarnings(stageDiff);
        if (warnings.length > 0) {
            lines.push(`WARNINGS (${warnings.length})`);
            for (const { stack, resource, warning } of warnings) {
                lines.push(
                    `  ${TEXT_LEVEL[warning.level]} ${stack}${resource === undefined ? "" : ` ${resourceLabel(resource)}, ${VERB[resource.kind]}`}: ${warning.message}`,
                );
            }
            lines.push("");
        }
        for (const stackDiff of stageDiff.stacks) {
            const count = stackWarningCount(stackDiff);
            lines.push(`${stackDiff.stack}: ${stackSummary(stackDiff)}${count > 0 ? `  [${warningCount(count)}]` : ""}`);
            for (const warning of stackDiff.warnings) lines.push(`    ${TEXT_LEVEL[warning.level]} ${warning.message}`);
            for (const change of stackDiff.changes) {
                const why = change.replaceReasons.length > 0 ? `  (replace: ${change.replaceReasons.join("; ")})` : "";
                lines.push(`  ${SYMBOL[change.kind].padEnd(2)} ${change.type}  ${change.name}${why}`);
                for (const warning of change.warnings) lines.push(`       ${TEXT_LEVEL[warning.level]} ${warning.message}`);
                for (const property of change.properties) {
                    const block = propertyBlock(property);
                    if (block.kind === "inline") lines.push(...block.changes.map((change) => `       ${inlineLine(change)}`));
                    else lines.push(`       ${block.title}:`, ...cut(block.lines, options).map((line) => `         ${line}`));
                }
                for (const recomputed of change.recomputed) lines.push(`       ${recomputed}: recomputed (known after the replacement)`);
                if (change.kind === "create" && change.inputs !== undefined && (options.showCreatedInputs ?? true)) {
                    lines.push(...cut(createdInputLines(change.inputs), options).map((line) => `       + ${line}`));
                }
            }
            for (const output of stackDiff.outputChanges) {
                const block = propertyBlock(output);
                if (block.kind === "inline") lines.push(...block.changes.map((change) => `  output ${inlineLine(change)}`));
                else lines.push(`  output ${block.title}:`, ...cut(block.lines, options).map((line) => `         ${line}`));
            }
        }
        lines.push("");
    }
    return lines.join("\n");
}

// ── Markdown ────────────────────────────────────────────────────────────────────────────────────

export const MARKDOWN_LEVEL: Record<Warning["level"], string> = { blocking: "⛔ **fails**", "data-loss": "🛑 **loses data**", caution: "⚠️" };

/** Inline code that survives backticks in the text. */
export function code(text: string): string {
    const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
    const fence = "`".repeat(longest + 1);
    return `${fence}${longest > 0 ? ` ${text} ` : text}${fence}`;
}

/** A fenced block that survives fences in the text. */
export function fenced(language: string, lines: string[]): string[] {
    const longest = Math.max(2, ...lines.map((line) => /^`+/.exec(line)?.[0].length ?? 0));
    const fence = "`".repeat(longest + 1);
    return [`${fence}${language}`, ...lines, fence];
}

function html(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderMarkdown(stageDiffs: readonly StageDiff[], options: RenderOptions = {}): string {
    const lines: string[] = [];
    for (const stageDiff of rankedStages(stageDiffs)) {
        lines.push(`### Stage ${code(stageDiff.stage)}: ${stageSummary(stageDiff)}`, "");
        if (options.title !== undefined) lines.push(`Offline diff of the synthesized manifests, ${options.title}.`, "");
        const warnings = stageWarnings(stageDiff);
        if (warnings.length > 0 && (options.listWarnings ?? true)) {
            lines.push(`**${warningCount(warnings.length)}**`, "");
            for (const { stack, resource, warning } of warnings) {
                lines.push(
                    `- ${MARKDOWN_LEVEL[warning.level]} ${code(stack)}${resource === undefined ? "" : ` **${resource.name}** ${code(resource.type)} (${VERB[resource.kind]})`}: ${warning.message}`,
                );
            }
            lines.push("");
        }
        lines.push("| # | stack | create | update | replace | delete | outputs | warnings |", "| --- | --- | --- | --- | --- | --- | --- | --- |");
        stageDiff.stacks.forEach((stackDiff, index) => {
            const byKind = countKinds(stackDiff.changes);
            const count = stackWarningCount(stackDiff);
            lines.push(
                `| ${index + 1} | ${code(stackDiff.stack)} | ${byKind.create} | ${byKind.update} | ${byKind.replace} | ${byKind.delete} | ${stackDiff.outputChanges.length} | ${count > 0 ? `⚠️ ${count}` : "0"} |`,
            );
        });
        lines.push("");
        for (const stackDiff of stageDiff.stacks) {
            const count = stackWarningCount(stackDiff);
            const heading = `${code(stackDiff.stack)}: ${stackSummary(stackDiff)}${count > 0 ? ` — ⚠️ ${warningCount(count)}` : ""}`;
            if (stackDiff.changes.length === 0 && stackDiff.outputChanges.length === 0 && stackDiff.warnings.length === 0) {
                lines.push(`#### ${heading}`, "");
                continue;
            }
            lines.push(`#### ${heading}`, "");
            for (const warning of stackDiff.warnings) lines.push(`> ${MARKDOWN_LEVEL[warning.level]} ${warning.message}`, "");
            lines.push(
                `<details${count > 0 ? " open" : ""}><summary>${html(`${stackDiff.changes.length} resource change(s), ${stackDiff.outputChanges.length} output change(s)`)}</summary>`,
                "",
            );
            for (const change of stackDiff.changes)
                lines.push(...resourceMarkdown(change, options, (property) => placeOf(stageDiff.stage, stackDiff.stack, change.name, property)));
            if (stackDiff.outputChanges.length > 0) {
                lines.push("**Outputs**", "");
                for (const output of stackDiff.outputChanges) lines.push(...propertyMarkdown(output, options));
            }
            lines.push("</details>", "");
        }
    }
    return lines.join("\n");
}

function resourceMarkdown(change: ResourceChange, options: RenderOptions, place: (property: string) => string): string[] {
    const lines = [
        `${code(SYMBOL[change.kind])} **${change.name}** ${code(change.type)} — ${VERB[change.kind]}${change.replaceReasons.length > 0 ? `: ${change.replaceReasons.map(code).join(", ")}` : ""}`,
        "",
    ];
    for (const warning of change.warnings) lines.push(`> ${MARKDOWN_LEVEL[warning.level]} ${warning.message}`, "");
    for (const property of change.properties) lines.push(...propertyMarkdown(property, options, place(property.property)));
    if (change.recomputed.length > 0) lines.push(`- recomputed once the replacement exists: ${change.recomputed.map(code).join(", ")}`, "");
    if (change.kind === "create" && change.inputs !== undefined && (options.showCreatedInputs ?? true)) {
        lines.push(
            ...fenced(
                "diff",
                cut(createdInputLines(change.inputs), options).map((line) => `+ ${line}`),
            ),
            "",
        );
    }
    return lines;
}

function propertyMarkdown(property: PropertyChange, options: RenderOptions, place?: string): string[] {
    const block = propertyBlock(property);
    const shared = options.shared?.get(diffKey(property, block) ?? "");
    if (shared !== undefined && block.kind === "diff") {
        if (shared.shownAt !== undefined) return [`- ${code(block.title)}: the same ${block.changedLines}-line change as ${shared.shownAt}, shown there`, ""];
        shared.shownAt = place ?? shared.places[0];
        const others = shared.places.filter((other) => other !== shared.shownAt);
        return [
            `- ${code(block.title)}: ${block.changedLines} line(s) changed, identically in ${others.join(", ")}`,
            "",
            ...fenced("diff", cut(block.lines, options)),
            "",
        ];
    }
    if (block.kind === "inline") {
        return [
            ...block.changes.map(
                (change) => `- ${code(change.path)}: ${code(change.before)} → ${code(change.after)}${change.forcesReplacement ? ` **${REPLACES}**` : ""}`,
            ),
            "",
        ];
    }
    return [`- ${code(block.title)}: ${block.changedLines} line(s) changed`, "", ...fenced("diff", cut(block.lines, options)), ""];
}
