import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketNameProblem } from "../../model/naming";
import { arnIn, AwsLocation } from "../awsLocation";
import { rejectArgProblems, settingProblem } from "../componentArgs";
import { ICEBERG_COMMIT_ACTIONS } from "../glueCatalogActions";

/** An interface endpoint, with the only actions its policy lets through. */
interface InterfaceEndpoint {
    service: string;
    actions: string[];
    resources: pulumi.Input<string>[];
    condition?: Record<string, unknown>;
}

/**
 * The AWS services the Glue job calls besides S3, and what it calls them for: actions its role is
 * granted, no others, since an action the role cannot call is an entry that lets nothing through
 * (test/network.spec.ts holds the endpoints to the role).
 */
function glueWorkloadServices(location: AwsLocation): InterfaceEndpoint[] {
    return [
        {
            // The stage's catalog (the job loads the Iceberg table and commits to it) and the
            // data-quality results the job publishes. The table optimizers run in Glue's own
            // account, not in this VPC.
            service: "glue",
            actions: [...ICEBERG_COMMIT_ACTIONS, "glue:PublishDataQuality"],
            resources: [arnIn(location, "glue", "*")],
        },
        {
            service: "logs",
            actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
            resources: [arnIn(location, "logs", "log-group:/aws-glue/*")],
        },
        {
            // SSE-KMS objects, encrypted logs and job bookmarks (client-side) use the data key.
            service: "kms",
            actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            resources: [arnIn(location, "kms", "key/*")],
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

export interface VpcEndpointsArgs {
    /** The VPC the endpoints are in. */
    readonly vpcId: pulumi.Input<string>;
    /** The stage's account and region: the endpoints admit this account's principals only, to this region's services. */
    readonly location: AwsLocation;
    /** The partition's reverse DNS prefix (`com.amazonaws` in aws): service names are `<prefix>.<region>.<service>`. */
    readonly reverseDnsPrefix: pulumi.Input<string>;
    /** The route tables the S3 gateway endpoint adds its route to. */
    readonly routeTableIds: pulumi.Input<string[]>;
    /** The subnets the interface endpoints place their network interfaces in. */
    readonly subnetIds: pulumi.Input<string[]>;
    /** The only buckets reachable through the S3 endpoint: at least one, each once. */
    readonly s3BucketNames: readonly string[];
}

/**
 * Throws an error naming every arg of VpcEndpoints that cannot work: a region AWS does not have,
 * no bucket for the S3 endpoint (its policy would admit nothing), or a bucket named twice or
 * outside S3's naming rules.
 */
export function validateVpcEndpointsArgs(args: VpcEndpointsArgs): void {
    const names = args.s3BucketNames;
    const invalid = names.flatMap((bucket) => {
        const problem = bucketNameProblem(bucket);
        return problem === undefined ? [] : [`${JSON.stringify(bucket)} ${problem}`];
    });
    const repeated = names.filter((bucket, index) => names.indexOf(bucket) !== index);
    rejectArgProblems("VpcEndpointsArgs", {
        "location.region": settingProblem("aws:region", args.location.region),
        s3BucketNames:
            names.length === 0
                ? "must name at least one bucket: the S3 endpoint's policy would admit none"
                : invalid.length > 0
                  ? invalid.join("; ")
                  : repeated.length > 0
                    ? `must name each bucket once, got ${[...new Set(repeated)].map((bucket) => JSON.stringify(bucket)).join(", ")} more than once`
                    : undefined,
    });
}

/**
 * The VPC endpoints through which an isolated VPC reaches AWS: an S3 gateway endpoint limited to
 * the given buckets, and interface endpoints (private DNS) for the other services the Glue job
 * calls, each limited to this account and the actions they use. The interface endpoints'
 * security group admits nothing by itself: each client adds an ingress rule for its own group.
 * `name` prefixes its children's names (`<name>-s3`, `<name>-endpoints`, `<name>-glue`, …).
 */
export class VpcEndpoints extends pulumi.ComponentResource {
    public readonly s3EndpointId: pulumi.Output<string>;
    /** The prefix list of the S3 endpoint's routes, for clients' egress rules. */
    public readonly s3PrefixListId: pulumi.Output<string>;
    /** The interface endpoints' security group. */
    public readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: VpcEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
        validateVpcEndpointsArgs(args);
        super("spotify:network:VpcEndpoints", name, {}, opts);
        const { location } = args;
        const serviceName = (service: string) => pulumi.interpolate`${args.reverseDnsPrefix}.${location.region}.${service}`;
        // Endpoint policies admit this account's principals only, whatever the action.
        const ownAccount = { StringEquals: { "aws:PrincipalAccount": location.accountId } };
        // Statements that let anyone in this account do these actions on these resources.
        type Grant = { Sid: string; Action: string[]; Resource: pulumi.Input<string>[]; Condition: Record<string, unknown> };
        const policy = (...grants: Grant[]) =>
            pulumi.jsonStringify({ Version: "2012-10-17", Statement: grants.map((grant) => ({ Effect: "Allow", Principal: "*", ...grant })) });

        const buckets = args.s3BucketNames.map((bucket) => pulumi.interpolate`arn:${location.partition}:s3:::${bucket}`);
        const s3Endpoint = new aws.ec2.VpcEndpoint(
            `${name}-s3`,
            {
                vpcId: args.vpcId,
                serviceName: serviceName("s3"),
                vpcEndpointType: "Gateway",
                routeTableIds: args.routeTableIds,
                // Only these buckets: from the VPC, data can go nowhere else in S3.
                policy: policy({
                    Sid: "StageBucketsOnly",
                    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListBucket"],
                    Resource: buckets.flatMap((bucket) => [bucket, pulumi.interpolate`${bucket}/*`]),
                    Condition: ownAccount,
                }),
            },
            { parent: this },
        );
        const group = new aws.ec2.SecurityGroup(
            `${name}-endpoints`,
            { vpcId: args.vpcId, description: "Interface VPC endpoints: HTTPS from the Glue network interfaces only" },
            { parent: this },
        );
        for (const endpoint of glueWorkloadServices(location)) {
            new aws.ec2.VpcEndpoint(
                `${name}-${endpoint.service}`,
                {
                    vpcId: args.vpcId,
                    serviceName: serviceName(endpoint.service),
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: args.subnetIds,
                    securityGroupIds: [group.id],
                    policy: policy({
                        Sid: "StageWorkloadOnly",
                        Action: endpoint.actions,
                        Resource: endpoint.resources,
                        Condition: { ...ownAccount, ...endpoint.condition },
                    }),
                },
                { parent: this },
            );
        }

        this.s3EndpointId = s3Endpoint.id;
        this.s3PrefixListId = s3Endpoint.prefixListId;
        this.securityGroupId = group.id;
        this.registerOutputs({ s3EndpointId: this.s3EndpointId, s3PrefixListId: this.s3PrefixListId, securityGroupId: this.securityGroupId });
    }
}
