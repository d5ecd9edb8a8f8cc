import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { DECIMAL_COLUMN_TYPE, SCALAR_COLUMN_TYPES } from "../model/columnTypes";
import { REPO_ROOT } from "../model/repository";
import { loadQueryCatalog, WAREHOUSE_TABLE } from "../model/queryCatalog";

/** The command that rewrites the files, named in every message about them. */
export const REGENERATE = "npm run python:json";

/**
 * What the Python side reads instead of starting Node, each written from the TypeScript that owns
 * it. Repository-relative POSIX paths. The column types are package data of the Glue job's package,
 * which cannot read a file outside its zip; the query catalog sits beside its one reader.
 */
export const GENERATED_FILES = {
    columnTypes: "queries/query_engines/column_types.json",
    queryCatalog: "queries/query_engines/query_catalog.json",
} as const;

const HELP = `Usage: ${REGENERATE} [-- --check] [-- --root DIR]

Writes the JSON the Python side reads instead of running the TypeScript:
  ${GENERATED_FILES.columnTypes}  the column type table of model/columnTypes.ts (the Glue job's
      Spark types, the SQL tests' DuckDB and Trino spellings)
  ${GENERATED_FILES.queryCatalog}  the query catalog as model/queryCatalog.ts loads
      queries/*.sql and *.schema.json: the warehouse table, the views in creation order, then the
      named queries, with a SHA-256 of each file read, so the Python side refuses a stale copy
Keys sorted, two-space indent, a final newline. An invalid query file fails naming it.

  --check     change nothing; fail naming each file that differs from what would be written
  --root DIR  read queries/ and write the files under DIR instead of this repository (the
              warehouse table's name still comes from this repository's contract)
  -h, --help  show this help`;

/** `value` with every object's keys in code point order (arrays keep theirs). */
function sortedKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortedKeys);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
        Object.entries(value)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([key, item]) => [key, sortedKeys(item)]),
    );
}

function sha256(file: string): string {
    return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function jsonText(value: object): string {
    return `${JSON.stringify(sortedKeys(value), null, 2)}\n`;
}

const GENERATED_BY = (source: string) => `Written by \`${REGENERATE}\` from ${source}; do not edit.`;

/** model/columnTypes.ts's table: the scalar types by declared name, and decimal's templates. */
export function columnTypesJson(): string {
    return jsonText({ generated_by: GENERATED_BY("model/columnTypes.ts"), scalars: SCALAR_COLUMN_TYPES, decimal: DECIMAL_COLUMN_TYPE });
}

/**
 * The query catalog of `root`/queries in the Python side's field names (snake_case), with
 * root-relative paths, and `sources`: the SHA-256 of every file it was loaded from.
 */
export function queryCatalogJson(root: string): string {
    const directory = path.join(root, "queries");
    const relative = (file: string) => path.relative(root, file).split(path.sep).join("/");
    const catalog = loadQueryCatalog(directory);
    const sources = fs
        .readdirSync(directory)
        .filter((file) => file.endsWith(".sql") || file.endsWith(".schema.json"))
        .map((file): [string, string] => [relative(path.join(directory, file)), sha256(path.join(directory, file))]);
    return jsonText({
        generated_by: GENERATED_BY("queries/ by model/queryCatalog.ts"),
        directory: relative(directory),
        warehouse_table: WAREHOUSE_TABLE,
        sources: Object.fromEntries(sources),
        queries: catalog.queries.map((query) => ({
            name: query.name,
            kind: query.kind,
            description: query.description,
            columns: query.columns.map((column) => ({ name: column.name, type: column.type })),
            depends_on: query.dependsOn,
            sql: query.sql,
            sql_file: relative(query.sqlFile),
            schema_file: relative(query.schemaFile),
        })),
    });
}

export function main(argv: string[]): number {
    const { values } = parseArgs({
        args: argv,
        options: {
            check: { type: "boolean", default: false },
            root: { type: "string", default: REPO_ROOT },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    const root = path.resolve(values.root);
    const rendered: [string, string][] = [
        [GENERATED_FILES.columnTypes, columnTypesJson()],
        [GENERATED_FILES.queryCatalog, queryCatalogJson(root)],
    ];
    const differs = ([file, text]: [string, string]) => {
        const target = path.join(root, file);
        return !fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text;
    };
    if (values.check) {
        const stale = rendered.filter(differs).map(([file]) => file);
        if (stale.length > 0) throw new Error(`${stale.join(" and ")} ${stale.length === 1 ? "is" : "are"} stale: run ${REGENERATE}`);
        console.log(`${rendered.map(([file]) => file).join(" and ")} are current.`);
        return 0;
    }
    for (const [file, text] of rendered) {
        if (!differs([file, text])) continue;
        fs.writeFileSync(path.join(root, file), text);
        console.log(`${file}: written`);
    }
    return 0;
}
