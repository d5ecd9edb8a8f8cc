import * as fs from "fs";
import * as path from "path";
import { assertDashboardContract, DASHBOARD_FILE, loadDashboard } from "../../infra/dashboards/definition";
import { loadQueryCatalog } from "../../model/queryCatalog";
import { REPO_ROOT } from "../../model/repository";
import { screenshotPage } from "./browser";
import { loadChartLibraries, renderDashboardPage } from "./page";
import { queryVisualData } from "./visualData";
import { visualQueries } from "./visualQueries";

export const DEFAULT_WAREHOUSE = path.join(REPO_ROOT, "out", "local", "warehouse");
export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, "out", "local", "dashboard");

/** The files of a preview, by name in its output folder. */
export const PREVIEW_FILES = {
    queries: "visual-queries.json",
    data: "visual-data.json",
    page: "index.html",
    screenshot: "dashboard.png",
} as const;

export interface PreviewOptions {
    definition?: string;
    warehouse?: string;
    outDir?: string;
    screenshot?: boolean;
    /** Told each step as it starts, and each visual's row count. */
    progress?: (line: string) => void;
}

export interface Preview {
    page: string;
    screenshot?: string;
    /** Rows of each visual's query, by visual id, in the definition's order. */
    rows: Map<string, number>;
}

/**
 * The local preview of a dashboard definition: the Athena SQL of every visual, run on DuckDB over
 * the local warehouse, drawn as one offline HTML page, and a full-page screenshot of that page.
 */
export async function buildPreview(options: PreviewOptions = {}): Promise<Preview> {
    const progress = options.progress ?? (() => undefined);
    const warehouse = options.warehouse ?? DEFAULT_WAREHOUSE;
    const outDir = options.outDir ?? DEFAULT_OUT_DIR;
    const file = (name: keyof typeof PREVIEW_FILES) => path.join(outDir, PREVIEW_FILES[name]);

    const dashboard = loadDashboard(options.definition ?? DASHBOARD_FILE);
    // The same check the deploy makes: every column the definition uses is one its view declares.
    assertDashboardContract(
        dashboard,
        loadQueryCatalog().queries.filter((query) => query.kind === "view"),
    );
    const queries = visualQueries(dashboard);
    progress(`${dashboard.file}: ${queries.length} visuals on ${dashboard.sheets.length} sheets`);

    progress(`querying ${displayPath(warehouse)} on DuckDB`);
    const data = queryVisualData(queries, { warehouse, queriesFile: file("queries"), dataFile: file("data") });
    const rows = new Map(queries.map((query) => [query.visualId, data.get(query.visualId)?.rows.length ?? 0]));
    for (const [visualId, count] of rows) progress(`  ${visualId}: ${count} row${count === 1 ? "" : "s"}${count === 0 ? " (the visual shows no data)" : ""}`);

    const page = file("page");
    fs.writeFileSync(page, renderDashboardPage(dashboard, data, loadChartLibraries(), { warehouse: displayPath(warehouse) }));
    progress(`wrote ${displayPath(page)}`);
    if (options.screenshot === false) return { page, rows };

    const screenshot = file("screenshot");
    progress(`drawing the page in headless Chromium`);
    await screenshotPage(page, screenshot);
    progress(`wrote ${displayPath(screenshot)}`);
    return { page, screenshot, rows };
}

/** A path as the page and the progress lines show it: relative to the repository when inside it. */
function displayPath(file: string): string {
    const relative = path.relative(REPO_ROOT, path.resolve(file));
    return relative.startsWith("..") || path.isAbsolute(relative) ? path.resolve(file) : relative;
}
