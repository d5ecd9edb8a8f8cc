import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DATA_LAYOUT } from "../../model/stagePlan";
import { arnIn, AwsLocation } from "../awsLocation";
import { rejectArgProblems, settingProblem } from "../componentArgs";
import { ATHENA_CATALOG } from "./dataSource";

export interface ServiceRoleAccessArgs {
    /** The IAM role QuickSight uses for AWS resources; QuickSight creates it when the account subscribes, this program never does. */
    readonly roleName: string;
    /** The physical name of the access policy. */
    readonly policyName: string;
    /** The stage whose data the policy reaches, as its description names it. */
    readonly stage: string;
    /** The stage's partition, region and account: the Glue and Athena catalog ARNs are built in it. */
    readonly location: AwsLocation;
    /** The Athena workgroup QuickSight queries through. */
    readonly workgroupArn: pulumi.Input<string>;
    /** The Glue database the views live in: the only database the role may read. */
    readonly databaseName: pulumi.Input<string>;
    /** The stage's data key, which encrypts the warehouse, the query results and the catalog. */
    readonly dataKeyArn: pulumi.Input<string>;
    readonly warehouseBucketArn: pulumi.Input<string>;
    readonly athenaResultsBucketArn: pulumi.Input<string>;
}

/** IAM's managed policy names: 1-128 of these characters. */
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

/** Fails naming each field that would make a policy IAM refuses, or an attachment to a role that cannot exist. */
export function validateServiceRoleAccessArgs(args: ServiceRoleAccessArgs): void {
    rejectArgProblems("ServiceRoleAccessArgs", {
        roleName: settingProblem("quicksightServiceRoleName", args.roleName),
        policyName: POLICY_NAME.test(args.policyName)
            ? undefined
            : `must be an IAM policy name: 1-128 letters, digits and + = , . @ _ -, got ${JSON.stringify(args.policyName)}`,
    });
}

/**
 * The QuickSight service role's access to one stage's data: a policy of what QuickSight needs to
 * query the stage's views through Athena, scoped to the stage, and its attachment to the role.
 * The role is shared by every stage of the account; each stage attaches its own policy.
 */
export class ServiceRoleAccess {
    readonly policy: aws.iam.Policy;
    /** What QuickSight checks when it creates a data source: depend on it to create one. */
    readonly attachment: aws.iam.RolePolicyAttachment;

    /** Registers the policy and the attachment as children of `parent`, named from `name`. */
    constructor(name: string, args: ServiceRoleAccessArgs, parent: pulumi.Resource) {
        validateServiceRoleAccessArgs(args);
        this.policy = new aws.iam.Policy(
            `${name}-quicksight-access`,
            {
                name: args.policyName,
                description: `QuickSight reads spotify-pipeline ${args.stage}'s views through Athena, and nothing else of the account`,
                policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: serviceRoleStatements(args) }),
            },
            { parent },
        );
        this.attachment = new aws.iam.RolePolicyAttachment(
            `${name}-quicksight-access-attachment`,
            { role: args.roleName, policyArn: this.policy.arn },
            { parent },
        );
    }
}

/** What QuickSight needs to query this stage's views through Athena: one statement per concern, each scoped to this stage. */
function serviceRoleStatements(args: ServiceRoleAccessArgs): aws.iam.PolicyStatement[] {
    const glueArn = (resource: pulumi.Input<string>) => arnIn(args.location, "glue", resource);
    return [
        {
            Sid: "QueryThroughTheStageWorkgroup",
            Effect: "Allow",
            Action: [
                "athena:StartQueryExecution",
                "athena:StopQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:GetQueryResultsStream",
                "athena:GetWorkGroup",
            ],
            Resource: [args.workgroupArn],
        },
        {
            Sid: "ReadTheDataCatalog",
            Effect: "Allow",
            Action: ["athena:GetDataCatalog"],
            Resource: [arnIn(args.location, "athena", `datacatalog/${ATHENA_CATALOG}`)],
        },
        {
            Sid: "ReadTheWarehouseDatabaseOnly",
            Effect: "Allow",
            Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
            Resource: [
                glueArn("catalog"),
                glueArn(pulumi.interpolate`database/${args.databaseName}`),
                glueArn(pulumi.interpolate`table/${args.databaseName}/*`),
            ],
        },
        { Sid: "ListTheWarehouse", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: [args.warehouseBucketArn] },
        {
            Sid: "ReadTheWarehouse",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: [pulumi.interpolate`${args.warehouseBucketArn}/${DATA_LAYOUT.warehouseTable}*`],
        },
        {
            Sid: "ListQueryResults",
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
            Resource: [args.athenaResultsBucketArn],
        },
        {
            Sid: "WriteQueryResults",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: [pulumi.interpolate`${args.athenaResultsBucketArn}/${DATA_LAYOUT.athenaResults}*`],
        },
        // The catalog is encrypted with the data key too; AWS asks Encrypt of every catalog reader.
        { Sid: "UseTheDataKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"], Resource: [args.dataKeyArn] },
    ];
}
