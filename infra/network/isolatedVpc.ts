import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { StagePlan } from "../../model/stagePlan";
import type { AwsLocation } from "../awsLocation";
import { rejectArgProblems } from "../componentArgs";
import { VpcFlowLogs, vpcFlowLogsSettingProblems } from "./vpcFlowLogs";

/** The VPC's range; nothing is peered with it, so any private range does. */
const VPC_CIDR = "10.0.0.0/16";
/** 4096 addresses per job subnet: Glue takes one per worker and per run, and a run that finds none fails. */
const JOB_SUBNET_CIDR_MASK = 20;
/** As many job subnets as the VPC's range holds. */
const MAX_ZONES = 2 ** (JOB_SUBNET_CIDR_MASK - Number(VPC_CIDR.split("/")[1]));

/** One isolated subnet, with the zone a Glue connection in it must name. */
export interface JobSubnet {
    readonly id: string;
    readonly zone: string;
}

export interface IsolatedVpcArgs {
    /** The stage and the names of its flow-log group and role (model/stagePlan.ts). */
    readonly plan: Pick<StagePlan, "stage" | "network">;
    /** The stage's account and region: the flow-log key's policy and role name them. */
    readonly location: AwsLocation;
    /** How many availability zones, with one isolated job subnet in each: 1 to as many /20 subnets as the VPC's /16 holds (16). */
    readonly zones: number;
    /** How long the flow-log group keeps events, as spotify:logRetentionDays allows (one of CloudWatch Logs' retention periods). */
    readonly logRetentionDays: number;
    /** The waiting period before the flow-log key is deleted, as spotify:kmsDeletionWindowDays allows (7 to 30 days). */
    readonly kmsDeletionWindowDays: number;
    /** protect + retainOnDelete on the flow-log key: once the key is deleted, the logs it encrypted cannot be read. Default false. */
    readonly protectData?: boolean;
}

/**
 * Throws an error naming every arg of an IsolatedVpc that cannot work: a number of zones that is
 * not a whole number from 1 to what the VPC's range holds, or flow-log settings CloudWatch Logs or
 * KMS would refuse ({@link vpcFlowLogsSettingProblems}).
 */
export function validateIsolatedVpcArgs(args: IsolatedVpcArgs): void {
    rejectArgProblems("IsolatedVpcArgs", {
        zones:
            Number.isInteger(args.zones) && args.zones >= 1 && args.zones <= MAX_ZONES
                ? undefined
                : `must be a whole number from 1 to ${MAX_ZONES} (the /${JOB_SUBNET_CIDR_MASK} subnets ${VPC_CIDR} holds), got ${args.zones}`,
        ...vpcFlowLogsSettingProblems(args),
    });
}

/** The job subnets awsx reports as isolated, with their zones, in awsx's order; fails the run when awsx reports other than one per zone. */
function jobSubnetsOf(vpc: awsx.ec2.Vpc, vpcName: string, zones: number): pulumi.Output<JobSubnet[]> {
    return pulumi
        .all([vpc.isolatedSubnetIds, vpc.subnets.apply((subnets) => pulumi.all(subnets.map((subnet) => ({ id: subnet.id, zone: subnet.availabilityZone }))))])
        .apply(([ids, subnets]) => {
            if (ids.length !== zones) throw new Error(`awsx.ec2.Vpc ${vpcName} has ${ids.length} isolated subnets, expected ${zones}`);
            return ids.map((id) => {
                const subnet = subnets.find((candidate) => candidate.id === id);
                if (subnet === undefined) throw new Error(`awsx.ec2.Vpc ${vpcName} reports isolated subnet ${id} but not among its subnets`);
                return subnet;
            });
        });
}

/**
 * An awsx VPC whose only subnets are isolated ones, with no NAT gateway and no route out of the VPC,
 * and flow logs of all its traffic (VpcFlowLogs). `name` prefixes its children's names
 * (`<name>-vpc`, `<name>-key`, `<name>-flow-logs`, …).
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
        validateIsolatedVpcArgs(args);
        super("spotify:network:IsolatedVpc", name, {}, opts);
        const { zones } = args;

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
        const jobSubnets = jobSubnetsOf(vpc, `${name}-vpc`, zones);
        const flowLogs = new VpcFlowLogs(
            name,
            {
                plan: args.plan,
                vpcId: vpc.vpcId,
                location: args.location,
                logRetentionDays: args.logRetentionDays,
                kmsDeletionWindowDays: args.kmsDeletionWindowDays,
                protectData: args.protectData,
            },
            this,
        );

        this.vpcId = vpc.vpcId;
        this.jobSubnets = Array.from({ length: zones }, (_, index) => jobSubnets.apply((subnets) => subnets[index]));
        this.jobSubnetIds = jobSubnets.apply((subnets) => subnets.map((subnet) => subnet.id));
        this.routeTableIds = vpc.routeTables.apply((tables) => pulumi.all(tables.map((table) => table.id)));
        this.flowLogGroupName = flowLogs.logGroupName;
        this.registerOutputs({
            vpcId: this.vpcId,
            jobSubnetIds: this.jobSubnetIds,
            routeTableIds: this.routeTableIds,
            flowLogGroupName: this.flowLogGroupName,
        });
    }
}
