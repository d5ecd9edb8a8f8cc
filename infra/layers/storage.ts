import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StageConfig } from "../../model/stageConfig";
import type { StagePlan } from "../../model/stagePlan";
import type { AwsLocation } from "../awsLocation";
import { rejectArgProblems, stageSettingProblems } from "../componentArgs";
import { AccessLogsBucket } from "../storage/accessLogsBucket";
import { DataKey } from "../storage/dataKey";
import { PipelineBuckets } from "../storage/pipelineBuckets";
import { STORAGE_NETWORK_INPUTS, STORAGE_OUTPUTS } from "../../model/layerOutputs";
import type { OutputsOf } from "../wiring";

/** The network layer's outputs the storage layer reads. */
export type StorageNetworkInputs = OutputsOf<typeof STORAGE_NETWORK_INPUTS>;

export type StorageOutputs = OutputsOf<typeof STORAGE_OUTPUTS>;

/** The stage settings the storage layer reads (model/stageConfig.ts). */
export const STORAGE_SETTINGS = [
    "region",
    "protectData",
    "allowTeardown",
    "kmsDeletionWindowDays",
    "accessLogging",
    "accessLogRetentionDays",
    "noncurrentVersionRetentionDays",
    "stagingInfrequentAccessDays",
    "athenaResultsRetentionDays",
] as const satisfies readonly (keyof StageConfig)[];
export type StorageSettings = Pick<StageConfig, (typeof STORAGE_SETTINGS)[number]>;

export interface StorageLayerArgs {
    /** The stage's settings, each held to its rule in the stage file: the whole StageConfig, or only what the layer reads. */
    readonly config: StorageSettings;
    /** The stage's physical names and data layout (model/stagePlan.ts). */
    readonly plan: Pick<StagePlan, "stage" | "buckets" | "layout" | "dataKeyAlias" | "externalRoles" | "etl">;
    /** The network layer's outputs, with spotify:network "isolated": the data buckets admit only its S3 endpoint. Default: no network layer. */
    readonly network?: StorageNetworkInputs;
}

/**
 * Throws an error naming every setting of a StorageLayer that breaks its rule in the stage file
 * (model/stageConfig.ts), and protectData with allowTeardown, which the stage file refuses too.
 */
export function validateStorageLayerArgs(args: StorageLayerArgs): void {
    const { config } = args;
    rejectArgProblems("StorageLayerArgs", {
        ...stageSettingProblems(config, STORAGE_SETTINGS),
        "config.allowTeardown":
            config.protectData && config.allowTeardown ? "must be false when protectData is true (protected data cannot be force-destroyed)" : undefined,
    });
}

/**
 * The storage layer: the stage's customer-managed data key, the access-logs bucket, and the four
 * buckets the pipeline works in. Everything the pipeline stores is encrypted with that key, except
 * access logs, which S3 can only write SSE-S3.
 */
export class StorageLayer extends pulumi.ComponentResource {
    public readonly outputs: StorageOutputs;

    constructor(name: string, args: StorageLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateStorageLayerArgs(args);
        super("spotify:layers:Storage", name, {}, opts);
        const { config, plan, network } = args;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const location: AwsLocation = { partition: aws.getPartitionOutput({}, { parent: this }).partition, region: config.region, accountId };

        const dataKey = new DataKey(
            `${name}-data-key`,
            { plan, location, kmsDeletionWindowDays: config.kmsDeletionWindowDays, protectData: config.protectData },
            this,
        );
        const accessLogs = new AccessLogsBucket(
            `${name}-access-logs`,
            {
                bucketName: plan.buckets["access-logs"],
                prefix: plan.layout.accessLogs,
                accessLogRetentionDays: config.accessLogRetentionDays,
                location,
                forceDestroy: config.allowTeardown,
            },
            this,
        );
        const { buckets } = new PipelineBuckets(
            name,
            {
                bucketNames: plan.buckets,
                dataKeyArn: dataKey.arn,
                accessLogs: config.accessLogging ? accessLogs : undefined,
                endpointOnly: network === undefined ? undefined : { s3EndpointId: network.s3EndpointId, plan },
                location,
                noncurrentVersionRetentionDays: config.noncurrentVersionRetentionDays,
                stagingInfrequentAccessDays: config.stagingInfrequentAccessDays,
                athenaResultsRetentionDays: config.athenaResultsRetentionDays,
                forceDestroy: config.allowTeardown,
                protectData: config.protectData,
            },
            this,
        );

        const { staging, warehouse } = buckets;
        this.outputs = {
            dataKeyArn: dataKey.arn,
            stagingBucketName: staging.name,
            stagingBucketArn: staging.arn,
            warehouseBucketName: warehouse.name,
            warehouseBucketArn: warehouse.arn,
            athenaResultsBucketName: buckets["athena-results"].name,
            athenaResultsBucketArn: buckets["athena-results"].arn,
            glueAssetsBucketName: buckets["glue-assets"].name,
            glueAssetsBucketArn: buckets["glue-assets"].arn,
            accessLogsBucketName: accessLogs.bucket.name,
            accessLogsBucketArn: accessLogs.bucket.arn,
            stagingPrefix: pulumi.interpolate`s3://${staging.name}/`,
            warehousePrefix: pulumi.interpolate`s3://${warehouse.name}/${plan.layout.warehouseTable}`,
            rejectedPrefix: pulumi.interpolate`s3://${warehouse.name}/${plan.layout.rejected}`,
        };
        this.registerOutputs(this.outputs);
    }
}
