import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import glueRuntime from "../../etl/glue_runtime.json";
import { GlueServiceRole } from "./glueServiceRole";
import type { StageConfig } from "../../model/stageConfig";
import { DATA_LAYOUT, StagePlan } from "../../model/stagePlan";
import type { EtlStorageInputs } from "../layers/etl";
import type { GlueNetworkAccess } from "../network/glueNetworkAccess";
import { arnIn, AwsLocation } from "../awsLocation";
import { ICEBERG_COMMIT_ACTIONS } from "../glueCatalogActions";
import { databaseArns, glueLogGroup, GlueSecurity, listBuckets, objectsUnder, splitChildOptions, writeOwnLogs } from "./glueAccess";

/** The CloudWatch namespaces of Glue job metrics and of Glue Data Quality results: the job may publish to these only. */
const GLUE_METRIC_NAMESPACES = ["Glue", "Glue Data Quality"];

export interface EtlJobArgs {
    /** Worker sizing, retries, timeout, schedule and log retention of the stage. */
    config: StageConfig;
    /** The names of the job, its role and its schedule (model/stagePlan.ts). */
    plan: Pick<StagePlan, "stage" | "etl">;
    location: AwsLocation;
    storage: EtlStorageInputs;
    security: GlueSecurity;
    /** The catalog database and the Iceberg table in it that the job commits each run to. */
    databaseName: pulumi.Input<string>;
    tableName: pulumi.Input<string>;
    /** `s3://` URIs of the uploaded code: the Glue entry script and the zip of the modules it imports. */
    code: { entryScript: pulumi.Input<string>; pythonModules: pulumi.Input<string> };
    /** With spotify:network "isolated": the connections the job runs in, and what its role needs for them. */
    network?: GlueNetworkAccess;
}

/**
 * The Glue ETL job (staging CSV → the warehouse's Iceberg table) with its role, its log groups and, unless the
 * stage's etlSchedule is "off", its schedule. `name` prefixes its children's names (`<name>-job`,
 * `<name>-job-role`, …).
 */
export class EtlJob extends pulumi.ComponentResource {
    public readonly jobName: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: EtlJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super("spotify:etl:EtlJob", name, {}, opts);
        const { config, plan, location, storage, security } = args;
        const child = splitChildOptions(this, opts);
        const roleName = plan.etl.jobRole;
        const logSettings = { retentionDays: config.logRetentionDays, kmsKeyArn: storage.dataKeyArn };
        // Glue picks these names itself once a security configuration encrypts CloudWatch: output
        // and error under `<security configuration>-role/<role>/`, continuous logs under
        // `logs-v2-<security configuration>`.
        const logGroups = [
            glueLogGroup(`${name}-job-output-logs`, `/aws-glue/jobs/${security.name}-role/${roleName}/output`, logSettings, child),
            glueLogGroup(`${name}-job-error-logs`, `/aws-glue/jobs/${security.name}-role/${roleName}/error`, logSettings, child),
            glueLogGroup(`${name}-job-continuous-logs`, `/aws-glue/jobs/logs-v2-${security.name}`, logSettings, child),
        ];
        const role = new GlueServiceRole(
            `${name}-job-role`,
            {
                roleName,
                description: `spotify-pipeline ${config.stage}: the ETL job reads staging and writes the warehouse`,
                statements: [
                    listBuckets([storage.stagingBucketArn, storage.warehouseBucketArn, storage.glueAssetsBucketArn]),
                    {
                        Sid: "ReadStagingSources",
                        Effect: "Allow",
                        Action: "s3:GetObject",
                        Resource: DATA_LAYOUT.stagingSources.map((prefix) => objectsUnder(storage.stagingBucketArn, prefix)),
                    },
                    {
                        // The Iceberg table's files: each run writes data/ and metadata/ files, reads
                        // the current metadata, and deletes what a failed commit left (Iceberg 1.10
                        // cleans up after itself, https://iceberg.apache.org/docs/1.10.0/aws/).
                        Sid: "WriteWarehouseTable",
                        Effect: "Allow",
                        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                        Resource: objectsUnder(storage.warehouseBucketArn, DATA_LAYOUT.warehouseTable),
                    },
                    {
                        // Each run writes its rejected and unmatched rows into a folder of its own and
                        // its summary under a temporary name that it then renames (copy and delete),
                        // and the next run deletes a killed run's folders: Get, Put and Delete.
                        Sid: "WriteRunOutputs",
                        Effect: "Allow",
                        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                        Resource: [DATA_LAYOUT.rejected, DATA_LAYOUT.unmatched, DATA_LAYOUT.runSummaries].map((prefix) =>
                            objectsUnder(storage.warehouseBucketArn, prefix),
                        ),
                    },
                    { Sid: "ReadJobCode", Effect: "Allow", Action: "s3:GetObject", Resource: objectsUnder(storage.glueAssetsBucketArn, DATA_LAYOUT.glueScripts) },
                    {
                        Sid: "UseTempDir",
                        Effect: "Allow",
                        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                        Resource: objectsUnder(storage.glueAssetsBucketArn, DATA_LAYOUT.glueTemp),
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
                        Resource: [...databaseArns(location, args.databaseName), arnIn(location, "glue", pulumi.interpolate`table/${args.databaseName}/${args.tableName}`)],
                    },
                    {
                        // Encrypt for bookmarks (client-side), GenerateDataKey/Decrypt for SSE-KMS objects.
                        Sid: "UseDataKey",
                        Effect: "Allow",
                        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                        Resource: storage.dataKeyArn,
                    },
                    writeOwnLogs(location, logGroups),
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
                    ...(args.network?.roleStatements ?? []),
                ],
            },
            child,
        );
        const s3Uri = (bucketName: pulumi.Input<string>, prefix: string) => pulumi.interpolate`s3://${bucketName}/${prefix}`;
        const job = new aws.glue.Job(
            `${name}-job`,
            {
                name: plan.etl.job,
                description: `spotify-pipeline ${config.stage}: staging CSV → validated, deduplicated, joined warehouse Parquet`,
                roleArn: role.arn,
                glueVersion: glueRuntime.glueVersion,
                command: { name: "glueetl", pythonVersion: "3", scriptLocation: args.code.entryScript },
                workerType: config.glueWorkerType,
                numberOfWorkers: config.glueNumberOfWorkers,
                executionClass: config.glueExecutionClass,
                timeout: config.glueTimeoutMinutes,
                maxRetries: config.glueMaxRetries,
                // A second run would race the first for the table's commit.
                executionProperty: { maxConcurrentRuns: 1 },
                securityConfiguration: security.resource.name,
                connections: args.network?.jobConnectionNames,
                defaultArguments: {
                    "--job-language": "python",
                    // The job reads S3 with Spark, not Glue readers: bookmarks would do nothing (etl/README.md).
                    "--job-bookmark-option": "job-bookmark-disable",
                    "--enable-metrics": "true",
                    "--enable-observability-metrics": "true",
                    "--enable-continuous-cloudwatch-log": "true",
                    "--extra-py-files": args.code.pythonModules,
                    // Glue's own Iceberg libraries (Iceberg 1.10.0 on Glue 5.1, etl/glue_runtime.json).
                    "--datalake-formats": "iceberg",
                    "--TempDir": s3Uri(storage.glueAssetsBucketName, DATA_LAYOUT.glueTemp),
                    "--staging_path": storage.stagingPrefix,
                    // The table's S3 location, the root of the job's Iceberg catalog.
                    "--warehouse_path": storage.warehousePrefix,
                    "--warehouse_database": args.databaseName,
                    "--warehouse_table": args.tableName,
                    "--rejected_path": storage.rejectedPrefix,
                    "--unmatched_path": s3Uri(storage.warehouseBucketName, DATA_LAYOUT.unmatched),
                    "--runs_path": s3Uri(storage.warehouseBucketName, DATA_LAYOUT.runSummaries),
                },
            },
            // The log groups must exist before the first run, or Glue creates them without retention.
            { ...child, dependsOn: [role, ...logGroups] },
        );
        // "off" means no trigger at all rather than a deactivated one: nothing can be switched on
        // by hand outside the program, and turning the schedule on is a config change in review.
        if (config.etlSchedule !== "off") {
            new aws.glue.Trigger(
                `${name}-job-schedule`,
                {
                    name: plan.etl.schedule,
                    description: "Runs the ETL job on the stage's schedule",
                    type: "SCHEDULED",
                    schedule: config.etlSchedule,
                    actions: [{ jobName: job.name }],
                    startOnCreation: true,
                },
                child,
            );
        }
        this.jobName = job.name;
        this.roleArn = role.arn;
        this.registerOutputs({ jobName: this.jobName, roleArn: this.roleArn });
    }
}
