// The manifest shape is defined here, beside the driver that feeds manifests to the pack, so the
// pack's own tests build them without the repository; workbench/synth/manifestFile.ts writes them.

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

/** Organization the offline stacks run in: the mock runtime reports it (StackReferences of layer stacks are named with it) and the check passes it to ConfigureStack. */
export const SYNTH_ORGANIZATION = "organization";
