import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arnIn, AwsLocation } from "../awsLocation";

/** The network layer's outputs the Glue job runs with (the etl layer reads them). */
export interface JobNetwork {
    vpcId: pulumi.Output<string>;
    jobSubnetIds: pulumi.Output<string[]>;
    glueSecurityGroupId: pulumi.Output<string>;
    glueConnectionNames: pulumi.Output<string[]>;
}

/** How the Glue job runs in the job subnets (etl layer). */
export interface GlueNetworkAccess {
    /** The job's connections, one per zone: Glue uses the next when a run finds no capacity in one. */
    jobConnectionNames: pulumi.Output<string[]>;
    /** What the job's role needs for that: Glue creates the runs' network interfaces as the run's role. */
    roleStatements: aws.iam.PolicyStatement[];
}

export function glueNetworkAccess(network: JobNetwork, location: AwsLocation): GlueNetworkAccess {
    return {
        jobConnectionNames: network.glueConnectionNames,
        roleStatements: glueNetworkStatements(network, location),
    };
}

/** Describe the network, and create, tag and delete network interfaces in this VPC only. */
function glueNetworkStatements(network: JobNetwork, location: AwsLocation): aws.iam.PolicyStatement[] {
    const inThisVpc = { ArnEquals: { "ec2:Vpc": arnIn(location, "ec2", pulumi.interpolate`vpc/${network.vpcId}`) } };
    return [
        {
            Sid: "DescribeJobNetwork",
            Effect: "Allow",
            Action: [
                "ec2:DescribeVpcs",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeVpcEndpoints",
                "ec2:DescribeRouteTables",
            ],
            Resource: "*",
        },
        {
            // Unlike the Describe calls above, DescribeVpcAttribute authorizes against the VPC.
            Sid: "DescribeJobVpcAttributes",
            Effect: "Allow",
            Action: "ec2:DescribeVpcAttribute",
            Resource: arnIn(location, "ec2", pulumi.interpolate`vpc/${network.vpcId}`),
        },
        {
            Sid: "UseJobSubnetsAndSecurityGroup",
            Effect: "Allow",
            Action: "ec2:CreateNetworkInterface",
            Resource: pulumi
                .all([network.jobSubnetIds, network.glueSecurityGroupId, location.partition, location.accountId])
                .apply(([subnetIds, groupId, partition, accountId]) =>
                    [...subnetIds.map((id) => `subnet/${id}`), `security-group/${groupId}`].map(
                        (resource) => `arn:${partition}:ec2:${location.region}:${accountId}:${resource}`,
                    ),
                ),
        },
        {
            Sid: "ManageJobNetworkInterfaces",
            Effect: "Allow",
            Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags"],
            Resource: arnIn(location, "ec2", "network-interface/*"),
            Condition: inThisVpc,
        },
    ];
}
