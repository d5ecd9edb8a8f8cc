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

/** Listing exactly these buckets. */
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
