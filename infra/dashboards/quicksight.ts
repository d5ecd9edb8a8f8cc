import type * as awsNative from "@pulumi/aws-native";
import {
    Aggregate,
    Dashboard,
    DashboardFilter,
    DatasetColumns,
    GRID_COLUMNS,
    isNumericType,
    NON_NUMERIC_AGGREGATES,
    Sheet,
    Visual,
    visualFields,
    VisualField,
} from "./definition";

/**
 * Renders a dashboard definition (dashboards/*.yaml) as the `definition` of an aws-native QuickSight
 * Analysis and Dashboard: one function, so the analysis and the dashboard cannot drift apart.
 */

type Definition = awsNative.types.input.quicksight.AnalysisDefinitionArgs;
type QsVisual = awsNative.types.input.quicksight.AnalysisVisualArgs;
type DimensionField = awsNative.types.input.quicksight.AnalysisDimensionFieldArgs;
type MeasureField = awsNative.types.input.quicksight.AnalysisMeasureFieldArgs;
type FieldSortOptions = awsNative.types.input.quicksight.AnalysisFieldSortOptionsArgs;
type ColumnTypes = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** The width QuickSight optimises the fixed grid for; the grid's 36 columns divide it. */
const CANVAS_WIDTH = "1600px";

/** QuickSight's input column type for a declared (Presto/Trino) column type. */
export function quicksightColumnType(declared: string): { type: "STRING" | "INTEGER" | "DECIMAL" | "DATETIME" | "BOOLEAN"; subType?: "FLOAT" } {
    if (/^(tinyint|smallint|integer|bigint)$/.test(declared)) return { type: "INTEGER" };
    if (/^(real|double)$/.test(declared)) return { type: "DECIMAL", subType: "FLOAT" };
    if (/^decimal\(/.test(declared)) return { type: "DECIMAL" };
    if (/^(date|timestamp)/.test(declared)) return { type: "DATETIME" };
    if (declared === "boolean") return { type: "BOOLEAN" };
    if (/^(varchar|char)/.test(declared)) return { type: "STRING" };
    throw new Error(`Declared column type "${declared}" has no QuickSight input column type.`);
}

/**
 * The QuickSight definition of `dashboard`, given the columns of each dataset's view and the ARN of
 * each dataset. Field ids are `<visual>-<role>-<column>`, so they are stable across deployments.
 */
export function quicksightDefinition(dashboard: Dashboard, views: readonly DatasetColumns[], dataSetArns: Readonly<Record<string, string>>): Definition {
    const columnTypes: ColumnTypes = new Map(
        Object.entries(dashboard.datasets).map(([dataset, view]) => [
            dataset,
            new Map(views.find((candidate) => candidate.name === view)?.columns.map((column) => [column.name, column.type]) ?? []),
        ]),
    );
    return {
        dataSetIdentifierDeclarations: Object.keys(dashboard.datasets).map((identifier) => ({ identifier, dataSetArn: dataSetArns[identifier] })),
        sheets: dashboard.sheets.map((sheet) => sheetDefinition(sheet, dashboard.filters, columnTypes)),
        filterGroups: dashboard.filters.map((filter) => ({
            filterGroupId: `${filter.id}-filter-group`,
            // Same-named columns of every dataset are filtered together, so one control filters every visual.
            crossDataset: "ALL_DATASETS",
            status: "ENABLED",
            scopeConfiguration: {
                selectedSheets: { sheetVisualScopingConfigurations: dashboard.sheets.map((sheet) => ({ sheetId: sheet.id, scope: "ALL_VISUALS" })) },
            },
            filters: [filterDefinition(filter)],
        })),
    };
}

function filterDefinition(filter: DashboardFilter): awsNative.types.input.quicksight.AnalysisFilterArgs {
    const column = { dataSetIdentifier: filter.dataset, columnName: filter.column };
    if (filter.type === "category") {
        return {
            categoryFilter: {
                filterId: filter.id,
                column,
                configuration: { filterListConfiguration: { matchOperator: "CONTAINS", selectAllOptions: "FILTER_ALL_VALUES" } },
            },
        };
    }
    return {
        numericRangeFilter: {
            filterId: filter.id,
            column,
            includeMinimum: true,
            includeMaximum: true,
            rangeMinimum: { staticValue: filter.min },
            rangeMaximum: { staticValue: filter.max },
            nullOption: "NON_NULLS_ONLY",
        },
    };
}

function sheetDefinition(
    sheet: Sheet,
    filters: readonly DashboardFilter[],
    columnTypes: ColumnTypes,
): awsNative.types.input.quicksight.AnalysisSheetDefinitionArgs {
    return {
        sheetId: sheet.id,
        name: sheet.title,
        title: sheet.title,
        description: sheet.description,
        contentType: "INTERACTIVE",
        // Every sheet carries a control for every filter: the filters apply to every sheet.
        filterControls: filters.map((filter) => {
            const control = { filterControlId: `${sheet.id}-${filter.id}-control`, sourceFilterId: filter.id, title: filter.title };
            return filter.type === "category"
                ? { dropdown: { ...control, type: "MULTI_SELECT" as const } }
                : { slider: { ...control, type: "RANGE" as const, minimumValue: filter.min, maximumValue: filter.max, stepSize: filter.step } };
        }),
        visuals: sheet.visuals.map((visual) => visualDefinition(visual, columnTypes.get(visual.dataset) ?? new Map())),
        layouts: [
            {
                configuration: {
                    gridLayout: {
                        canvasSizeOptions: { screenCanvasSizeOptions: { resizeOption: "FIXED", optimizedViewPortWidth: CANVAS_WIDTH } },
                        elements: sheet.visuals.map((visual) => ({
                            elementId: visual.id,
                            elementType: "VISUAL",
                            columnIndex: visual.layout.column,
                            columnSpan: Math.min(visual.layout.width, GRID_COLUMNS - visual.layout.column),
                            rowIndex: visual.layout.row,
                            rowSpan: visual.layout.height,
                        })),
                    },
                },
            },
        ],
    };
}

const SIMPLE_AGGREGATION: Record<Aggregate, "SUM" | "AVERAGE" | "MIN" | "MAX" | "MEDIAN" | "COUNT" | "DISTINCT_COUNT"> = {
    sum: "SUM",
    average: "AVERAGE",
    min: "MIN",
    max: "MAX",
    median: "MEDIAN",
    count: "COUNT",
    distinct_count: "DISTINCT_COUNT",
};

function visualDefinition(visual: Visual, columns: ReadonlyMap<string, string>): QsVisual {
    const fieldId = (field: VisualField) => `${visual.id}-${field.role}-${field.column}`;
    const columnOf = (field: VisualField) => ({ dataSetIdentifier: visual.dataset, columnName: field.column });
    const declaredType = (field: VisualField) => columns.get(field.column) ?? "varchar";
    const fields = visualFields(visual);
    const field = (role: VisualField["role"]) => fields.filter((candidate) => candidate.role === role);

    const dimension = (item: VisualField): DimensionField => {
        const type = quicksightColumnType(declaredType(item)).type;
        const common = { fieldId: fieldId(item), column: columnOf(item) };
        if (type === "INTEGER" || type === "DECIMAL") return { numericalDimensionField: common };
        if (type === "DATETIME") return { dateDimensionField: common };
        return { categoricalDimensionField: common };
    };
    const measure = (item: VisualField): MeasureField => {
        const common = { fieldId: fieldId(item), column: columnOf(item) };
        if (!isNumericType(declaredType(item))) {
            const aggregate = item.aggregate !== undefined && NON_NUMERIC_AGGREGATES.includes(item.aggregate) ? item.aggregate : "count";
            return { categoricalMeasureField: { ...common, aggregationFunction: aggregate === "count" ? "COUNT" : "DISTINCT_COUNT" } };
        }
        return {
            numericalMeasureField: {
                ...common,
                ...(item.aggregate === undefined ? {} : { aggregationFunction: { simpleNumericalAggregation: SIMPLE_AGGREGATION[item.aggregate] } }),
            },
        };
    };
    // A sort names a column the visual shows; it sorts by that column's field.
    const sortedBy = (sort: readonly { column: string; order: "asc" | "desc" }[]): FieldSortOptions[] =>
        sort.map(({ column, order }) => {
            const shown = fields.find((candidate) => candidate.role !== "sort" && candidate.column === column)!;
            return { fieldSort: { fieldId: fieldId(shown), direction: order === "asc" ? "ASC" : "DESC" } };
        });
    const common = { visualId: visual.id, title: { visibility: "VISIBLE" as const, formatText: { plainText: visual.title } } };

    switch (visual.type) {
        case "kpi":
            return { kpiVisual: { ...common, chartConfiguration: { fieldWells: { values: field("value").map(measure) } } } };
        case "table":
            return {
                tableVisual: {
                    ...common,
                    chartConfiguration: {
                        fieldWells: {
                            tableUnaggregatedFieldWells: { values: field("column").map((item) => ({ fieldId: fieldId(item), column: columnOf(item) })) },
                        },
                        sortConfiguration: { rowSort: sortedBy(visual.sort), paginationConfiguration: { pageSize: visual.rows, pageNumber: 1 } },
                    },
                },
            };
        case "histogram":
            return {
                histogramVisual: {
                    ...common,
                    chartConfiguration: {
                        fieldWells: { histogramAggregatedFieldWells: { values: field("value").map(measure) } },
                        binOptions: { selectedBinType: "BIN_COUNT", binCount: { value: visual.bins } },
                    },
                },
            };
        case "bar":
            return {
                barChartVisual: {
                    ...common,
                    chartConfiguration: {
                        orientation: "HORIZONTAL",
                        barsArrangement: "CLUSTERED",
                        fieldWells: { barChartAggregatedFieldWells: { category: field("category").map(dimension), values: field("value").map(measure) } },
                        sortConfiguration: {
                            categorySort: sortedBy(visual.sort),
                            categoryItemsLimit: { itemsLimit: visual.limit, otherCategories: "EXCLUDE" },
                        },
                    },
                },
            };
        case "line":
            return {
                lineChartVisual: {
                    ...common,
                    chartConfiguration: {
                        type: "LINE",
                        fieldWells: { lineChartAggregatedFieldWells: { category: field("category").map(dimension), values: field("value").map(measure) } },
                        sortConfiguration: { categorySort: sortedBy([{ column: visual.category.column, order: "asc" }]) },
                    },
                },
            };
        case "scatter":
            return {
                scatterPlotVisual: {
                    ...common,
                    chartConfiguration: {
                        fieldWells: {
                            scatterPlotUnaggregatedFieldWells: {
                                xAxis: field("x").map(dimension),
                                yAxis: field("y").map(dimension),
                                category: field("color").map(dimension),
                            },
                        },
                    },
                },
            };
    }
}
