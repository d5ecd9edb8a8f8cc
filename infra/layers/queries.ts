import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StageConfig } from "../config";
import { glueName } from "../naming";
import { QueryCatalog, WAREHOUSE_TABLE } from "../queries/catalog";
import { prestoViewTableArgs } from "../queries/prestoView";
import type { EtlOutputs } from "./etl";
import { DATA_LAYOUT, STORAGE_OUTPUT_KEYS, StorageOutputs } from "./storage";

/** The storage outputs this layer reads. */
export const QUERIES_STORAGE_INPUTS = ["athenaResultsBucketName", "dataKeyArn"] as const satisfies readonly (typeof STORAGE_OUTPUT_KEYS)[number][];
/** The etl outputs this layer reads: where the warehouse table is. */
export const QUERIES_ETL_INPUTS = ["glueDatabaseName", "warehouseTableName"] as const satisfies readonly (keyof EtlOutputs)[];

export const QUERIES_OUTPUT_KEYS = [
    "workgroupName",
    "workgroupArn",
    /** The Glue database the views live in (the ETL's warehouse database). */
    "viewDatabaseName",
    /** JSON list of the view names, in creation order. */
    "viewNames",
    /** JSON map from query name to named query id. */
    "namedQueryIds",
] as const;
export type QueriesOutputs = Record<(typeof QUERIES_OUTPUT_KEYS)[number], pulumi.Output<string>>;

export interface QueriesLayerArgs {
    config: StageConfig;
    /** queries/: the SQL files and their declared outputs, validated. */
    catalog: QueryCatalog;
    storage: Pick<StorageOutputs, (typeof QUERIES_STORAGE_INPUTS)[number]>;
    etl: Pick<EtlOutputs, (typeof QUERIES_ETL_INPUTS)[number]>;
}

/**
 * The queries layer: the stage's Athena workgroup, one named query per queries/*.sql, and each
 * declared view as a Glue table in the warehouse database, in dependency order.
 */
export class QueriesLayer extends pulumi.ComponentResource {
    public readonly outputs: QueriesOutputs;

    constructor(name: string, args: QueriesLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("spotify:layers:Queries", name, {}, opts);
        const { config, catalog, storage, etl } = args;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        // The SQL reads the warehouse table by its contract name, unqualified; a differently named
        // table would leave every view broken, so the mismatch stops the deployment instead.
        const databaseName = pulumi.all([etl.glueDatabaseName, etl.warehouseTableName]).apply(([database, table]) => {
            if (table !== WAREHOUSE_TABLE) {
                throw new pulumi.RunError(
                    `The etl layer's warehouse table is "${database}.${table}", but queries/*.sql read it as "${WAREHOUSE_TABLE}" ` +
                        "(etl/spotify_etl/contracts/warehouse_schema.json): the two must agree.",
                );
            }
            return database;
        });

        const workgroup = new aws.athena.Workgroup(
            `${name}-workgroup`,
            {
                name: glueName(config, "analytics"),
                description: `spotify-pipeline ${config.stage}: views, named queries and dashboard queries over the warehouse`,
                state: "ENABLED",
                // Named queries and query history go with the workgroup only when the stage may be torn down.
                forceDestroy: config.allowTeardown,
                configuration: {
                    // Clients cannot opt out of the result location, encryption or scan limit below.
                    enforceWorkgroupConfiguration: true,
                    engineVersion: { selectedEngineVersion: "Athena engine version 3" },
                    bytesScannedCutoffPerQuery: config.athenaBytesScannedCutoff,
                    publishCloudwatchMetricsEnabled: true,
                    resultConfiguration: {
                        outputLocation: pulumi.interpolate`s3://${storage.athenaResultsBucketName}/${DATA_LAYOUT.athenaResults}`,
                        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: storage.dataKeyArn },
                        // Results never land in a bucket of that name owned by another account.
                        expectedBucketOwner: accountId,
                    },
                },
            },
            { parent: this },
        );

        const namedQueries = catalog.queries.map(
            (query) =>
                [
                    query.name,
                    new aws.athena.NamedQuery(
                        `${name}-${query.name}-query`,
                        { name: query.name, description: query.description, database: databaseName, workgroup: workgroup.name, query: query.sql },
                        { parent: this },
                    ),
                ] as const,
        );

        // The catalog lists each view after the views it reads, so its dependencies exist here already.
        const views = new Map<string, aws.glue.CatalogTable>();
        for (const view of catalog.queries.filter((query) => query.kind === "view")) {
            views.set(
                view.name,
                new aws.glue.CatalogTable(`${name}-${view.name}-view`, prestoViewTableArgs(view, databaseName), {
                    parent: this,
                    dependsOn: view.dependsOn.map((dependency) => views.get(dependency)!),
                }),
            );
        }

        this.outputs = {
            workgroupName: workgroup.name,
            workgroupArn: workgroup.arn,
            viewDatabaseName: databaseName,
            viewNames: pulumi.jsonStringify([...views.values()].map((view) => view.name)),
            namedQueryIds: pulumi.jsonStringify(Object.fromEntries(namedQueries.map(([queryName, query]) => [queryName, query.id]))),
        };
        this.registerOutputs(this.outputs);
    }
}
