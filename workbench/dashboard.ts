import * as path from "path";
import { parseArgs } from "util";
import { DASHBOARD_FILE } from "../infra/dashboards/definition";
import { REPO_ROOT } from "../model/repository";
import { buildPreview, DEFAULT_OUT_DIR, DEFAULT_WAREHOUSE, PREVIEW_FILES } from "./dashboard/preview";

const shown = (file: string) => path.relative(REPO_ROOT, file);

const HELP = `Usage: npm run local -- dashboard [--warehouse DIR] [--out DIR] [--definition FILE] [--no-screenshot]

Previews the QuickSight dashboard locally: every visual of the definition becomes the Athena SQL
QuickSight would need, run on DuckDB over the local warehouse (the views created as
\`npm run local -- queries\` creates them); the results are drawn as one offline HTML page (Vega-Lite
inlined) and photographed full-page by Debian's headless Chromium. Progress goes to stderr.
\`npm run local -- dashboard\` first runs the local ETL when ${shown(DEFAULT_WAREHOUSE)} is missing.

Writes to the output folder: ${PREVIEW_FILES.page} (open it from disk), ${PREVIEW_FILES.screenshot},
${PREVIEW_FILES.queries} (each visual's Athena SQL) and ${PREVIEW_FILES.data} (each visual's rows).

  --warehouse DIR    Iceberg warehouse root (catalog.db, tracks/), read at its current snapshot (default: ${shown(DEFAULT_WAREHOUSE)})
  --out DIR          output folder (default: ${shown(DEFAULT_OUT_DIR)})
  --definition FILE  dashboard definition (default: ${shown(DASHBOARD_FILE)})
  --no-screenshot    write the page only (no Chromium needed)
  -h, --help         show this help`;

export async function main(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            warehouse: { type: "string", default: DEFAULT_WAREHOUSE },
            out: { type: "string", default: DEFAULT_OUT_DIR },
            definition: { type: "string", default: DASHBOARD_FILE },
            "no-screenshot": { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    if (positionals.length > 0) throw new Error(`unexpected argument ${positionals.join(" ")}\n\n${HELP}`);
    const started = process.hrtime.bigint();
    const preview = await buildPreview({
        definition: path.resolve(values.definition),
        warehouse: path.resolve(values.warehouse),
        outDir: path.resolve(values.out),
        screenshot: !values["no-screenshot"],
        progress: (line) => console.error(`dashboard: ${line}`),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const empty = [...preview.rows].filter(([, rows]) => rows === 0).map(([visualId]) => visualId);
    console.error(`dashboard: previewed ${preview.rows.size} visuals in ${seconds.toFixed(1)}s${empty.length > 0 ? `; no data for ${empty.join(", ")}` : ""}`);
    return 0;
}
