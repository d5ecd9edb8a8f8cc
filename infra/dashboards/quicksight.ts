import type * as awsNative from "@pulumi/aws-native";
import { columnType, QuicksightColumnType } from "../../model/columnTypes";
import {
    Aggregate,
    Condition,
    Dashboard,
    DashboardFilter,
    DatasetColumns,
    exemptionNote,
    FieldPresentation,
    filteredVisuals,
    GRID_COLUMNS,
    isNumericType,
    NON_NUMERIC_AGGREGATES,
    NumberFormat,
    presentationOf,
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
type NumericFormat = awsNative.types.input.quicksight.AnalysisNumericFormatConfigurationArgs;
type AxisLabels = awsNative.types.input.quicksight.AnalysisChartAxisLabelOptionsArgs;
type Tooltip = awsNative.types.input.quicksight.AnalysisTooltipOptionsArgs;
type FilterGroup = awsNative.types.input.quicksight.AnalysisFilterGroupArgs;
type ColumnTypes = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** The width QuickSight optimises the fixed grid for; the grid's 36 columns divide it. */
const CANVAS_WIDTH = "1600px";

/** QuickSight's input column type for a declared (Presto/Trino) column type (model/columnTypes.ts). */
export function quicksightColumnType(declared: string): QuicksightColumnType {
    return columnType(declared).quicksight;
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
        sheets: dashboard.sheets.map((sheet) => sheetDefinition(dashboard, sheet, columnTypes)),
        filterGroups: [
            ...dashboard.filters.map((filter) => ({
                filterGroupId: `${filter.id}-filter-group`,
                // Same-named columns of every dataset are filtered together, so one control filters every visual.
                crossDataset: "ALL_DATASETS" as const,
                status: "ENABLED" as const,
                scopeConfiguration: { selectedSheets: { sheetVisualScopingConfigurations: filterScope(dashboard, filter) } },
                filters: [filterDefinition(filter)],
            })),
            ...dashboard.sheets.flatMap((sheet) => sheet.visuals.flatMap((visual) => visualConditions(sheet, visual))),
        ],
    };
}

/**
 * Where a dashboard filter applies: each sheet with a visual it does not exempt, all of the sheet's
 * visuals when it exempts none there, else the ones it filters by id.
 */
function filterScope(dashboard: Dashboard, filter: DashboardFilter): awsNative.types.input.quicksight.AnalysisSheetVisualScopingConfigurationArgs[] {
    const filtered = filteredVisuals(dashboard, filter);
    return dashboard.sheets.flatMap((sheet): awsNative.types.input.quicksight.AnalysisSheetVisualScopingConfigurationArgs[] => {
        const visualIds = filtered.filter(({ page }) => page.id === sheet.id).map(({ visual }) => visual.id);
        if (visualIds.length === 0) return [];
        return visualIds.length === sheet.visuals.length
            ? [{ sheetId: sheet.id, scope: "ALL_VISUALS" as const }]
            : [{ sheetId: sheet.id, scope: "SELECTED_VISUALS" as const, visualIds }];
    });
}

/** A visual's own row conditions (`where`): one filter group scoped to that visual alone, invisible to readers. */
function visualConditions(sheet: Sheet, visual: Visual): FilterGroup[] {
    if (visual.where === undefined) return [];
    return [
        {
            filterGroupId: `${visual.id}-where`,
            crossDataset: "SINGLE_DATASET",
            status: "ENABLED",
            scopeConfiguration: {
                selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId: sheet.id, scope: "SELECTED_VISUALS", visualIds: [visual.id] }] },
            },
            filters: visual.where.map((condition, index) => conditionFilter(`${visual.id}-where-${index + 1}`, visual.dataset, condition)),
        },
    ];
}

function conditionFilter(filterId: string, dataset: string, condition: Condition): awsNative.types.input.quicksight.AnalysisFilterArgs {
    const column = { dataSetIdentifier: dataset, columnName: condition.column };
    if ("equals" in condition) {
        return {
            categoryFilter: {
                filterId,
                column,
                configuration: { customFilterConfiguration: { matchOperator: "EQUALS", categoryValue: condition.equals, nullOption: "NON_NULLS_ONLY" } },
            },
        };
    }
    return { numericRangeFilter: { filterId, column, includeMaximum: true, rangeMaximum: { staticValue: condition.atMost }, nullOption: "NON_NULLS_ONLY" } };
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

function sheetDefinition(dashboard: Dashboard, sheet: Sheet, columnTypes: ColumnTypes): awsNative.types.input.quicksight.AnalysisSheetDefinitionArgs {
    // A sheet carries a control for each filter that applies to one of its visuals.
    const filters = dashboard.filters.filter((filter) => filterScope(dashboard, filter).some((scope) => scope.sheetId === sheet.id));
    return {
        sheetId: sheet.id,
        name: sheet.title,
        title: sheet.title,
        description: sheet.description,
        contentType: "INTERACTIVE",
        filterControls: filters.map((filter) => {
            const control = { filterControlId: `${sheet.id}-${filter.id}-control`, sourceFilterId: filter.id, title: filter.title };
            return filter.type === "category"
                ? { dropdown: { ...control, type: "MULTI_SELECT" as const } }
                : { slider: { ...control, type: "RANGE" as const, minimumValue: filter.min, maximumValue: filter.max, stepSize: filter.step } };
        }),
        visuals: sheet.visuals.map((visual) => visualDefinition(dashboard, visual, columnTypes.get(visual.dataset) ?? new Map())),
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

const DECIMAL_PLACES: Record<Exclude<NumberFormat, "percent">, number> = { year: 0, integer: 0, decimal1: 1, decimal2: 2 };

/** A number format as QuickSight's: years without a thousands separator, percentages of a 0-1 share. */
function numericFormat(presentation: FieldPresentation): NumericFormat | undefined {
    const format = presentation.format;
    if (format === undefined) return undefined;
    const nulls = presentation.nulls === undefined ? {} : { nullValueFormatConfiguration: { nullString: presentation.nulls } };
    if (format === "percent") return { percentageDisplayFormatConfiguration: { decimalPlacesConfiguration: { decimalPlaces: 1 }, ...nulls } };
    return {
        numberDisplayFormatConfiguration: {
            decimalPlacesConfiguration: { decimalPlaces: DECIMAL_PLACES[format] },
            ...(format === "year" ? { separatorConfiguration: { thousandsSeparator: { visibility: "HIDDEN" } } } : {}),
            ...nulls,
        },
    };
}

function exemptionSubtitle(dashboard: Dashboard, visual: Visual): awsNative.types.input.quicksight.AnalysisVisualSubtitleLabelOptionsArgs | undefined {
    const note = exemptionNote(dashboard, visual);
    return note === undefined ? undefined : { visibility: "VISIBLE", formatText: { plainText: note } };
}

function visualDefinition(dashboard: Dashboard, visual: Visual, columns: ReadonlyMap<string, string>): QsVisual {
    const fieldId = (field: VisualField) => `${visual.id}-${field.role}-${field.column}`;
    const columnOf = (field: VisualField) => ({ dataSetIdentifier: visual.dataset, columnName: field.column });
    const declaredType = (field: VisualField) => columns.get(field.column) ?? "varchar";
    const fields = visualFields(visual);
    const field = (role: VisualField["role"]) => fields.filter((candidate) => candidate.role === role);
    const presented = (item: VisualField) => presentationOf(dashboard, item);
    const formatOf = (item: VisualField) => {
        const format = numericFormat(presented(item));
        return format === undefined ? {} : { formatConfiguration: { formatConfiguration: format } };
    };

    const dimension = (item: VisualField): DimensionField => {
        const type = quicksightColumnType(declaredType(item)).type;
        const common = { fieldId: fieldId(item), column: columnOf(item) };
        if (type === "INTEGER" || type === "DECIMAL") return { numericalDimensionField: { ...common, ...formatOf(item) } };
        if (type === "DATETIME") return { dateDimensionField: common };
        return { categoricalDimensionField: common };
    };
    const measure = (item: VisualField): MeasureField => {
        const common = { fieldId: fieldId(item), column: columnOf(item) };
        if (!isNumericType(declaredType(item))) {
            const aggregate = item.aggregate !== undefined && NON_NUMERIC_AGGREGATES.includes(item.aggregate) ? item.aggregate : "count";
            const format = numericFormat(presented(item));
            return {
                categoricalMeasureField: {
                    ...common,
                    aggregationFunction: aggregate === "count" ? "COUNT" : "DISTINCT_COUNT",
                    ...(format === undefined ? {} : { formatConfiguration: { numericFormatConfiguration: format } }),
                },
            };
        }
        return {
            numericalMeasureField: {
                ...common,
                ...(item.aggregate === undefined ? {} : { aggregationFunction: { simpleNumericalAggregation: SIMPLE_AGGREGATION[item.aggregate] } }),
                ...formatOf(item),
            },
        };
    };
    // An axis, legend or header says what the reader sees, not the column's name.
    const axisLabel = (items: VisualField[]): AxisLabels => ({
        visibility: "VISIBLE",
        axisLabelOptions: items.map((item) => ({ customLabel: presented(item).label, applyTo: { fieldId: fieldId(item), column: columnOf(item) } })),
    });
    const tooltip = (items: VisualField[]): Tooltip => ({
        tooltipVisibility: "VISIBLE",
        selectedTooltipType: "DETAILED",
        fieldBasedTooltip: {
            aggregationVisibility: "HIDDEN",
            tooltipTitleType: "PRIMARY_VALUE",
            tooltipFields: items.map((item) => ({ fieldTooltipItem: { fieldId: fieldId(item), label: presented(item).label, visibility: "VISIBLE" } })),
        },
    });
    // A sort names a column the visual shows; it sorts by that column's field.
    const sortedBy = (sort: readonly { column: string; order: "asc" | "desc" }[]): FieldSortOptions[] =>
        sort.map(({ column, order }) => {
            const shown = fields.find((candidate) => candidate.role !== "sort" && candidate.column === column)!;
            return { fieldSort: { fieldId: fieldId(shown), direction: order === "asc" ? "ASC" : "DESC" } };
        });
    const subtitle = exemptionSubtitle(dashboard, visual);
    const common = {
        visualId: visual.id,
        title: { visibility: "VISIBLE" as const, formatText: { plainText: visual.title } },
        ...(subtitle === undefined ? {} : { subtitle }),
    };
    const shownFields = fields.filter((item) => item.role !== "sort");

    switch (visual.type) {
        case "kpi":
            return { kpiVisual: { ...common, chartConfiguration: { fieldWells: { values: field("value").map(measure) } } } };
        case "table":
            return {
                tableVisual: {
                    ...common,
                    chartConfiguration: {
                        fieldWells: {
                            tableUnaggregatedFieldWells: {
                                values: field("column").map((item) => {
                                    const format = numericFormat(presented(item));
                                    return {
                                        fieldId: fieldId(item),
                                        column: columnOf(item),
                                        ...(format === undefined
                                            ? {}
                                            : { formatConfiguration: { numberFormatConfiguration: { formatConfiguration: format } } }),
                                    };
                                }),
                            },
                        },
                        fieldOptions: { selectedFieldOptions: field("column").map((item) => ({ fieldId: fieldId(item), customLabel: presented(item).label })) },
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
                        xAxisLabelOptions: axisLabel(field("value")),
                        tooltip: tooltip(field("value")),
                    },
                },
            };
        case "bar":
            if (visual.counts !== undefined) {
                // Averages come with the rows behind them: bars for the value, a line of counts on the second axis.
                return {
                    comboChartVisual: {
                        ...common,
                        chartConfiguration: {
                            barsArrangement: "CLUSTERED",
                            fieldWells: {
                                comboChartAggregatedFieldWells: {
                                    category: field("category").map(dimension),
                                    barValues: field("value").map(measure),
                                    lineValues: field("counts").map(measure),
                                },
                            },
                            sortConfiguration: {
                                categorySort: sortedBy(visual.sort),
                                categoryItemsLimit: { itemsLimit: visual.limit, otherCategories: "EXCLUDE" },
                            },
                            categoryLabelOptions: axisLabel(field("category")),
                            primaryYAxisLabelOptions: axisLabel(field("value")),
                            secondaryYAxisLabelOptions: axisLabel(field("counts")),
                            barDataLabels: { visibility: "VISIBLE" },
                            tooltip: tooltip(shownFields),
                        },
                    },
                };
            }
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
                        categoryLabelOptions: axisLabel(field("category")),
                        valueLabelOptions: axisLabel(field("value")),
                        dataLabels: { visibility: "VISIBLE" },
                        tooltip: tooltip(shownFields),
                    },
                },
            };
        case "line":
            return {
                lineChartVisual: {
                    ...common,
                    chartConfiguration: {
                        type: "LINE",
                        fieldWells: {
                            lineChartAggregatedFieldWells: {
                                category: field("category").map(dimension),
                                values: [...field("value"), ...field("counts")].map(measure),
                            },
                        },
                        sortConfiguration: { categorySort: sortedBy([{ column: visual.category.column, order: "asc" }]) },
                        // Points without lines: a line would join the years on either side of a year without data.
                        defaultSeriesSettings: { lineStyleSettings: { lineVisibility: "HIDDEN" }, markerStyleSettings: { markerVisibility: "VISIBLE" } },
                        series: field("counts").map((item) => ({ fieldSeriesItem: { fieldId: fieldId(item), axisBinding: "SECONDARY_YAXIS" as const } })),
                        xAxisLabelOptions: axisLabel(field("category")),
                        primaryYAxisLabelOptions: axisLabel(field("value")),
                        ...(visual.counts === undefined ? {} : { secondaryYAxisLabelOptions: axisLabel(field("counts")) }),
                        tooltip: tooltip(shownFields),
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
                        xAxisLabelOptions: axisLabel(field("x")),
                        yAxisLabelOptions: axisLabel(field("y")),
                        legend: { visibility: "VISIBLE", title: { visibility: "VISIBLE", customLabel: presented(field("color")[0]).label } },
                        tooltip: tooltip(shownFields),
                    },
                },
            };
    }
}
