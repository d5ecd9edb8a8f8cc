import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import type { StageConfig } from "../../model/stageConfig";
import { assertDashboardContract, Dashboard } from "../dashboards/definition";
import { assetPermissions, QuickSightPrincipals } from "../dashboards/permissions";
import { quicksightColumnType, quicksightDefinition } from "../dashboards/quicksight";
import { quicksightId } from "../../model/naming";
import { NO_CSV_EXPORT_CLASSIFICATIONS } from "../../model/quicksightAccess";
import { OutputsOf, pickOutputs, stringOutputs } from "../wiring";
import { ETL_OUTPUTS } from "./etl";
import { DeployedView, QUERIES_OUTPUTS } from "./queries";
import { STORAGE_OUTPUTS } from "./storage";
import { DATA_LAYOUT } from "../../model/stagePlan";

/** The storage outputs this layer reads: what the QuickSight service role must reach. */
export const DASHBOARDS_STORAGE_INPUTS = pickOutputs(STORAGE_OUTPUTS, ["dataKeyArn", "warehouseBucketArn", "athenaResultsBucketArn"] as const);
/** The etl outputs this layer reads: the Glue database the views live in. */
export const DASHBOARDS_ETL_INPUTS = pickOutputs(ETL_OUTPUTS, ["glueDatabaseName"] as const);
/** The queries outputs this layer reads: the workgroup to query through, and the views with their declared columns. */
export const DASHBOARDS_QUERIES_INPUTS = pickOutputs(QUERIES_OUTPUTS, ["workgroupName", "workgroupArn", "views"] as const);

export const DASHBOARDS_OUTPUTS = stringOutputs(["dataSourceArn", "analysisArn", "dashboardArn"] as const);
export type DashboardsOutputs = OutputsOf<typeof DASHBOARDS_OUTPUTS>;

export interface DashboardsLayerArgs {
    config: StageConfig;
    /** dashboards/<name>.yaml, loaded and validated. */
    dashboard: Dashboard;
    storage: OutputsOf<typeof DASHBOARDS_STORAGE_INPUTS>;
    etl: OutputsOf<typeof DASHBOARDS_ETL_INPUTS>;
    queries: OutputsOf<typeof DASHBOARDS_QUERIES_INPUTS>;
}

/** The Glue Data Catalog as QuickSight and Athena name it. */
const ATHENA_CATALOG = "AwsDataCatalog";

/**
 * The dashboards layer: an Athena data source on the stage's workgroup, the QuickSight service
 * role's access to this stage's data, one dataset per view the dashboard reads (columns from the
 * view's declared schema), and the analysis and dashboard rendered from one definition.
 *
 * Prerequisites that cannot be code: the account's QuickSight subscription, and the QuickSight
 * service role (spotify:quicksightServiceRoleName), which QuickSight creates when it is enabled.
 */
export class DashboardsLayer extends pulumi.ComponentResource {
    public readonly outputs: DashboardsOutputs;

    constructor(name: string, args: DashboardsLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("spotify:layers:Dashboards", name, {}, opts);
        const { config, dashboard, storage, etl, queries } = args;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const principals: QuickSightPrincipals = { owners: config.quicksightOwners, viewers: config.quicksightViewers };
        // Prod keeps the assets people rely on: a deploy cannot delete them by accident.
        const keep = { protect: config.protectData, retainOnDelete: config.protectData };
        const id = (purpose: string) => quicksightId(config, purpose);

        // The upstream views must still declare every column the dashboard uses (a queries stack
        // deployed from another commit may not); checked once, before any dataset depends on it.
        const views = queries.views.apply((deployed) => {
            assertDashboardContract(dashboard, deployed);
            return deployed;
        });
        const viewOf = (dataset: string) => views.apply((deployed) => deployed.find((view) => view.name === dashboard.datasets[dataset]) as DeployedView);

        const serviceRoleAccess = new aws.iam.Policy(
            `${name}-quicksight-access`,
            {
                name: `${config.namePrefix}-${config.stage}-quicksight-data-access`,
                description: `QuickSight reads spotify-pipeline ${config.stage}'s views through Athena, and nothing else of the account`,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: serviceRoleStatements({
                        ...storage,
                        workgroupArn: queries.workgroupArn,
                        database: etl.glueDatabaseName,
                        glueArn: (resource) => pulumi.interpolate`arn:${partition}:glue:${config.region}:${accountId}:${resource}`,
                        athenaCatalogArn: pulumi.interpolate`arn:${partition}:athena:${config.region}:${accountId}:datacatalog/${ATHENA_CATALOG}`,
                    }),
                }),
            },
            { parent: this },
        );
        const serviceRoleAttachment = new aws.iam.RolePolicyAttachment(
            `${name}-quicksight-access-attachment`,
            { role: config.quicksightServiceRoleName, policyArn: serviceRoleAccess.arn },
            { parent: this },
        );

        const dataSource = new awsNative.quicksight.DataSource(
            `${name}-athena`,
            {
                awsAccountId: accountId,
                dataSourceId: id("athena"),
                name: `spotify-pipeline ${config.stage} (Athena)`,
                type: "ATHENA",
                dataSourceParameters: { athenaParameters: { workGroup: queries.workgroupName } },
                sslProperties: { disableSsl: false },
                permissions: assetPermissions("dataSource", principals),
            },
            // QuickSight checks the role's access when it creates the data source.
            { parent: this, dependsOn: [serviceRoleAttachment], ...keep },
        );

        const dataSets = Object.keys(dashboard.datasets).map((dataset) => {
            const view = viewOf(dataset);
            const dataSet = new awsNative.quicksight.DataSet(
                `${name}-${dataset}`,
                {
                    awsAccountId: accountId,
                    dataSetId: id(dataset),
                    name: pulumi.interpolate`spotify-pipeline ${config.stage}: ${view.name}`,
                    importMode: config.quicksightImportMode,
                    physicalTableMap: {
                        [dataset]: {
                            relationalTable: {
                                dataSourceArn: dataSource.arn,
                                catalog: ATHENA_CATALOG,
                                schema: etl.glueDatabaseName,
                                name: view.name,
                                inputColumns: view.columns.apply((columns) =>
                                    columns.map((column) => ({ name: column.name, ...quicksightColumnType(column.type) })),
                                ),
                            },
                        },
                    },
                    permissions: assetPermissions("dataSet", principals),
                },
                { parent: this, ...keep },
            );
            if (config.quicksightImportMode === "SPICE") {
                new awsNative.quicksight.RefreshSchedule(
                    `${name}-${dataset}-refresh`,
                    {
                        awsAccountId: accountId,
                        // The dataset's own output, so the schedule waits for the dataset to exist.
                        dataSetId: dataSet.dataSetId.apply((dataSetId) => dataSetId ?? id(dataset)),
                        schedule: {
                            scheduleId: `${id(dataset)}-daily`,
                            refreshType: "FULL_REFRESH",
                            scheduleFrequency: { interval: "DAILY", timeOfTheDay: config.quicksightRefreshTime, timeZone: "UTC" },
                        },
                    },
                    { parent: this },
                );
            }
            return [dataset, dataSet] as const;
        });

        const definition = pulumi
            .all([views, pulumi.all(Object.fromEntries(dataSets.map(([dataset, dataSet]) => [dataset, dataSet.arn])))])
            .apply(([deployed, arns]) => quicksightDefinition(dashboard, deployed, arns));

        const analysis = new awsNative.quicksight.Analysis(
            `${name}-${dashboard.id}-analysis`,
            {
                awsAccountId: accountId,
                analysisId: id(`${dashboard.id}-analysis`),
                name: `${dashboard.name} (${config.stage}, analysis)`,
                definition,
                permissions: assetPermissions("analysis", principals),
            },
            { parent: this },
        );
        const published = new awsNative.quicksight.Dashboard(
            `${name}-${dashboard.id}`,
            {
                awsAccountId: accountId,
                dashboardId: id(dashboard.id),
                name: `${dashboard.name} (${config.stage})`,
                versionDescription: dashboard.description,
                definition,
                permissions: assetPermissions("dashboard", principals),
                dashboardPublishOptions: {
                    adHocFilteringOption: { availabilityStatus: "DISABLED" },
                    // Rows of confidential or restricted data do not leave QuickSight as CSV files.
                    exportToCsvOption: { availabilityStatus: NO_CSV_EXPORT_CLASSIFICATIONS.includes(config.dataClassification) ? "DISABLED" : "ENABLED" },
                    sheetControlsOption: { visibilityState: "EXPANDED" },
                },
            },
            { parent: this, ...keep },
        );

        this.outputs = {
            dataSourceArn: dataSource.arn,
            analysisArn: analysis.arn,
            dashboardArn: published.arn,
        };
        this.registerOutputs(this.outputs);
    }
}

interface ServiceRoleScope {
    dataKeyArn: pulumi.Input<string>;
    warehouseBucketArn: pulumi.Input<string>;
    athenaResultsBucketArn: pulumi.Input<string>;
    workgroupArn: pulumi.Input<string>;
    database: pulumi.Input<string>;
    glueArn: (resource: pulumi.Input<string>) => pulumi.Output<string>;
    athenaCatalogArn: pulumi.Input<string>;
}

/** What QuickSight needs to query this stage's views through Athena: one statement per concern, each scoped to this stage. */
function serviceRoleStatements(scope: ServiceRoleScope): aws.iam.PolicyStatement[] {
    return [
        {
            Sid: "QueryThroughTheStageWorkgroup",
            Effect: "Allow",
            Action: [
                "athena:StartQueryExecution",
                "athena:StopQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:GetQueryResultsStream",
                "athena:GetWorkGroup",
            ],
            Resource: [scope.workgroupArn],
        },
        { Sid: "ReadTheDataCatalog", Effect: "Allow", Action: ["athena:GetDataCatalog"], Resource: [scope.athenaCatalogArn] },
        {
            Sid: "ReadTheWarehouseDatabaseOnly",
            Effect: "Allow",
            Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
            Resource: [
                scope.glueArn("catalog"),
                scope.glueArn(pulumi.interpolate`database/${scope.database}`),
                scope.glueArn(pulumi.interpolate`table/${scope.database}/*`),
            ],
        },
        { Sid: "ListTheWarehouse", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: [scope.warehouseBucketArn] },
        {
            Sid: "ReadTheWarehouse",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: [pulumi.interpolate`${scope.warehouseBucketArn}/${DATA_LAYOUT.warehouseTable}*`],
        },
        {
            Sid: "ListQueryResults",
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
            Resource: [scope.athenaResultsBucketArn],
        },
        {
            Sid: "WriteQueryResults",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: [pulumi.interpolate`${scope.athenaResultsBucketArn}/${DATA_LAYOUT.athenaResults}*`],
        },
        // The catalog is encrypted with the data key too; AWS asks Encrypt of every catalog reader.
        { Sid: "UseTheDataKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"], Resource: [scope.dataKeyArn] },
    ];
}
