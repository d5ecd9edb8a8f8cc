import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { StageConfig } from "../config";
import { bucketName, BucketPurpose, glueName, NamingScope } from "../../policies/conventions/naming";
import { OutputsOf, pickOutputs } from "../wiring";

/**
 * The network layer (spotify:network "isolated"): an awsx VPC whose only subnets are isolated ones,
 * in JOB_AVAILABILITY_ZONES zones, with no NAT gateway and no route out of the VPC. The Glue job and
 * crawler run there through Glue NETWORK connections and reach AWS only through the VPC endpoints
 * declared below; the storage layer's data buckets deny whatever does not come through the S3
 * endpoint (endpointOnlyStatements). With spotify:network "none" the layer declares nothing and its
 * stack stays empty (infra/program.ts).
 */

/** One NETWORK connection per zone: Glue moves a run to the next connection's subnet when a zone has no capacity. */
export const JOB_AVAILABILITY_ZONES = 2;
/** The VPC's range; nothing is peered with it, so any private range does. */
const VPC_CIDR = "10.0.0.0/16";
/** 4096 addresses per job subnet: Glue takes one per worker and per run, and a run that finds none fails. */
const JOB_SUBNET_CIDR_MASK = 20;

/** What may be reached from the VPC through the S3 gateway endpoint: the buckets the job and crawler use. */
export const ENDPOINT_BUCKETS: readonly BucketPurpose[] = ["staging", "warehouse", "glue-assets"];

/**
 * Roles that keep access to the data buckets from outside the VPC endpoint, created outside this
 * program (README.md, "Network isolation"): the deploy role `pulumi up` runs as, which manages the
 * buckets, the read-only role of previews and drift checks, which reads their configuration but no
 * object (PreviewRoleReadsNoObjects), and the break-glass role for incidents.
 */
export function exemptRoleNames(scope: NamingScope): { deploy: string; preview: string; breakGlass: string } {
    const head = `${scope.namePrefix}-${scope.stage}`;
    return { deploy: `${head}-deploy`, preview: `${head}-preview`, breakGlass: `${head}-break-glass` };
}

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
/** What the etl layer reads: the connections of the job and crawler, and what their network interfaces use. */
export const ETL_NETWORK_INPUTS = pickOutputs(NETWORK_OUTPUTS, ["vpcId", "jobSubnetIds", "glueSecurityGroupId", "glueConnectionNames"] as const);
export type EtlNetworkInputs = OutputsOf<typeof ETL_NETWORK_INPUTS>;

interface Location {
    partition: pulumi.Input<string>;
    region: string;
    accountId: pulumi.Input<string>;
}

/**
 * The bucket-policy statements of a data bucket under network isolation. Statements in a bucket
 * policy cannot name roles that may not exist yet as principals (S3 rejects the policy), so the
 * exempt roles are matched by aws:PrincipalArn in conditions instead.
 */
export function endpointOnlyStatements(args: { bucketArn: pulumi.Input<string>; s3EndpointId: pulumi.Input<string>; scope: NamingScope; location: Location }): aws.iam.PolicyStatement[] {
    const { partition, accountId } = args.location;
    const roles = exemptRoleNames(args.scope);
    const roleArn = (roleName: string) => pulumi.interpolate`arn:${partition}:iam::${accountId}:role/${roleName}`;
    const bucketAndObjects = [args.bucketArn, pulumi.interpolate`${args.bucketArn}/*`];
    return [
        {
            // Every condition must hold for the deny to apply: the request did not come through the
            // stage's S3 endpoint, is not made by an exempt role, and is not Athena's. Athena reads
            // S3 with the caller's own credentials from outside any VPC, with aws:CalledVia holding
            // athena.amazonaws.com; that is how QuickSight (through its service role, SPICE imports
            // included) and the queries layer's views read the warehouse, still limited by IAM.
            // ForAllValues is true when aws:CalledVia is absent, so direct calls stay denied.
            Sid: "DenyOutsideVpcEndpoint",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: bucketAndObjects,
            Condition: {
                StringNotEquals: { "aws:SourceVpce": args.s3EndpointId },
                ArnNotEquals: { "aws:PrincipalArn": [roles.deploy, roles.preview, roles.breakGlass].map(roleArn) },
                "ForAllValues:StringNotEquals": { "aws:CalledVia": ["athena.amazonaws.com"] },
            },
        },
        {
            // The preview role reads the buckets' configuration for previews and drift checks; its
            // exemption above is not a way around the endpoint to the data.
            Sid: "PreviewRoleReadsNoObjects",
            Effect: "Deny",
            Principal: "*",
            Action: ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject"],
            Resource: pulumi.interpolate`${args.bucketArn}/*`,
            Condition: { ArnEquals: { "aws:PrincipalArn": roleArn(roles.preview) } },
        },
    ];
}

/** How the Glue job and crawler run in the job subnets (etl layer). */
export interface GlueNetworkAccess {
    /** The job's connections, one per zone: Glue uses the next when a run finds no capacity in one. */
    jobConnectionNames: pulumi.Output<string[]>;
    /** A crawler's catalog target takes a single connection. */
    crawlerConnectionName: pulumi.Output<string>;
    /** What the job and crawler roles need for that: Glue creates the runs' network interfaces as the run's role. */
    roleStatements: aws.iam.PolicyStatement[];
}

export function glueNetworkAccess(network: EtlNetworkInputs, location: Location): GlueNetworkAccess {
    return {
        jobConnectionNames: network.glueConnectionNames,
        crawlerConnectionName: network.glueConnectionNames.apply((names) => names[0]),
        roleStatements: glueNetworkStatements(network, location),
    };
}

/** Describe the network, and create, tag and delete network interfaces in this VPC only. */
function glueNetworkStatements(network: EtlNetworkInputs, location: Location): aws.iam.PolicyStatement[] {
    const ec2 = (resource: pulumi.Input<string>) => pulumi.interpolate`arn:${location.partition}:ec2:${location.region}:${location.accountId}:${resource}`;
    const inThisVpc = { ArnEquals: { "ec2:Vpc": ec2(pulumi.interpolate`vpc/${network.vpcId}`) } };
    return [
        {
            Sid: "DescribeJobNetwork",
            Effect: "Allow",
            Action: [
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcAttribute",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeVpcEndpoints",
                "ec2:DescribeRouteTables",
            ],
            Resource: "*",
        },
        {
            Sid: "UseJobSubnetsAndSecurityGroup",
            Effect: "Allow",
            Action: "ec2:CreateNetworkInterface",
            Resource: pulumi
                .all([network.jobSubnetIds, network.glueSecurityGroupId, location.partition, location.accountId])
                .apply(([subnetIds, groupId, partition, accountId]) =>
                    [...subnetIds.map((id) => `subnet/${id}`), `security-group/${groupId}`].map((resource) => `arn:${partition}:ec2:${location.region}:${accountId}:${resource}`),
                ),
        },
        {
            Sid: "ManageJobNetworkInterfaces",
            Effect: "Allow",
            Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags"],
            Resource: ec2("network-interface/*"),
            Condition: inThisVpc,
        },
    ];
}

export interface NetworkLayerArgs {
    config: StageConfig;
}

/** The interface endpoints, each with the only actions its policy lets through. */
function interfaceEndpoints(location: Location): { service: string; actions: string[]; resources: pulumi.Input<string>[]; condition?: Record<string, unknown> }[] {
    const arn = (service: string, resource: string) => pulumi.interpolate`arn:${location.partition}:${service}:${location.region}:${location.accountId}:${resource}`;
    return [
        {
            // The stage's catalog (the job reads the table, the crawler adds partitions) and the
            // data-quality results the job publishes.
            service: "glue",
            actions: [
                "glue:GetDatabase",
                "glue:GetTable",
                "glue:GetTables",
                "glue:GetPartition",
                "glue:GetPartitions",
                "glue:BatchGetPartition",
                "glue:CreatePartition",
                "glue:BatchCreatePartition",
                "glue:UpdatePartition",
                "glue:BatchUpdatePartition",
                "glue:GetSecurityConfiguration",
                "glue:PublishDataQuality",
            ],
            resources: [arn("glue", "*")],
        },
        {
            service: "logs",
            actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey", "logs:DescribeLogStreams"],
            resources: [arn("logs", "log-group:/aws-glue/*")],
        },
        {
            // SSE-KMS objects, encrypted logs and job bookmarks (client-side) use the data key.
            service: "kms",
            actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            resources: [arn("kms", "key/*")],
        },
        {
            // The AWS SDKs in the job resolve their identity through STS.
            service: "sts",
            actions: ["sts:GetCallerIdentity"],
            resources: ["*"],
        },
        {
            // PutMetricData has no resource-level permissions: the namespace condition scopes it to
            // Glue's job metrics ("Glue") and quality-gate metrics ("Glue Data Quality").
            service: "monitoring",
            actions: ["cloudwatch:PutMetricData"],
            resources: ["*"],
            condition: { StringLike: { "cloudwatch:namespace": "Glue*" } },
        },
    ];
}

export class NetworkLayer extends pulumi.ComponentResource {
    public readonly outputs: NetworkOutputs;

    constructor(name: string, args: NetworkLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("spotify:layers:Network", name, {}, opts);
        const { config } = args;
        const partition = aws.getPartitionOutput({}, { parent: this });
        const location: Location = { partition: partition.partition, region: config.region, accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId };
        const serviceName = (service: string) => pulumi.interpolate`${partition.reverseDnsPrefix}.${config.region}.${service}`;
        // Endpoint policies admit this account's principals only, whatever the action.
        const ownAccount = { StringEquals: { "aws:PrincipalAccount": location.accountId } };

        // awsx creates the VPC, the isolated subnets and their route tables (no route in them), and
        // an internet gateway it always attaches (free, and unused: no subnet routes to it).
        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: VPC_CIDR,
                numberOfAvailabilityZones: JOB_AVAILABILITY_ZONES,
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
            .all([vpc.isolatedSubnetIds, vpc.subnets.apply((subnets) => pulumi.all(subnets.map((subnet) => ({ id: subnet.id, zone: subnet.availabilityZone }))))])
            .apply(([ids, subnets]) =>
                ids.map((id) => {
                    const subnet = subnets.find((candidate) => candidate.id === id);
                    if (subnet === undefined) throw new Error(`awsx.ec2.Vpc ${name}-vpc reports isolated subnet ${id} but not among its subnets`);
                    return subnet;
                }),
            );

        // ── Flow logs ─────────────────────────────────────────────────────────────────────────
        const flowLogGroupName = `/aws/vpc-flow-logs/${config.namePrefix}-${config.stage}`;
        const flowLogGroupArn = pulumi.interpolate`arn:${location.partition}:logs:${config.region}:${location.accountId}:log-group:${flowLogGroupName}`;
        // The layer's own key: the stage's data key belongs to the storage layer, above this one.
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `spotify-pipeline ${config.stage}: encrypts the VPC flow logs`,
                enableKeyRotation: true,
                deletionWindowInDays: config.kmsDeletionWindowDays,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "AccountAdministersKeyThroughIam",
                            Effect: "Allow",
                            Principal: { AWS: pulumi.interpolate`arn:${location.partition}:iam::${location.accountId}:root` },
                            Action: "kms:*",
                            Resource: "*",
                        },
                        {
                            Sid: "CloudWatchLogsEncryptsFlowLogs",
                            Effect: "Allow",
                            Principal: { Service: `logs.${config.region}.amazonaws.com` },
                            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                            Resource: "*",
                            Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": flowLogGroupArn } },
                        },
                    ],
                }),
            },
            { parent: this, protect: config.protectData, retainOnDelete: config.protectData },
        );
        const flowLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: flowLogGroupName, retentionInDays: config.logRetentionDays, kmsKeyId: key.arn },
            { parent: this },
        );
        const flowLogRole = new aws.iam.Role(
            `${name}-flow-logs-role`,
            {
                name: glueName(config, "vpc_flow_logs_role"),
                description: `spotify-pipeline ${config.stage}: VPC flow logs write to their log group`,
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

        // ── Endpoints ─────────────────────────────────────────────────────────────────────────
        const stageBuckets = ENDPOINT_BUCKETS.map((purpose) => pulumi.interpolate`arn:${location.partition}:s3:::${bucketName(config, purpose)}`);
        const s3Endpoint = new aws.ec2.VpcEndpoint(
            `${name}-s3`,
            {
                vpcId: vpc.vpcId,
                serviceName: serviceName("s3"),
                vpcEndpointType: "Gateway",
                routeTableIds: vpc.routeTables.apply((tables) => pulumi.all(tables.map((table) => table.id))),
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            // Only this stage's buckets: from the job subnets, data can go nowhere else in S3.
                            Sid: "StageBucketsOnly",
                            Effect: "Allow",
                            Principal: "*",
                            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListBucket", "s3:GetBucketLocation"],
                            Resource: stageBuckets.flatMap((bucket) => [bucket, pulumi.interpolate`${bucket}/*`]),
                            Condition: ownAccount,
                        },
                    ],
                }),
            },
            { parent: this },
        );
        const glueGroup = new aws.ec2.SecurityGroup(
            `${name}-glue`,
            { vpcId: vpc.vpcId, description: "Glue job and crawler network interfaces: each other and the VPC endpoints only" },
            { parent: this },
        );
        const endpointGroup = new aws.ec2.SecurityGroup(
            `${name}-endpoints`,
            { vpcId: vpc.vpcId, description: "Interface VPC endpoints: HTTPS from the Glue network interfaces only" },
            { parent: this },
        );
        // Glue requires a self-referencing rule: the driver and workers of a run talk to each other.
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-glue-from-itself`,
            { securityGroupId: glueGroup.id, referencedSecurityGroupId: glueGroup.id, ipProtocol: "-1", description: "Between the driver and workers of a Glue run" },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-glue-to-itself`,
            { securityGroupId: glueGroup.id, referencedSecurityGroupId: glueGroup.id, ipProtocol: "-1", description: "Between the driver and workers of a Glue run" },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-glue-to-s3`,
            { securityGroupId: glueGroup.id, prefixListId: s3Endpoint.prefixListId, ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "S3 through the gateway endpoint" },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-glue-to-endpoints`,
            { securityGroupId: glueGroup.id, referencedSecurityGroupId: endpointGroup.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "The interface endpoints" },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-endpoints-from-glue`,
            { securityGroupId: endpointGroup.id, referencedSecurityGroupId: glueGroup.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "HTTPS from Glue" },
            { parent: this },
        );
        const jobSubnetIds = jobSubnets.apply((subnets) => subnets.map((subnet) => subnet.id));
        for (const endpoint of interfaceEndpoints(location)) {
            new aws.ec2.VpcEndpoint(
                `${name}-${endpoint.service}`,
                {
                    vpcId: vpc.vpcId,
                    serviceName: serviceName(endpoint.service),
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: jobSubnetIds,
                    securityGroupIds: [endpointGroup.id],
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "StageWorkloadOnly",
                                Effect: "Allow",
                                Principal: "*",
                                Action: endpoint.actions,
                                Resource: endpoint.resources,
                                Condition: { ...ownAccount, ...endpoint.condition },
                            },
                        ],
                    }),
                },
                { parent: this },
            );
        }

        // ── Glue connections ──────────────────────────────────────────────────────────────────
        const connections = Array.from({ length: JOB_AVAILABILITY_ZONES }, (_, index) => {
            const subnet = jobSubnets.apply((subnets) => {
                if (subnets.length !== JOB_AVAILABILITY_ZONES) {
                    throw new Error(`awsx.ec2.Vpc ${name}-vpc has ${subnets.length} isolated subnets, expected ${JOB_AVAILABILITY_ZONES}`);
                }
                return subnets[index];
            });
            return new aws.glue.Connection(
                `${name}-glue-${index + 1}`,
                {
                    name: glueName(config, `network_${index + 1}`),
                    description: `spotify-pipeline ${config.stage}: Glue runs in job subnet ${index + 1} of ${JOB_AVAILABILITY_ZONES}`,
                    connectionType: "NETWORK",
                    physicalConnectionRequirements: {
                        availabilityZone: subnet.zone,
                        subnetId: subnet.id,
                        securityGroupIdLists: [glueGroup.id],
                    },
                },
                { parent: this },
            );
        });

        this.outputs = {
            vpcId: vpc.vpcId,
            jobSubnetIds,
            glueSecurityGroupId: glueGroup.id,
            glueConnectionNames: pulumi.all(connections.map((connection) => connection.name)),
            s3EndpointId: s3Endpoint.id,
            flowLogGroupName: flowLogGroup.name,
        };
        this.registerOutputs(this.outputs);
    }
}
