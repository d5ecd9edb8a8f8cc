import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsLocation } from "../awsLocation";
import { rejectArgProblems, stageSettingProblems } from "../componentArgs";
import type { StageConfig } from "../../model/stageConfig";
import { GlueNetwork } from "../network/glueNetwork";
import { IsolatedVpc } from "../network/isolatedVpc";
import { VpcEndpoints } from "../network/vpcEndpoints";
import type { BucketPurpose } from "../../model/naming";
import type { StagePlan } from "../../model/stagePlan";
import { JOB_AVAILABILITY_ZONES, NETWORK_OUTPUTS } from "../../model/layerOutputs";
import type { OutputsOf } from "../wiring";

/**
 * The network layer (spotify:network "isolated"): an awsx VPC whose only subnets are isolated ones,
 * in JOB_AVAILABILITY_ZONES zones, with no NAT gateway and no route out of the VPC. The Glue job
 * runs there through Glue NETWORK connections and reaches AWS only through the VPC endpoints;
 * the storage layer's data buckets deny whatever does not come through the S3 endpoint
 * (infra/storage/bucketPolicies.ts). With spotify:network "none" the layer declares nothing and its
 * stack stays empty (infra/program.ts).
 */

/** What may be reached from the VPC through the S3 gateway endpoint: the buckets the job uses. */
export const ENDPOINT_BUCKETS: readonly BucketPurpose[] = ["staging", "warehouse", "glue-assets"];

export type NetworkOutputs = OutputsOf<typeof NETWORK_OUTPUTS>;

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
