import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import glueRuntime from "../../etl/glue_runtime.json";
import warehouseContract from "../../etl/spotify_etl/contracts/warehouse_schema.json";
import { ContentAddressedObject } from "../components/contentAddressedObject";
import { REPO_ROOT } from "../repository";
import { GlueServiceRole } from "../components/glueServiceRole";
import type { StageConfig } from "../config";
import { glueName } from "../naming";
import { OutputsOf, pickOutputs, stringOutputs } from "../wiring";
import { DATA_LAYOUT, STORAGE_OUTPUTS } from "./storage";

/** The job's code and contracts in the repository; etl/README.md documents them. */
export const ETL_SOURCES = {
    entryScript: "etl/jobs/spotify_etl_job.py",
    package: "etl/spotify_etl",
    ruleset: "etl/spotify_etl/contracts/warehouse_ruleset.dqdl",
} as const;

/** The storage outputs this layer reads. */
export const ETL_STORAGE_INPUTS = pickOutputs(STORAGE_OUTPUTS, [
    "dataKeyArn",
    "stagingBucketArn",
    "stagingPrefix",
    "warehouseBucketName",
    "warehouseBucketArn",
    "warehousePrefix",
    "rejectedPrefix",
    "glueAssetsBucketName",
    "glueAssetsBucketArn",
] as const);
export type EtlStorageInputs = OutputsOf<typeof ETL_STORAGE_INPUTS>;

export const ETL_OUTPUT_KEYS = [
    "glueDatabaseName",
    "warehouseTableName",
    "etlJobName",
    "etlJobRoleArn",
    "crawlerName",
    "crawlerRoleArn",
    "glueSecurityConfigurationName",
    "dataQualityRulesetName",
] as const;
export const ETL_OUTPUTS = stringOutputs(ETL_OUTPUT_KEYS);
export type EtlOutputs = OutputsOf<typeof ETL_OUTPUTS>;

export interface EtlLayerArgs {
    config: StageConfig;
    storage: EtlStorageInputs;
}

/** The CloudWatch namespaces of Glue job metrics and of Glue Data Quality results: the job may publish to these only. */
export const GLUE_METRIC_NAMESPACES = ["Glue", "Glue Data Quality"];

/** A warehouse contract column as the Glue catalog stores it. */
function catalogColumn(column: { name: string; type: string; comment: string }) {
    return { name: column.name, type: column.type, comment: column.comment };
}

/**
 * The etl layer: staging CSV → Glue job (etl/glue_runtime.json) → warehouse Parquet → crawler → catalog table, with
 * the data-quality ruleset on that table. Everything Glue writes (S3, logs, bookmarks) is encrypted
 * with the stage's data key, and the job and the crawler each have a role for exactly their part.
 */
export class EtlLayer extends pulumi.ComponentResource {
    public readonly outputs: EtlOutputs;

    constructor(name: string, args: EtlLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("spotify:layers:Etl", name, {}, opts);
        const { config, storage } = args;
        const missing = Object.values(ETL_SOURCES).filter((source) => !fs.existsSync(path.join(REPO_ROOT, source)));
        if (missing.length > 0) {
            throw new pulumi.RunError(`The etl layer deploys ${missing.join(", ")}, which ${missing.length === 1 ? "does" : "do"} not exist (see etl/README.md).`);
        }
        if (warehouseContract.format !== "parquet") {
            throw new pulumi.RunError(`warehouse_schema.json: format "${warehouseContract.format}" has no catalog mapping; only parquet is supported.`);
        }
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const arn = (service: string, resource: pulumi.Input<string>) => pulumi.interpolate`arn:${partition}:${service}:${config.region}:${accountId}:${resource}`;
        const objectsUnder = (bucketArn: pulumi.Input<string>, prefix: string) => pulumi.interpolate`${bucketArn}/${prefix}*`;

        // ── Catalog ────────────────────────────────────────────────────────────────────────────
        // The catalog's metadata (databases, tables, partitions) and connection passwords, encrypted
        // with the data key. Glue keeps one such setting per account and region, and encrypts only
        // objects created after it, so the database waits for it. Callers of the catalog use the key
        // with their own IAM permissions (SSE-KMS), which the key policy's account statement allows.
        // Deleting the resource writes empty settings (encryption off for the whole catalog, which
        // breaks crawlers that ran on it), so it is kept like the data key where the stage keeps data.
        const catalogEncryption = new aws.glue.DataCatalogEncryptionSettings(
            `${name}-catalog-encryption`,
            {
                dataCatalogEncryptionSettings: {
                    encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: storage.dataKeyArn },
                    connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: storage.dataKeyArn },
                },
            },
            { parent: this, protect: config.protectData, retainOnDelete: config.protectData },
        );
        const database = new aws.glue.CatalogDatabase(
            `${name}-warehouse`,
            { name: glueName(config, "warehouse"), description: `spotify-pipeline ${config.stage}: the warehouse tables the ETL job writes` },
            { parent: this, dependsOn: [catalogEncryption] },
        );
        // Declared from the contract rather than left to the crawler: the views of the queries layer
        // need the table before any run, and the columns are exactly those the job enforces, so a
        // contract change shows up in the preview as a table change.
        const table = new aws.glue.CatalogTable(
            `${name}-tracks`,
            {
                name: warehouseContract.table,
                databaseName: database.name,
                description: warehouseContract.description,
                tableType: "EXTERNAL_TABLE",
                parameters: { classification: "parquet", EXTERNAL: "TRUE", "parquet.compression": warehouseContract.compression.toUpperCase() },
                partitionKeys: warehouseContract.partition_keys.map(catalogColumn),
                storageDescriptor: {
                    location: storage.warehousePrefix,
                    inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    serDeInfo: { serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", parameters: { "serialization.format": "1" } },
                    columns: warehouseContract.columns.map(catalogColumn),
                },
            },
            { parent: this },
        );
        const databaseArns = [
            arn("glue", "catalog"),
            arn("glue", pulumi.interpolate`database/${database.name}`),
        ];

        // ── Encryption and logs ────────────────────────────────────────────────────────────────
        const securityConfigurationName = glueName(config, "etl_security");
        const securityConfiguration = new aws.glue.SecurityConfiguration(
            `${name}-security`,
            {
                name: securityConfigurationName,
                encryptionConfiguration: {
                    s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: storage.dataKeyArn },
                    cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: storage.dataKeyArn },
                    jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: storage.dataKeyArn },
                },
            },
            { parent: this },
        );
        const jobRoleName = glueName(config, "etl_job_role");
        const crawlerRoleName = glueName(config, "crawler_role");
        // Glue picks these names itself once a security configuration encrypts CloudWatch: job
        // output and error under `<security configuration>-role/<role>/`, continuous logs under
        // `logs-v2-<security configuration>`, crawler logs under `<role>-<security configuration>`.
        // Created here first so they get the stage's retention and key instead of Glue's defaults.
        const logGroup = (purpose: string, logGroupName: string) =>
            new aws.cloudwatch.LogGroup(
                `${name}-${purpose}-logs`,
                { name: logGroupName, retentionInDays: config.logRetentionDays, kmsKeyId: storage.dataKeyArn },
                { parent: this },
            );
        const jobLogGroups = [
            logGroup("job-output", `/aws-glue/jobs/${securityConfigurationName}-role/${jobRoleName}/output`),
            logGroup("job-error", `/aws-glue/jobs/${securityConfigurationName}-role/${jobRoleName}/error`),
            logGroup("job-continuous", `/aws-glue/jobs/logs-v2-${securityConfigurationName}`),
        ];
        const crawlerLogGroups = [logGroup("crawler", `/aws-glue/crawlers-role/${crawlerRoleName}-${securityConfigurationName}`)];
        const writeOwnLogs = (logGroups: aws.cloudwatch.LogGroup[]): aws.iam.PolicyStatement => ({
            Sid: "WriteOwnLogGroups",
            Effect: "Allow",
            // AssociateKmsKey: Glue re-associates the security configuration's key at every run.
            Action: ["logs:CreateLogGroup", "logs:AssociateKmsKey", "logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: logGroups.flatMap((group) => [arn("logs", pulumi.interpolate`log-group:${group.name}`), arn("logs", pulumi.interpolate`log-group:${group.name}:*`)]),
        });
        const listBuckets = (bucketArns: pulumi.Input<string>[]): aws.iam.PolicyStatement => ({
            // Unconditional on these buckets: S3 answers a probe for a missing key (Spark's directory
            // checks do that) with 403 instead of 404 unless ListBucket applies without a prefix.
            Sid: "ListOwnBuckets",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: bucketArns,
        });

        // ── Job code ───────────────────────────────────────────────────────────────────────────
        const upload = (purpose: string, source: string) =>
            new ContentAddressedObject(`${name}-${purpose}`, { bucket: storage.glueAssetsBucketName, prefix: DATA_LAYOUT.glueScripts, source }, { parent: this });
        const entryScript = upload("entry-script", ETL_SOURCES.entryScript);
        const packageZip = upload("package", ETL_SOURCES.package);

        // ── Job ────────────────────────────────────────────────────────────────────────────────
        const jobRole = new GlueServiceRole(
            `${name}-job-role`,
            {
                roleName: jobRoleName,
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
                        Sid: "WriteWarehouseOutputs",
                        Effect: "Allow",
                        // Get and Delete too: the commit copies task output into place, and an
                        // overwrite removes what the previous run wrote.
                        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                        Resource: [DATA_LAYOUT.warehouseTable, DATA_LAYOUT.rejected, DATA_LAYOUT.unmatched, DATA_LAYOUT.runSummaries].map((prefix) =>
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
                        Sid: "ReadWarehouseCatalog",
                        Effect: "Allow",
                        Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
                        Resource: [...databaseArns, arn("glue", pulumi.interpolate`table/${database.name}/*`)],
                    },
                    {
                        // Encrypt for bookmarks (client-side), GenerateDataKey/Decrypt for SSE-KMS objects.
                        Sid: "UseDataKey",
                        Effect: "Allow",
                        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                        Resource: storage.dataKeyArn,
                    },
                    writeOwnLogs(jobLogGroups),
                    {
                        // The entry script publishes its quality-gate results under the job name. An
                        // inline ruleset has no ARN of its own, so results are authorized against
                        // dataQualityRuleset/* (this account and region only).
                        Sid: "PublishDataQualityResults",
                        Effect: "Allow",
                        Action: "glue:PublishDataQuality",
                        Resource: arn("glue", "dataQualityRuleset/*"),
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
                ],
            },
            { parent: this },
        );
        const s3Uri = (bucketName: pulumi.Input<string>, prefix: string) => pulumi.interpolate`s3://${bucketName}/${prefix}`;
        const job = new aws.glue.Job(
            `${name}-job`,
            {
                name: glueName(config, "etl"),
                description: `spotify-pipeline ${config.stage}: staging CSV → validated, deduplicated, joined warehouse Parquet`,
                roleArn: jobRole.arn,
                glueVersion: glueRuntime.glueVersion,
                command: { name: "glueetl", pythonVersion: "3", scriptLocation: entryScript.s3Uri },
                workerType: config.glueWorkerType,
                numberOfWorkers: config.glueNumberOfWorkers,
                executionClass: config.glueExecutionClass,
                timeout: config.glueTimeoutMinutes,
                maxRetries: config.glueMaxRetries,
                // A second run would overwrite the same partitions and race on the bookmark.
                executionProperty: { maxConcurrentRuns: 1 },
                securityConfiguration: securityConfiguration.name,
                defaultArguments: {
                    "--job-language": "python",
                    // The job reads S3 with Spark, not Glue readers: bookmarks would do nothing (etl/README.md).
                    "--job-bookmark-option": "job-bookmark-disable",
                    "--enable-metrics": "true",
                    "--enable-observability-metrics": "true",
                    "--enable-continuous-cloudwatch-log": "true",
                    "--extra-py-files": packageZip.s3Uri,
                    "--TempDir": s3Uri(storage.glueAssetsBucketName, DATA_LAYOUT.glueTemp),
                    "--staging_path": storage.stagingPrefix,
                    "--warehouse_path": storage.warehousePrefix,
                    "--rejected_path": storage.rejectedPrefix,
                    "--unmatched_path": s3Uri(storage.warehouseBucketName, DATA_LAYOUT.unmatched),
                    "--runs_path": s3Uri(storage.warehouseBucketName, DATA_LAYOUT.runSummaries),
                },
            },
            // The log groups must exist before the first run, or Glue creates them without retention.
            { parent: this, dependsOn: [jobRole, ...jobLogGroups] },
        );

        // ── Crawler ────────────────────────────────────────────────────────────────────────────
        const crawlerRole = new GlueServiceRole(
            `${name}-crawler-role`,
            {
                roleName: crawlerRoleName,
                description: `spotify-pipeline ${config.stage}: the crawler adds warehouse partitions to the catalog`,
                statements: [
                    listBuckets([storage.warehouseBucketArn]),
                    { Sid: "ReadWarehouseTable", Effect: "Allow", Action: "s3:GetObject", Resource: objectsUnder(storage.warehouseBucketArn, DATA_LAYOUT.warehouseTable) },
                    {
                        // Partitions only: the table's schema belongs to the contract, so no UpdateTable.
                        Sid: "AddTablePartitions",
                        Effect: "Allow",
                        Action: [
                            "glue:GetDatabase",
                            "glue:GetTable",
                            "glue:GetPartition",
                            "glue:GetPartitions",
                            "glue:BatchGetPartition",
                            "glue:CreatePartition",
                            "glue:BatchCreatePartition",
                            "glue:UpdatePartition",
                            "glue:BatchUpdatePartition",
                        ],
                        Resource: [...databaseArns, arn("glue", pulumi.interpolate`table/${database.name}/${table.name}`)],
                    },
                    { Sid: "UseDataKeyForWarehouseAndCatalog", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"], Resource: storage.dataKeyArn },
                    writeOwnLogs(crawlerLogGroups),
                ],
            },
            { parent: this },
        );
        const crawler = new aws.glue.Crawler(
            `${name}-crawler`,
            {
                name: glueName(config, "warehouse_crawler"),
                description: `spotify-pipeline ${config.stage}: adds the partitions each ETL run writes to the ${warehouseContract.table} table`,
                role: crawlerRole.arn,
                databaseName: database.name,
                // The declared table, not the S3 prefix: a catalog target can only add partitions to
                // it, never create a second table beside it when a file looks different.
                catalogTargets: [{ databaseName: database.name, tables: [table.name] }],
                schemaChangePolicy: { deleteBehavior: "LOG", updateBehavior: "LOG" },
                // New partitions take the table's columns and SerDe instead of what the files suggest.
                configuration: JSON.stringify({
                    Version: 1.0,
                    CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } },
                    Grouping: { TableGroupingPolicy: "CombineCompatibleSchemas" },
                }),
                securityConfiguration: securityConfiguration.name,
                schedule: config.crawlerSchedule === "off" ? undefined : config.crawlerSchedule,
            },
            { parent: this, dependsOn: [crawlerRole, ...crawlerLogGroups] },
        );

        // ── Triggers ───────────────────────────────────────────────────────────────────────────
        new aws.glue.Trigger(
            `${name}-crawl-after-job`,
            {
                name: glueName(config, "crawl_after_etl"),
                description: "Adds the new partitions to the catalog as soon as a job run succeeds",
                type: "CONDITIONAL",
                predicate: { conditions: [{ jobName: job.name, state: "SUCCEEDED", logicalOperator: "EQUALS" }] },
                actions: [{ crawlerName: crawler.name }],
                startOnCreation: true,
            },
            { parent: this },
        );
        // "off" means no trigger at all rather than a deactivated one: nothing can be switched on
        // by hand outside the program, and turning the schedule on is a config change in review.
        if (config.etlSchedule !== "off") {
            new aws.glue.Trigger(
                `${name}-job-schedule`,
                {
                    name: glueName(config, "etl_schedule"),
                    description: "Runs the ETL job on the stage's schedule",
                    type: "SCHEDULED",
                    schedule: config.etlSchedule,
                    actions: [{ jobName: job.name }],
                    startOnCreation: true,
                },
                { parent: this },
            );
        }

        // ── Data quality ───────────────────────────────────────────────────────────────────────
        const ruleset = new aws.glue.DataQualityRuleset(
            `${name}-quality`,
            {
                name: glueName(config, "warehouse_quality"),
                description: `The data-quality rules of ${warehouseContract.table} (${ETL_SOURCES.ruleset})`,
                ruleset: fs.readFileSync(path.join(REPO_ROOT, ETL_SOURCES.ruleset), "utf8"),
                targetTable: { databaseName: database.name, tableName: table.name },
            },
            { parent: this },
        );

        this.outputs = {
            glueDatabaseName: database.name,
            warehouseTableName: table.name,
            etlJobName: job.name,
            etlJobRoleArn: jobRole.arn,
            crawlerName: crawler.name,
            crawlerRoleArn: crawlerRole.arn,
            glueSecurityConfigurationName: securityConfiguration.name,
            dataQualityRulesetName: ruleset.name,
        };
        this.registerOutputs(this.outputs);
    }
}
