import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DATA_LAYOUT } from "../../model/stagePlan";
import { arnIn, AwsLocation } from "../awsLocation";
import { ICEBERG_COMMIT_ACTIONS } from "../glueCatalogActions";
import { databaseArns, listBuckets, objectsUnder, writeOwnLogs } from "./iamStatements";

/** The CloudWatch namespaces of Glue job metrics and of Glue Data Quality results: the job may publish to these only. */
const GLUE_METRIC_NAMESPACES = ["Glue", "Glue Data Quality"];

/** What the ETL job's role may touch: the buckets and key of the stage, the table it commits to, its log groups. */
export interface EtlJobPolicyScope {
    readonly location: AwsLocation;
    readonly dataKeyArn: pulumi.Input<string>;
    readonly stagingBucketArn: pulumi.Input<string>;
    readonly warehouseBucketArn: pulumi.Input<string>;
    readonly glueAssetsBucketArn: pulumi.Input<string>;
    readonly databaseName: pulumi.Input<string>;
    readonly tableName: pulumi.Input<string>;
    readonly logGroups: aws.cloudwatch.LogGroup[];
}

/**
 * The ETL job's permissions, one statement with a Sid per concern: read staging, write the
 * warehouse table and the run outputs, read its code, use its temp dir, commit to the table through
 * the Glue catalog, use the data key, write its logs and publish its quality results and metrics.
 */
export function etlJobStatements(scope: EtlJobPolicyScope): aws.iam.PolicyStatement[] {
    const { location } = scope;
    return [
        listBuckets([scope.stagingBucketArn, scope.warehouseBucketArn, scope.glueAssetsBucketArn]),
        {
            Sid: "ReadStagingSources",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: DATA_LAYOUT.stagingSources.map((prefix) => objectsUnder(scope.stagingBucketArn, prefix)),
        },
        {
            // The Iceberg table's files: each run writes data/ and metadata/ files, reads
            // the current metadata, and deletes what a failed commit left (Iceberg 1.10
            // cleans up after itself, https://iceberg.apache.org/docs/1.10.0/aws/).
            Sid: "WriteWarehouseTable",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            Resource: objectsUnder(scope.warehouseBucketArn, DATA_LAYOUT.warehouseTable),
        },
        {
            // Each run writes its rejected and unmatched rows into a folder of its own and
            // its summary under a temporary name that it then renames (copy and delete),
            // and the next run deletes a killed run's folders: Get, Put and Delete.
            Sid: "WriteRunOutputs",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            Resource: [DATA_LAYOUT.rejected, DATA_LAYOUT.unmatched, DATA_LAYOUT.runSummaries].map((prefix) => objectsUnder(scope.warehouseBucketArn, prefix)),
        },
        { Sid: "ReadJobCode", Effect: "Allow", Action: "s3:GetObject", Resource: objectsUnder(scope.glueAssetsBucketArn, DATA_LAYOUT.glueScripts) },
        {
            Sid: "UseTempDir",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            Resource: objectsUnder(scope.glueAssetsBucketArn, DATA_LAYOUT.glueTemp),
        },
        {
            // An Iceberg commit through the Glue catalog: Iceberg's GlueCatalog loads the
            // table (GetDatabase, GetTable) and swaps its metadata_location with
            // UpdateTable, guarded by the table's version (https://iceberg.apache.org/docs/1.10.0/aws/#glue-catalog).
            // Glue authorizes a table call against the catalog, the database and the
            // table (https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html),
            // and this is the only table the job may change. No partition actions: an
            // Iceberg table's partitions are in its own metadata.
            Sid: "CommitWarehouseTable",
            Effect: "Allow",
            Action: [...ICEBERG_COMMIT_ACTIONS],
            Resource: [...databaseArns(location, scope.databaseName), arnIn(location, "glue", pulumi.interpolate`table/${scope.databaseName}/${scope.tableName}`)],
        },
        {
            // Encrypt for bookmarks (client-side), GenerateDataKey/Decrypt for SSE-KMS objects.
            Sid: "UseDataKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            Resource: scope.dataKeyArn,
        },
        writeOwnLogs(location, scope.logGroups),
        {
            // The entry script publishes its quality-gate results under the job name. An
            // inline ruleset has no ARN of its own, so results are authorized against
            // dataQualityRuleset/* (this account and region only).
            Sid: "PublishDataQualityResults",
            Effect: "Allow",
            Action: "glue:PublishDataQuality",
            Resource: arnIn(location, "glue", "dataQualityRuleset/*"),
        },
        {
            // PutMetricData has no resource-level permissions: "*" is the only valid
            // resource, so the namespace condition is what scopes it, to the job metrics
            // (Glue) and the quality-gate metrics (Glue Data Quality).
            Sid: "PublishGlueMetrics",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": GLUE_METRIC_NAMESPACES } },
        },
    ];
}
