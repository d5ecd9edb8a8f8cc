import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../model/repository";
import type { VisualQuery } from "./visualQueries";

/** A value of a query result as JSON carries it (dates as ISO strings, decimals as numbers). */
export type Cell = string | number | boolean | null;

export interface VisualData {
    columns: string[];
    rows: Cell[][];
}

/** The repository's pinned Python environment (tools/venv.sh builds it). */
const VENV_PYTHON = path.join(REPO_ROOT, ".venv", "bin", "python");

export interface QueryOptions {
    warehouse: string;
    /** Where the queries go ({visualId: sql}): the Python step's input, and the SQL for a reader. */
    queriesFile: string;
    /** Where the Python step writes the results ({visualId: {columns, rows}}). */
    dataFile: string;
}

/**
 * Runs every visual's query on DuckDB over the warehouse (queries/query_engines/dashboard_data.py,
 * which creates the views as `npm run local -- queries` does) and returns each visual's data,
 * checked to hold exactly the columns its query selects.
 */
export function queryVisualData(queries: readonly VisualQuery[], options: QueryOptions): Map<string, VisualData> {
    if (!fs.existsSync(VENV_PYTHON)) {
        throw new Error(`${VENV_PYTHON} does not exist: build the Python environment with \`bash tools/venv.sh\` (npm run local -- dashboard does it)`);
    }
    fs.mkdirSync(path.dirname(options.queriesFile), { recursive: true });
    fs.writeFileSync(options.queriesFile, `${JSON.stringify(Object.fromEntries(queries.map((query) => [query.visualId, query.sql])), null, 2)}\n`);
    const run = spawnSync(
        VENV_PYTHON,
        ["-m", "query_engines.dashboard_data", "--warehouse", options.warehouse, "--queries", options.queriesFile, "--out", options.dataFile],
        {
            cwd: REPO_ROOT,
            encoding: "utf8",
        },
    );
    if (run.error !== undefined) throw new Error(`could not start ${VENV_PYTHON}: ${run.error.message}`);
    if (run.status !== 0) {
        throw new Error(`query_engines.dashboard_data failed (${run.status === null ? run.signal : `exit ${run.status}`}):\n${run.stderr.trim()}`);
    }
    return parseVisualData(JSON.parse(fs.readFileSync(options.dataFile, "utf8")), queries, options.dataFile);
}

/** The Python step's output, checked against the queries it ran: one entry per visual, with its columns in order. */
function parseVisualData(raw: unknown, queries: readonly VisualQuery[], source: string): Map<string, VisualData> {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${source}: not a JSON object {visualId: {columns, rows}}`);
    const entries = raw as Record<string, unknown>;
    const problems: string[] = [];
    const data = new Map<string, VisualData>();
    for (const query of queries) {
        const entry = entries[query.visualId] as Partial<VisualData> | undefined;
        if (entry === undefined) {
            problems.push(`visual "${query.visualId}": no result`);
            continue;
        }
        if (!Array.isArray(entry.columns) || entry.columns.join(",") !== query.columns.join(",")) {
            problems.push(`visual "${query.visualId}": columns ${JSON.stringify(entry.columns)}, its query selects ${JSON.stringify(query.columns)}`);
            continue;
        }
        if (!Array.isArray(entry.rows)) {
            problems.push(`visual "${query.visualId}": no rows array`);
            continue;
        }
        const badRow = entry.rows.findIndex((row) => !Array.isArray(row) || row.length !== query.columns.length);
        if (badRow >= 0) {
            problems.push(`visual "${query.visualId}": row ${badRow} does not have ${query.columns.length} values`);
            continue;
        }
        data.set(query.visualId, { columns: entry.columns, rows: entry.rows });
    }
    const unexpected = Object.keys(entries).filter((visualId) => !queries.some((query) => query.visualId === visualId));
    if (unexpected.length > 0) problems.push(`results for visuals that were not queried: ${unexpected.join(", ")}`);
    if (problems.length > 0) throw new Error(`${source} does not match the visual queries:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    return data;
}
