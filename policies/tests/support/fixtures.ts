import type { Unwrap } from "@pulumi/pulumi";
import type { CheckSettings } from "../../../ops/policyConfig/stageSettings";
import type { StageSettings } from "../../model/guardrails";
import { Manifest, ManifestResource, UNKNOWN_MASK } from "../../model/manifest";

/**
 * Hand-written stacks for the pack's tests: resources declared with the inputs their provider SDK
 * types (so a property the resource does not have fails to type-check), the two fixture stages whose
 * settings give the policy config, and the manifest shape synthesis produces, which both the
 * in-process harness (inProcess.ts) and the check through the engine (harness.ts) read.
 */

/** The project the fixture stacks belong to (the repository's Pulumi project). */
export const PROJECT = "spotify-pipeline";

/**
 * The two stages the fixtures are written for, with the settings of the repository's dev (a
 * sandbox) and prod (protects its data, isolated network): the policy config of each is derived
 * from these as it is from a Pulumi.<stage>.yaml.
 */
export const FIXTURE_STAGES: Readonly<Record<string, StageSettings>> = {
    dev: {
        stage: "dev",
        namePrefix: "spotify",
        network: "none",
        protectData: false,
        accessLogging: false,
        tableMaintenance: true,
        quicksightOwners: ["arn:aws:quicksight:eu-west-1:111111111111:group/default/data-platform"],
        quicksightViewers: [],
        athenaWorkgroup: "spotify_dev_analytics",
        dataClassification: "internal",
    },
    prod: {
        stage: "prod",
        namePrefix: "spotify",
        network: "isolated",
        protectData: true,
        accessLogging: true,
        tableMaintenance: true,
        quicksightOwners: ["arn:aws:quicksight:eu-west-1:222222222222:group/default/data-platform"],
        quicksightViewers: ["arn:aws:quicksight:eu-west-1:222222222222:group/default/data-analysts"],
        athenaWorkgroup: "spotify_prod_analytics",
        dataClassification: "confidential",
    },
};

/** The check settings of a fixture stage, with some of its settings replaced. */
export function fixtureCheckSettings(stage: string, overrides: Partial<StageSettings> = {}): CheckSettings {
    const fixture = FIXTURE_STAGES[stage];
    if (fixture === undefined) throw new Error(`no fixture stage ${stage} (there are: ${Object.keys(FIXTURE_STAGES).join(", ")})`);
    const settings = { ...fixture, ...overrides };
    // The raw config ConfigureStack and the default aws provider receive, as a stage file holds it.
    const stageConfig = { "aws:region": "eu-west-1", "spotify:stage": settings.stage, "spotify:namePrefix": settings.namePrefix };
    return { stageConfig, settings, source: `the fixture stage ${stage}` };
}

/**
 * A value the engine cannot know during preview (computed from another resource's outputs). It
 * reaches the pack as the engine's unknown, which @pulumi/policy turns into an UnknownValueError
 * when a rule reads it.
 */
export const UNKNOWN = UNKNOWN_MASK;
export type Unknown = typeof UNKNOWN;

/**
 * A value as a fixture gives it: any part of it can be unknown, as in preview, and any property left
 * out (a fixture spells out what the rules under test read). Names and types are the SDK's.
 */
export type Previewed<T> = Unknown | (T extends readonly (infer E)[] ? Previewed<E>[] : T extends object ? { [K in keyof T]?: Previewed<T[K]> } : T);

/** A part of some inputs that a fixture spells out itself: present and known. */
export type Known<T> = Exclude<NonNullable<T>, Unknown>;

/**
 * A resource class of a provider SDK, as @pulumi/policy's validateResourceOfType takes one: its
 * constructor's args are the inputs a fixture of it may declare.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the rest of the constructor's parameters (options) do not matter here, as in validateResourceOfType
export type ResourceClass<TArgs> = new (name: string, args: TArgs, ...rest: any[]) => unknown;

/** The inputs of a resource whose class takes constructor args TArgs, as the pack reads them: plain values (see Previewed). */
export type InputsOf<TArgs> = { [K in keyof Unwrap<NonNullable<TArgs>>]?: Previewed<Unwrap<NonNullable<TArgs>>[K]> };

export interface FixtureOptions<TInputs extends object> {
    /** For each input, the fixture resources (by name) it was computed from: propertyDependencies. */
    from?: Partial<Record<keyof TInputs & string, readonly string[]>>;
    protect?: boolean;
    /** The fixture provider resource (by name) that manages this one; the engine's default provider when absent. */
    provider?: string;
    /** The fixture resource (by name) this one is a child of. */
    parent?: string;
}

export interface FixtureResource<TInputs extends object = object> extends FixtureOptions<TInputs> {
    type: string;
    name: string;
    inputs: TInputs;
}

/** The type token a provider SDK gives a resource class, which is what the engine sends the pack. */
function typeToken(resourceClass: unknown): string {
    const token = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
    if (typeof token !== "string" || token === "") {
        throw new Error(`${String((resourceClass as { name?: unknown }).name)} has no __pulumiType: not a resource class of a Pulumi provider SDK`);
    }
    // A provider class's token is its package ("aws"); the engine types the provider resource pulumi:providers:<package>.
    return token.includes(":") ? token : `pulumi:providers:${token}`;
}

/**
 * The generated provider classes send every input that is not a string as JSON text
 * (`pulumi.output(args.defaultTags).apply(JSON.stringify)`), so that is how the engine hands a
 * provider's inputs to the pack.
 */
function providerInputs(inputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(inputs).map(([key, value]) => [key, typeof value === "string" || value === undefined ? value : JSON.stringify(value)]),
    );
}

/** A resource of `resourceClass` named `name`, with inputs its SDK's args type allows. */
export function typed<TArgs>(
    resourceClass: ResourceClass<TArgs>,
    name: string,
    inputs: InputsOf<TArgs>,
    options: FixtureOptions<InputsOf<TArgs>> = {},
): FixtureResource<InputsOf<TArgs>> {
    const type = typeToken(resourceClass);
    const registered = type.startsWith("pulumi:providers:") ? (providerInputs(inputs) as InputsOf<TArgs>) : inputs;
    return { type, name, inputs: registered, ...options };
}

/**
 * A resource by type token with inputs no SDK type checks: for a package the pack's tests do not
 * install (awsx, a component library whose dependencies would double the pack's install).
 */
export function untyped(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    options: FixtureOptions<Record<string, unknown>> = {},
): FixtureResource<Record<string, unknown>> {
    return { type, name, inputs, ...options };
}

/** The resource with some of its inputs replaced (or removed, when given as undefined). */
export function withInputs<TInputs extends object>(resource: FixtureResource<TInputs>, inputs: Partial<TInputs>): FixtureResource<TInputs> {
    return { ...resource, inputs: { ...resource.inputs, ...inputs } };
}

/** A hand-written stack, in the manifest shape synthesis produces. */
export function fixtureManifest(stack: string, resources: readonly FixtureResource[]): Manifest {
    const urn = (resource: FixtureResource) => `urn:pulumi:${stack}::${PROJECT}::${resource.type}::${resource.name}`;
    const byName = new Map(resources.map((resource) => [resource.name, resource]));
    const urnOf = (name: string) => {
        const resource = byName.get(name);
        if (resource === undefined) throw new Error(`fixture refers to ${name}, which it does not declare`);
        return urn(resource);
    };
    const entries: ManifestResource[] = resources.map((resource) => {
        const propertyDependencies = Object.fromEntries(
            Object.entries(resource.from ?? {}).map(([property, names]) => [property, (names as readonly string[]).map(urnOf)]),
        );
        return {
            urn: urn(resource),
            type: resource.type,
            name: resource.name,
            custom: true,
            read: false,
            parent: resource.parent === undefined ? null : urnOf(resource.parent),
            provider: resource.provider === undefined ? null : `${urnOf(resource.provider)}::${resource.provider}-id`,
            protect: resource.protect ?? false,
            retainOnDelete: false,
            dependencies: [...new Set(Object.values(propertyDependencies).flat())],
            propertyDependencies,
            // Through JSON like a real manifest: fixtures may leave a property out by setting it undefined.
            inputs: JSON.parse(JSON.stringify(resource.inputs)) as Record<string, unknown>,
        };
    });
    const [stage] = stack.split("-");
    return {
        project: PROJECT,
        stack,
        stage,
        topology: stack === stage ? "all-in-one" : "layer",
        layers: [],
        fakeCloud: { account: "123456789012", region: "eu-west-1", partition: "aws" },
        outputs: {},
        resources: entries,
    };
}

export interface StackOptions {
    /** The fixture stage whose settings apply; dev unless given. */
    stage?: string;
    /** The stack the fixture belongs to; `<stage>-storage` unless given. */
    stack?: string;
    /** Settings that differ from the fixture stage's. */
    settings?: Partial<StageSettings>;
}

/** A fixture stack and the settings it is checked with. */
export function fixtureStack(resources: readonly FixtureResource[], options: StackOptions = {}): { manifest: Manifest; settings: CheckSettings } {
    const stage = options.stage ?? "dev";
    return { manifest: fixtureManifest(options.stack ?? `${stage}-storage`, resources), settings: fixtureCheckSettings(stage, options.settings) };
}
