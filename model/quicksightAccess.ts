/**
 * What a dashboard viewer may do, shared by the program that grants it (infra/dashboards/permissions.ts)
 * and the pack that holds every grant to it (quicksight-viewers-read-only): the read-only dashboard
 * actions of AWS's QuickSight documentation ("Granting individual users and groups access to a
 * dashboard"). Viewers get nothing on data sources, datasets, analyses or any other asset.
 */
export const DASHBOARD_VIEWER_ACTIONS: readonly string[] = ["quicksight:DescribeDashboard", "quicksight:ListDashboardVersions", "quicksight:QueryDashboard"];

/**
 * Data classifications (spotify:dataClassification) whose dashboards offer no CSV export: rows of
 * such data do not leave QuickSight as files. Shared by the program that sets the export option
 * (infra/layers/dashboards.ts) and the pack rule that holds it (quicksight-no-csv-export).
 */
export const NO_CSV_EXPORT_CLASSIFICATIONS: readonly string[] = ["confidential", "restricted"];
