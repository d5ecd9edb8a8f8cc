import * as pulumi from "@pulumi/pulumi";
import { buildStack } from "../../infra/program";
import { PROJECT_NAME } from "../../model/project";
import { resolveStack, StackTarget } from "../../model/stacks";
import { FAKE_ACCOUNT_ID, FAKE_PARTITION, fakeCloud, UpstreamOutputs } from "../../engine/fakeCloud";
import { mockMonitor, MonitorMethod, settledOutput, waitForRPCs } from "../sdkInternals";
import { Manifest, ManifestResource, SECRET_MASK, SYNTH_ORGANIZATION, UNKNOWN_MASK } from "./manifestFile";

export { SYNTH_ORGANIZATION };
/** The project the stacks run in, as under the CLI: Pulumi.yaml's. */
export const PROJECT = PROJECT_NAME;

export interface SynthesizeOptions {
    stackName: string;
    /** Raw stack config, as the runtime holds it (see readStageConfigFile). */
    config: Record<string, string>;
    /** Outputs of upstream stacks, keyed by `<org>/<project>/<stack>`. */
    upstream?: UpstreamOutputs;
    /** The file `config` was read from, named in config errors; absent when unknown (as under the Pulumi CLI). */
    configFile?: string;
    /** The Pulumi organization the stack runs in (default SYNTH_ORGANIZATION); StackReferences name it. */
    organization?: string;
    /** The program to run; the real one unless a test supplies a fixture program. */
    program?: (stackName: string) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** A stack that failed before or while registering resources, with what it had registered by then. */
export class SynthesisError extends Error {
    constructor(
        message: string,
        public readonly registered: ManifestResource[],
    ) {
        super(message);
    }
}

type RegisterRequest = {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getProvider(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(callback: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getObject(): unknown;
    getAliasesList(): AliasMessage[];
};
type AliasMessage = {
    getUrn(): string;
    getSpec(): { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
};
type ReadRequest = {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getDependenciesList(): string[];
    getProperties(): unknown;
};

/**
 * Runs one stack of the program under Pulumi's mock runtime and returns its manifest. Resources
 * are recorded from the registration requests themselves (parent, dependencies, options, inputs),
 * which is what the engine would receive.
 */
export function synthesizeStack(options: SynthesizeOptions): Promise<Manifest> {
    // The mock runtime is process-global: one stack at a time, whoever asks.
    const run = exclusive.then(() => synthesizeExclusively(options));
    exclusive = run.catch(() => undefined);
    return run;
}

let exclusive: Promise<unknown> = Promise.resolve();

async function synthesizeExclusively(options: SynthesizeOptions): Promise<Manifest> {
    const region = options.config["aws:region"] ?? "unset";
    await pulumi.runtime.setMocks(
        fakeCloud(region, options.upstream ?? new Map()),
        PROJECT,
        options.stackName,
        true,
        options.organization ?? SYNTH_ORGANIZATION,
    );
    pulumi.runtime.setAllConfig(options.config);
    const registered = recordRegistrations();
    const unhandled = unhandledRejections();

    let outputs: Record<string, unknown>;
    let target: StackTarget;
    try {
        target = resolveStack(options.stackName);
        const stackOutputs = options.program !== undefined ? options.program(options.stackName) : buildStack(options.stackName, options.configFile);
        outputs = await settle(await stackOutputs);
        await waitForRPCs();
        await unhandled.settled();
    } catch (error) {
        await waitForRPCs().catch(() => undefined);
        throw new SynthesisError(error instanceof Error ? error.message : String(error), await finalize(registered));
    } finally {
        unhandled.stop();
    }
    return {
        project: PROJECT,
        stack: options.stackName,
        stage: target.stage,
        topology: target.topology,
        layers: [...target.layers],
        fakeCloud: { account: FAKE_ACCOUNT_ID, region, partition: FAKE_PARTITION },
        outputs: (await mask(outputs)) as Record<string, unknown>,
        resources: await finalize(registered),
    };
}

/**
 * The rejections nobody handles while a stack runs. A resource whose inputs fail to resolve never
 * reaches the monitor, so nothing records it; Pulumi's own runtime (cmd/run) fails the run on the
 * unhandled rejection it leaves, and so does the synthesis, instead of returning a manifest without
 * that resource.
 */
function unhandledRejections(): { settled(): Promise<void>; stop(): void } {
    const reasons: unknown[] = [];
    const record = (reason: unknown) => reasons.push(reason);
    process.on("unhandledRejection", record);
    return {
        async settled() {
            // Node reports a rejection as unhandled once the microtasks after it have run.
            await new Promise((resolve) => setImmediate(resolve));
            if (reasons.length > 0) {
                const messages = reasons.map((reason) => `- ${reason instanceof Error ? reason.message : String(reason)}`);
                throw new Error(`the program failed while registering resources:\n${[...new Set(messages)].join("\n")}`);
            }
        },
        stop: () => process.off("unhandledRejection", record),
    };
}

/** What registrations and reads have in common: identity, parent, provider, dependencies. */
function commonFields(request: Pick<ReadRequest, "getType" | "getName" | "getParent" | "getProvider" | "getDependenciesList">, urn: string) {
    return {
        urn,
        type: request.getType(),
        name: request.getName(),
        parent: request.getParent() || null,
        provider: request.getProvider() || null,
        dependencies: [...new Set(request.getDependenciesList())].sort(),
    };
}

/** Wraps a monitor method so every successful request is also recorded. */
function recording<R>(method: MonitorMethod<R>, record: (request: R, urn: string) => void): MonitorMethod<R> {
    return (request, callback) =>
        method(request, (error, response) => {
            if (!error && response) record(request, response.getUrn());
            callback(error, response);
        });
}

/**
 * The URN the engine gives a resource: its type qualified by the parent's whole type chain (the
 * mock runtime puts only the parent's own type there), the root stack left out.
 */
export function engineUrn(parent: string, type: string, name: string): string {
    const parentType = parent === "" ? "" : parent.split("::")[2];
    const qualifiedType = parentType === "" || parentType === "pulumi:pulumi:Stack" ? type : `${parentType}$${type}`;
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualifiedType}::${name}`;
}

function recordRegistrations(): ManifestResource[] {
    const registered: ManifestResource[] = [];
    const monitor = mockMonitor<RegisterRequest, ReadRequest>();
    monitor.newUrn = engineUrn;
    monitor.registerResource = recording(monitor.registerResource.bind(monitor), (request, urn) => {
        const propertyDependencies: Record<string, string[]> = {};
        request.getPropertydependenciesMap().forEach((value, key) => {
            propertyDependencies[key] = [...value.getUrnsList()].sort();
        });
        const aliases = request.getAliasesList().map((alias) => aliasUrn(alias, request));
        registered.push({
            ...commonFields(request, urn),
            ...(aliases.length > 0 ? { aliases: [...new Set(aliases)].sort() } : {}),
            custom: request.getCustom(),
            read: false,
            protect: request.getProtect() ?? false,
            retainOnDelete: request.getRetainondelete() ?? false,
            propertyDependencies,
            inputs: pulumi.runtime.deserializeProperties(request.getObject() as never),
        });
    });
    monitor.readResource = recording(monitor.readResource.bind(monitor), (request, urn) => {
        registered.push({
            ...commonFields(request, urn),
            custom: true,
            read: true,
            protect: false,
            retainOnDelete: false,
            propertyDependencies: {},
            inputs: pulumi.runtime.deserializeProperties(request.getProperties() as never),
        });
    });
    return registered;
}

/**
 * The URN an alias stands for, with the engine's defaults (the resource's own name, type, stack,
 * project and parent) filled in, built as the engine builds URNs (engineUrn).
 */
function aliasUrn(alias: AliasMessage, request: RegisterRequest): string {
    const spec = alias.getSpec();
    if (spec === undefined) return alias.getUrn();
    const parent = spec.getNoparent() ? "" : spec.getParenturn() || request.getParent();
    const urn = engineUrn(parent, spec.getType() || request.getType(), spec.getName() || request.getName());
    const stack = spec.getStack() || pulumi.getStack();
    const project = spec.getProject() || pulumi.getProject();
    return urn.replace(/^urn:pulumi:[^:]*::[^:]*::/, `urn:pulumi:${stack}::${project}::`);
}

/**
 * Resolves stack outputs, keeping unknown values visible instead of waiting forever on them, and
 * masking secret ones (an output holding a secret anywhere is secret as a whole).
 */
async function settle(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const entries = await Promise.all(
        Object.entries(outputs).map(async ([key, value]) => {
            const output = settledOutput(value);
            return [key, (await output.isSecret) ? SECRET_MASK : await output.promise(true)] as const;
        }),
    );
    return Object.fromEntries(entries);
}

/** Masks secrets and unknowns, and resolves assets to their (program-relative) path or text. */
async function mask(value: unknown): Promise<unknown> {
    if (value === pulumi.runtime.unknownValue || pulumi.Output.isInstance(value)) return UNKNOWN_MASK;
    if (value instanceof Promise) return mask(await value);
    if (Array.isArray(value)) return Promise.all(value.map(mask));
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return SECRET_MASK;
        const entries = await Promise.all(Object.entries(record).map(async ([key, inner]) => [key, await mask(inner)] as const));
        return Object.fromEntries(entries);
    }
    return value;
}

/** Masks every recorded resource's inputs and orders resources by URN. */
async function finalize(registered: ManifestResource[]): Promise<ManifestResource[]> {
    const masked = await Promise.all(registered.map(async (resource) => ({ ...resource, inputs: (await mask(resource.inputs)) as Record<string, unknown> })));
    return sortByUrn(masked);
}

function sortByUrn(resources: ManifestResource[]): ManifestResource[] {
    return [...resources].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}
