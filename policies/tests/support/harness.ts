import * as assert from "assert";
import { PolicyCheck } from "../../../workbench/policyCheck/check";
import type { CheckSettings } from "../../../ops/policyConfig/stageSettings";
import { Manifest, ManifestResource, UNKNOWN_MASK } from "../../model/manifest";
import type { PolicyReport, Violation } from "../../../workbench/policyCheck/report";
import type { StageSettings } from "../../../model/guardrails";

/**
 * Runs fixtures through the real pack, started as the engine starts it and asked over the analyzer
 * protocol: the same driver as `npm run policy`. Starting the pack takes seconds, so every spec file
 * shares one, stopped after the whole run.
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

let shared: Promise<PolicyCheck> | undefined;

export function sharedCheck(): Promise<PolicyCheck> {
    shared ??= PolicyCheck.start();
    return shared;
}

// A root-level hook (registered when the first spec imports this module): runs once, after every spec.
after(async () => {
    if (shared !== undefined) await (await shared).stop();
});

/** A value the engine cannot know during preview (computed from another resource's outputs). */
export const UNKNOWN = UNKNOWN_MASK;

export interface FixtureResource {
    type: string;
    name: string;
    inputs?: Record<string, unknown>;
    protect?: boolean;
    /** For each input, the fixture resources (by name) it was computed from: propertyDependencies. */
    from?: Record<string, string[]>;
    /** The fixture provider resource (by name) that manages this one. */
    provider?: string;
    /** The fixture resource (by name) this one is a child of. */
    parent?: string;
}

/** A hand-written stack, in the manifest shape synthesis produces. */
export function fixtureManifest(stack: string, resources: FixtureResource[]): Manifest {
    const urn = (resource: FixtureResource) => `urn:pulumi:${stack}::${PROJECT}::${resource.type}::${resource.name}`;
    const byName = new Map(resources.map((resource) => [resource.name, resource]));
    const urnOf = (name: string) => {
        const resource = byName.get(name);
        if (resource === undefined) throw new Error(`fixture refers to ${name}, which it does not declare`);
        return urn(resource);
    };
    const entries: ManifestResource[] = resources.map((resource) => {
        const propertyDependencies = Object.fromEntries(Object.entries(resource.from ?? {}).map(([property, names]) => [property, names.map(urnOf)]));
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
            inputs: JSON.parse(JSON.stringify(resource.inputs ?? {})) as Record<string, unknown>,
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

export interface EvaluateOptions {
    /** The fixture stage whose settings apply; dev unless given. */
    stage?: string;
    /** The stack the fixture belongs to; `<stage>-storage` unless given. */
    stack?: string;
    /** Settings that differ from the fixture stage's. */
    settings?: Partial<StageSettings>;
}

/** The pack's report on one fixture stack. */
export async function evaluate(resources: FixtureResource[], options: EvaluateOptions = {}): Promise<PolicyReport> {
    const stage = options.stage ?? "dev";
    const check = await sharedCheck();
    return check.evaluate([fixtureManifest(options.stack ?? `${stage}-storage`, resources)], fixtureCheckSettings(stage, options.settings));
}

export function violations(report: PolicyReport, policy?: string): Violation[] {
    return report.stacks.flatMap((stack) => stack.violations).filter((violation) => policy === undefined || violation.policy === policy);
}

/** Asserts `policy` reports nothing on the fixture. */
export async function assertCompliant(policy: string, resources: FixtureResource[], options?: EvaluateOptions): Promise<void> {
    const found = violations(await evaluate(resources, options), policy);
    assert.deepStrictEqual(
        found.map((violation) => violation.message),
        [],
        `${policy} should accept the fixture`,
    );
}

/**
 * Asserts `policy` reports exactly `expected.length` violations whose messages match, in order, the
 * expected patterns, on the named resources (when given). Returns them for further checks.
 */
export async function assertViolations(
    policy: string,
    resources: FixtureResource[],
    expected: { resource?: string; message: RegExp }[],
    options?: EvaluateOptions,
): Promise<Violation[]> {
    const found = violations(await evaluate(resources, options), policy);
    const describe = () =>
        JSON.stringify(
            found.map(({ resourceName, message }) => ({ resourceName, message })),
            null,
            2,
        );
    assert.strictEqual(found.length, expected.length, `${policy}: expected ${expected.length} violation(s), got ${describe()}`);
    expected.forEach((want, index) => {
        assert.match(found[index].message, want.message, `${policy}: violation ${index} ${describe()}`);
        if (want.resource !== undefined) assert.strictEqual(found[index].resourceName, want.resource, `${policy}: violation ${index} ${describe()}`);
    });
    // Every violation tells how to fix it.
    for (const violation of found) assert.match(violation.message, /\nRemediation: \S/);
    return found;
}
