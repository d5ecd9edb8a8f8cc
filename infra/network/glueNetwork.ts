import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StagePlan } from "../../model/stagePlan";
import { rejectArgProblems } from "../componentArgs";
import type { JobSubnet } from "./isolatedVpc";

export interface GlueNetworkArgs {
    /** The stage and the names of its connections (model/stagePlan.ts). */
    readonly plan: Pick<StagePlan, "stage" | "network">;
    /** The VPC the security group is in. */
    readonly vpcId: pulumi.Input<string>;
    /** The job subnets, at least one: one NETWORK connection in each, in this order. */
    readonly subnets: readonly pulumi.Output<JobSubnet>[];
    /** The VPC endpoints, the only destinations outside the group itself. */
    readonly endpoints: { readonly s3PrefixListId: pulumi.Input<string>; readonly securityGroupId: pulumi.Input<string> };
}

/** Throws an error naming every arg of a GlueNetwork that cannot work: no subnet, which would leave Glue no connection to run in. */
export function validateGlueNetworkArgs(args: GlueNetworkArgs): void {
    rejectArgProblems("GlueNetworkArgs", {
        subnets: args.subnets.length === 0 ? "must hold at least one job subnet: Glue runs only in a connection's subnet" : undefined,
    });
}

/**
 * Where Glue runs in the VPC: a security group that admits only itself and reaches only itself,
 * the S3 endpoint's prefix list and the interface endpoints (HTTPS), the endpoints' ingress rule
 * that admits it, and one NETWORK connection per job subnet. `name` prefixes its children's names
 * (`<name>-glue`, `<name>-glue-to-s3`, `<name>-glue-1`, …).
 */
export class GlueNetwork extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    /** The connections' names, in the order of the subnets. */
    public readonly connectionNames: pulumi.Output<string[]>;

    constructor(name: string, args: GlueNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        validateGlueNetworkArgs(args);
        super("spotify:network:GlueNetwork", name, {}, opts);
        const { plan, endpoints } = args;
        // The description still names the crawler the stage had before its warehouse table became
        // an Iceberg table: a security group's description cannot change without replacing the
        // group and every rule that refers to it.
        const group = new aws.ec2.SecurityGroup(
            `${name}-glue`,
            { vpcId: args.vpcId, description: "Glue job and crawler network interfaces: each other and the VPC endpoints only" },
            { parent: this },
        );
        // Glue requires a self-referencing rule: the driver and workers of a run talk to each other.
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-glue-from-itself`,
            { securityGroupId: group.id, referencedSecurityGroupId: group.id, ipProtocol: "-1", description: "Between the driver and workers of a Glue run" },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-glue-to-itself`,
            { securityGroupId: group.id, referencedSecurityGroupId: group.id, ipProtocol: "-1", description: "Between the driver and workers of a Glue run" },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-glue-to-s3`,
            {
                securityGroupId: group.id,
                prefixListId: endpoints.s3PrefixListId,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "S3 through the gateway endpoint",
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-glue-to-endpoints`,
            {
                securityGroupId: group.id,
                referencedSecurityGroupId: endpoints.securityGroupId,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "The interface endpoints",
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-endpoints-from-glue`,
            {
                securityGroupId: endpoints.securityGroupId,
                referencedSecurityGroupId: group.id,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "HTTPS from Glue",
            },
            { parent: this },
        );
        const connections = args.subnets.map(
            (subnet, index) =>
                new aws.glue.Connection(
                    `${name}-glue-${index + 1}`,
                    {
                        name: plan.network.glueConnection(index + 1),
                        description: `spotify-pipeline ${plan.stage}: Glue runs in job subnet ${index + 1} of ${args.subnets.length}`,
                        connectionType: "NETWORK",
                        physicalConnectionRequirements: {
                            availabilityZone: subnet.zone,
                            subnetId: subnet.id,
                            securityGroupIdLists: [group.id],
                        },
                    },
                    { parent: this },
                ),
        );

        this.securityGroupId = group.id;
        this.connectionNames = pulumi.all(connections.map((connection) => connection.name));
        this.registerOutputs({ securityGroupId: this.securityGroupId, connectionNames: this.connectionNames });
    }
}
