import * as fs from "fs";
import * as path from "path";
import type { TopLevelSpec } from "vega-lite/build/index";
import { Aggregate, Dashboard, DashboardFilter, FieldRole, GRID_COLUMNS, Visual, VisualField } from "../../infra/dashboards/definition";
import { REPO_ROOT } from "../../infra/repository";
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

const AGGREGATE_LABELS: Record<Aggregate, string> = {
    sum: "Sum",
    average: "Average",
    min: "Min",
    max: "Max",
    median: "Median",
    count: "Count",
    distinct_count: "Count distinct",
};

/** A field as QuickSight labels it: the column, and its aggregate in parentheses. */
function fieldTitle(field: VisualField): string {
    return field.aggregate === undefined ? field.column : `${field.column} (${AGGREGATE_LABELS[field.aggregate]})`;
}

function escapeHtml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** JSON inside a <script> element: "<" escaped so that no value can close the element. */
function scriptJson(value: unknown): string {
    return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** The non-null values of a result column. */
function columnValues(data: VisualData, column: string): Cell[] {
    const index = data.columns.indexOf(column);
    return data.rows.map((row) => row[index]).filter((cell) => cell !== null);
}

/** Whether every non-null value of a result column is a number (and there is one). */
function numericColumn(data: VisualData, column: string): boolean {
    const values = columnValues(data, column);
    return values.length > 0 && values.every((cell) => typeof cell === "number");
}

function tableCell(cell: Cell, attributes: string): string {
    if (cell === null) return `<td${attributes}><span class="null">${NULL_LABEL}</span></td>`;
    // Integers as they are (years read 2014, not 2,014); other numbers to two decimals.
    if (typeof cell === "number") return `<td${attributes}>${Number.isInteger(cell) ? String(cell) : cell.toFixed(2)}</td>`;
    // A long text is cut to the column's width; its title shows it whole.
    const text = escapeHtml(String(cell));
    return `<td${attributes} title="${text}">${text}</td>`;
}

const kpiNumber = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

function kpiHtml(visual: Extract<Visual, { type: "kpi" }>, data: VisualData): { html: string; rows: number } {
    const value = data.rows[0]?.[0] ?? null;
    const shown = value === null ? `<span class="null">${NULL_LABEL}</span>` : escapeHtml(typeof value === "number" ? kpiNumber.format(value) : String(value));
    return {
        html: `<div class="kpi"><div class="kpi-value">${shown}</div><div class="kpi-label">${escapeHtml(fieldTitle({ role: "value", ...visual.value }))}</div></div>`,
        rows: value === null ? 0 : 1,
    };
}

function tableHtml(data: VisualData): { html: string; rows: number } {
    const numeric = data.columns.map((column) => numericColumn(data, column));
    const cellClass = (index: number) => (numeric[index] ? ' class="number"' : "");
    // A long column name may break after its underscores rather than widen the table.
    const header = data.columns.map((column, index) => `<th${cellClass(index)}>${escapeHtml(column).replace(/_/g, "_<wbr>")}</th>`).join("");
    const body = data.rows.map((row) => `<tr>${row.map((cell, index) => tableCell(cell, cellClass(index))).join("")}</tr>`).join("\n");
    return { html: `<div class="table"><table>\n<thead><tr>${header}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`, rows: data.rows.length };
}

type ChartVisual = Extract<Visual, { type: "histogram" | "bar" | "line" | "scatter" }>;

/**
 * The Vega-Lite spec of a chart visual, its data inlined. A chart shows a text field by value, so
 * a NULL there is shown as a label; a NULL number has no place on an axis and is left out.
 */
function chartSpec(visual: ChartVisual, data: VisualData): TopLevelSpec {
    const fields = new Map(shownFields(visual).map((field) => [field.role, field]));
    const channel = (role: FieldRole) => {
        const field = fields.get(role);
        if (field === undefined) throw new Error(`visual "${visual.id}" (${visual.type}) has no ${role} field`);
        return { field: outputColumn(field), title: fieldTitle(field) };
    };
    const numericColumns = new Set(data.columns.filter((column) => numericColumn(data, column)));
    const numeric = (role: FieldRole) => numericColumns.has(channel(role).field);
    const base = {
        width: "container",
        height: "container",
        autosize: { type: "fit", contains: "padding" },
        data: {
            name: DATASET,
            values: data.rows.map((row) =>
                Object.fromEntries(
                    row.map((cell, index) => [data.columns[index], cell === null && !numericColumns.has(data.columns[index]) ? NULL_LABEL : cell]),
                ),
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
                mark: { type: "bar", tooltip: true },
                encoding: {
                    x: { ...channel("value"), type: "quantitative", bin: { maxbins: visual.bins } },
                    y: { aggregate: "count", type: "quantitative", title: "Count" },
                },
            };
        case "bar":
            // Horizontal, in the query's order: it sorts and limits the categories.
            return {
                ...base,
                mark: { type: "bar", tooltip: true },
                encoding: {
                    y: { ...channel("category"), type: "nominal", sort: null, axis: { labelLimit: 180 } },
                    x: { ...channel("value"), type: "quantitative" },
                },
            };
        case "line": {
            // A numeric category (a year) is a continuous axis, without thousands separators when
            // it only holds integers; any other category is ordered as the query orders it.
            const category = channel("category");
            const x = numeric("category")
                ? {
                      ...category,
                      type: "quantitative" as const,
                      scale: { zero: false },
                      axis: columnValues(data, category.field).every(Number.isInteger) ? { format: "d" } : {},
                  }
                : { ...category, type: "ordinal" as const, sort: null };
            return { ...base, mark: { type: "line", point: true, tooltip: true }, encoding: { x, y: { ...channel("value"), type: "quantitative" } } };
        }
        case "scatter":
            return {
                ...base,
                mark: { type: "point", filled: true, opacity: 0.7, tooltip: true },
                encoding: {
                    x: { ...channel("x"), type: "quantitative" },
                    y: { ...channel("y"), type: "quantitative" },
                    color: { ...channel("color"), type: numeric("color") ? "quantitative" : "nominal" },
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
function visualHtml(visual: Visual, data: VisualData): { html: string; spec?: TopLevelSpec } {
    const { column, row, width, height } = visual.layout;
    let body: string;
    let rows: number | undefined;
    let spec: TopLevelSpec | undefined;
    if (data.rows.length === 0) {
        body = `<div class="message">No data</div>`;
        rows = 0;
    } else if (visual.type === "kpi") {
        ({ html: body, rows } = kpiHtml(visual, data));
    } else if (visual.type === "table") {
        ({ html: body, rows } = tableHtml(data));
    } else {
        // The page's script draws it, then sets data-rendered-rows.
        spec = chartSpec(visual, data);
        body = `<div class="chart"></div>`;
    }
    const attributes = [
        `class="visual"`,
        `data-visual-id="${escapeHtml(visual.id)}"`,
        `data-visual-type="${visual.type}"`,
        ...(rows === undefined ? [] : [`data-rendered-rows="${rows}"`]),
        `style="grid-column: ${column + 1} / span ${width}; grid-row: ${row + 1} / span ${height}"`,
    ];
    return { html: `<figure ${attributes.join(" ")}>\n<figcaption>${escapeHtml(visual.title)}</figcaption>\n${body}\n</figure>`, spec };
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
            const { html, spec } = visualHtml(visual, visualData);
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
