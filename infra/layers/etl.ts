import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../model/repository";
import type { StageConfig } from "../../model/stageConfig";
import { DATA_LAYOUT, StagePlan } from "../../model/stagePlan";
import { UserError } from "../../model/userError";
import { rejectArgProblems } from "../componentArgs";
import { ContentAddressedObject, UploadSource } from "../etl/contentAddressedObject";
import { EtlJob } from "../etl/etlJob";
import { glueSecurity } from "../etl/glueSecurity";
import { pythonRuntimeFiles } from "../etl/jobModules";
import { TableMaintenance } from "../etl/tableMaintenance";
import { WarehouseCatalog } from "../etl/warehouseCatalog";
import { glueNetworkAccess } from "../network/glueNetworkAccess";
import { ETL_NETWORK_INPUTS, ETL_OUTPUTS, ETL_STORAGE_INPUTS } from "../../model/layerOutputs";
import type { OutputsOf } from "../wiring";

/** The network layer's outputs the etl layer reads. */
export type EtlNetworkInputs = OutputsOf<typeof ETL_NETWORK_INPUTS>;

/** The job's code and contracts in the repository; etl/README.md documents them. */
export const ETL_SOURCES = {
    entryScript: "etl/jobs/spotify_etl_job.py",
    package: "etl/spotify_etl",
    ruleset: "etl/spotify_etl/contracts/warehouse_ruleset.dqdl",
} as const;

/** The zip the job imports its modules from: the files of the package the entry script runs with, and nothing else. */
export function etlJobPackage(root: string = REPO_ROOT): UploadSource {
    return { package: ETL_SOURCES.package, files: pythonRuntimeFiles(ETL_SOURCES.entryScript, ETL_SOURCES.package, root) };
}

export type EtlStorageInputs = OutputsOf<typeof ETL_STORAGE_INPUTS>;

export type EtlOutputs = OutputsOf<typeof ETL_OUTPUTS>;

export interface EtlLayerArgs {
    /** The stage's settings: the job's sizing, schedule and log retention, the table's upkeep, protectData, network. */
    readonly config: StageConfig;
    /** The stage's physical names (model/stagePlan.ts). */
    readonly plan: StagePlan;
    readonly storage: EtlStorageInputs;
    /** The network layer's outputs, with spotify:network "isolated" (and only then): the job runs in its subnets. */
    readonly network?: EtlNetworkInputs;
}

/**
 * Throws an error naming every arg of an EtlLayer that disagrees with another: a plan of another
 * stage than the config's, or network outputs given without spotify:network "isolated" (the job
 * would run in a VPC the stage does not declare) or missing with it (the job would run outside the
 * VPC the stage isolates).
 */
export function validateEtlLayerArgs(args: EtlLayerArgs): void {
    const { config, plan } = args;
    const isolated = config.network === "isolated";
    rejectArgProblems("EtlLayerArgs", {
        plan: plan.stage === config.stage ? undefined : `is stage ${JSON.stringify(plan.stage)}'s, but config is stage ${JSON.stringify(config.stage)}'s`,
        network:
            isolated === (args.network !== undefined)
                ? undefined
                : isolated
                  ? 'is required with spotify:network "isolated": the job runs in the network layer\'s subnets'
                  : `is given, but spotify:network is ${JSON.stringify(config.network)}: the stage declares no VPC for the job`,
    });
}

/** Throws when a repository file the layer deploys (ETL_SOURCES) is missing. */
function requireSources(): void {
    const missing = Object.values(ETL_SOURCES).filter((source) => !fs.existsSync(path.join(REPO_ROOT, source)));
    if (missing.length > 0) {
        throw new UserError(`The etl layer deploys ${missing.join(", ")}, which ${missing.length === 1 ? "does" : "do"} not exist (see etl/README.md).`);
    }
}

/**
 * The etl layer: staging CSV → Glue job (etl/glue_runtime.json) → the warehouse's Iceberg table in
 * the Data Catalog, one commit per run, with the data-quality ruleset on that table and Glue's
 * optimizers expiring its snapshots and deleting its orphan files. No crawler: the table is declared
 * here, its partitions live in its Iceberg metadata, and Athena reads it through that metadata.
 * Everything Glue writes (S3, logs, bookmarks) is encrypted with the stage's data key, and the job
 * and the optimizers each have a role for exactly their part.
 * The components are named like the layer, so their children keep the names they had before the
 * layer was split into components (see infra/etl/splitAliases.ts).
 */
export class EtlLayer extends pulumi.ComponentResource {
    public readonly outputs: EtlOutputs;

    constructor(name: string, args: EtlLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEtlLayerArgs(args);
        requireSources();
        super("spotify:layers:Etl", name, {}, opts);
        const { config, plan, storage } = args;
        const location = {
            partition: aws.getPartitionOutput({}, { parent: this }).partition,
            region: config.region,
            accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
        };
        const network = args.network === undefined ? undefined : glueNetworkAccess(args.network, location);
        const catalog = new WarehouseCatalog(
            name,
            {
                plan,
                dataKeyArn: storage.dataKeyArn,
                tableLocation: storage.warehousePrefix,
                qualityRuleset: { text: fs.readFileSync(path.join(REPO_ROOT, ETL_SOURCES.ruleset), "utf8"), source: ETL_SOURCES.ruleset },
                protectData: config.protectData,
            },
            { parent: this },
        );
        const security = glueSecurity(`${name}-security`, plan.etl.securityConfiguration, storage.dataKeyArn, { parent: this });
        const upload = (purpose: string, source: UploadSource) =>
            new ContentAddressedObject(
                `${name}-${purpose}`,
                { bucket: storage.glueAssetsBucketName, prefix: DATA_LAYOUT.glueScripts, source },
                { parent: this },
            );
        const job = new EtlJob(
            name,
            {
                plan,
                location,
                storage,
                security,
                network,
                databaseName: catalog.databaseName,
                tableName: catalog.tableName,
                code: { entryScript: upload("entry-script", ETL_SOURCES.entryScript).s3Uri, pythonModules: upload("package", etlJobPackage()).s3Uri },
                workerType: config.glueWorkerType,
                numberOfWorkers: config.glueNumberOfWorkers,
                executionClass: config.glueExecutionClass,
                timeoutMinutes: config.glueTimeoutMinutes,
                maxRetries: config.glueMaxRetries,
                schedule: config.etlSchedule,
                logRetentionDays: config.logRetentionDays,
            },
            { parent: this },
        );
        new TableMaintenance(
            name,
            {
                plan,
                location,
                dataKeyArn: storage.dataKeyArn,
                warehouseBucketArn: storage.warehouseBucketArn,
                tablePrefix: DATA_LAYOUT.warehouseTable,
                databaseName: catalog.databaseName,
                tableName: catalog.tableName,
                enabled: config.tableMaintenance,
                everyHours: config.tableMaintenanceEveryHours,
                snapshotRetentionDays: config.snapshotRetentionDays,
                snapshotsToKeep: config.snapshotsToKeep,
                orphanFileRetentionDays: config.orphanFileRetentionDays,
            },
            { parent: this },
        );

        this.outputs = {
            glueDatabaseName: catalog.databaseName,
            warehouseTableName: catalog.tableName,
            etlJobName: job.jobName,
            etlJobRoleArn: job.roleArn,
            glueSecurityConfigurationName: security.resource.name,
            dataQualityRulesetName: catalog.rulesetName,
        };
        this.registerOutputs(this.outputs);
    }
}
