import * as assert from "assert";
import { stagePlan } from "../../model/stagePlan";
import * as pulumi from "@pulumi/pulumi";
import type { StageConfig } from "../../model/stageConfig";
import { synthesizeAlone } from "../../test/support/alone";
import { Template } from "../../test/support/template";
import { DATA_KEY_ARN, DEV_CONFIG } from "../../test/support/standIns";
import { Dashboard, DatasetColumns, loadDashboard } from "../dashboards/definition";
import { loadQueryCatalog } from "../../model/queryCatalog";
import { DashboardsLayer, DashboardsLayerArgs } from "./dashboards";

const TYPES = {
    layer: "spotify:layers:Dashboards",
    policy: "aws:iam/policy:Policy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    dataSource: "aws-native:quicksight:DataSource",
    dataSet: "aws-native:quicksight:DataSet",
    refresh: "aws-native:quicksight:RefreshSchedule",
    analysis: "aws-native:quicksight:Analysis",
    dashboard: "aws-native:quicksight:Dashboard",
};

const dashboard = loadDashboard();
const declaredViews: DatasetColumns[] = loadQueryCatalog()
    .queries.filter((query) => query.kind === "view")
    .map((view) => ({ name: view.name, columns: view.columns }));

/** The layer's inputs as an upstream stack would export them, as plain values. */
function argsWith(overrides: Partial<DashboardsLayerArgs> = {}, receivedViews: readonly DatasetColumns[] = declaredViews): DashboardsLayerArgs {
    return {
        config: DEV_CONFIG,
        plan: stagePlan(DEV_CONFIG),
        dashboard,
        declaredViews,
        storage: {
            dataKeyArn: pulumi.output(DATA_KEY_ARN),
            warehouseBucketArn: pulumi.output("arn:aws:s3:::spotify-dev-warehouse-x"),
            athenaResultsBucketArn: pulumi.output("arn:aws:s3:::spotify-dev-athena-results-x"),
        },
        etl: { glueDatabaseName: pulumi.output("spotify_dev_warehouse") },
        queries: {
            workgroupName: pulumi.output("spotify_dev_analytics"),
            workgroupArn: pulumi.output("arn:aws:athena:eu-west-1:123456789012:workgroup/spotify_dev_analytics"),
            views: pulumi.output(receivedViews.map((view) => ({ name: view.name, columns: [...view.columns] }))),
        },
        ...overrides,
    };
}

describe("DashboardsLayer", () => {
    let template: Template;
    before(async () => {
        template = await synthesizeAlone(() => {
            new DashboardsLayer("dashboards", argsWith());
        });
    });
    const only = (type: string) => {
        const found = template.findResources(type);
        assert.strictEqual(found.length, 1, type);
        return found[0];
    };

    it("declares the service role's access, the data source, one dataset per dashboard dataset, the analysis and the dashboard, all its children", () => {
        const layer = only(TYPES.layer);
        assert.deepStrictEqual(
            template
                .childrenOf(layer)
                .map((child) => `${child.type} ${child.name}`)
                .sort(),
            [
                `${TYPES.analysis} dashboards-${dashboard.id}-analysis`,
                `${TYPES.dashboard} dashboards-${dashboard.id}`,
                ...Object.keys(dashboard.datasets).map((dataset) => `${TYPES.dataSet} dashboards-${dataset}`),
                `${TYPES.dataSource} dashboards-athena`,
                `${TYPES.policy} dashboards-quicksight-access`,
                `${TYPES.attachment} dashboards-quicksight-access-attachment`,
            ].sort(),
        );
        // dev queries directly: no SPICE refresh.
        assert.strictEqual(DEV_CONFIG.quicksightImportMode, "DIRECT_QUERY");
        template.resourceCountIs(TYPES.refresh, 0);
    });

    it("wires the pieces: the attachment before the data source, the data source under every dataset, every dataset into the definition", () => {
        const attachment = only(TYPES.attachment);
        const dataSource = only(TYPES.dataSource);
        assert.strictEqual(attachment.inputs.role, DEV_CONFIG.quicksightServiceRoleName);
        assert.deepStrictEqual(template.follow(attachment, "policyArn"), [only(TYPES.policy)]);
        assert.deepStrictEqual(dataSource.dependencies, [attachment.urn]);
        assert.deepStrictEqual(dataSource.inputs.dataSourceParameters, { athenaParameters: { workGroup: "spotify_dev_analytics" } });
        const dataSets = template.findResources(TYPES.dataSet);
        for (const dataSet of dataSets) {
            assert.deepStrictEqual(template.follow(dataSet, "physicalTableMap"), [dataSource], dataSet.name);
            assert.strictEqual(dataSet.inputs.importMode, DEV_CONFIG.quicksightImportMode);
        }
        for (const type of [TYPES.analysis, TYPES.dashboard]) {
            assert.deepStrictEqual(
                template
                    .follow(only(type), "definition")
                    .map((resource) => resource.urn)
                    .sort(),
                dataSets.map((dataSet) => dataSet.urn).sort(),
                type,
            );
        }
    });

    it("takes ids, principals, CSV export and protection from the stage", () => {
        const published = only(TYPES.dashboard);
        assert.strictEqual(published.inputs.dashboardId, `${DEV_CONFIG.namePrefix}-dev-${dashboard.id}`);
        assert.strictEqual(only(TYPES.policy).inputs.name, `${DEV_CONFIG.namePrefix}-dev-quicksight-data-access`);
        assert.deepStrictEqual(
            (published.inputs.permissions as { principal: string }[]).map((permission) => permission.principal),
            [...DEV_CONFIG.quicksightOwners, ...DEV_CONFIG.quicksightViewers],
        );
        // dev's data is internal: readers may export it.
        assert.strictEqual(DEV_CONFIG.dataClassification, "internal");
        assert.deepStrictEqual((published.inputs.dashboardPublishOptions as Record<string, unknown>).exportToCsvOption, { availabilityStatus: "ENABLED" });
        for (const type of [TYPES.dataSource, TYPES.dataSet, TYPES.dashboard]) {
            for (const resource of template.findResources(type)) assert.strictEqual(resource.protect, DEV_CONFIG.protectData, resource.name);
        }
    });

    it("stops before registering anything when the dashboard reads a view the declared views do not have", async () => {
        const renamed: Dashboard = { ...dashboard, datasets: { ...dashboard.datasets, tracks: "no_such_view" } };
        await assert.rejects(
            synthesizeAlone(() => {
                new DashboardsLayer("dashboards", argsWith({ dashboard: renamed }));
            }),
            (error: Error & { registered?: unknown[] }) =>
                /The dashboard does not match its datasets:\n.*dataset "tracks" reads view "no_such_view", which is not a deployed view/.test(error.message) &&
                error.registered?.length === 0,
        );
    });

    it("fails the dashboard with the contract's message when the views it receives lack a column the dashboard uses", async () => {
        const received = declaredViews.map((view) =>
            view.name === "track_vs_artist_popularity" ? { ...view, columns: view.columns.filter((column) => column.name !== "artist_popularity") } : view,
        );
        await assert.rejects(
            synthesizeAlone(() => {
                new DashboardsLayer("dashboards", argsWith({}, received));
            }),
            /The dashboard does not match its datasets:\n.*visual "track-vs-artist-scatter" .* uses column "artist_popularity"/,
        );
    });

    it("refuses a SPICE stage whose refresh time is not HH:MM, naming the datasets' field", async () => {
        const config: StageConfig = { ...DEV_CONFIG, quicksightImportMode: "SPICE", quicksightRefreshTime: "6am" };
        await assert.rejects(
            synthesizeAlone(() => {
                new DashboardsLayer("dashboards", argsWith({ config }));
            }),
            /ViewDataSetsArgs\.refreshTime: must be a UTC time of day written "HH:MM" \(00:00-23:59\), got "6am"/,
        );
    });
});
