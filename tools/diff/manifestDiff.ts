import diff from "microdiff";
import type { Manifest, ManifestResource } from "../synth/manifest";

/** One input that differs between the base and the head of a resource. */
export interface InputChange {
    path: string;
    before?: unknown;
    after?: unknown;
}

export interface ResourceChange {
    kind: "create" | "delete" | "update";
    urn: string;
    type: string;
    name: string;
    /** Why a reviewer should look twice: data loss or lost protection. */
    warnings: string[];
    changes: InputChange[];
}

export interface StackDiff {
    stack: string;
    changes: ResourceChange[];
    outputChanges: InputChange[];
}

const OPTION_FIELDS = ["protect", "retainOnDelete", "parent", "provider"] as const;

function pathOf(segments: (string | number)[]): string {
    return segments.map((segment, index) => (typeof segment === "number" ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join("");
}

function changesBetween(before: object, after: object): InputChange[] {
    return diff(before as Record<string, unknown>, after as Record<string, unknown>).map((change) => ({
        path: pathOf(change.path),
        ...(change.type !== "CREATE" ? { before: change.oldValue } : {}),
        ...(change.type !== "REMOVE" ? { after: change.value } : {}),
    }));
}

/** Inputs and options of one resource that differ; options are prefixed with "options.". */
function resourceChanges(before: ManifestResource, after: ManifestResource): InputChange[] {
    const options = (resource: ManifestResource) => Object.fromEntries(OPTION_FIELDS.map((field) => [field, resource[field]]));
    return [
        ...changesBetween(before.inputs, after.inputs),
        ...changesBetween(options(before), options(after)).map((change) => ({ ...change, path: `options.${change.path}` })),
    ];
}

function warningsFor(kind: ResourceChange["kind"], before: ManifestResource | undefined, after: ManifestResource | undefined): string[] {
    const warnings: string[] = [];
    if (kind === "delete" && before?.protect) warnings.push("deletes a protected resource: pulumi will refuse until it is unprotected");
    if (kind === "delete" && before !== undefined && !before.retainOnDelete && before.type === "aws:s3/bucket:Bucket") warnings.push("deletes a bucket and, with forceDestroy, its objects");
    if (kind === "update" && before?.protect && after?.protect === false) warnings.push("removes protect");
    if (kind === "update" && before?.retainOnDelete && after?.retainOnDelete === false) warnings.push("removes retainOnDelete");
    return warnings;
}

/** What applying `head` over `base` would change, resource by resource (matched by URN). */
export function diffManifests(base: Manifest | undefined, head: Manifest | undefined): StackDiff {
    const stack = head?.stack ?? base?.stack ?? "(none)";
    const before = new Map((base?.resources ?? []).map((resource) => [resource.urn, resource]));
    const after = new Map((head?.resources ?? []).map((resource) => [resource.urn, resource]));
    const urns = [...new Set([...before.keys(), ...after.keys()])].sort();
    const changes: ResourceChange[] = [];
    for (const urn of urns) {
        const old = before.get(urn);
        const current = after.get(urn);
        const kind = old === undefined ? "create" : current === undefined ? "delete" : "update";
        const inputChanges = old !== undefined && current !== undefined ? resourceChanges(old, current) : [];
        if (kind === "update" && inputChanges.length === 0) continue;
        const resource = (current ?? old)!;
        changes.push({ kind, urn, type: resource.type, name: resource.name, warnings: warningsFor(kind, old, current), changes: inputChanges });
    }
    return { stack, changes, outputChanges: changesBetween(base?.outputs ?? {}, head?.outputs ?? {}) };
}

const SYMBOL = { create: "+", delete: "-", update: "~" } as const;

function show(value: unknown): string {
    const text = JSON.stringify(value);
    return text === undefined ? "(absent)" : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The diff as Markdown, for a pull-request comment or a terminal. */
export function renderDiff(diffs: StackDiff[]): string {
    const lines: string[] = [];
    for (const stackDiff of diffs) {
        if (stackDiff.changes.length === 0 && stackDiff.outputChanges.length === 0) {
            lines.push(`### ${stackDiff.stack}: no changes`, "");
            continue;
        }
        const counts = (["create", "update", "delete"] as const).map((kind) => `${stackDiff.changes.filter((change) => change.kind === kind).length} to ${kind}`);
        lines.push(`### ${stackDiff.stack}: ${counts.join(", ")}`, "");
        for (const change of stackDiff.changes) {
            lines.push(`- \`${SYMBOL[change.kind]}\` **${change.name}** \`${change.type}\``);
            for (const warning of change.warnings) lines.push(`  - ⚠️ ${warning}`);
            for (const input of change.changes) lines.push(`  - \`${input.path}\`: ${show(input.before)} → ${show(input.after)}`);
        }
        for (const output of stackDiff.outputChanges) lines.push(`- output \`${output.path}\`: ${show(output.before)} → ${show(output.after)}`);
        lines.push("");
    }
    return lines.join("\n");
}
