import diff from "microdiff";
import { LAYERS, resolveStack } from "../../policies/conventions/stacks";
import type { Manifest, ManifestResource } from "../synth/manifest";
import { replacementTriggers, REPLACEMENT_RULES } from "./replacements";

/**
 * The reviewer diff: what applying the head manifests over the base manifests would do to each
 * resource, as `pulumi preview` would classify it (create, update in place, replace, delete), with
 * what a reviewer must not miss (data loss, lost protection) raised as warnings.
 */

/** One input (or option, or output) that differs, with the full values on both sides. */
export interface InputChange {
    /** `rules[2].transitions[0].days`, `options.protect`, ... */
    path: string;
    before?: unknown;
    after?: unknown;
}

/** The changes under one top-level input: the unit the diff shows (inline, or as a document diff). */
export interface PropertyChange {
    /** Top-level input name, `options.<option>` or an output name. */
    property: string;
    /** The whole property on both sides (absent when it did not exist). */
    before?: unknown;
    after?: unknown;
    /** The changes inside it, leaf by leaf. */
    changes: InputChange[];
    /** True when a change here replaces the resource (REPLACEMENT_RULES). */
    forcesReplacement: boolean;
}

export type ChangeKind = "create" | "update" | "replace" | "delete";

export interface Warning {
    /** danger: data is lost or the deploy fails; caution: a safeguard is weakened. */
    level: "danger" | "caution";
    message: string;
}

export interface ResourceChange {
    kind: ChangeKind;
    urn: string;
    type: string;
    name: string;
    /** Why it is replaced: the replace-on-change inputs that changed, or the replaced resource it depends on. */
    replaceReasons: string[];
    /** Inputs that change only because a resource they are computed from is replaced (unknown until it is). */
    recomputed: string[];
    warnings: Warning[];
    properties: PropertyChange[];
    /** The inputs of a created or deleted resource. */
    inputs?: Record<string, unknown>;
}

export interface StackDiff {
    stack: string;
    /** Position in deploy order (layer index; the all-in-one stack after every layer stack). */
    order: number;
    changes: ResourceChange[];
    outputChanges: PropertyChange[];
    /** Stack-level warnings (a missing manifest, a stack that appears or disappears). */
    warnings: Warning[];
}

export interface StageDiff {
    stage: string;
    /** The stage protects data (some resource has protect on either side). */
    protectedStage: boolean;
    stacks: StackDiff[];
}

/** Resource options compared besides the inputs. */
const OPTION_FIELDS = ["protect", "retainOnDelete", "parent", "provider"] as const;

/** Inputs that live in a resource's data or guard it: what happens to it on replace or delete. */
interface DataBearing {
    /** What the resource holds; undefined when this resource (by its inputs) holds nothing. */
    holds(inputs: Record<string, unknown>): string | undefined;
    /** What a replace or delete does to it, protection aside. */
    fate(kind: "replace" | "delete", inputs: Record<string, unknown>): string;
}

const DATA_BEARING: Record<string, DataBearing> = {
    "aws:s3/bucket:Bucket": {
        holds: () => "its objects",
        fate: (kind, inputs) =>
            inputs.forceDestroy === true
                ? `its objects are deleted with it (forceDestroy: true): the data is lost${kind === "replace" ? " and the new bucket starts empty" : ""}`
                : kind === "replace"
                  ? "the old bucket cannot be deleted while it holds objects (forceDestroy: false): the update fails after creating the new, empty bucket"
                  : "deleting it fails while it holds objects (forceDestroy: false)",
    },
    "aws:kms/key:Key": {
        holds: () => "the stage's encrypted data",
        fate: (_kind, inputs) =>
            `the key is scheduled for deletion (${(inputs.deletionWindowInDays as number | undefined) ?? 30}-day window): every object, table and log encrypted with it becomes unreadable once it is gone`,
    },
    "aws:glue/catalogDatabase:CatalogDatabase": {
        holds: () => "its tables",
        fate: () => "Glue deletes its tables and their partitions with it: queries fail until they are re-created (the files in S3 stay)",
    },
    "aws:glue/catalogTable:CatalogTable": {
        holds: (inputs) => (inputs.tableType === "VIRTUAL_VIEW" ? undefined : "its partitions"),
        fate: () => "its partitions are dropped from the catalog: queries see no data until the crawler runs again (the files in S3 stay)",
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        holds: () => "its log events",
        fate: () => "its log events are deleted",
    },
    "aws-native:quicksight:DataSet": {
        holds: (inputs) => (inputs.importMode === "SPICE" ? "its SPICE data" : undefined),
        fate: () => "its imported SPICE data is dropped; dashboards show nothing until the next refresh imports it again",
    },
};

function pathOf(segments: (string | number)[]): string {
    return segments.map((segment, index) => (typeof segment === "number" ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join("");
}

function leafChanges(before: object, after: object): InputChange[] {
    return diff(before as Record<string, unknown>, after as Record<string, unknown>).map((change) => ({
        path: pathOf(change.path),
        ...(change.type !== "CREATE" ? { before: change.oldValue as unknown } : {}),
        ...(change.type !== "REMOVE" ? { after: change.value as unknown } : {}),
    }));
}

/** Leaf changes grouped by top-level key, each group with the whole property on both sides. */
function groupByProperty(before: Record<string, unknown>, after: Record<string, unknown>, prefix = ""): PropertyChange[] {
    const groups = new Map<string, InputChange[]>();
    for (const change of leafChanges(before, after)) {
        const key = /^[^.[]+/.exec(change.path)?.[0] ?? change.path;
        groups.set(key, [...(groups.get(key) ?? []), change]);
    }
    return [...groups].map(([key, changes]) => ({
        property: `${prefix}${key}`,
        ...(key in before ? { before: before[key] } : {}),
        ...(key in after ? { after: after[key] } : {}),
        changes: changes.map((change) => ({ ...change, path: `${prefix}${change.path}` })),
        forcesReplacement: false,
    }));
}

function optionsOf(resource: ManifestResource): Record<string, unknown> {
    return Object.fromEntries(OPTION_FIELDS.map((field) => [field, resource[field]]));
}

/** The stack's position in deploy order. */
export function deployOrder(stack: string): number {
    try {
        const target = resolveStack(stack);
        return target.topology === "all-in-one" ? LAYERS.length : LAYERS.indexOf(target.layers[0]);
    } catch {
        return LAYERS.length + 1;
    }
}

interface Context {
    protectedStage: boolean;
}

function dataWarnings(kind: "replace" | "delete", resource: ManifestResource): Warning[] {
    const bearing = DATA_BEARING[resource.type];
    const holds = bearing?.holds(resource.inputs);
    const verb = kind === "replace" ? "replacing" : "deleting";
    // What happens to the data once the delete (of the old resource, on a replace) goes through.
    const consequence = () =>
        resource.retainOnDelete
            ? `the old one stays in AWS with ${holds}, no longer managed (retainOnDelete: true)${kind === "replace" ? ", and the new one starts empty" : ""}`
            : bearing.fate(kind, resource.inputs);
    if (resource.protect) {
        return [
            {
                level: "danger",
                message: `${verb} a protected resource${holds === undefined ? "" : ` that holds ${holds}`}: the deploy is blocked (protect: true) until protect is removed in a separate change${holds === undefined ? "" : `; after that, ${consequence()}`}`,
            },
        ];
    }
    if (bearing === undefined || holds === undefined) return [];
    return [{ level: "danger", message: `${verb} it: ${consequence()}` }];
}

function optionWarnings(before: ManifestResource | undefined, after: ManifestResource | undefined, context: Context): Warning[] {
    const warnings: Warning[] = [];
    if (before?.protect && after !== undefined && !after.protect)
        warnings.push({ level: "caution", message: "removes protect: pulumi will no longer refuse to delete or replace it" });
    if (before?.retainOnDelete && after !== undefined && !after.retainOnDelete)
        warnings.push({ level: "caution", message: "removes retainOnDelete: deleting it from the program deletes it in AWS" });
    if (after?.type === "aws:s3/bucket:Bucket" && after.inputs.forceDestroy === true && before?.inputs.forceDestroy !== true && context.protectedStage) {
        warnings.push({ level: "danger", message: "turns forceDestroy on in a stage that protects its data: a delete or replace would empty the bucket" });
    }
    if (after?.type.startsWith("pulumi:providers:") && before !== undefined && before.inputs.region !== after.inputs.region) {
        warnings.push({
            level: "danger",
            message: `changes the provider's region (${String(before.inputs.region)} → ${String(after.inputs.region)}): existing resources are not moved (pulumi/pulumi-aws#5656); destroy the stage in the old region first`,
        });
    }
    return warnings;
}

/** The diff of one stack, before replacements are propagated to dependents. */
function diffStack(base: Manifest | undefined, head: Manifest | undefined, context: Context): StackDiff {
    const stack = head?.stack ?? base?.stack ?? "(none)";
    const before = new Map((base?.resources ?? []).map((resource) => [resource.urn, resource]));
    const after = new Map((head?.resources ?? []).map((resource) => [resource.urn, resource]));
    // A head resource with a base resource's URN among its aliases is that resource moved (a new
    // parent or name), as the engine sees it: compared with it, not created beside its deletion.
    for (const resource of head?.resources ?? []) {
        const moved = (resource.aliases ?? []).find((alias) => before.has(alias) && !after.has(alias) && !before.has(resource.urn));
        if (moved === undefined) continue;
        before.set(resource.urn, before.get(moved)!);
        before.delete(moved);
    }
    const urns = [...new Set([...before.keys(), ...after.keys()])].sort();
    const changes: ResourceChange[] = [];
    for (const urn of urns) {
        const old = before.get(urn);
        const current = after.get(urn);
        const resource = (current ?? old)!;
        if (resource.read) continue; // StackReferences: read, never changed by a deploy.
        const common = { urn, type: resource.type, name: resource.name, replaceReasons: [] as string[], recomputed: [] as string[] };
        if (old === undefined) {
            changes.push({ ...common, kind: "create", warnings: optionWarnings(undefined, current, context), properties: [], inputs: current!.inputs });
            continue;
        }
        if (current === undefined) {
            changes.push({ ...common, kind: "delete", warnings: dataWarnings("delete", old), properties: [], inputs: old.inputs });
            continue;
        }
        // A component has no cloud counterpart: only its creation or deletion is worth showing.
        if (!current.custom) continue;
        const properties = [...groupByProperty(old.inputs, current.inputs), ...groupByProperty(optionsOf(old), optionsOf(current), "options.")];
        if (properties.length === 0) continue;
        const warnings = optionWarnings(old, current, context);
        let kind: ChangeKind = "update";
        {
            const inputPaths = properties
                .filter((property) => !property.property.startsWith("options."))
                .flatMap((property) => property.changes.map((change) => change.path));
            const triggers = replacementTriggers(resource.type, inputPaths);
            if (triggers === undefined) {
                warnings.push({
                    level: "caution",
                    message: `${resource.type} is not in tools/diff/replacements.ts: whether this replaces it is unknown (shown as an update)`,
                });
            } else if (triggers.length > 0) {
                kind = "replace";
                common.replaceReasons.push(...triggers.map((trigger) => `${trigger} changed`));
                for (const property of properties) property.forcesReplacement = triggers.some((trigger) => trigger.split(/[.[]/)[0] === property.property);
                warnings.unshift(...dataWarnings("replace", old));
            }
        }
        changes.push({ ...common, kind, warnings, properties });
    }
    const outputChanges = groupByProperty(base?.outputs ?? {}, head?.outputs ?? {});
    const warnings: Warning[] = [];
    if (base === undefined && head !== undefined) warnings.push({ level: "caution", message: "new stack: every resource is created (a new layer or stage)" });
    if (head === undefined && base !== undefined)
        warnings.push({
            level: "danger",
            message: "the stack is gone from the head: its resources are not destroyed by a deploy, only by `npm run stage -- destroy`",
        });
    return { stack, order: deployOrder(stack), changes, outputChanges, warnings };
}

/**
 * A replaced resource gets a new id and outputs, unknown until it exists: an input computed from it
 * forces its own resource's replacement when that input is replace-on-change, and changes in place
 * otherwise — exactly what `pulumi preview` shows. Repeated until nothing more is replaced.
 */
function propagateReplacements(stackDiff: StackDiff, head: Manifest | undefined, base: Manifest | undefined, context: Context): void {
    if (head === undefined) return;
    const byUrn = new Map(stackDiff.changes.map((change) => [change.urn, change]));
    const baseUrns = new Set((base?.resources ?? []).map((resource) => resource.urn));
    let changed = true;
    while (changed) {
        changed = false;
        const replaced = new Map(stackDiff.changes.filter((change) => change.kind === "replace").map((change) => [change.urn, change.name]));
        for (const resource of head.resources) {
            if (!resource.custom || resource.read || !baseUrns.has(resource.urn)) continue;
            const existing = byUrn.get(resource.urn);
            if (existing?.kind === "replace") continue;
            for (const [property, dependencies] of Object.entries(resource.propertyDependencies)) {
                const upstream = dependencies.filter((urn) => replaced.has(urn));
                if (upstream.length === 0) continue;
                const names = upstream.map((urn) => replaced.get(urn)).join(", ");
                let change = byUrn.get(resource.urn);
                if (change === undefined) {
                    change = {
                        kind: "update",
                        urn: resource.urn,
                        type: resource.type,
                        name: resource.name,
                        replaceReasons: [],
                        recomputed: [],
                        warnings: [],
                        properties: [],
                    };
                    stackDiff.changes.push(change);
                    byUrn.set(resource.urn, change);
                    changed = true;
                }
                const forces = (REPLACEMENT_RULES[resource.type]?.properties ?? []).some((trigger) => trigger.split(/[.[]/)[0] === property);
                if (forces) {
                    change.kind = "replace";
                    change.replaceReasons.push(`${property} is computed from ${names}, which is replaced`);
                    const baseResource = base!.resources.find((candidate) => candidate.urn === resource.urn)!;
                    change.warnings.unshift(...dataWarnings("replace", baseResource));
                    changed = true;
                    break;
                }
                const shownAlready =
                    change.properties.some((shown) => shown.property === property) || change.recomputed.some((entry) => entry.startsWith(`${property} `));
                if (!shownAlready) change.recomputed.push(`${property} (from ${names})`);
            }
        }
    }
    void context;
    stackDiff.changes.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}

/** What applying `head` over `base` would change in one stack (resources matched by URN). */
export function diffManifests(base: Manifest | undefined, head: Manifest | undefined, options: { protectedStage?: boolean } = {}): StackDiff {
    const context = { protectedStage: options.protectedStage ?? isProtected([base, head]) };
    const stackDiff = diffStack(base, head, context);
    propagateReplacements(stackDiff, head, base, context);
    return stackDiff;
}

function isProtected(manifests: (Manifest | undefined)[]): boolean {
    return manifests.some((manifest) => manifest?.resources.some((resource) => resource.protect) ?? false);
}

/** Every stack of a stage, in deploy order; `base` and `head` are keyed by stack name. */
export function diffStage(stage: string, base: ReadonlyMap<string, Manifest>, head: ReadonlyMap<string, Manifest>): StageDiff {
    const protectedStage = isProtected([...base.values(), ...head.values()]);
    const stacks = [...new Set([...base.keys(), ...head.keys()])]
        .map((stack) => diffManifests(base.get(stack), head.get(stack), { protectedStage }))
        .sort((a, b) => a.order - b.order || a.stack.localeCompare(b.stack));
    return { stage, protectedStage, stacks };
}

export const CHANGE_KINDS: readonly ChangeKind[] = ["create", "update", "replace", "delete"];

export function countKinds(changes: readonly ResourceChange[]): Record<ChangeKind, number> {
    return Object.fromEntries(CHANGE_KINDS.map((kind) => [kind, changes.filter((change) => change.kind === kind).length])) as Record<ChangeKind, number>;
}

/** Every warning of a stage, with where it comes from. */
export function stageWarnings(stageDiff: StageDiff): { stack: string; resource?: ResourceChange; warning: Warning }[] {
    return stageDiff.stacks.flatMap((stackDiff) => [
        ...stackDiff.warnings.map((warning) => ({ stack: stackDiff.stack, warning })),
        ...stackDiff.changes.flatMap((change) => change.warnings.map((warning) => ({ stack: stackDiff.stack, resource: change, warning }))),
    ]);
}

export function stackWarningCount(stackDiff: StackDiff): number {
    return stackDiff.warnings.length + stackDiff.changes.reduce((sum, change) => sum + change.warnings.length, 0);
}

export function isEmpty(stackDiff: StackDiff): boolean {
    return stackDiff.changes.length === 0 && stackDiff.outputChanges.length === 0 && stackDiff.warnings.length === 0;
}
