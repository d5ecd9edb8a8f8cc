import { DASHBOARD_VIEWER_ACTIONS } from "../../model/quicksightAccess";

/**
 * Who may do what with each QuickSight asset. The action lists are the ones AWS's QuickSight
 * documentation gives for an asset's owner and for a read-only user; viewers are granted the
 * dashboard only (a dashboard reader needs no rights on its analysis, datasets or data source).
 */

export type QuickSightAsset = "dataSource" | "dataSet" | "analysis" | "dashboard";

export const OWNER_ACTIONS: Record<QuickSightAsset, readonly string[]> = {
    dataSource: [
        "quicksight:DescribeDataSource",
        "quicksight:DescribeDataSourcePermissions",
        "quicksight:PassDataSource",
        "quicksight:UpdateDataSource",
        "quicksight:DeleteDataSource",
        "quicksight:UpdateDataSourcePermissions",
    ],
    dataSet: [
        "quicksight:DescribeDataSet",
        "quicksight:DescribeDataSetPermissions",
        "quicksight:PassDataSet",
        "quicksight:DescribeIngestion",
        "quicksight:ListIngestions",
        "quicksight:UpdateDataSet",
        "quicksight:DeleteDataSet",
        "quicksight:CreateIngestion",
        "quicksight:CancelIngestion",
        "quicksight:UpdateDataSetPermissions",
    ],
    analysis: [
        "quicksight:RestoreAnalysis",
        "quicksight:UpdateAnalysisPermissions",
        "quicksight:DeleteAnalysis",
        "quicksight:DescribeAnalysisPermissions",
        "quicksight:QueryAnalysis",
        "quicksight:DescribeAnalysis",
        "quicksight:UpdateAnalysis",
    ],
    dashboard: [
        "quicksight:DescribeDashboard",
        "quicksight:ListDashboardVersions",
        "quicksight:UpdateDashboardPermissions",
        "quicksight:QueryDashboard",
        "quicksight:UpdateDashboard",
        "quicksight:DeleteDashboard",
        "quicksight:DescribeDashboardPermissions",
        "quicksight:UpdateDashboardPublishedVersion",
    ],
};

export const VIEWER_ACTIONS: Partial<Record<QuickSightAsset, readonly string[]>> = {
    dashboard: DASHBOARD_VIEWER_ACTIONS,
};

export interface QuickSightPrincipals {
    owners: readonly string[];
    viewers: readonly string[];
}

/** The `permissions` of one asset: every owner with the owner actions, every viewer with the viewer actions where viewers have any. */
export function assetPermissions(asset: QuickSightAsset, principals: QuickSightPrincipals): { principal: string; actions: string[] }[] {
    const viewerActions = VIEWER_ACTIONS[asset];
    return [
        ...principals.owners.map((principal) => ({ principal, actions: [...OWNER_ACTIONS[asset]] })),
        ...(viewerActions === undefined ? [] : principals.viewers.map((principal) => ({ principal, actions: [...viewerActions] }))),
    ];
}

/**
 * Why `principals` cannot be granted as {@link assetPermissions} grants them, or undefined: an asset
 * nobody owns can be neither edited nor deleted in QuickSight, and QuickSight takes one permission
 * entry per principal.
 */
export function principalsProblem(principals: QuickSightPrincipals): string | undefined {
    if (principals.owners.length === 0) return "must name at least one owner (an asset nobody owns cannot be changed)";
    const listed = [...principals.owners, ...principals.viewers];
    const twice = [...new Set(listed.filter((principal, index) => listed.indexOf(principal) < index))];
    return twice.length === 0 ? undefined : `${twice.join(", ")} listed more than once; QuickSight takes one permission entry per principal`;
}
