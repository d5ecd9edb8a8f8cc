import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { synthesizeAlone } from "../../test/support/alone";
import { loadQueryCatalog } from "../../model/queryCatalog";
import { AnalysisAndDashboard, AnalysisAndDashboardArgs, validateAnalysisAndDashboardArgs } from "./analysisAndDashboard";
import { loadDashboard } from "./definition";

const OWNER = "arn:aws:quicksight:eu-west-1:123456789012:group/default/data-platform";
const VIEWER = "arn:aws:quicksight:eu-west-1:123456789012:group/default/data-analysts";
const TYPES = { analysis: "aws-native:quicksight:Analysis", dashboard: "aws-native:quicksight:Dashboard" };

const dashboard = loadDashboard();
const views = loadQueryCatalog().queries.filter((query) => query.kind === "view");
const dataSetArns = Object.fromEntries(
    Object.keys(dashboard.datasets).map((dataset) => [dataset, `arn:aws:quicksight:eu-west-1:123456789012:dataset/${dataset}`]),
);

function argsWith(overrides: Partial<AnalysisAndDashboardArgs> = {}): AnalysisAndDashboardArgs {
    return {
        accountId: "123456789012",
        stage: "dev",
        dashboard,
        views: pulumi.output(views),
        dataSetArns,
        analysisId: "spotify-dev-spotify-hits-analysis",
        dashboardId: "spotify-dev-spotify-hits",
        principals: { owners: [OWNER], viewers: [VIEWER] },
        ...overrides,
    };
}

function declare(args: AnalysisAndDashboardArgs): void {
    new AnalysisAndDashboard("dashboards", args, new pulumi.ComponentResource("test:index:Parent", "parent"));
}

const principalsOf = (resource: { inputs: Record<string, unknown> }) =>
    (resource.inputs.permissions as { principal: string }[]).map((permission) => permission.principal);

describe("AnalysisAndDashboard", () => {
    it("renders the analysis and the dashboard from one definition declaring each dataset's ARN; owners edit both, viewers read the dashboard", async () => {
        const template = await synthesizeAlone(() => declare(argsWith()));
        const parent = template.resource("test:index:Parent", "parent");
        const analysis = template.resource(TYPES.analysis, `dashboards-${dashboard.id}-analysis`);
        const published = template.resource(TYPES.dashboard, `dashboards-${dashboard.id}`);
        assert.deepStrictEqual(
            template.childrenOf(parent).map((child) => child.urn),
            [analysis.urn, published.urn],
        );
        assert.deepStrictEqual([analysis.inputs.analysisId, analysis.inputs.name], ["spotify-dev-spotify-hits-analysis", `${dashboard.name} (dev, analysis)`]);
        assert.deepStrictEqual(
            [published.inputs.dashboardId, published.inputs.name, published.inputs.versionDescription],
            ["spotify-dev-spotify-hits", `${dashboard.name} (dev)`, dashboard.description],
        );
        assert.deepStrictEqual(analysis.inputs.definition, published.inputs.definition);
        const definition = published.inputs.definition as { dataSetIdentifierDeclarations: { identifier: string; dataSetArn: string }[]; sheets: unknown[] };
        assert.deepStrictEqual(
            Object.fromEntries(definition.dataSetIdentifierDeclarations.map((declaration) => [declaration.identifier, declaration.dataSetArn])),
            dataSetArns,
        );
        assert.strictEqual(definition.sheets.length, dashboard.sheets.length);
        assert.deepStrictEqual(principalsOf(analysis), [OWNER]);
        assert.deepStrictEqual(principalsOf(published), [OWNER, VIEWER]);
        assert.deepStrictEqual(published.inputs.dashboardPublishOptions, {
            adHocFilteringOption: { availabilityStatus: "DISABLED" },
            exportToCsvOption: { availabilityStatus: "DISABLED" },
            sheetControlsOption: { visibilityState: "EXPANDED" },
        });
        for (const resource of [analysis, published]) assert.deepStrictEqual([resource.protect, resource.retainOnDelete], [false, false], resource.name);
    });

    it("offers CSV export when asked, and protects the dashboard, not the owners' analysis, when asked", async () => {
        const template = await synthesizeAlone(() => declare(argsWith({ csvExport: true, protect: true })));
        const analysis = template.resource(TYPES.analysis, `dashboards-${dashboard.id}-analysis`);
        const published = template.resource(TYPES.dashboard, `dashboards-${dashboard.id}`);
        assert.deepStrictEqual((published.inputs.dashboardPublishOptions as Record<string, unknown>).exportToCsvOption, { availabilityStatus: "ENABLED" });
        assert.deepStrictEqual([published.protect, published.retainOnDelete], [true, true]);
        assert.deepStrictEqual([analysis.protect, analysis.retainOnDelete], [false, false]);
    });

    it("refuses ids QuickSight refuses, ARNs that are not one per dataset, and an analysis nobody owns, naming the field", async () => {
        const [first, ...others] = Object.keys(dataSetArns);
        for (const [overrides, expected] of [
            [
                { analysisId: "spotify hits" },
                /AnalysisAndDashboardArgs\.analysisId: must be 1-512 letters, digits, hyphens and underscores, got "spotify hits"/,
            ],
            [{ dashboardId: "" }, /AnalysisAndDashboardArgs\.dashboardId: must be .*, got ""/],
            [
                { dataSetArns: Object.fromEntries(others.map((dataset) => [dataset, dataSetArns[dataset]])) },
                new RegExp(`AnalysisAndDashboardArgs\\.dataSetArns: must hold one ARN per dataset of dashboards/spotify-hits\\.yaml .*; missing ${first}$`),
            ],
            [{ dataSetArns: { ...dataSetArns, stray: "arn" } }, /AnalysisAndDashboardArgs\.dataSetArns: .*; not in the definition: stray$/],
            [{ principals: { owners: [], viewers: [VIEWER] } }, /AnalysisAndDashboardArgs\.principals: must name at least one owner/],
        ] as const) {
            const args = argsWith(overrides);
            assert.throws(() => validateAnalysisAndDashboardArgs(args), expected);
            await assert.rejects(
                synthesizeAlone(() => declare(args)),
                expected,
            );
        }
    });
});
