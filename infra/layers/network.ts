import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { AwsLocation } from "../awsLocation";
import { rejectArgProblems, stageSettingProblems } from "../componentArgs";
import type { StageConfig } from "../../model/stageConfig";
import { GlueNetwork } from "../network/glueNetwork";
import { IsolatedVpc } from "../network/isolatedVpc";
import { VpcEndpoints } from "../network/vpcEndpoints";
import type { BucketPurpose } from "../../model/naming";
import type { StagePlan } from "../../model/stagePlan";
import { OutputsOf, pickOutputs } from "../wiring";

/**
 * The network layer (spotify:network "isolated"): an awsx VPC whose only subnets are isolated ones,
 * in JOB_AVAILABILITY_ZONES zones, with no NAT gateway and no route out of the VPC. The Glue job
 * runs there through Glue NETWORK connections and reaches AWS only through the VPC endpoints;
 * the storage layer's data buckets deny whatever does not come through the S3 endpoint
 * (infra/storage/bucketPolicies.ts). With spotify:network "none" the layer declares nothing and its
 * stack stays empty (infra/program.ts).
 */

/** One NETWORK connection per zone: Glue moves a run to the next connection's subnet when a zone has no capacity. */
export const JOB_AVAILABILITY_ZONES = 2;

/** What may be reached from the VPC through the S3 gateway endpoint: the buckets the job uses. */
export const ENDPOINT_BUCKETS: readonly BucketPurpose[] = ["staging", "warehouse", "glue-assets"];

export const NETWORK_OUTPUTS = {
    vpcId: z.string(),
    jobSubnetIds: z.array(z.string()).length(JOB_AVAILABILITY_ZONES),
    glueSecurityGroupId: z.string(),
    glueConnectionNames: z.array(z.string()).length(JOB_AVAILABILITY_ZONES),
    s3EndpointId: z.string(),
    flowLogGroupName: z.string(),
};
export type NetworkOutputs = OutputsOf<typeof NETWORK_OUTPUTS>;

/** What the storage layer reads: the endpoint its bucket policies admit. */
export const STORAGE_NETWORK_INPUTS = pickOutputs(NETWORK_OUTPUTS, ["s3EndpointId"] as const);
export type StorageNetworkInputs = OutputsOf<typeof STORAGE_NETWORK_INPUTS>;
/** What the etl layer reads: the job's connections, and what its network interfaces use. */
export const ETL_NETWORK_INPUTS = pickOutputs(NETWORK_OUTPUTS, ["vpcId", "jobSubnetIds", "glueSecurityGroupId", "glueConnectionNames"] as const);
export type EtlNetworkInputs = OutputsOf<typeof ETL_NETWORK_INPUTS>;

/** The stage settings the network layer reads (model/stageConfig.ts). */
export const NETWORK_SETTINGS = ["region", "logRetentionDays", "kmsDeletionWindowDays", "protectData"] as const satisfies readonly (keyof StageConfig)[];
export type NetworkSettings = Pick<StageConfig, (typeof NETWORK_SETTINGS)[number]>;

export interface NetworkLayerArgs {
    /** The stage's settings, each held to its rule in the stage file: the whole StageConfig, or only what the layer reads. */
    readonly config: NetworkSettings;
    /** The stage's physical names (model/stagePlan.ts): flow logs, connections, and the buckets the S3 endpoint admits. */
    readonly plan: Pick<StagePlan, "stage" | "network" | "buckets">;
}

/** Throws an error naming every setting of a NetworkLayer that breaks its rule in the stage file (model/stageConfig.ts). */
export function validateNetworkLayerArgs(args: NetworkLayerArgs): void {
    rejectArgProblems("NetworkLayerArgs", stageSettingProblems(args.config, NETWORK_SETTINGS));
}

/**
 * VPC and flow logs → VPC endpoints → where Glue runs. The components are named like the layer,
 * so their children are named `network-vpc`, `network-s3`, `network-glue-1`, ….
 */
export class NetworkLayer extends pulumi.ComponentResource {
    public readonly outputs: NetworkOutputs;

    constructor(name: string, args: NetworkLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateNetworkLayerArgs(args);
        super("spotify:layers:Network", name, {}, opts);
        const { config, plan } = args;
        const partition = aws.getPartitionOutput({}, { parent: this });
        const location: AwsLocation = {
            partition: partition.partition,
            region: config.region,
            accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
        };

        const vpc = new IsolatedVpc(
            name,
            {
                plan,
                location,
                zones: JOB_AVAILABILITY_ZONES,
                logRetentionDays: config.logRetentionDays,
                kmsDeletionWindowDays: config.kmsDeletionWindowDays,
                protectData: config.protectData,
            },
            { parent: this },
        );
        const endpoints = new VpcEndpoints(
            name,
            {
                vpcId: vpc.vpcId,
                location,
                reverseDnsPrefix: partition.reverseDnsPrefix,
                routeTableIds: vpc.routeTableIds,
                subnetIds: vpc.jobSubnetIds,
                s3BucketNames: ENDPOINT_BUCKETS.map((purpose) => plan.buckets[purpose]),
            },
            { parent: this },
        );
        const glue = new GlueNetwork(name, { plan, vpcId: vpc.vpcId, subnets: vpc.jobSubnets, endpoints }, { parent: this });

        this.outputs = {
            vpcId: vpc.vpcId,
            jobSubnetIds: vpc.jobSubnetIds,
            glueSecurityGroupId: glue.securityGroupId,
            glueConnectionNames: glue.connectionNames,
            s3EndpointId: endpoints.s3EndpointId,
            flowLogGroupName: vpc.flowLogGroupName,
        };
        this.registerOutputs(this.outputs);
    }
}
