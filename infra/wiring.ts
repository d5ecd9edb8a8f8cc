import * as pulumi from "@pulumi/pulumi";
import type { StageConfig } from "./config";
import { Layer, layerStackName, StackTarget } from "./stacks";

const PROJECT = "spotify-pipeline";

export type LayerOutputs = Record<string, pulumi.Output<string>>;

/**
 * Upstream outputs for the layer being built. In an all-in-one stack they are the objects built
 * earlier in this process; in a layer stack they come from the upstream layer stacks through
 * StackReferences, which are the only thing that crosses stacks.
 */
export class LayerWiring {
    private readonly built = new Map<Layer, LayerOutputs>();
    private readonly references = new Map<Layer, pulumi.StackReference>();

    constructor(private readonly target: StackTarget, private readonly config: StageConfig) {}

    /** Records the outputs of a layer built in this process. */
    provide(layer: Layer, outputs: LayerOutputs): void {
        this.built.set(layer, outputs);
    }

    /** The named outputs of an upstream layer. */
    require<K extends string>(layer: Layer, keys: readonly K[]): Record<K, pulumi.Output<string>> {
        const inProcess = this.built.get(layer);
        if (inProcess !== undefined) {
            return Object.fromEntries(keys.map((key) => [key, inProcess[key]])) as Record<K, pulumi.Output<string>>;
        }
        if (this.target.topology === "all-in-one") {
            throw new Error(`Layer ${layer} must be built before the layers that read it.`);
        }
        const reference = this.reference(layer);
        return Object.fromEntries(keys.map((key) => [key, reference.requireOutput(key) as pulumi.Output<string>])) as Record<K, pulumi.Output<string>>;
    }

    private reference(layer: Layer): pulumi.StackReference {
        let reference = this.references.get(layer);
        if (reference === undefined) {
            const organization = this.config.stackReferenceOrg !== "" ? this.config.stackReferenceOrg : pulumi.getOrganization();
            const stack = layerStackName(this.target.stage, layer);
            reference = new pulumi.StackReference(stack, { name: `${organization}/${PROJECT}/${stack}` });
            this.references.set(layer, reference);
        }
        return reference;
    }
}
