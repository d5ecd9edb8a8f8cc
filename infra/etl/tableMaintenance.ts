import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StagePlan } from "../../model/stagePlan";
import { settingDefault } from "../../model/stageConfig";
import { arnIn, AwsLocation } from "../awsLocation";
import { rejectArgProblems, settingProblem } from "../componentArgs";
import { GlueServiceRole } from "./glueServiceRole";
import { databaseArns, listBuckets, objectsUnder } from "./iamStatements";
import { keyPrefixProblem } from "../s3Uris";
import { splitChildOptions } from "./splitAliases";

/**
 * The log groups Glue's Iceberg optimizers write to. Glue picks these names, one per optimizer type
 * and the same for every table of the account and region, so the program does not create them (the
 * stages of an account would fight over them); the role may write to them and nothing else
 * ("Table optimization prerequisites", https://docs.aws.amazon.com/glue/latest/dg/optimization-prerequisites.html).
 */
export const OPTIMIZER_LOG_GROUPS = ["/aws-glue/iceberg-retention/logs", "/aws-glue/iceberg-orphan-file-deletion/logs"] as const;

/** The optimizer types, as the Glue API spells them (TableOptimizerType). */
export const OPTIMIZER_TYPES = { retention: "retention", orphanFileDeletion: "orphan_file_deletion" } as const;

export interface TableMaintenanceArgs {
    /** The stage and the name of the optimizers' role (model/stagePlan.ts). */
    readonly plan: Pick<StagePlan, "stage" | "etl">;
    /** Where the table lives: the account and region its role's ARNs name. */
    readonly location: AwsLocation;
    /** The key the table's objects and the catalog are encrypted with. */
    readonly dataKeyArn: pulumi.Input<string>;
    readonly warehouseBucketArn: pulumi.Input<string>;
    /** The table's prefix in the warehouse bucket (`tracks/`): its data/ and metadata/ are below it. */
    readonly tablePrefix: string;
    readonly databaseName: pulumi.Input<string>;
    readonly tableName: pulumi.Input<string>;
    /** Whether the optimizers run; false declares them disabled, so turning them on is an update (spotify:tableMaintenance). Default true. */
    readonly enabled?: boolean;
    /** Hours between runs of each optimizer, 3 to 168 as Glue's runRateInHours (spotify:tableMaintenanceEveryHours). Default 24. */
    readonly everyHours?: number;
    /** Days a replaced snapshot is kept, 1 to 3650 (spotify:snapshotRetentionDays). Default 5. */
    readonly snapshotRetentionDays?: number;
    /** Snapshots kept regardless of age, the current one included, 1 to 100 (spotify:snapshotsToKeep). Default 1. */
    readonly snapshotsToKeep?: number;
    /** Days a file no snapshot references is kept before it is deleted, 1 to 3650 (spotify:orphanFileRetentionDays). Default 3. */
    readonly orphanFileRetentionDays?: number;
}

/** The schedule and retention of optimizers whose args leave them out: those of a stage that does not set them. */
function withDefaults(args: TableMaintenanceArgs) {
    return {
        enabled: args.enabled ?? settingDefault("tableMaintenance"),
        everyHours: args.everyHours ?? settingDefault("tableMaintenanceEveryHours"),
        snapshotRetentionDays: args.snapshotRetentionDays ?? settingDefault("snapshotRetentionDays"),
        snapshotsToKeep: args.snapshotsToKeep ?? settingDefault("snapshotsToKeep"),
        orphanFileRetentionDays: args.orphanFileRetentionDays ?? settingDefault("orphanFileRetentionDays"),
    };
}

/**
 * Throws an error naming every arg of a TableMaintenance that Glue's optimizers would refuse (held
 * to the rules of the stage settings that set them), and a table prefix that is not a key prefix
 * ending in "/" (the role's object permissions are granted under it).
 */
export function validateTableMaintenanceArgs(args: TableMaintenanceArgs): void {
    const settings = withDefaults(args);
    rejectArgProblems("TableMaintenanceArgs", {
        everyHours: settingProblem("tableMaintenanceEveryHours", settings.everyHours),
        snapshotRetentionDays: settingProblem("snapshotRetentionDays", settings.snapshotRetentionDays),
        snapshotsToKeep: settingProblem("snapshotsToKeep", settings.snapshotsToKeep),
        orphanFileRetentionDays: settingProblem("orphanFileRetentionDays", settings.orphanFileRetentionDays),
        tablePrefix: keyPrefixProblem(args.tablePrefix),
    });
}

/**
 * The upkeep of the Iceberg warehouse table: Glue's snapshot retention optimizer expires snapshots
 * older than spotify:snapshotRetentionDays (keeping at least spotify:snapshotsToKeep) and deletes
 * the files only they referenced, and the orphan-file deletion optimizer deletes files under the
 * table's location that no snapshot references (left by failed or killed runs) once they are older
 * than spotify:orphanFileRetentionDays; both every spotify:tableMaintenanceEveryHours. Without them
 * every run's files stay forever. Disabled (spotify:tableMaintenance false), both are still
 * declared, so turning them back on is an update. `name` prefixes its children's names
 * (`<name>-maintenance-role`, `<name>-snapshot-retention`, `<name>-orphan-file-deletion`).
 */
export class TableMaintenance extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: TableMaintenanceArgs, opts?: pulumi.ComponentResourceOptions) {
        validateTableMaintenanceArgs(args);
        super("spotify:etl:TableMaintenance", name, {}, opts);
        const { plan, location } = args;
        const settings = withDefaults(args);
        const child = splitChildOptions(this, opts);
        const tableArn = arnIn(location, "glue", pulumi.interpolate`table/${args.databaseName}/${args.tableName}`);
        // What the optimizers do, per "Table optimization prerequisites" (AWS Glue developer guide,
        // link above): read the table's metadata and data files, write new metadata and commit it
        // with UpdateTable (snapshot expiry), delete the files nothing references any more, and log.
        const role = new GlueServiceRole(
            `${name}-maintenance-role`,
            {
                // The data buckets' endpoint-only policy exempts this name (README.md, "Network isolation").
                roleName: plan.etl.tableMaintenanceRole,
                description: `spotify-pipeline ${plan.stage}: Glue's optimizers expire the warehouse table's snapshots and delete its orphan files`,
                statements: [
                    listBuckets([args.warehouseBucketArn]),
                    {
                        // Put: snapshot expiry writes the table's new metadata; Delete: the files of
                        // expired snapshots and orphan files.
                        Sid: "MaintainTableFiles",
                        Effect: "Allow",
                        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                        Resource: objectsUnder(args.warehouseBucketArn, args.tablePrefix),
                    },
                    {
                        Sid: "CommitTableMetadata",
                        Effect: "Allow",
                        Action: ["glue:GetTable", "glue:UpdateTable"],
                        Resource: [...databaseArns(location, args.databaseName), tableArn],
                    },
                    // The table's objects and the catalog are encrypted with the data key (SSE-KMS).
                    { Sid: "UseDataKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: args.dataKeyArn },
                    {
                        Sid: "WriteOptimizerLogs",
                        Effect: "Allow",
                        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                        Resource: OPTIMIZER_LOG_GROUPS.flatMap((group) => [
                            arnIn(location, "logs", `log-group:${group}`),
                            arnIn(location, "logs", `log-group:${group}:*`),
                        ]),
                    },
                ],
            },
            child,
        );
        const table = { catalogId: location.accountId, databaseName: args.databaseName, tableName: args.tableName };
        const { enabled, everyHours: runRateInHours } = settings;
        // The optimizers wait for the role's permissions: Glue checks them when the optimizer is created.
        const afterRole = { ...child, dependsOn: [role] };
        new aws.glue.CatalogTableOptimizer(
            `${name}-snapshot-retention`,
            {
                ...table,
                type: OPTIMIZER_TYPES.retention,
                configuration: {
                    enabled,
                    roleArn: role.arn,
                    retentionConfiguration: {
                        icebergConfiguration: {
                            snapshotRetentionPeriodInDays: settings.snapshotRetentionDays,
                            numberOfSnapshotsToRetain: settings.snapshotsToKeep,
                            // Delete the files only expired snapshots referenced, not just their metadata.
                            cleanExpiredFiles: true,
                            runRateInHours,
                        },
                    },
                },
            },
            afterRole,
        );
        new aws.glue.CatalogTableOptimizer(
            `${name}-orphan-file-deletion`,
            {
                ...table,
                type: OPTIMIZER_TYPES.orphanFileDeletion,
                configuration: {
                    enabled,
                    roleArn: role.arn,
                    // Without a location it covers the table's own location: data/ and metadata/.
                    orphanFileDeletionConfiguration: {
                        icebergConfiguration: { orphanFileRetentionPeriodInDays: settings.orphanFileRetentionDays, runRateInHours },
                    },
                },
            },
            afterRole,
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
