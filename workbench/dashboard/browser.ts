import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import { BrowserContext, chromium, Page } from "playwright-core";

/** Debian's Chromium: the project never downloads a browser of its own. */
const CHROMIUM = "/usr/bin/chromium";

/** Headless, and quiet: no sandbox (CI runs as root), no GPU, no call home of any kind. */
const CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/** Wide enough for the 36-column grid to read as on a laptop screen, small enough for a README image. */
export const VIEWPORT = { width: 1400, height: 900 };

/** How long a page may take to draw every chart. */
const RENDER_TIMEOUT_MS = 60_000;

/** Runs `use` with a fresh headless Chromium (its own throw-away profile), closed and removed afterwards. */
export async function withChromium<T>(use: (context: BrowserContext) => Promise<T>): Promise<T> {
    if (!fs.existsSync(CHROMIUM)) {
        throw new Error(`${CHROMIUM} not found: the dashboard preview draws and checks the page with Debian's Chromium (apt-get install chromium)`);
    }
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-chromium-"));
    try {
        const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: VIEWPORT });
        try {
            return await use(context);
        } finally {
            await context.close();
        }
    } finally {
        fs.rmSync(profile, { recursive: true, force: true });
    }
}

/** Opens a page file and waits until its script has drawn every chart (body[data-rendered]). */
export async function openRenderedPage(context: BrowserContext, htmlFile: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(pathToFileURL(htmlFile).href);
    await page.waitForSelector("body[data-rendered]", { state: "attached", timeout: RENDER_TIMEOUT_MS });
    return page;
}

/** A full-page PNG of the rendered page. */
export async function screenshotPage(htmlFile: string, pngFile: string): Promise<void> {
    await withChromium(async (context) => {
        const page = await openRenderedPage(context, htmlFile);
        await page.screenshot({ path: pngFile, fullPage: true });
    });
}
