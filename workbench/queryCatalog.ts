import * as path from "path";
import { parseArgs } from "util";
import { loadQueryCatalog, QUERIES_DIR, QueryCatalog, WAREHOUSE_TABLE } from "../infra/queries/catalog";

const HELP = `Usage: node tools/compiled.js queryCatalog [DIR]

Prints the query catalog as the Pulumi program loads it (infra/queries/catalog.ts, the one loader of
the *.sql files and their *.schema.json declarations) as JSON on stdout: the warehouse table the
SQL reads, the views in creation order, then the named queries. The Python side (queries/athena_sql/catalog.py) reads this instead
of parsing the files again. An invalid file fails with exit status 1 and a message naming it.

  DIR          folder of *.sql + *.schema.json (default: queries/)
  -h, --help   show this help`;

/** The catalog as plain JSON, in the Python side's field names (snake_case, absolute paths). */
function catalogJson(catalog: QueryCatalog): unknown {
    return {
        directory: path.resolve(catalog.directory),
        warehouse_table: WAREHOUSE_TABLE,
        queries: catalog.queries.map((query) => ({
            name: query.name,
            kind: query.kind,
            description: query.description,
            columns: query.columns.map((column) => ({ name: column.name, type: column.type })),
            depends_on: query.dependsOn,
            sql: query.sql,
            sql_file: path.resolve(query.sqlFile),
            schema_file: path.resolve(query.schemaFile),
        })),
    };
}

export function main(argv: string[]): number {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: "boolean", short: "h", default: false } } });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    if (positionals.length > 1) {
        throw new Error(`expected at most one folder, got ${positionals.join(" ")}\n\n${HELP}`);
    }
    const catalog = loadQueryCatalog(positionals.length === 1 ? path.resolve(positionals[0]) : QUERIES_DIR);
    process.stdout.write(`${JSON.stringify(catalogJson(catalog), null, 2)}\n`);
    return 0;
}
