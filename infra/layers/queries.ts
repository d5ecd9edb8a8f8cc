import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StageConfig } from "../../model/stageConfig";
import { DATA_LAYOUT, StagePlan } from "../../model/stagePlan";
import { UserError } from "../../model/userError";
import { rejectArgProblems, settingProblem } from "../componentArgs";
import { QueryCatalog, WAREHOUSE_TABLE } from "../../model/queryCatalog";
import { prestoViewTableArgs } from "../queries/prestoView";
import { DeployedView, QUERIES_ETL_INPUTS, QUERIES_OUTPUTS, QUERIES_STORAGE_INPUTS } from "../../model/layerOutputs";
import type { OutputsOf } from "../wiring";

export type QueriesOutputs = OutputsOf<typeof QUERIES_OUTPUTS>;

export interface QueriesLayerArgs {
    /** The stage's settings: its name, spotify:allowTeardown and spotify:athenaBytesScannedCutoff. */
    readonly config: StageConfig;
    /** The stage's physical names (model/stagePlan.ts). */
    readonly plan: StagePlan;
    /** queries/: the SQL files and their declared outputs, validated (model/queryCatalog.ts). */
    readonly catalog: QueryCatalog;
    readonly storage: OutputsOf<typeof QUERIES_STORAGE_INPUTS>;
    readonly etl: OutputsOf<typeof QUERIES_ETL_INPUTS>;
}

/** Why the layer cannot declare the catalog's queries in its order: a name twice, or SQL reading a view not declared before it. */
function catalogOrderProblem(catalog: QueryCatalog): string | undefined {
    const declared = new Map<string, QueryCatalog["queries"][number]["kind"]>();
    for (const query of catalog.queries) {
        if (declared.has(query.name)) return `lists ${query.name} twice`;
        const unread = query.dependsOn.find((dependency) => declared.get(dependency) !== "view");
        if (unread !== undefined) return `lists ${query.name}, which reads ${unread}, where ${unread} is no view listed before it`;
        declared.set(query.name, query.kind);
    }
    return undefined;
}

/**
 * Throws an error naming every arg of a QueriesLayer it cannot declare: a plan of another stage
 * than the config's, a scan limit Athena refuses (spotify:athenaBytesScannedCutoff's rule), or a
 * catalog that names a query twice or lists a view before a view it reads (each view waits for
 * the views it reads, which must be declared by then).
 */
export function validateQueriesLayerArgs(args: QueriesLayerArgs): void {
    const { config, plan } = args;
    rejectArgProblems("QueriesLayerArgs", {
        plan: plan.stage === config.stage ? undefined : `is stage ${JSON.stringify(plan.stage)}'s, but config is stage ${JSON.stringify(config.stage)}'s`,
        "config.athenaBytesScannedCutoff": settingProblem("athenaBytesScannedCutoff", config.athenaBytesScannedCutoff),
        catalog: catalogOrderProblem(args.catalog),
    });
}

/**
 * The queries layer: the stage's Athena workgroup, one named query per queries/*.sql, and each
 * declared view as a Glue table in the warehouse database, in dependency order.
 */
export class QueriesLayer extends pulumi.ComponentResource {
    public readonly outputs: QueriesOutputs;

    constructor(name: string, args: QueriesLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateQueriesLayerArgs(args);
        super("spotify:layers:Queries", name, {}, opts);
        const { config, plan, catalog, storage, etl } = args;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        // The SQL reads the warehouse table by its contract name, unqualified; a differently named
        // table would leave every view broken, so the mismatch stops the deployment instead.
        const databaseName = pulumi.all([etl.glueDatabaseName, etl.warehouseTableName]).apply(([database, table]) => {
            if (table !== WAREHOUSE_TABLE) {
                throw new UserError(
                    `The etl layer's warehouse table is "${database}.${table}", but queries/*.sql read it as "${WAREHOUSE_TABLE}" ` +
                        "(etl/spotify_etl/contracts/warehouse_schema.json): the two must agree.",
                );
            }
            return database;
        });

        const workgroup = new aws.athena.Workgroup(
            `${name}-workgroup`,
            {
                name: plan.workgroup,
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
        const viewSources = catalog.queries.filter((query) => query.kind === "view");
        const views = new Map<string, aws.glue.CatalogTable>();
        for (const view of viewSources) {
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
            views: pulumi.all(
                viewSources.map((view) =>
                    views
                        .get(view.name)!
                        .name.apply((deployedName): DeployedView => ({ name: deployedName, columns: view.columns.map(({ name, type }) => ({ name, type })) })),
                ),
            ),
            namedQueryIds: pulumi.all(Object.fromEntries(namedQueries.map(([queryName, query]) => [queryName, query.id]))),
        };
        this.registerOutputs(this.outputs);
    }
}
