import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { arnIn, AwsLocation } from "../awsLocation";
import type { StagePlan } from "../../model/stagePlan";
import { logsKeyStatements } from "../logsKeyPolicy";

/** The VPC's range; nothing is peered with it, so any private range does. */
const VPC_CIDR = "10.0.0.0/16";
/** 4096 addresses per job subnet: Glue takes one per worker and per run, and a run that finds none fails. */
const JOB_SUBNET_CIDR_MASK = 20;

/** One isolated subnet, with the zone a Glue connection in it must name. */
export interface JobSubnet {
    id: string;
    zone: string;
}

export interface IsolatedVpcArgs {
    /** The stage and the names of its flow-log group and role (model/stagePlan.ts). */
    plan: Pick<StagePlan, "stage" | "network">;
    location: AwsLocation;
    /** How many availability zones, with one isolated job subnet in each. */
    zones: number;
    /** How long the flow-log group keeps events. */
    logRetentionDays: number;
    /** The waiting period before the flow-log key is deleted. */
    kmsDeletionWindowDays: number;
    /** protect + retainOnDelete on the flow-log key: once the key is deleted, the logs it encrypted cannot be read. Default false. */
    protectData?: boolean;
}

/**
 * An awsx VPC whose only subnets are isolated ones, with no NAT gateway and no route out of the VPC,
 * and flow logs of all its traffic to a log group encrypted with a key of its own. `name` prefixes
 * its children's names (`<name>-vpc`, `<name>-key`, `<name>-flow-logs`, …).
 */
export class IsolatedVpc extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    /** The job subnets, one per zone in awsx's order. */
    public readonly jobSubnets: pulumi.Output<JobSubnet>[];
    public readonly jobSubnetIds: pulumi.Output<string[]>;
    /** The subnets' route tables, which have no route: a gateway endpoint adds its own. */
    public readonly routeTableIds: pulumi.Output<string[]>;
    public readonly flowLogGroupName: pulumi.Output<string>;

    constructor(name: string, args: IsolatedVpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("spotify:network:IsolatedVpc", name, {}, opts);
        const { plan, location, zones } = args;
        const protectData = args.protectData ?? false;

        // awsx creates the VPC, the isolated subnets and their route tables (no route in them), and
        // an internet gateway it always attaches (free, and unused: no subnet routes to it).
        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: VPC_CIDR,
                numberOfAvailabilityZones: zones,
                subnetStrategy: "Auto",
                subnetSpecs: [{ type: "Isolated", name: "jobs", cidrMask: JOB_SUBNET_CIDR_MASK }],
                natGateways: { strategy: "None" },
                // Interface endpoints answer under the services' own names only with both on.
                enableDnsHostnames: true,
                enableDnsSupport: true,
            },
            { parent: this },
        );
        const jobSubnets = pulumi
            .all([
                vpc.isolatedSubnetIds,
                vpc.subnets.apply((subnets) => pulumi.all(subnets.map((subnet) => ({ id: subnet.id, zone: subnet.availabilityZone })))),
            ])
            .apply(([ids, subnets]) => {
                if (ids.length !== zones) throw new Error(`awsx.ec2.Vpc ${name}-vpc has ${ids.length} isolated subnets, expected ${zones}`);
                return ids.map((id) => {
                    const subnet = subnets.find((candidate) => candidate.id === id);
                    if (subnet === undefined) throw new Error(`awsx.ec2.Vpc ${name}-vpc reports isolated subnet ${id} but not among its subnets`);
                    return subnet;
                });
            });

        const flowLogGroupName = plan.network.flowLogGroup;
        const flowLogGroupArn = arnIn(location, "logs", `log-group:${flowLogGroupName}`);
        // The network's own key: the stage's data key belongs to the storage layer, above this one.
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `spotify-pipeline ${plan.stage}: encrypts the VPC flow logs`,
                enableKeyRotation: true,
                deletionWindowInDays: args.kmsDeletionWindowDays,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: logsKeyStatements({
                        location,
                        logsSid: "CloudWatchLogsEncryptsFlowLogs",
                        logGroups: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": flowLogGroupArn } },
                    }),
                }),
            },
            { parent: this, protect: protectData, retainOnDelete: protectData },
        );
        const flowLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: flowLogGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: key.arn },
            { parent: this },
        );
        const flowLogRole = new aws.iam.Role(
            `${name}-flow-logs-role`,
            {
                name: plan.network.flowLogsRole,
                description: `spotify-pipeline ${plan.stage}: VPC flow logs write to their log group`,
                assumeRolePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: { StringEquals: { "aws:SourceAccount": location.accountId } },
                        },
                    ],
                }),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs-permissions`,
            {
                role: flowLogRole.name,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "WriteFlowLogGroup",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [flowLogGroupArn, pulumi.interpolate`${flowLogGroupArn}:*`],
                        },
                        { Sid: "FindLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
                    ],
                }),
            },
            { parent: this },
        );
        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            { vpcId: vpc.vpcId, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: flowLogGroup.arn, iamRoleArn: flowLogRole.arn },
            { parent: this },
        );

        this.vpcId = vpc.vpcId;
        this.jobSubnets = Array.from({ length: zones }, (_, index) => jobSubnets.apply((subnets) => subnets[index]));
        this.jobSubnetIds = jobSubnets.apply((subnets) => subnets.map((subnet) => subnet.id));
        this.routeTableIds = vpc.routeTables.apply((tables) => pulumi.all(tables.map((table) => table.id)));
        this.flowLogGroupName = flowLogGroup.name;
        this.registerOutputs({
            vpcId: this.vpcId,
            jobSubnetIds: this.jobSubnetIds,
            routeTableIds: this.routeTableIds,
            flowLogGroupName: this.flowLogGroupName,
        });
    }
}
