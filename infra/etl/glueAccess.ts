import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arnIn, AwsLocation } from "../awsLocation";

/** The objects under `prefix` of a bucket, as an IAM resource. */
export function objectsUnder(bucketArn: pulumi.Input<string>, prefix: string): pulumi.Output<string> {
    return pulumi.interpolate`${bucketArn}/${prefix}*`;
}

/** The ARNs of the Data Catalog and of one database in it: what every catalog read is authorized against. */
export function databaseArns(location: AwsLocation, databaseName: pulumi.Input<string>): pulumi.Output<string>[] {
    return [arnIn(location, "glue", "catalog"), arnIn(location, "glue", pulumi.interpolate`database/${databaseName}`)];
}

export function listBuckets(bucketArns: pulumi.Input<string>[]): aws.iam.PolicyStatement {
    return {
        // Unconditional on these buckets: S3 answers a probe for a missing key (Spark's directory
        // checks do that) with 403 instead of 404 unless ListBucket applies without a prefix.
        Sid: "ListOwnBuckets",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucketArns,
    };
}

/** Writing to exactly these log groups (and their streams), which a Glue role needs for its runs' logs. */
export function writeOwnLogs(location: AwsLocation, logGroups: aws.cloudwatch.LogGroup[]): aws.iam.PolicyStatement {
    return {
        Sid: "WriteOwnLogGroups",
        Effect: "Allow",
        // AssociateKmsKey: Glue re-associates the security configuration's key at every run.
        Action: ["logs:CreateLogGroup", "logs:AssociateKmsKey", "logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: logGroups.flatMap((group) => [
            arnIn(location, "logs", pulumi.interpolate`log-group:${group.name}`),
            arnIn(location, "logs", pulumi.interpolate`log-group:${group.name}:*`),
        ]),
    };
}

/**
 * The encryption the stage's Glue job runs with. Glue names log groups after it once it encrypts
 * CloudWatch, so its name must be known before it is created: `name` is that name, `resource`
 * what the job references (and so waits for).
 */
export interface GlueSecurity {
    name: string;
    resource: aws.glue.SecurityConfiguration;
}

/** How long Glue's log groups keep events, and the key that encrypts them. */
export interface GlueLogSettings {
    retentionDays: number;
    kmsKeyArn: pulumi.Input<string>;
}

/**
 * A log group Glue writes to under a name it picks itself, created first so it gets the stage's
 * retention and key instead of Glue's defaults.
 */
export function glueLogGroup(name: string, logGroupName: string, settings: GlueLogSettings, opts: pulumi.CustomResourceOptions): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(name, { name: logGroupName, retentionInDays: settings.retentionDays, kmsKeyId: settings.kmsKeyArn }, opts);
}

/**
 * Options for a child of one of the etl layer's components. Until the layer was split into
 * components, these resources were direct children of the layer; the alias to the component's own
 * parent keeps their URNs in stacks deployed before the split, so `pulumi up` moves them under the
 * component instead of replacing them. Their names did not change, so the parent is the only part
 * of the alias.
 */
export function splitChildOptions(component: pulumi.ComponentResource, opts: pulumi.ComponentResourceOptions | undefined): pulumi.CustomResourceOptions {
    return { parent: component, aliases: [{ parent: opts?.parent }] };
}
