import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SecureBucket, SecureBucketArgs } from "../storage/secureBucket";
import type { StageConfig } from "../../model/stageConfig";
import { BucketPurpose, DATA_BUCKET_PURPOSES } from "../../model/naming";
import { DATA_LAYOUT, StagePlan } from "../../model/stagePlan";
import { OutputsOf, stringOutputs } from "../wiring";
import { endpointOnlyStatements } from "../storage/bucketPolicies";
import type { StorageNetworkInputs } from "./network";
import { logsKeyStatements } from "../logsKeyPolicy";

export const STORAGE_OUTPUT_KEYS = [
    "dataKeyArn",
    "stagingBucketName",
    "stagingBucketArn",
    "warehouseBucketName",
    "warehouseBucketArn",
    "athenaResultsBucketName",
    "athenaResultsBucketArn",
    "glueAssetsBucketName",
    "glueAssetsBucketArn",
    "accessLogsBucketName",
    "accessLogsBucketArn",
    "stagingPrefix",
    "warehousePrefix",
    "rejectedPrefix",
] as const;
export const STORAGE_OUTPUTS = stringOutputs(STORAGE_OUTPUT_KEYS);
export type StorageOutputs = OutputsOf<typeof STORAGE_OUTPUTS>;

export interface StorageLayerArgs {
    config: StageConfig;
    /** The stage's physical names (model/stagePlan.ts). */
    plan: StagePlan;
    /** The network layer's outputs, with spotify:network "isolated": the data buckets admit only its S3 endpoint. */
    network?: StorageNetworkInputs;
}

/**
 * The storage layer: the stage's customer-managed data key and its five buckets. Everything the
 * pipeline stores is encrypted with that key, except access logs, which S3 can only write SSE-S3.
 */
export class StorageLayer extends pulumi.ComponentResource {
    public readonly outputs: StorageOutputs;

    constructor(name: string, args: StorageLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("spotify:layers:Storage", name, {}, opts);
        const { config, plan } = args;
        const protectData = config.protectData;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;

        const dataKey = new aws.kms.Key(
            `${name}-data-key`,
            {
                description: `spotify-pipeline ${config.stage}: encrypts staging, warehouse, query results, Glue and logs`,
                enableKeyRotation: true,
                deletionWindowInDays: config.kmsDeletionWindowDays,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    // CloudWatch Logs encrypts the pipeline's log groups with this key.
                    Statement: logsKeyStatements({
                        location: { partition, region: config.region, accountId },
                        logsSid: "CloudWatchLogsUsesKey",
                        logGroups: {
                            ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${partition}:logs:${config.region}:${accountId}:*` },
                        },
                    }),
                }),
            },
            { parent: this, protect: protectData, retainOnDelete: protectData },
        );
        new aws.kms.Alias(`${name}-data-key-alias`, { name: plan.dataKeyAlias, targetKeyId: dataKey.keyId }, { parent: this });

        const bucket = (purpose: BucketPurpose, extra: Omit<SecureBucketArgs, "bucketName" | "role" | "encryption" | "forceDestroy" | "protectData">) => {
            const isDataBucket = DATA_BUCKET_PURPOSES.includes(purpose);
            return new SecureBucket(
                `${name}-${purpose}`,
                {
                    bucketName: plan.buckets[purpose],
                    role: purpose,
                    encryption: purpose === "access-logs" ? { kind: "s3" } : { kind: "kms", keyArn: dataKey.arn },
                    forceDestroy: config.allowTeardown,
                    protectData: protectData && isDataBucket,
                    versioned: isDataBucket,
                    ...extra,
                },
                { parent: this },
            );
        };

        const accessLogs = bucket("access-logs", {
            lifecycleRules: [expireAfter("expire-access-logs", config.accessLogRetentionDays)],
            policyStatements: [
                {
                    // S3 server access logging writes as this service principal, only for our own buckets.
                    Sid: "S3ServerAccessLogsDelivery",
                    Effect: "Allow",
                    Principal: { Service: "logging.s3.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: pulumi.interpolate`arn:${partition}:s3:::${plan.buckets["access-logs"]}/${DATA_LAYOUT.accessLogs}*`,
                    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
                },
            ],
        });
        const accessLogsFor = (purpose: BucketPurpose) =>
            config.accessLogging ? { accessLogs: { bucketName: accessLogs.name, prefix: `${DATA_LAYOUT.accessLogs}${purpose}/` } } : {};
        const noncurrentExpiry = {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: config.noncurrentVersionRetentionDays },
        };

        const network = args.network;
        const endpointOnly = (purpose: BucketPurpose) =>
            network === undefined
                ? {}
                : {
                      policyStatements: endpointOnlyStatements({
                          bucketArn: pulumi.interpolate`arn:${partition}:s3:::${plan.buckets[purpose]}`,
                          s3EndpointId: network.s3EndpointId,
                          plan,
                          location: { partition, region: config.region, accountId },
                      }),
                  };

        const staging = bucket("staging", {
            ...accessLogsFor("staging"),
            ...endpointOnly("staging"),
            lifecycleRules: [
                noncurrentExpiry,
                {
                    id: "staging-to-infrequent-access",
                    status: "Enabled",
                    filter: {},
                    transitions: [{ days: config.stagingInfrequentAccessDays, storageClass: "STANDARD_IA" }],
                },
            ],
        });
        const warehouse = bucket("warehouse", { ...accessLogsFor("warehouse"), ...endpointOnly("warehouse"), lifecycleRules: [noncurrentExpiry] });
        const athenaResults = bucket("athena-results", {
            lifecycleRules: [expireAfter("expire-query-results", config.athenaResultsRetentionDays)],
        });
        const glueAssets = bucket("glue-assets", {
            lifecycleRules: [{ ...expireAfter("expire-glue-temp", 7), filter: { prefix: DATA_LAYOUT.glueTemp } }],
        });

        this.outputs = {
            dataKeyArn: dataKey.arn,
            stagingBucketName: staging.name,
            stagingBucketArn: staging.arn,
            warehouseBucketName: warehouse.name,
            warehouseBucketArn: warehouse.arn,
            athenaResultsBucketName: athenaResults.name,
            athenaResultsBucketArn: athenaResults.arn,
            glueAssetsBucketName: glueAssets.name,
            glueAssetsBucketArn: glueAssets.arn,
            accessLogsBucketName: accessLogs.name,
            accessLogsBucketArn: accessLogs.arn,
            stagingPrefix: pulumi.interpolate`s3://${staging.name}/`,
            warehousePrefix: pulumi.interpolate`s3://${warehouse.name}/${DATA_LAYOUT.warehouseTable}`,
            rejectedPrefix: pulumi.interpolate`s3://${warehouse.name}/${DATA_LAYOUT.rejected}`,
        };
        this.registerOutputs(this.outputs);
    }
}

function expireAfter(id: string, days: number) {
    return { id, status: "Enabled", filter: {}, expiration: { days } };
}
