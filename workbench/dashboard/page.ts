import * as fs from "fs";
import * as path from "path";
import type { TopLevelSpec } from "vega-lite/build/index";
import {
    Dashboard,
    DashboardFilter,
    exemptionNote,
    FieldPresentation,
    FieldRole,
    GRID_COLUMNS,
    NumberFormat,
    presentationOf,
    Visual,
    VisualField,
} from "../../infra/dashboards/definition";
import { REPO_ROOT } from "../../model/repository";
import type { Cell, VisualData } from "./visualData";
import { outputColumn, shownFields } from "./visualQueries";

/**
 * The local preview of a dashboard as one self-contained HTML page: each sheet a section, its
 * visuals placed on QuickSight's 36-column grid, KPIs and tables as HTML, charts drawn by Vega-Lite
 * from the data embedded in the page. The chart libraries are inlined, so the page works offline
 * from file://. Every visual's element carries data-visual-id and, once drawn, data-rendered-rows.
 * The same dashboard and data give the same bytes.
 */

/** The browser builds the page inlines, in load order (vega-lite needs vega, vega-embed both). */
const CHART_PACKAGES = ["vega", "vega-lite", "vega-embed"] as const;

export interface ChartLibrary {
    name: string;
    version: string;
    source: string;
}

/** Each chart package's own browser build (its package.json `unpkg` file), ready to inline. */
export function loadChartLibraries(): ChartLibrary[] {
    return CHART_PACKAGES.map((name) => {
        const directory = path.join(REPO_ROOT, "node_modules", name);
        const manifestFile = path.join(directory, "package.json");
        if (!fs.existsSync(manifestFile)) throw new Error(`${name} is not installed in node_modules: run npm ci`);
        const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as { version: string; unpkg?: string };
        if (manifest.unpkg === undefined) throw new Error(`${manifestFile} names no browser build (unpkg)`);
        // The page does not ship the source maps, so it does not point to them either.
        const source = fs.readFileSync(path.join(directory, manifest.unpkg), "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
        // An inline script ends at the first "</script" and changes parsing state at "<!--".
        if (/<\/script|<!--/i.test(source))
            throw new Error(`${name} ${manifest.version}: ${manifest.unpkg} contains "</script" or "<!--" and cannot be inlined as is`);
        return { name, version: manifest.version, source };
    });
}

export interface PageSource {
    /** Where the data came from, as the page states it (a path relative to the repository). */
    warehouse: string;
}

/** The Vega dataset every chart reads: the page reports its size as the rows drawn. */
const DATASET = "rows";
const NULL_LABEL = "(null)";
/** Pixels per row of the layout grid, whose columns share the page's width. */
const ROW_HEIGHT_PX = 30;

/** Each number format as the page writes it (en-US, as QuickSight's default locale). */
const NUMBER_FORMATTERS: Record<NumberFormat, Intl.NumberFormat> = {
    year: new Intl.NumberFormat("en-US", { useGrouping: false, maximumFractionDigits: 0 }),
    integer: new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 }),
    decimal1: new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    decimal2: new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    percent: new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }),
};
/** The same formats in d3-format, which Vega-Lite's axes and labels use. */
const D3_FORMATS: Record<NumberFormat, string> = { year: "d", integer: ",d", decimal1: ",.1f", decimal2: ",.2f", percent: ".1%" };

/** A value as the reader sees it: numbers in their format, NULL as the field's word for it. */
function formatCell(cell: Cell, presentation: FieldPresentation): string {
    if (cell === null) return presentation.nulls ?? NULL_LABEL;
    if (typeof cell === "number" && presentation.format !== undefined) return NUMBER_FORMATTERS[presentation.format].format(cell);
    return String(cell);
}

function escapeHtml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** JSON inside a <script> element: "<" escaped so that no value can close the element. */
function scriptJson(value: unknown): string {
    return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** Each result column's field and how it is shown, in the result's order. */
function columnPresentations(dashboard: Dashboard, visual: Visual, data: VisualData): FieldPresentation[] {
    const fields = shownFields(visual);
    return data.columns.map((column) => {
        const field = fields.find((candidate) => outputColumn(candidate) === column);
        if (field === undefined) throw new Error(`visual "${visual.id}": result column "${column}" is none of its fields`);
        return presentationOf(dashboard, field);
    });
}

function tableCell(cell: Cell, presentation: FieldPresentation): string {
    const numeric = presentation.format !== undefined;
    const text = escapeHtml(formatCell(cell, presentation));
    if (cell === null) return `<td${numeric ? ' class="number"' : ""}><span class="null">${text}</span></td>`;
    // A long text is cut to the column's width; its title shows it whole.
    return numeric ? `<td class="number">${text}</td>` : `<td title="${text}">${text}</td>`;
}

function kpiHtml(dashboard: Dashboard, visual: Extract<Visual, { type: "kpi" }>, data: VisualData): { html: string; rows: number } {
    const value = data.rows[0]?.[0] ?? null;
    const presentation = presentationOf(dashboard, { role: "value", ...visual.value });
    const shown = escapeHtml(formatCell(value, presentation));
    return {
        html: `<div class="kpi"><div class="kpi-value">${value === null ? `<span class="null">${shown}</span>` : shown}</div><div class="kpi-label">${escapeHtml(presentation.label)}</div></div>`,
        rows: value === null ? 0 : 1,
    };
}

function tableHtml(dashboard: Dashboard, visual: Visual, data: VisualData): { html: string; rows: number } {
    const presentations = columnPresentations(dashboard, visual, data);
    const header = presentations
        .map((presentation) => `<th${presentation.format !== undefined ? ' class="number"' : ""}>${escapeHtml(presentation.label)}</th>`)
        .join("");
    const body = data.rows.map((row) => `<tr>${row.map((cell, index) => tableCell(cell, presentations[index])).join("")}</tr>`).join("\n");
    return { html: `<div class="table"><table>\n<thead><tr>${header}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`, rows: data.rows.length };
}

type ChartVisual = Extract<Visual, { type: "histogram" | "bar" | "line" | "scatter" }>;

/** The colours of a chart's value and of its counts, on their two axes. */
const VALUE_COLOR = "#4c78a8";
const COUNTS_COLOR = "#e45756";

/**
 * The Vega-Lite spec of a chart visual, its data inlined. Every axis, legend and tooltip carries
 * the field's label and number format. A chart shows a text field by value, so a NULL there is
 * shown as the field's word for it; a NULL number has no place on an axis and is left out, except
 * that a bar whose value is NULL shows the value field's word for NULL (a correlation that is
 * undefined says so). A chart with counts draws them on a second axis: points on a line for bars,
 * bars for a line's points; the line itself is drawn as points, so no line crosses a category
 * without data.
 */
function chartSpec(dashboard: Dashboard, visual: ChartVisual, data: VisualData): TopLevelSpec {
    const fields = new Map(shownFields(visual).map((field) => [field.role, field]));
    const fieldOf = (role: FieldRole): VisualField => {
        const field = fields.get(role);
        if (field === undefined) throw new Error(`visual "${visual.id}" (${visual.type}) has no ${role} field`);
        return field;
    };
    const presentation = (role: FieldRole) => presentationOf(dashboard, fieldOf(role));
    const numeric = (role: FieldRole) => presentation(role).format !== undefined;
    const d3Format = (role: FieldRole) => {
        const format = presentation(role).format;
        return format === undefined ? {} : { format: D3_FORMATS[format] };
    };
    const channel = (role: FieldRole) => ({ field: outputColumn(fieldOf(role)), title: presentation(role).label });
    const axisOf = (role: FieldRole, extra: Record<string, unknown> = {}) => ({ ...channel(role), axis: { ...d3Format(role), ...extra } });
    const tooltip = [...fields.keys()].map((role) => ({
        ...channel(role),
        type: numeric(role) ? ("quantitative" as const) : ("nominal" as const),
        ...d3Format(role),
    }));
    const textColumns = new Set(data.columns.filter((column) => !numeric([...fields.entries()].find(([, field]) => outputColumn(field) === column)![0])));
    const base = {
        width: "container",
        height: "container",
        autosize: { type: "fit", contains: "padding" },
        data: {
            name: DATASET,
            values: data.rows.map((row) =>
                Object.fromEntries(row.map((cell, index) => [data.columns[index], cell === null && textColumns.has(data.columns[index]) ? NULL_LABEL : cell])),
            ),
        },
        config: {
            font: "DejaVu Sans, Helvetica, Arial, sans-serif",
            view: { stroke: null },
            axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal" },
            legend: { labelFontSize: 11, titleFontSize: 12 },
            range: { category: { scheme: "tableau10" } },
        },
    } as const;
    switch (visual.type) {
        case "histogram":
            return {
                ...base,
                mark: { type: "bar" },
                encoding: {
                    tooltip: [
                        { ...channel("value"), type: "quantitative", bin: { maxbins: visual.bins }, ...d3Format("value") },
                        { aggregate: "count", type: "quantitative", title: "Tracks" },
                    ],
                    x: { ...axisOf("value"), type: "quantitative", bin: { maxbins: visual.bins } },
                    y: { aggregate: "count", type: "quantitative", title: "Tracks" },
                },
            };
        case "bar": {
            if (visual.counts === undefined) {
                // Horizontal, in the query's order: it sorts and limits the categories.
                return {
                    ...base,
                    mark: { type: "bar" },
                    encoding: {
                        tooltip,
                        y: { ...channel("category"), type: "nominal", sort: null, axis: { labelLimit: 180 } },
                        x: { ...axisOf("value"), type: "quantitative" },
                    },
                };
            }
            // Vertical bars with the counts behind each as a line on the right-hand axis, as QuickSight's combo chart.
            const value = channel("value").field;
            const nulls = presentation("value").nulls;
            const x = { ...channel("category"), type: "nominal" as const, sort: null, axis: { labelAngle: -35, labelLimit: 140 } };
            return {
                ...base,
                encoding: { x },
                layer: [
                    {
                        mark: { type: "bar", color: VALUE_COLOR },
                        encoding: { tooltip, y: { ...axisOf("value", { titleColor: VALUE_COLOR }), type: "quantitative" } },
                    },
                    {
                        mark: { type: "text", dy: -6, fontSize: 10, color: "#1f2933" },
                        encoding: { y: { field: value, type: "quantitative", axis: null }, text: { field: value, type: "quantitative", ...d3Format("value") } },
                    },
                    ...(nulls === undefined
                        ? []
                        : [
                              {
                                  transform: [{ filter: `datum[${JSON.stringify(value)}] === null` }],
                                  mark: { type: "text" as const, fontSize: 10, color: "#9aa5b1" },
                                  encoding: { y: { value: 12 }, text: { value: nulls } },
                              },
                          ]),
                    {
                        mark: { type: "line", color: COUNTS_COLOR, point: { color: COUNTS_COLOR } },
                        encoding: { tooltip, y: { ...axisOf("counts", { orient: "right", titleColor: COUNTS_COLOR }), type: "quantitative" } },
                    },
                ],
                resolve: { scale: { y: "independent" } },
            };
        }
        case "line": {
            // A numeric category (a year) is a continuous axis: a category without data is a gap.
            const x = numeric("category")
                ? { ...axisOf("category"), type: "quantitative" as const, scale: { zero: false } }
                : { ...channel("category"), type: "ordinal" as const, sort: null };
            const points = { type: "point" as const, filled: true, size: 36 };
            if (visual.counts === undefined) {
                return { ...base, mark: { ...points, color: VALUE_COLOR }, encoding: { x, tooltip, y: { ...axisOf("value"), type: "quantitative" } } };
            }
            return {
                ...base,
                encoding: { x },
                layer: [
                    {
                        mark: { type: "bar", color: COUNTS_COLOR, opacity: 0.35 },
                        encoding: { tooltip, y: { ...axisOf("counts", { orient: "right", titleColor: COUNTS_COLOR }), type: "quantitative" } },
                    },
                    {
                        mark: { ...points, color: VALUE_COLOR },
                        encoding: { tooltip, y: { ...axisOf("value", { titleColor: VALUE_COLOR }), type: "quantitative" } },
                    },
                ],
                resolve: { scale: { y: "independent" } },
            };
        }
        case "scatter":
            return {
                ...base,
                mark: { type: "point", filled: true, opacity: 0.6, size: 18 },
                encoding: {
                    tooltip,
                    x: { ...axisOf("x"), type: "quantitative" },
                    y: { ...axisOf("y"), type: "quantitative" },
                    color: { ...channel("color"), type: numeric("color") ? "quantitative" : "nominal", legend: { columns: 2, symbolLimit: 40 } },
                },
            };
    }
}

function filtersHtml(filters: readonly DashboardFilter[]): string {
    if (filters.length === 0) return "";
    const items = filters.map((filter) => `<li>${escapeHtml(filter.title)}</li>`).join("");
    return `<div class="filters"><span>Filters, at their defaults (every value selected):</span><ul>${items}</ul></div>`;
}

/** A visual's element; a chart's comes with the spec the page's script draws it from. */
function visualHtml(dashboard: Dashboard, visual: Visual, data: VisualData): { html: string; spec?: TopLevelSpec } {
    const { column, row, width, height } = visual.layout;
    let body: string;
    let rows: number | undefined;
    let spec: TopLevelSpec | undefined;
    if (data.rows.length === 0) {
        body = `<div class="message">No data</div>`;
        rows = 0;
    } else if (visual.type === "kpi") {
        ({ html: body, rows } = kpiHtml(dashboard, visual, data));
    } else if (visual.type === "table") {
        ({ html: body, rows } = tableHtml(dashboard, visual, data));
    } else {
        // The page's script draws it, then sets data-rendered-rows.
        spec = chartSpec(dashboard, visual, data);
        body = `<div class="chart"></div>`;
    }
    const attributes = [
        `class="visual"`,
        `data-visual-id="${escapeHtml(visual.id)}"`,
        `data-visual-type="${visual.type}"`,
        ...(rows === undefined ? [] : [`data-rendered-rows="${rows}"`]),
        `style="grid-column: ${column + 1} / span ${width}; grid-row: ${row + 1} / span ${height}"`,
    ];
    const note = exemptionNote(dashboard, visual);
    const caption = `<figcaption>${escapeHtml(visual.title)}${note === undefined ? "" : `<span class="subtitle">${escapeHtml(note)}</span>`}</figcaption>`;
    return { html: `<figure ${attributes.join(" ")}>\n${caption}\n${body}\n</figure>`, spec };
}

const STYLE = `
:root { --row: ${ROW_HEIGHT_PX}px; --gap: 12px; color: #1f2933; background: #f2f4f7; font: 14px/1.4 "DejaVu Sans", Helvetica, Arial, sans-serif; }
body { margin: 0; padding: 24px 32px 40px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0 0 6px; }
.note { color: #52606d; font-size: 12px; }
.filters { display: flex; gap: 8px; align-items: center; font-size: 13px; color: #52606d; }
.filters ul { display: flex; gap: 8px; margin: 0; padding: 0; list-style: none; }
.filters li { background: #fff; border: 1px solid #cbd2d9; border-radius: 12px; padding: 1px 10px; color: #1f2933; }
.sheet { margin-top: 28px; }
.sheet h2 { margin: 0 0 2px; font-size: 20px; }
.sheet > p { margin: 0 0 10px; color: #52606d; }
.grid { display: grid; grid-template-columns: repeat(${GRID_COLUMNS}, minmax(0, 1fr)); grid-auto-rows: var(--row); gap: var(--gap); }
.visual { margin: 0; min-width: 0; min-height: 0; display: flex; flex-direction: column; overflow: hidden; background: #fff; border: 1px solid #d9dde3; border-radius: 6px; padding: 10px 14px; }
.visual figcaption { margin-bottom: 6px; font-weight: bold; }
.subtitle { display: block; font-weight: normal; font-size: 12px; color: #52606d; }
.chart, .table, .kpi, .message { flex: 1; min-height: 0; }
.kpi, .message { display: flex; flex-direction: column; align-items: center; justify-content: center; }
.kpi-value { font-size: 44px; font-weight: bold; }
.kpi-label, .message { color: #52606d; font-size: 12px; }
.error { color: #b42318; }
.table { overflow: auto; }
table { width: 100%; border-collapse: collapse; font-size: 12px; }
th, td { padding: 3px 8px; }
th { background: #f8f9fb; border-bottom: 1px solid #cbd2d9; text-align: left; vertical-align: bottom; }
td { max-width: 16em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; border-bottom: 1px solid #eef0f3; }
.number { text-align: right; font-variant-numeric: tabular-nums; }
.null { color: #9aa5b1; }
`;

/** Draws every chart, marks each visual with the rows it drew (or the error), then the page as rendered. */
const DRAW_SCRIPT = `
(async () => {
    const specs = JSON.parse(document.getElementById("chart-specs").textContent);
    await Promise.all([...document.querySelectorAll(".visual")].filter((frame) => frame.dataset.visualId in specs).map(async (frame) => {
        const chart = frame.querySelector(".chart");
        try {
            const { view } = await vegaEmbed(chart, specs[frame.dataset.visualId], { mode: "vega-lite", renderer: "svg", actions: false });
            frame.dataset.renderedRows = String(view.data(${JSON.stringify(DATASET)}).length);
        } catch (error) {
            frame.dataset.renderError = String(error && error.message ? error.message : error);
            chart.className = "message error";
            chart.textContent = "This chart could not be drawn: " + frame.dataset.renderError;
        }
    }));
    document.body.dataset.rendered = "true";
})();
`;

/**
 * The page of a dashboard with each visual's data (by visual id). Nothing on it depends on the
 * time or the machine, so the same inputs give the same bytes.
 */
export function renderDashboardPage(
    dashboard: Dashboard,
    data: ReadonlyMap<string, VisualData>,
    libraries: readonly ChartLibrary[],
    source: PageSource,
): string {
    const specs: Record<string, TopLevelSpec> = {};
    const sheets = dashboard.sheets.map((sheet) => {
        const visuals = sheet.visuals.map((visual) => {
            const visualData = data.get(visual.id);
            if (visualData === undefined) throw new Error(`no data for visual "${visual.id}" (sheet "${sheet.id}")`);
            const { html, spec } = visualHtml(dashboard, visual, visualData);
            if (spec !== undefined) specs[visual.id] = spec;
            return html;
        });
        return [
            `<section class="sheet" data-sheet-id="${escapeHtml(sheet.id)}">`,
            `<h2>${escapeHtml(sheet.title)}</h2>`,
            ...(sheet.description === undefined ? [] : [`<p>${escapeHtml(sheet.description)}</p>`]),
            `<div class="grid">`,
            ...visuals,
            `</div>`,
            `</section>`,
        ].join("\n");
    });
    const libraryScripts = libraries.map((library) => `<script>/* ${library.name} ${library.version} */\n${library.source}</script>`);
    return [
        `<!DOCTYPE html>`,
        `<html lang="en">`,
        `<head>`,
        `<meta charset="utf-8">`,
        // Everything is inline: the page may run its own scripts (Vega compiles its expressions) and nothing else.
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">`,
        `<title>${escapeHtml(dashboard.name)}: local preview</title>`,
        `<style>${STYLE}</style>`,
        `</head>`,
        `<body data-dashboard-id="${escapeHtml(dashboard.id)}">`,
        `<header>`,
        `<h1>${escapeHtml(dashboard.name)}</h1>`,
        `<p>${escapeHtml(dashboard.description)}</p>`,
        `<p class="note">Local preview of ${escapeHtml(dashboard.file)}: each visual's Athena SQL, run on DuckDB over ${escapeHtml(source.warehouse)}. QuickSight draws the same definition from Athena.</p>`,
        filtersHtml(dashboard.filters),
        `</header>`,
        ...sheets,
        `<script id="chart-specs" type="application/json">${scriptJson(specs)}</script>`,
        ...libraryScripts,
        `<script>${DRAW_SCRIPT}</script>`,
        `</body>`,
        `</html>`,
        ``,
    ].join("\n");
}
