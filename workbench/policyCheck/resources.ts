import { AnalyzedResource, UNKNOWN_VALUE } from "./analyzer";
import { Manifest, ManifestResource, UNKNOWN_MASK } from "../../model/manifest";

/**
 * Manifest resources as the engine would describe them to a policy pack during `pulumi preview`.
 *
 * What differs from the engine, by construction of an offline check:
 * - properties are the program's inputs; the engine sends inputs after the provider's Check (which
 *   may add defaults such as auto-names) to Analyze, and planned outputs to AnalyzeStack;
 * - secrets arrive masked ("[secret]"), unknowns as the engine's unknown sentinel;
 * - retainOnDelete is not sent: the analyzer protocol has no field for it.
 */

/** `<provider urn>::<provider id>` → the provider's URN. */
function providerUrn(reference: string): string {
    return reference.slice(0, reference.lastIndexOf("::"));
}

/** The engine's unknown sentinel wherever synthesis recorded an unknown value. */
function withUnknowns(value: unknown): unknown {
    if (value === UNKNOWN_MASK) return UNKNOWN_VALUE;
    if (Array.isArray(value)) return value.map(withUnknowns);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withUnknowns(inner)]));
    }
    return value;
}

function analyzed(resource: ManifestResource, provider: AnalyzedResource["provider"]): AnalyzedResource {
    return {
        type: resource.type,
        urn: resource.urn,
        name: resource.name,
        properties: withUnknowns(resource.inputs) as Record<string, unknown>,
        protect: resource.protect,
        parent: resource.parent ?? undefined,
        dependencies: resource.dependencies,
        propertyDependencies: resource.propertyDependencies,
        provider,
    };
}

function isProvider(resource: ManifestResource): boolean {
    return resource.type.startsWith("pulumi:providers:");
}

function defaultProviderUrn(manifest: Manifest, pkg: string): string {
    return `urn:pulumi:${manifest.stack}::${manifest.project}::pulumi:providers:${pkg}::default`;
}

/**
 * The engine's default provider of a package: what serves resources registered without an explicit
 * provider, configured from the stack config's `<package>:` keys (aws:region, aws:defaultTags...).
 */
function defaultProvider(manifest: Manifest, pkg: string, stackConfig: Record<string, string>): ManifestResource {
    return {
        urn: defaultProviderUrn(manifest, pkg),
        type: `pulumi:providers:${pkg}`,
        name: "default",
        custom: true,
        read: false,
        parent: null,
        provider: null,
        protect: false,
        retainOnDelete: false,
        dependencies: [],
        propertyDependencies: {},
        inputs: Object.fromEntries(
            Object.entries(stackConfig).flatMap(([key, value]) => (key.startsWith(`${pkg}:`) ? [[key.slice(pkg.length + 1), value]] : [])),
        ),
    };
}

export interface StackResources {
    /** Resources the engine would pass to Analyze as it registers them (not reads). */
    registered: AnalyzedResource[];
    /** Every resource of the stack, for AnalyzeStack. */
    all: AnalyzedResource[];
}

export function stackResources(manifest: Manifest, stackConfig: Record<string, string>): StackResources {
    const resources = [...manifest.resources];
    const needsDefault = (resource: ManifestResource) => resource.custom && !resource.read && resource.provider === null && !isProvider(resource);
    for (const pkg of new Set(resources.filter(needsDefault).map((resource) => resource.type.split(":")[0]))) {
        resources.push(defaultProvider(manifest, pkg, stackConfig));
    }
    const providers = new Map(resources.filter(isProvider).map((provider) => [provider.urn, provider]));
    const providerOf = (resource: ManifestResource): AnalyzedResource["provider"] => {
        if (!resource.custom || isProvider(resource)) return undefined;
        const urn = resource.provider === null ? defaultProviderUrn(manifest, resource.type.split(":")[0]) : providerUrn(resource.provider);
        const provider = providers.get(urn);
        if (provider === undefined) return undefined;
        return { type: provider.type, urn: provider.urn, name: provider.name, properties: withUnknowns(provider.inputs) as Record<string, unknown> };
    };
    const all = resources.map((resource) => analyzed(resource, providerOf(resource)));
    return { registered: all.filter((_, index) => !resources[index].read), all };
}
