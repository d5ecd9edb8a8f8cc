import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import { Dashboard, DASHBOARD_FILE, GRID_COLUMNS, loadDashboard, Visual } from "../infra/dashboards/definition";
import { npmRun } from "./support/npmRun";
import { openRenderedPage, VIEWPORT, withChromium } from "../workbench/dashboard/browser";
import { buildPreview, PREVIEW_FILES } from "../workbench/dashboard/preview";

/** What the browser shows of one visual's element. */
interface DrawnVisual {
    id: string | null;
    renderedRows: string | null;
    renderError: string | null;
    svgCount: number;
    /** Items of the chart's data marks (bars, points, lines), axes and legends aside. */
    markItems: number;
    tableRows: number;
    kpiValue: string | null;
    box: { x: number; y: number; width: number; height: number } | null;
}

interface DrawnPage {
    visuals: DrawnVisual[];
    grids: Map<string, { x: number; y: number; width: number; height: number }>;
    requests: string[];
    errors: string[];
    scrollHeight: number;
    /** Every text a reader can see: the page's own, and each chart's axes, labels and legends. */
    texts: string[];
}

const allVisuals = (dashboard: Dashboard): Visual[] => dashboard.sheets.flatMap((sheet) => sheet.visuals);

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
    const bytes = fs.readFileSync(file);
    assert.ok(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is not a PNG`);
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Opens a preview page in headless Chromium and records what it drew. */
async function drawPage(dashboard: Dashboard, pageFile: string): Promise<DrawnPage> {
    return withChromium(async (context) => {
        const requests: string[] = [];
        const errors: string[] = [];
        context.on("request", (request) => requests.push(request.url()));
        context.on("weberror", (error) => errors.push(error.error().message));
        context.on("console", (message) => {
            if (message.type() === "error") errors.push(message.text());
        });
        const page = await openRenderedPage(context, pageFile);
        const visuals: DrawnVisual[] = [];
        for (const frame of await page.locator(".visual").all()) {
            visuals.push({
                id: await frame.getAttribute("data-visual-id"),
                renderedRows: await frame.getAttribute("data-rendered-rows"),
                renderError: await frame.getAttribute("data-render-error"),
                svgCount: await frame.locator("svg").count(),
                markItems: await frame.locator("svg .role-mark > *").count(),
                tableRows: await frame.locator("tbody tr").count(),
                kpiValue: (await frame.locator(".kpi-value").count()) > 0 ? await frame.locator(".kpi-value").textContent() : null,
                box: await frame.boundingBox(),
            });
        }
        const grids = new Map<string, { x: number; y: number; width: number; height: number }>();
        for (const sheet of dashboard.sheets) {
            const box = await page.locator(`[data-sheet-id="${sheet.id}"] .grid`).boundingBox();
            if (box !== null) grids.set(sheet.id, box);
        }
        const texts = [...(await page.locator("body").innerText()).split("\n"), ...(await page.locator("svg text").allTextContents())].filter(
            (text) => text.trim() !== "",
        );
        return { visuals, grids, requests, errors, texts, scrollHeight: Number(await page.evaluate("document.documentElement.scrollHeight")) };
    });
}

/** Every visual of the definition that the page does not draw with data, each naming what is wrong. */
function undrawnProblems(dashboard: Dashboard, drawn: DrawnPage): string[] {
    return allVisuals(dashboard).flatMap((visual): string[] => {
        const shown = drawn.visuals.find((candidate) => candidate.id === visual.id);
        const where = `visual "${visual.id}" (${visual.type})`;
        if (shown === undefined) return [`${where}: not on the page`];
        if (shown.renderError !== null) return [`${where}: could not be drawn: ${shown.renderError}`];
        if (shown.renderedRows === null) return [`${where}: never drawn (no data-rendered-rows)`];
        const rows = Number(shown.renderedRows);
        if (!(rows > 0)) return [`${where}: drew ${shown.renderedRows} rows`];
        switch (visual.type) {
            case "kpi":
                return shown.kpiValue?.trim() ? [] : [`${where}: shows no value`];
            case "table":
                return shown.tableRows === rows ? [] : [`${where}: ${shown.tableRows} table rows for ${rows} rows`];
            default:
                if (shown.svgCount !== 1) return [`${where}: ${shown.svgCount} SVG charts, expected 1`];
                return shown.markItems > 0 ? [] : [`${where}: its chart has no marks for its ${rows} rows`];
        }
    });
}

/** A column name as a reader would see it if a label were missing: lowercase words joined by underscores. */
const RAW_NAME = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/;

/** The texts on the page that show a raw column name instead of a label. */
function rawNameProblems(drawn: DrawnPage): string[] {
    return [...new Set(drawn.texts.filter((text) => RAW_NAME.test(text)))].map((text) => `raw column name on screen: ${JSON.stringify(text)}`);
}

describe("local dashboard preview (npm run local -- dashboard)", () => {
    const dashboard = loadDashboard();
    let outDir: string;
    let drawn: DrawnPage;

    before(async function () {
        // A fresh machine builds the Python environment and runs the local ETL first (minutes); later
        // runs reuse both and take seconds.
        this.timeout(20 * 60_000);
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-preview-"));
        const run = npmRun("local", ["dashboard", "--out", outDir]);
        assert.strictEqual(run.status, 0, `npm run local -- dashboard failed (${run.status ?? run.signal}):\n${run.stderr}`);

        drawn = await drawPage(dashboard, path.join(outDir, PREVIEW_FILES.page));
    });

    after(() => fs.rmSync(outDir, { recursive: true, force: true }));

    it("has one visual element per visual of the definition, in the definition's order", () => {
        assert.deepStrictEqual(
            drawn.visuals.map((visual) => visual.id),
            allVisuals(dashboard).map((visual) => visual.id),
        );
    });

    it("draws every visual of the definition with data", () => {
        assert.deepStrictEqual(undrawnProblems(dashboard, drawn), []);
    });

    it("shows labels, never a raw column name, on every sheet, axis, legend and header", () => {
        assert.ok(drawn.texts.length > 200, `only ${drawn.texts.length} texts on the page`);
        assert.deepStrictEqual(rawNameProblems(drawn), []);
    });

    it("fails a visual with no data and a raw column name on screen", async function () {
        this.timeout(180_000);
        const broken = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-preview-broken-"));
        try {
            const definition = path.join(broken, "broken.yaml");
            const committed = fs.readFileSync(DASHBOARD_FILE, "utf8");
            const edits: [string, string][] = [
                ["- { column: breakdown, equals: all }", "- { column: breakdown, equals: nothing }"],
                ["track_popularity: { label: Track popularity, format: integer }", "track_popularity: { label: track_popularity, format: integer }"],
            ];
            let text = committed;
            for (const [from, to] of edits) {
                assert.ok(text.includes(from), from);
                text = text.replace(from, to);
            }
            fs.writeFileSync(definition, text);
            const preview = await buildPreview({ definition, outDir: broken, screenshot: false });
            const brokenDrawn = await drawPage(loadDashboard(definition), preview.page);
            assert.deepStrictEqual(
                undrawnProblems(loadDashboard(definition), brokenDrawn).filter((problem) => problem.startsWith('visual "correlation-overall"')),
                ['visual "correlation-overall" (bar): drew 0 rows'],
            );
            assert.ok(
                rawNameProblems(brokenDrawn).some((problem) => problem.includes("track_popularity")),
                rawNameProblems(brokenDrawn).join("\n"),
            );
        } finally {
            fs.rmSync(broken, { recursive: true, force: true });
        }
    });

    it(`places each visual on its sheet's ${GRID_COLUMNS}-column grid as its layout says`, () => {
        // Grid gaps make the match approximate: within 2% of the grid's size.
        const problems = dashboard.sheets.flatMap((sheet) => {
            const grid = drawn.grids.get(sheet.id);
            if (grid === undefined) return [`sheet "${sheet.id}": no grid on the page`];
            const gridRows = Math.max(...sheet.visuals.map((visual) => visual.layout.row + visual.layout.height));
            return sheet.visuals.flatMap((visual) => {
                const box = drawn.visuals.find((candidate) => candidate.id === visual.id)?.box;
                if (box === undefined || box === null) return [`visual "${visual.id}": not laid out`];
                const { column, row, width, height } = visual.layout;
                const off = (actual: number, expected: number, size: number) => Math.abs(actual - expected) > 0.02 * size;
                return off(box.x - grid.x, (column / GRID_COLUMNS) * grid.width, grid.width) ||
                    off(box.width, (width / GRID_COLUMNS) * grid.width, grid.width) ||
                    off(box.y - grid.y, (row / gridRows) * grid.height, grid.height) ||
                    off(box.height, (height / gridRows) * grid.height, grid.height)
                    ? [`visual "${visual.id}": drawn at ${JSON.stringify(box)} in grid ${JSON.stringify(grid)}, layout ${JSON.stringify(visual.layout)}`]
                    : [];
            });
        });
        assert.deepStrictEqual(problems, []);
    });

    it("works offline: the page loads nothing but itself and logs no error", () => {
        assert.deepStrictEqual(drawn.requests, [pathToFileURL(path.join(outDir, PREVIEW_FILES.page)).href]);
        assert.deepStrictEqual(drawn.errors, []);
    });

    it("writes a full-page screenshot as wide as the viewport", () => {
        const size = pngSize(path.join(outDir, PREVIEW_FILES.screenshot));
        assert.deepStrictEqual(size, { width: VIEWPORT.width, height: drawn.scrollHeight });
        assert.ok(size.height > VIEWPORT.height, `the page is only ${size.height}px tall: the screenshot is not of the whole page`);
    });

    it("writes byte-identical HTML when run again on the same warehouse", async function () {
        this.timeout(120_000);
        const again = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-preview-again-"));
        try {
            const preview = await buildPreview({ outDir: again, screenshot: false });
            assert.ok(fs.readFileSync(preview.page).equals(fs.readFileSync(path.join(outDir, PREVIEW_FILES.page))), "the two runs wrote different pages");
        } finally {
            fs.rmSync(again, { recursive: true, force: true });
        }
    });
});
