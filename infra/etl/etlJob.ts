import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import glueRuntime from "../../etl/glue_runtime.json";
import { FLEX_WORKER_TYPES, settingDefault, type StageConfig } from "../../model/stageConfig";
import { DATA_LAYOUT, StagePlan } from "../../model/stagePlan";
import type { AwsLocation } from "../awsLocation";
import { rejectArgProblems, settingProblem } from "../componentArgs";
import type { GlueNetworkAccess } from "../network/glueNetworkAccess";
import { etlJobStatements } from "./etlJobPolicy";
import type { GlueSecurity } from "./glueSecurity";
import { GlueServiceRole } from "./glueServiceRole";
import { s3FolderProblem, s3ObjectProblem } from "../s3Uris";
import { splitChildOptions } from "./splitAliases";

/** The buckets, prefixes and key the job reads and writes: the storage layer's outputs. */
export interface EtlJobStorage {
    /** The stage's data key: encrypts the job's log groups; the job uses it for S3 objects and bookmarks. */
    readonly dataKeyArn: pulumi.Input<string>;
    readonly stagingBucketArn: pulumi.Input<string>;
    /** `s3://<staging bucket>/`: the job reads its CSV sources under it. */
    readonly stagingPrefix: pulumi.Input<string>;
    readonly warehouseBucketName: pulumi.Input<string>;
    readonly warehouseBucketArn: pulumi.Input<string>;
    /** `s3://…/` location of the warehouse table, the root of the job's Iceberg catalog. */
    readonly warehousePrefix: pulumi.Input<string>;
    /** `s3://…/` the job writes each run's rejected rows under. */
    readonly rejectedPrefix: pulumi.Input<string>;
    /** The bucket of the job's code and temp dir. */
    readonly glueAssetsBucketName: pulumi.Input<string>;
    readonly glueAssetsBucketArn: pulumi.Input<string>;
}

/** `s3://` URIs of the uploaded code. */
export interface EtlJobCode {
    /** The Glue entry script. */
    readonly entryScript: pulumi.Input<string>;
    /** The zip of the modules the entry script imports. */
    readonly pythonModules: pulumi.Input<string>;
}

export type GlueWorkerType = StageConfig["glueWorkerType"];
export type GlueExecutionClass = StageConfig["glueExecutionClass"];

export interface EtlJobArgs {
    /** The stage and the names of the job, its role and its schedule (model/stagePlan.ts). */
    readonly plan: Pick<StagePlan, "stage" | "etl">;
    /** Where the job runs: the account and region its role's ARNs name. */
    readonly location: AwsLocation;
    readonly storage: EtlJobStorage;
    /** The security configuration the job runs with: its log groups are named after it. */
    readonly security: GlueSecurity;
    /** The catalog database of the Iceberg table the job commits each run to. */
    readonly databaseName: pulumi.Input<string>;
    /** That Iceberg table. */
    readonly tableName: pulumi.Input<string>;
    readonly code: EtlJobCode;
    /** The connections the job runs in, and what its role needs for them. Default: none, the job runs outside any VPC. */
    readonly network?: GlueNetworkAccess;
    /** Glue worker type (spotify:glueWorkerType). Default "G.1X". */
    readonly workerType?: GlueWorkerType;
    /** Workers per run, 2 to 299 (spotify:glueNumberOfWorkers). Default 2. */
    readonly numberOfWorkers?: number;
    /** "FLEX" (spare capacity, G.1X and G.2X only) or "STANDARD" (spotify:glueExecutionClass). Default "FLEX". */
    readonly executionClass?: GlueExecutionClass;
    /** Minutes before a run is stopped, 1 to 2880 (spotify:glueTimeoutMinutes). Default 60. */
    readonly timeoutMinutes?: number;
    /** Retries of a failed run, 0 to 10 (spotify:glueMaxRetries). Default 0. */
    readonly maxRetries?: number;
    /** "off" (no trigger at all) or an EventBridge cron expression the job runs on (spotify:etlSchedule). Default "off". */
    readonly schedule?: string;
    /** Days the job's log groups keep events, one of CloudWatch's retention periods (spotify:logRetentionDays). Default 30. */
    readonly logRetentionDays?: number;
}

/** The sizing and schedule of a job whose args leave them out: those of a stage that does not set them. */
function withDefaults(args: EtlJobArgs) {
    return {
        workerType: args.workerType ?? settingDefault("glueWorkerType"),
        numberOfWorkers: args.numberOfWorkers ?? settingDefault("glueNumberOfWorkers"),
        executionClass: args.executionClass ?? settingDefault("glueExecutionClass"),
        timeoutMinutes: args.timeoutMinutes ?? settingDefault("glueTimeoutMinutes"),
        maxRetries: args.maxRetries ?? settingDefault("glueMaxRetries"),
        schedule: args.schedule ?? settingDefault("etlSchedule"),
        logRetentionDays: args.logRetentionDays ?? settingDefault("logRetentionDays"),
    };
}

/**
 * Throws an error naming every arg of an EtlJob that Glue, EventBridge or CloudWatch would refuse
 * (held to the rules of the stage settings that set them), FLEX on a worker type Flex does not
 * run, and storage prefixes or code locations, given as plain strings, that are not `s3://`
 * folders and objects.
 */
export function validateEtlJobArgs(args: EtlJobArgs): void {
    const settings = withDefaults(args);
    rejectArgProblems("EtlJobArgs", {
        workerType: settingProblem("glueWorkerType", settings.workerType),
        numberOfWorkers: settingProblem("glueNumberOfWorkers", settings.numberOfWorkers),
        executionClass:
            settingProblem("glueExecutionClass", settings.executionClass) ??
            (settings.executionClass === "FLEX" && !FLEX_WORKER_TYPES.includes(settings.workerType)
                ? `FLEX runs only on workerType ${FLEX_WORKER_TYPES.join(" or ")}, got workerType ${JSON.stringify(settings.workerType)}`
                : undefined),
        timeoutMinutes: settingProblem("glueTimeoutMinutes", settings.timeoutMinutes),
        maxRetries: settingProblem("glueMaxRetries", settings.maxRetries),
        schedule: settingProblem("etlSchedule", settings.schedule),
        logRetentionDays: settingProblem("logRetentionDays", settings.logRetentionDays),
        "storage.stagingPrefix": s3FolderProblem(args.storage.stagingPrefix),
        "storage.warehousePrefix": s3FolderProblem(args.storage.warehousePrefix),
        "storage.rejectedPrefix": s3FolderProblem(args.storage.rejectedPrefix),
        "code.entryScript": s3ObjectProblem(args.code.entryScript),
        "code.pythonModules": s3ObjectProblem(args.code.pythonModules),
    });
}

/**
 * The Glue ETL job (staging CSV → the warehouse's Iceberg table) with its role, its log groups and,
 * unless its schedule is "off", its schedule. `name` prefixes its children's names (`<name>-job`,
 * `<name>-job-role`, …).
 */
export class EtlJob extends pulumi.ComponentResource {
    public readonly jobName: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: EtlJobArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEtlJobArgs(args);
        super("spotify:etl:EtlJob", name, {}, opts);
        const { plan, location, storage, security } = args;
        const settings = withDefaults(args);
        const child = splitChildOptions(this, opts);
        const roleName = plan.etl.jobRole;
        // Glue picks these names itself once a security configuration encrypts CloudWatch: output
        // and error under `<security configuration>-role/<role>/`, continuous logs under
        // `logs-v2-<security configuration>`. Created here first, they get the job's retention and
        // key instead of Glue's defaults.
        const logGroups = [
            [`${name}-job-output-logs`, `/aws-glue/jobs/${security.name}-role/${roleName}/output`],
            [`${name}-job-error-logs`, `/aws-glue/jobs/${security.name}-role/${roleName}/error`],
            [`${name}-job-continuous-logs`, `/aws-glue/jobs/logs-v2-${security.name}`],
        ].map(
            ([resourceName, logGroupName]) =>
                new aws.cloudwatch.LogGroup(
                    resourceName,
                    { name: logGroupName, retentionInDays: settings.logRetentionDays, kmsKeyId: storage.dataKeyArn },
                    child,
                ),
        );
        const role = new GlueServiceRole(
            `${name}-job-role`,
            {
                roleName,
                description: `spotify-pipeline ${plan.stage}: the ETL job reads staging and writes the warehouse`,
                statements: [
                    ...etlJobStatements({ ...storage, location, databaseName: args.databaseName, tableName: args.tableName, logGroups }),
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
                description: `spotify-pipeline ${plan.stage}: staging CSV → validated, deduplicated, joined warehouse Parquet`,
                roleArn: role.arn,
                glueVersion: glueRuntime.glueVersion,
                command: { name: "glueetl", pythonVersion: "3", scriptLocation: args.code.entryScript },
                workerType: settings.workerType,
                numberOfWorkers: settings.numberOfWorkers,
                executionClass: settings.executionClass,
                timeout: settings.timeoutMinutes,
                maxRetries: settings.maxRetries,
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
        if (settings.schedule !== "off") {
            new aws.glue.Trigger(
                `${name}-job-schedule`,
                {
                    name: plan.etl.schedule,
                    description: "Runs the ETL job on the stage's schedule",
                    type: "SCHEDULED",
                    schedule: settings.schedule,
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
