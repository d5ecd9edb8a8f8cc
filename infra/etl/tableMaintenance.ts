import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GlueServiceRole } from "./glueServiceRole";
import type { StageConfig } from "../../model/stageConfig";
import { arnIn, AwsLocation } from "../awsLocation";
import type { StagePlan } from "../../model/stagePlan";
import { databaseArns, listBuckets, objectsUnder, splitChildOptions } from "./glueAccess";

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
    /** Whether the optimizers run, how often, and how long snapshots and orphan files are kept. */
    config: StageConfig;
    /** The name of the optimizers' role (model/stagePlan.ts). */
    plan: Pick<StagePlan, "etl">;
    location: AwsLocation;
    dataKeyArn: pulumi.Input<string>;
    warehouseBucketArn: pulumi.Input<string>;
    /** The table's prefix in the warehouse bucket (`tracks/`): its data/ and metadata/ are below it. */
    tablePrefix: string;
    databaseName: pulumi.Input<string>;
    tableName: pulumi.Input<string>;
}

/**
 * The upkeep of the Iceberg warehouse table: Glue's snapshot retention optimizer expires snapshots
 * older than spotify:snapshotRetentionDays (keeping at least spotify:snapshotsToKeep) and deletes
 * the files only they referenced, and the orphan-file deletion optimizer deletes files under the
 * table's location that no snapshot references (left by failed or killed runs) once they are older
 * than spotify:orphanFileRetentionDays; both every spotify:tableMaintenanceEveryHours. Without them
 * every run's files stay forever. With spotify:tableMaintenance false both are declared disabled,
 * so turning them back on is an update. `name` prefixes its children's names
 * (`<name>-maintenance-role`, `<name>-snapshot-retention`, `<name>-orphan-file-deletion`).
 */
export class TableMaintenance extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: TableMaintenanceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("spotify:etl:TableMaintenance", name, {}, opts);
        const { config, plan, location } = args;
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
                description: `spotify-pipeline ${config.stage}: Glue's optimizers expire the warehouse table's snapshots and delete its orphan files`,
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
        const enabled = config.tableMaintenance;
        const runRateInHours = config.tableMaintenanceEveryHours;
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
                            snapshotRetentionPeriodInDays: config.snapshotRetentionDays,
                            numberOfSnapshotsToRetain: config.snapshotsToKeep,
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
                        icebergConfiguration: { orphanFileRetentionPeriodInDays: config.orphanFileRetentionDays, runRateInHours },
                    },
                },
            },
            afterRole,
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
