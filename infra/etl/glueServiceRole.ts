import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rejectArgProblems } from "../componentArgs";

export interface GlueServiceRoleArgs {
    /**
     * The role's IAM name. Fixed rather than generated: Glue names the log groups of a job or crawler
     * with a security configuration after its role, so the program must know it up front.
     */
    readonly roleName: string;
    readonly description: string;
    /** Every permission of the role, one statement with a Sid per concern; no managed policies. */
    readonly statements: readonly pulumi.Input<aws.iam.PolicyStatement>[];
}

/** IAM's role names: 1-64 letters, digits and + = , . @ _ - (IAM API reference, CreateRole). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** IAM's role descriptions: at most 1000 of tab, newline, carriage return and Latin-1 printable characters (CreateRole). */
const ROLE_DESCRIPTION = /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]{0,1000}$/;
/** IAM's statement ids: letters and digits (IAM user guide, "IAM JSON policy elements: Sid"). */
const STATEMENT_ID = /^[A-Za-z0-9]+$/;

/**
 * Throws an error naming every arg of a GlueServiceRole that IAM would refuse: a role
 * name or description outside IAM's rules, no statements, or statements (those given as plain
 * objects) whose Sid is missing, not alphanumeric, or not unique in the policy.
 */
export function validateGlueServiceRoleArgs(args: GlueServiceRoleArgs): void {
    // The Sids known now (a string, or undefined when missing): an Output's is known only once it resolves.
    const sids = args.statements.flatMap((statement) => {
        if (pulumi.Output.isInstance(statement) || statement instanceof Promise) return [];
        const sid = statement.Sid;
        return sid === undefined || typeof sid === "string" ? [sid] : [];
    });
    const duplicates = sids.filter((sid, index) => sid !== undefined && sids.indexOf(sid) !== index);
    const badSids = sids.filter((sid) => sid === undefined || !STATEMENT_ID.test(sid));
    rejectArgProblems("GlueServiceRoleArgs", {
        roleName: ROLE_NAME.test(args.roleName) ? undefined : `must be 1-64 letters, digits and + = , . @ _ -, got ${JSON.stringify(args.roleName)}`,
        description: ROLE_DESCRIPTION.test(args.description) ? undefined : `must be at most 1000 Latin-1 characters, got ${JSON.stringify(args.description)}`,
        statements:
            args.statements.length === 0
                ? "must grant something: a role without permissions is of no use to Glue"
                : badSids.length > 0
                  ? `each needs a Sid of letters and digits, got ${badSids.map((sid) => JSON.stringify(sid ?? null)).join(", ")}`
                  : duplicates.length > 0
                    ? `Sids must be unique in the policy, got ${[...new Set(duplicates)].join(", ")} more than once`
                    : undefined,
    });
}

/** An IAM role that only AWS Glue can assume, with exactly the given permissions as its inline policy. */
export class GlueServiceRole extends pulumi.ComponentResource {
    public readonly arn: pulumi.Output<string>;
    public readonly roleName: string;

    constructor(name: string, args: GlueServiceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        validateGlueServiceRoleArgs(args);
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
