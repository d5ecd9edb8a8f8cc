import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsLocation } from "../awsLocation";
import type { StagePlan } from "../../model/stagePlan";

export interface EndpointOnlyArgs {
    /** The data bucket, `arn:<partition>:s3:::<name>`. */
    readonly bucketArn: pulumi.Input<string>;
    /** The stage's S3 gateway endpoint: the only way in for everyone but the exempt roles. */
    readonly s3EndpointId: pulumi.Input<string>;
    /**
     * The roles exempt from the deny: the stage's external roles, and the role of Glue's table
     * optimizers, which run in Glue's own service, never through the stage's VPC endpoint (its IAM
     * policy keeps it to the table's prefix of the warehouse bucket).
     */
    readonly plan: Pick<StagePlan, "externalRoles" | "etl">;
    /** The stage's account and partition, which the exempt roles' ARNs are in. */
    readonly location: Pick<AwsLocation, "partition" | "accountId">;
}

/**
 * The bucket-policy statements of a data bucket under network isolation. Statements in a bucket
 * policy cannot name roles that may not exist yet as principals (S3 rejects the policy), so the
 * exempt roles are matched by aws:PrincipalArn in conditions instead.
 */
export function endpointOnlyStatements(args: EndpointOnlyArgs): aws.iam.PolicyStatement[] {
    const { partition, accountId } = args.location;
    const roles = args.plan.externalRoles;
    const roleArn = (roleName: string) => pulumi.interpolate`arn:${partition}:iam::${accountId}:role/${roleName}`;
    const bucketAndObjects = [args.bucketArn, pulumi.interpolate`${args.bucketArn}/*`];
    return [
        {
            // Every condition must hold for the deny to apply: the request did not come through the
            // stage's S3 endpoint, is not made by an exempt role (or the table optimizers' role),
            // and is not Athena's. Athena reads
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
                ArnNotEquals: { "aws:PrincipalArn": [roles.deploy, roles.preview, roles.breakGlass, args.plan.etl.tableMaintenanceRole].map(roleArn) },
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
