import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface GlueServiceRoleArgs {
    /**
     * The role's IAM name. Fixed rather than generated: Glue names the log groups of a job or crawler
     * with a security configuration after its role, so the program must know it up front.
     */
    roleName: string;
    description: string;
    /** Every permission of the role, one statement with a Sid per concern; no managed policies. */
    statements: pulumi.Input<aws.iam.PolicyStatement>[];
}

/** An IAM role that only AWS Glue can assume, with exactly the given permissions as its inline policy. */
export class GlueServiceRole extends pulumi.ComponentResource {
    public readonly arn: pulumi.Output<string>;
    public readonly roleName: string;

    constructor(name: string, args: GlueServiceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("spotify:etl:GlueServiceRole", name, {}, opts);
        const role = new aws.iam.Role(
            name,
            {
                name: args.roleName,
                description: args.description,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "glue.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-permissions`,
            { role: role.name, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: args.statements }) },
            { parent: this },
        );
        this.arn = role.arn;
        this.roleName = args.roleName;
        this.registerOutputs({ arn: this.arn });
    }
}
