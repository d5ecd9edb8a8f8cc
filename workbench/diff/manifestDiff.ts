import diff from "microdiff";
import { LAYERS, resolveStack } from "../../model/stacks";
import type { Manifest, ManifestResource } from "../synth/manifestFile";
import { withProviderDefaults } from "../../engine/providerBehaviour";
import { componentReplacements, replacementTriggers, REPLACEMENT_RULES } from "../../engine/replacements";

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
    /**
     * blocking: AWS or Pulumi refuses the change, so the deploy fails (part-applied); data-loss: the
     * deploy goes through and loses data; caution: a safeguard is weakened or something needs a look.
     */
    level: WarningLevel;
    message: string;
}

/** Warning levels, most severe first: the order warnings are listed in. */
export const WARNING_LEVELS = ["blocking", "data-loss", "caution"] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

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

/** Resources that hold data or refuse deletion: what a replace or delete does to them. */
interface DataBearing {
    /** What the resource holds; undefined when this resource (by its inputs) holds nothing. */
    holds(inputs: Record<string, unknown>): string | undefined;
    /** What a replace or delete does to it, protection aside, and whether that fails or loses data. */
    fate(kind: "replace" | "delete", inputs: Record<string, unknown>): Warning;
}

const lost = (message: string): Warning => ({ level: "data-loss", message });
const fails = (message: string): Warning => ({ level: "blocking", message });

const DATA_BEARING: Record<string, DataBearing> = {
    "aws:s3/bucket:Bucket": {
        holds: () => "its objects",
        fate: (kind, inputs) =>
            inputs.forceDestroy === true
                ? lost(`its objects are deleted with it (forceDestroy: true): the data is lost${kind === "replace" ? " and the new bucket starts empty" : ""}`)
                : kind === "replace"
                  ? fails(
                        "the old bucket cannot be deleted while it holds objects (forceDestroy: false): the update fails after creating the new, empty bucket",
                    )
                  : fails("deleting it fails while it holds objects (forceDestroy: false)"),
    },
    "aws:kms/key:Key": {
        holds: () => "the stage's encrypted data",
        fate: (_kind, inputs) =>
            lost(
                `the key is scheduled for deletion (${(inputs.deletionWindowInDays as number | undefined) ?? 30}-day window): every object, table and log encrypted with it becomes unreadable once it is gone`,
            ),
    },
    "aws:glue/catalogDatabase:CatalogDatabase": {
        holds: () => "its tables",
        fate: () => lost("Glue deletes its tables and their partitions with it: queries fail until they are re-created (the files in S3 stay)"),
    },
    "aws:glue/catalogTable:CatalogTable": {
        holds: (inputs) => (inputs.tableType === "VIRTUAL_VIEW" ? undefined : inputs.openTableFormatInput === undefined ? "its partitions" : "its snapshots"),
        fate: (_kind, inputs) =>
            inputs.openTableFormatInput === undefined
                ? lost("its partitions are dropped from the catalog: queries see no data until they are added again (the files in S3 stay)")
                : lost(
                      "its Iceberg snapshots are dropped with it: the table reads empty until the next full run commits again, no rollback reaches the old snapshots, and orphan-file removal deletes their files",
                  ),
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        holds: () => "its log events",
        fate: () => lost("its log events are deleted"),
    },
    "aws:athena/workgroup:Workgroup": {
        holds: () => "its named queries and query history",
        fate: (kind, inputs) =>
            inputs.forceDestroy === true
                ? lost("its named queries and query history are deleted with it (forceDestroy: true)")
                : fails(
                      `deleting the ${kind === "replace" ? "old " : ""}workgroup fails while it holds named queries or query history (forceDestroy: false, Athena's DeleteWorkGroup without RecursiveDeleteOption): \`up\` fails at the end${kind === "replace" ? ", after creating the new one, with the old one left in place" : ""}`,
                  ),
    },
    "aws-native:quicksight:DataSet": {
        holds: (inputs) => (inputs.importMode === "SPICE" ? "its SPICE data" : undefined),
        fate: () => lost("its imported SPICE data is dropped; dashboards show nothing until the next refresh imports it again"),
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
export function groupByProperty(before: Record<string, unknown>, after: Record<string, unknown>, prefix = ""): PropertyChange[] {
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
    const consequence = (): Warning =>
        resource.retainOnDelete
            ? {
                  level: "caution",
                  message: `the old one stays in AWS with ${holds}, no longer managed (retainOnDelete: true)${kind === "replace" ? ", and the new one starts empty" : ""}`,
              }
            : bearing.fate(kind, withProviderDefaults(resource.type, resource.inputs));
    if (resource.protect) {
        return [
            fails(
                `${verb} a protected resource${holds === undefined ? "" : ` that holds ${holds}`}: the deploy is blocked (protect: true) until protect is removed in a separate change${holds === undefined ? "" : `; after that, ${consequence().message}`}`,
            ),
        ];
    }
    if (bearing === undefined || holds === undefined) return [];
    const fate = consequence();
    return [{ level: fate.level, message: `${verb} it: ${fate.message}` }];
}

function optionWarnings(before: ManifestResource | undefined, after: ManifestResource | undefined, context: Context): Warning[] {
    const warnings: Warning[] = [];
    if (before?.protect && after !== undefined && !after.protect)
        warnings.push({ level: "caution", message: "removes protect: pulumi will no longer refuse to delete or replace it" });
    if (before?.retainOnDelete && after !== undefined && !after.retainOnDelete)
        warnings.push({ level: "caution", message: "removes retainOnDelete: deleting it from the program deletes it in AWS" });
    if (after?.type === "aws:s3/bucket:Bucket" && after.inputs.forceDestroy === true && before?.inputs.forceDestroy !== true && context.protectedStage) {
        warnings.push(lost("turns forceDestroy on in a stage that protects its data: a delete or replace would empty the bucket"));
    }
    if (after?.type.startsWith("pulumi:providers:") && before !== undefined && before.inputs.region !== after.inputs.region) {
        warnings.push(
            fails(
                `changes the provider's region (${String(before.inputs.region)} → ${String(after.inputs.region)}): existing resources are not moved (pulumi/pulumi-aws#5656), and creating the global names (buckets, roles) again fails while the old ones exist; destroy the stage in the old region first`,
            ),
        );
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
        // Stating a provider default is no change: the provider stored it in state either way.
        const properties = [
            ...groupByProperty(withProviderDefaults(resource.type, old.inputs), withProviderDefaults(resource.type, current.inputs)),
            ...groupByProperty(optionsOf(old), optionsOf(current), "options."),
        ];
        if (properties.length === 0) continue;
        const warnings = optionWarnings(old, current, context);
        let kind: ChangeKind = "update";
        if (!current.custom) {
            // A component has no cloud counterpart; a change to its inputs is a change to its children.
            const inputPaths = properties.flatMap((property) =>
                property.property.startsWith("options.") ? [] : property.changes.map((change) => change.path),
            );
            const replaced = componentReplacements(resource.type, inputPaths);
            if (replaced === undefined) {
                // Our own components pass their inputs to children, whose changes are shown on them.
                if (resource.type.startsWith("spotify:")) continue;
                warnings.push({
                    level: "caution",
                    message: `${resource.type} is not in engine/replacements.ts COMPONENT_RULES: which of its children this replaces is unknown (shown as an update)`,
                });
            } else if (replaced.length > 0) {
                kind = "replace";
                common.replaceReasons.push(...replaced.map(({ input, children }) => `${input} changed: replaces ${children}`));
                for (const property of properties) property.forcesReplacement = replaced.some(({ input }) => input === property.property);
            }
        } else {
            const inputPaths = properties
                .filter((property) => !property.property.startsWith("options."))
                .flatMap((property) => property.changes.map((change) => change.path));
            const triggers = replacementTriggers(resource.type, inputPaths);
            if (triggers === undefined) {
                warnings.push({
                    level: "caution",
                    message: `${resource.type} is not in engine/replacements.ts: whether this replaces it is unknown (shown as an update)`,
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
            level: "caution",
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
        // A replaced component's children get new ids, which reach dependents as changed values
        // (content-addressed fake ids): only custom resources are unknown until they are replaced.
        const components = new Set(head.resources.filter((resource) => !resource.custom).map((resource) => resource.urn));
        const replaced = new Map(
            stackDiff.changes.filter((change) => change.kind === "replace" && !components.has(change.urn)).map((change) => [change.urn, change.name]),
        );
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

export interface LocatedWarning {
    stage: string;
    stack: string;
    resource?: ResourceChange;
    warning: Warning;
}

/** Every warning of a stage, with where it comes from: what fails first, then what loses data, then the rest, each in deploy order. */
export function stageWarnings(stageDiff: StageDiff): LocatedWarning[] {
    const located = stageDiff.stacks.flatMap((stackDiff) => [
        ...stackDiff.warnings.map((warning) => ({ stage: stageDiff.stage, stack: stackDiff.stack, warning })),
        ...stackDiff.changes.flatMap((change) =>
            change.warnings.map((warning) => ({ stage: stageDiff.stage, stack: stackDiff.stack, resource: change, warning })),
        ),
    ]);
    // Array.prototype.sort is stable: deploy order is kept within a level.
    return located.sort((a, b) => WARNING_LEVELS.indexOf(a.warning.level) - WARNING_LEVELS.indexOf(b.warning.level));
}

/** The stages in the order a reviewer must read them: those that protect data (prod) first, with warnings before without. */
export function rankedStages(stageDiffs: readonly StageDiff[]): StageDiff[] {
    const rank = (stageDiff: StageDiff) => (stageDiff.protectedStage ? 0 : 2) + (stageWarnings(stageDiff).length > 0 ? 0 : 1);
    return [...stageDiffs].sort((a, b) => rank(a) - rank(b));
}

/** Every warning of every stage, ranked: by stage (rankedStages), then by level. */
export function rankedWarnings(stageDiffs: readonly StageDiff[]): LocatedWarning[] {
    return rankedStages(stageDiffs).flatMap(stageWarnings);
}

export function stackWarningCount(stackDiff: StackDiff): number {
    return stackDiff.warnings.length + stackDiff.changes.reduce((sum, change) => sum + change.warnings.length, 0);
}

export function isEmpty(stackDiff: StackDiff): boolean {
    return stackDiff.changes.length === 0 && stackDiff.outputChanges.length === 0 && stackDiff.warnings.length === 0;
}
