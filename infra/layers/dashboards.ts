import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StageConfig } from "../../model/stageConfig";
import { AnalysisAndDashboard } from "../dashboards/analysisAndDashboard";
import { AthenaDataSource } from "../dashboards/dataSource";
import { ViewDataSets } from "../dashboards/dataSets";
import type { Dashboard, DatasetColumns } from "../dashboards/definition";
import type { QuickSightPrincipals } from "../dashboards/permissions";
import { ServiceRoleAccess } from "../dashboards/serviceRoleAccess";
import { checkedViews } from "../dashboards/viewContract";
import type { StagePlan } from "../../model/stagePlan";
import { NO_CSV_EXPORT_CLASSIFICATIONS } from "../../model/quicksightAccess";
import { DASHBOARDS_ETL_INPUTS, DASHBOARDS_OUTPUTS, DASHBOARDS_QUERIES_INPUTS, DASHBOARDS_STORAGE_INPUTS } from "../../model/layerOutputs";
import type { OutputsOf } from "../wiring";

export type DashboardsOutputs = OutputsOf<typeof DASHBOARDS_OUTPUTS>;

export interface DashboardsLayerArgs {
    /** The stage: its QuickSight principals, import mode and refresh time, service role, data classification and protection. */
    readonly config: StageConfig;
    /** The ids of the stage's QuickSight assets and the name of its data-access policy (model/stagePlan.ts). */
    readonly plan: Pick<StagePlan, "quicksight">;
    /** dashboards/<name>.yaml, loaded and validated; its contract with the views is checked here (infra/dashboards/viewContract.ts). */
    readonly dashboard: Dashboard;
    /** The views this commit's query catalog declares, with their columns: the dashboard is checked against them before anything is registered. */
    readonly declaredViews: readonly DatasetColumns[];
    /** The data key and the buckets the service role must reach. */
    readonly storage: OutputsOf<typeof DASHBOARDS_STORAGE_INPUTS>;
    /** The Glue database the views live in. */
    readonly etl: OutputsOf<typeof DASHBOARDS_ETL_INPUTS>;
    /** The workgroup to query through, and the views as the queries layer or stack exports them. */
    readonly queries: OutputsOf<typeof DASHBOARDS_QUERIES_INPUTS>;
}

/**
 * The dashboards layer: the QuickSight service role's access to this stage's data, an Athena data
 * source on the stage's workgroup, one dataset per view the dashboard reads (columns from the
 * view's declared schema), and the analysis and dashboard rendered from one definition.
 *
 * Prerequisites that cannot be code: the account's QuickSight subscription, and the QuickSight
 * service role (spotify:quicksightServiceRoleName), which QuickSight creates when it is enabled.
 */
export class DashboardsLayer extends pulumi.ComponentResource {
    public readonly outputs: DashboardsOutputs;

    constructor(name: string, args: DashboardsLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        // The dashboard's contract, checked here only: against the declared views before anything is
        // registered (this layer included), against the received ones before a dataset reads them.
        const views = checkedViews(args.dashboard, args.declaredViews, args.queries.views);
        super("spotify:layers:Dashboards", name, {}, opts);
        const { config, dashboard, storage, etl, queries } = args;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const principals: QuickSightPrincipals = { owners: config.quicksightOwners, viewers: config.quicksightViewers };
        // Prod keeps the assets people rely on: a deploy cannot delete them by accident.
        const protect = config.protectData;
        const id = args.plan.quicksight.assetId;

        const serviceRoleAccess = new ServiceRoleAccess(
            name,
            {
                roleName: config.quicksightServiceRoleName,
                policyName: args.plan.quicksight.dataAccessPolicy,
                stage: config.stage,
                location: { partition, region: config.region, accountId },
                workgroupArn: queries.workgroupArn,
                databaseName: etl.glueDatabaseName,
                dataKeyArn: storage.dataKeyArn,
                warehouseBucketArn: storage.warehouseBucketArn,
                athenaResultsBucketArn: storage.athenaResultsBucketArn,
            },
            this,
        );
        const { dataSource } = new AthenaDataSource(
            name,
            {
                accountId,
                dataSourceId: id("athena"),
                stage: config.stage,
                workgroupName: queries.workgroupName,
                principals,
                serviceRoleAccess: serviceRoleAccess.attachment,
                protect,
            },
            this,
        );
        const dataSets = new ViewDataSets(
            name,
            {
                accountId,
                stage: config.stage,
                dataSourceArn: dataSource.arn,
                databaseName: etl.glueDatabaseName,
                dataSets: Object.fromEntries(Object.entries(dashboard.datasets).map(([dataset, view]) => [dataset, { view, dataSetId: id(dataset) }])),
                views,
                principals,
                importMode: config.quicksightImportMode,
                refreshTime: config.quicksightRefreshTime,
                protect,
            },
            this,
        );
        const published = new AnalysisAndDashboard(
            name,
            {
                accountId,
                stage: config.stage,
                dashboard,
                views,
                dataSetArns: dataSets.arns,
                analysisId: id(`${dashboard.id}-analysis`),
                dashboardId: id(dashboard.id),
                principals,
                // Rows of confidential or restricted data do not leave QuickSight as CSV files.
                csvExport: !NO_CSV_EXPORT_CLASSIFICATIONS.includes(config.dataClassification),
                protect,
            },
            this,
        );

        this.outputs = {
            dataSourceArn: dataSource.arn,
            analysisArn: published.analysis.arn,
            dashboardArn: published.dashboard.arn,
        };
        this.registerOutputs(this.outputs);
    }
}
