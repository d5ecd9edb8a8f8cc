import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadStageConfig, StageConfig } from "./config";
import { EtlLayer, ETL_STORAGE_INPUTS } from "./layers/etl";
import { QueriesLayer, QUERIES_ETL_INPUTS, QUERIES_STORAGE_INPUTS } from "./layers/queries";
import { StorageLayer } from "./layers/storage";
import { loadQueryCatalog } from "./queries/catalog";
import { Layer, resolveStack } from "./stacks";
import { layerTags } from "./tags";
import { LayerOutputs, LayerWiring } from "./wiring";

type LayerBuilder = (config: StageConfig, wiring: LayerWiring, opts: pulumi.ComponentResourceOptions) => LayerOutputs;

/** How each layer is built. A layer without a builder is named in the stack model but not built yet. */
export const LAYER_BUILDERS: Partial<Record<Layer, LayerBuilder>> = {
    storage: (config, _wiring, opts) => new StorageLayer("storage", { config }, opts).outputs,
    etl: (config, wiring, opts) => new EtlLayer("etl", { config, storage: wiring.require("storage", ETL_STORAGE_INPUTS) }, opts).outputs,
    queries: (config, wiring, opts) =>
        new QueriesLayer(
            "queries",
            { config, catalog: loadQueryCatalog(), storage: wiring.require("storage", QUERIES_STORAGE_INPUTS), etl: wiring.require("etl", QUERIES_ETL_INPUTS) },
            opts,
        ).outputs,
};

/** The AWS provider of one layer: the stage's region, and the layer's required tags on everything. */
function layerProvider(config: StageConfig, layer: Layer): aws.Provider {
    return new aws.Provider(`${layer}-aws`, { region: config.region as aws.Region, defaultTags: { tags: layerTags(config, layer) } });
}

/**
 * Builds the stack `stackName`: resolves its stage and layers, validates the stage config, and only
 * then registers resources. Returns the stack outputs.
 */
export function buildStack(stackName: string): Record<string, pulumi.Output<string>> {
    const target = resolveStack(stackName);
    const config = loadStageConfig(target.stage);
    const unbuilt = target.layers.filter((layer) => LAYER_BUILDERS[layer] === undefined);
    if (target.topology === "layer" && unbuilt.length > 0) {
        throw new pulumi.RunError(`Layer ${unbuilt[0]} is part of the stack model but has no resources yet; nothing to deploy in ${stackName}.`);
    }
    const wiring = new LayerWiring(target, config);
    const outputs: Record<string, pulumi.Output<string>> = {};
    for (const layer of target.layers) {
        const build = LAYER_BUILDERS[layer];
        if (build === undefined) {
            continue;
        }
        const layerOutputs = build(config, wiring, { providers: [layerProvider(config, layer)] });
        wiring.provide(layer, layerOutputs);
        Object.assign(outputs, layerOutputs);
    }
    return outputs;
}
