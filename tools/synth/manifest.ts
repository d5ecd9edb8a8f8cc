/** The synthesized form of one stack: what tests, the policy check and the reviewer diff read. */
export interface Manifest {
    project: string;
    stack: string;
    stage: string;
    topology: "layer" | "all-in-one";
    layers: string[];
    fakeCloud: { account: string; region: string; partition: string };
    outputs: Record<string, unknown>;
    resources: ManifestResource[];
}

export interface ManifestResource {
    urn: string;
    type: string;
    name: string;
    /** False for component resources, which group others and have no cloud counterpart. */
    custom: boolean;
    /** True for resources read rather than managed (StackReferences). */
    read: boolean;
    parent: string | null;
    /**
     * Former URNs of the resource (its aliases, resolved), present only when it has any: the
     * engine treats a resource found under one of them as this one, moved rather than replaced.
     */
    aliases?: string[];
    /** `<provider urn>::<provider id>`, or null for components. */
    provider: string | null;
    protect: boolean;
    retainOnDelete: boolean;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    inputs: Record<string, unknown>;
}

export const SECRET_MASK = "[secret]";
export const UNKNOWN_MASK = "[unknown]";

/** JSON with object keys sorted at every level: the same manifest always has the same bytes. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
        );
    }
    return value;
}
