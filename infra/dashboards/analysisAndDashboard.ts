import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import type { Dashboard, DatasetColumns } from "./definition";
import { rejectArgProblems } from "../componentArgs";
import { assetPermissions, principalsProblem, QuickSightPrincipals } from "./permissions";
import { quicksightDefinition } from "./quicksight";

export interface AnalysisAndDashboardArgs {
    /** The account QuickSight runs in. */
    readonly accountId: pulumi.Input<string>;
    /** The stage, as the display names show it. */
    readonly stage: string;
    /** dashboards/<name>.yaml, loaded and validated: what both render. */
    readonly dashboard: Dashboard;
    /** The views its datasets read, with their declared columns (the column types the definition formats by). */
    readonly views: pulumi.Input<readonly DatasetColumns[]>;
    /** Each dataset's ARN, by the identifier the dashboard's definition gives it: one for each of its datasets. */
    readonly dataSetArns: Readonly<Record<string, pulumi.Input<string>>>;
    /** The analysis's QuickSight id. */
    readonly analysisId: string;
    /** The dashboard's QuickSight id. */
    readonly dashboardId: string;
    /** Owners control both; viewers may only read the dashboard. */
    readonly principals: QuickSightPrincipals;
    /** Whether readers may export a visual's rows as a CSV file. Default false. */
    readonly csvExport?: boolean;
    /** protect and retainOnDelete on the dashboard, which readers rely on; the analysis is the owners' workspace, rebuilt from the same definition. Default false. */
    readonly protect?: boolean;
}

/** QuickSight's analysis and dashboard ids (CreateAnalysis, CreateDashboard). */
const ASSET_ID = /^[\w-]{1,512}$/;

/** Fails naming each field that would make an analysis or dashboard QuickSight refuses, or a definition missing a dataset. */
export function validateAnalysisAndDashboardArgs(args: AnalysisAndDashboardArgs): void {
    const idProblem = (id: string) => (ASSET_ID.test(id) ? undefined : `must be 1-512 letters, digits, hyphens and underscores, got ${JSON.stringify(id)}`);
    const declared = Object.keys(args.dashboard.datasets);
    const missing = declared.filter((identifier) => !(identifier in args.dataSetArns));
    const extra = Object.keys(args.dataSetArns).filter((identifier) => !declared.includes(identifier));
    rejectArgProblems("AnalysisAndDashboardArgs", {
        analysisId: idProblem(args.analysisId),
        dashboardId: idProblem(args.dashboardId),
        dataSetArns:
            missing.length === 0 && extra.length === 0
                ? undefined
                : `must hold one ARN per dataset of ${args.dashboard.file} (${declared.join(", ")})` +
                  `${missing.length > 0 ? `; missing ${missing.join(", ")}` : ""}${extra.length > 0 ? `; not in the definition: ${extra.join(", ")}` : ""}`,
        principals: principalsProblem(args.principals),
    });
}

/**
 * The QuickSight analysis (where owners edit) and dashboard (what readers see), rendered from one
 * definition so the two cannot drift apart.
 */
export class AnalysisAndDashboard {
    readonly analysis: awsNative.quicksight.Analysis;
    readonly dashboard: awsNative.quicksight.Dashboard;

    /** Registers both as children of `parent`, named `<name>-<dashboard id>-analysis` and `<name>-<dashboard id>`. */
    constructor(name: string, args: AnalysisAndDashboardArgs, parent: pulumi.Resource) {
        validateAnalysisAndDashboardArgs(args);
        const { dashboard } = args;
        const protect = args.protect ?? false;
        const definition = pulumi.all([args.views, pulumi.all(args.dataSetArns)]).apply(([views, arns]) => quicksightDefinition(dashboard, views, arns));

        this.analysis = new awsNative.quicksight.Analysis(
            `${name}-${dashboard.id}-analysis`,
            {
                awsAccountId: args.accountId,
                analysisId: args.analysisId,
                name: `${dashboard.name} (${args.stage}, analysis)`,
                definition,
                permissions: assetPermissions("analysis", args.principals),
            },
            { parent },
        );
        this.dashboard = new awsNative.quicksight.Dashboard(
            `${name}-${dashboard.id}`,
            {
                awsAccountId: args.accountId,
                dashboardId: args.dashboardId,
                name: `${dashboard.name} (${args.stage})`,
                versionDescription: dashboard.description,
                definition,
                permissions: assetPermissions("dashboard", args.principals),
                dashboardPublishOptions: {
                    adHocFilteringOption: { availabilityStatus: "DISABLED" },
                    exportToCsvOption: { availabilityStatus: (args.csvExport ?? false) ? "ENABLED" : "DISABLED" },
                    sheetControlsOption: { visibilityState: "EXPANDED" },
                },
            },
            { parent, protect, retainOnDelete: protect },
        );
    }
}
