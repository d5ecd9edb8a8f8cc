import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { loadStageConfig, StageConfig } from "../model/stageConfig";
import { StagePlan, stagePlan } from "../model/stagePlan";
import { loadDashboard } from "./dashboards/definition";
import { DashboardsLayer } from "./layers/dashboards";
import { EtlLayer } from "./layers/etl";
import { NetworkLayer } from "./layers/network";
import { QueriesLayer } from "./layers/queries";
import {
    DASHBOARDS_ETL_INPUTS,
    DASHBOARDS_QUERIES_INPUTS,
    DASHBOARDS_STORAGE_INPUTS,
    ETL_NETWORK_INPUTS,
    ETL_STORAGE_INPUTS,
    OutputSchemas,
    QUERIES_ETL_INPUTS,
    QUERIES_STORAGE_INPUTS,
    STORAGE_NETWORK_INPUTS,
} from "../model/layerOutputs";
import { StorageLayer } from "./layers/storage";
import { loadQueryCatalog } from "../model/queryCatalog";
import { Layer, resolveStack, StackNameError } from "../model/stacks";
import { layerTags } from "../model/tags";
import { LayerOutputs, LayerWiring, OutputsOf } from "./wiring";
import { UserError } from "../model/userError";

type LayerBuilder = (config: StageConfig, plan: StagePlan, wiring: LayerWiring, opts: pulumi.ComponentResourceOptions) => LayerOutputs;

/** Whether the stage's config switches the layer on; one switched off declares nothing (model/stacks.ts). */
function layerEnabled(layer: Layer, config: StageConfig): boolean {
    return layer !== "network" || config.network === "isolated";
}

/** The network outputs a layer reads, when the stage has a network layer. */
function networkInputs<S extends OutputSchemas>(config: StageConfig, wiring: LayerWiring, schemas: S): OutputsOf<S> | undefined {
    return layerEnabled("network", config) ? wiring.require("network", schemas) : undefined;
}

/**
 * What each layer reads from the layers below it, checked before any resource is registered
 * ({@link LayerWiring.checkUpstream}); the builders below read exactly these (test/wiring.spec.ts).
 */
export const UPSTREAM_READS: Record<Layer, (config: StageConfig) => (readonly [Layer, OutputSchemas])[]> = {
    network: () => [],
    storage: (config) => (layerEnabled("network", config) ? [["network", STORAGE_NETWORK_INPUTS]] : []),
    etl: (config) => [["storage", ETL_STORAGE_INPUTS], ...(layerEnabled("network", config) ? [["network", ETL_NETWORK_INPUTS] as const] : [])],
    queries: () => [
        ["storage", QUERIES_STORAGE_INPUTS],
        ["etl", QUERIES_ETL_INPUTS],
    ],
    dashboards: () => [
        ["storage", DASHBOARDS_STORAGE_INPUTS],
        ["etl", DASHBOARDS_ETL_INPUTS],
        ["queries", DASHBOARDS_QUERIES_INPUTS],
    ],
};

/** How each layer is built, from the upstream outputs UPSTREAM_READS names. */
const LAYER_BUILDERS: Record<Layer, LayerBuilder> = {
    network: (config, plan, _wiring, opts) => new NetworkLayer("network", { config, plan }, opts).outputs,
    storage: (config, plan, wiring, opts) =>
        new StorageLayer("storage", { config, plan, network: networkInputs(config, wiring, STORAGE_NETWORK_INPUTS) }, opts).outputs,
    etl: (config, plan, wiring, opts) =>
        new EtlLayer(
            "etl",
            { config, plan, storage: wiring.require("storage", ETL_STORAGE_INPUTS), network: networkInputs(config, wiring, ETL_NETWORK_INPUTS) },
            opts,
        ).outputs,
    queries: (config, plan, wiring, opts) =>
        new QueriesLayer(
            "queries",
            {
                config,
                plan,
                catalog: loadQueryCatalog(),
                storage: wiring.require("storage", QUERIES_STORAGE_INPUTS),
                etl: wiring.require("etl", QUERIES_ETL_INPUTS),
            },
            opts,
        ).outputs,
    dashboards: (config, plan, wiring, opts) => {
        return new DashboardsLayer(
            "dashboards",
            {
                config,
                plan,
                dashboard: loadDashboard(),
                declaredViews: loadQueryCatalog().queries.filter((query) => query.kind === "view"),
                storage: wiring.require("storage", DASHBOARDS_STORAGE_INPUTS),
                etl: wiring.require("etl", DASHBOARDS_ETL_INPUTS),
                queries: wiring.require("queries", DASHBOARDS_QUERIES_INPUTS),
            },
            opts,
        ).outputs;
    },
};

/** Layers that declare aws-native resources (QuickSight definitions exist only there). */
const AWS_NATIVE_LAYERS: readonly Layer[] = ["dashboards"];

/** The providers of one layer: the stage's region, and the layer's required tags on everything. */
function layerProviders(config: StageConfig, layer: Layer): pulumi.ProviderResource[] {
    const tags = layerTags({ ...config, project: pulumi.getProject() }, layer);
    const providers: pulumi.ProviderResource[] = [new aws.Provider(`${layer}-aws`, { region: config.region as aws.Region, defaultTags: { tags } })];
    if (AWS_NATIVE_LAYERS.includes(layer)) {
        providers.push(new awsNative.Provider(`${layer}-aws-native`, { region: config.region as awsNative.Region, defaultTags: { tags } }));
    }
    return providers;
}

/**
 * Builds the stack `stackName`: resolves its stage and layers, validates the stage config (read from
 * `configFile`, when the caller knows which), checks every upstream output its layers read, and
 * only then registers resources. Resolves to the stack outputs.
 */
export async function buildStack(stackName: string, configFile?: string): Promise<LayerOutputs> {
    const target = resolveStackOrStop(stackName);
    const config = loadStageConfig(target.stage, configFile);
    const plan = stagePlan(config);
    const wiring = new LayerWiring(target, config);
    const layers = target.layers.filter((candidate) => layerEnabled(candidate, config));
    await wiring.checkUpstream(layers.flatMap((layer) => UPSTREAM_READS[layer](config)));
    const outputs: LayerOutputs = {};
    for (const layer of layers) {
        const layerOutputs = LAYER_BUILDERS[layer](config, plan, wiring, { providers: layerProviders(config, layer) });
        wiring.provide(layer, layerOutputs);
        Object.assign(outputs, layerOutputs);
    }
    return outputs;
}

/** resolveStack, a bad stack name reported as a RunError: the CLI prints its message without a stack trace. */
function resolveStackOrStop(stackName: string) {
    try {
        return resolveStack(stackName);
    } catch (error) {
        throw error instanceof StackNameError ? new UserError(error.message) : error;
    }
}
