import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./repository";
import { z } from "zod";
import warehouseContract from "../etl/spotify_etl/contracts/warehouse_schema.json";
import { findColumnType, KNOWN_COLUMN_TYPES } from "./columnTypes";
import { UserError } from "./userError";

/**
 * The query catalog: every queries/<name>.sql with its declared output, queries/<name>.schema.json
 * (format in queries/README.md). This is the one loader of those files: loading validates both
 * before any resource is registered and fails with a QueryCatalogError naming the file. The Python
 * side reads what it loads from queries/query_engines/query_catalog.json (written by
 * `npm run python:json`, workbench/pythonJson.ts), and checks there what needs a SQL parser:
 * depends_on against the tables the SQL reads.
 */

/** The repository's queries/ directory. */
export const QUERIES_DIR = path.join(REPO_ROOT, "queries");

/** The warehouse table the SQL reads unqualified, as the ETL contract names it. */
export const WAREHOUSE_TABLE: string = warehouseContract.table;

export interface ViewColumn {
    name: string;
    /** A Presto/Trino type, one of model/columnTypes.ts's. */
    type: string;
}

/** What a view is made of: queries/<name>.sql and its declared output. */
export interface ViewSource {
    name: string;
    description: string;
    sql: string;
    columns: readonly ViewColumn[];
}

export type QueryKind = "view" | "query";

export interface QuerySpec extends ViewSource {
    /** `view`: an Athena view (Glue VIRTUAL_VIEW); `query`: only a named query. */
    kind: QueryKind;
    /** The views this SQL reads. */
    dependsOn: readonly string[];
    sqlFile: string;
    schemaFile: string;
}

export interface QueryCatalog {
    directory: string;
    /** Views first, each after the views it reads (ties by name), then the other queries by name. */
    queries: readonly QuerySpec[];
}

/** A query file or its declaration is missing or invalid; raised before any resource exists. */
export class QueryCatalogError extends UserError {}

const NAME = /^[a-z][a-z0-9_]*$/;
const SCHEMA_SUFFIX = ".schema.json";

const declaration = z.strictObject({
    name: z.string().regex(NAME, "must be lowercase snake_case"),
    kind: z.enum(["view", "query"], { error: 'must be "view" or "query"' }),
    description: z.string().trim().min(1, "must not be empty"),
    columns: z
        .array(
            z.strictObject({
                name: z.string().regex(NAME, "must be lowercase snake_case"),
                type: z.string().refine((type) => findColumnType(type) !== undefined, {
                    error: (issue) => `${JSON.stringify(issue.input)} is not one of ${KNOWN_COLUMN_TYPES}`,
                }),
            }),
        )
        .min(1, "must list at least one column"),
    depends_on: z.array(z.string()).default([]),
});

/** Loads and validates every *.sql + *.schema.json pair of `directory`. */
export function loadQueryCatalog(directory: string = QUERIES_DIR): QueryCatalog {
    const files = fs.readdirSync(directory).sort();
    const sqlNames = files.filter((file) => file.endsWith(".sql")).map((file) => file.slice(0, -".sql".length));
    if (sqlNames.length === 0) {
        throw new QueryCatalogError(`${shown(directory)}: no *.sql files`);
    }
    for (const orphan of files.filter((file) => file.endsWith(SCHEMA_SUFFIX) && !sqlNames.includes(file.slice(0, -SCHEMA_SUFFIX.length)))) {
        throw new QueryCatalogError(`${shown(path.join(directory, orphan))}: declares a query without ${orphan.slice(0, -SCHEMA_SUFFIX.length)}.sql beside it`);
    }
    const specs = sqlNames.map((name) => loadSpec(directory, name));
    return { directory, queries: creationOrder(specs) };
}

function loadSpec(directory: string, name: string): QuerySpec {
    const sqlFile = path.join(directory, `${name}.sql`);
    const schemaFile = path.join(directory, `${name}${SCHEMA_SUFFIX}`);
    const fail = (file: string, problem: string) => new QueryCatalogError(`${shown(file)}: ${problem}`);
    if (!NAME.test(name)) {
        throw fail(sqlFile, "the file name must be lowercase snake_case: it names the view and the named query");
    }
    if (name === WAREHOUSE_TABLE) {
        throw fail(sqlFile, `"${name}" is the warehouse table the queries read; choose another name`);
    }
    if (!fs.existsSync(schemaFile)) {
        throw fail(sqlFile, `missing its schema declaration ${path.basename(schemaFile)}`);
    }
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
    } catch (error) {
        throw fail(schemaFile, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = declaration.safeParse(raw);
    if (!parsed.success) {
        throw fail(schemaFile, parsed.error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`).join("; "));
    }
    const schema = parsed.data;
    if (schema.name !== name) {
        throw fail(schemaFile, `name "${schema.name}" must equal the file name "${name}"`);
    }
    const duplicate = schema.columns.find((column, index) => schema.columns.findIndex((other) => other.name === column.name) !== index);
    if (duplicate !== undefined) {
        throw fail(schemaFile, `column "${duplicate.name}" is declared twice`);
    }
    if (new Set(schema.depends_on).size !== schema.depends_on.length) {
        throw fail(schemaFile, "depends_on lists a view twice");
    }
    const sql = fs.readFileSync(sqlFile, "utf8");
    if (sql.trim() === "") {
        throw fail(sqlFile, "is empty");
    }
    if (schema.kind === "view" && sql.trimEnd().endsWith(";")) {
        // Athena parses a view's SQL as one query, where a statement terminator is a syntax error.
        throw fail(sqlFile, "a view's SQL must not end with ';'");
    }
    return { name, kind: schema.kind, description: schema.description, columns: schema.columns, dependsOn: schema.depends_on, sql, sqlFile, schemaFile };
}

/**
 * Views in an order where each comes after the views it reads (depth-first, by name), then the
 * other queries by name. Unknown dependencies, dependencies on named queries and cycles fail.
 */
function creationOrder(specs: QuerySpec[]): QuerySpec[] {
    const byName = new Map(specs.map((spec) => [spec.name, spec]));
    for (const spec of specs) {
        for (const dependency of spec.dependsOn) {
            const target = byName.get(dependency);
            if (target === undefined) {
                throw new QueryCatalogError(`${shown(spec.schemaFile)}: depends_on "${dependency}", but there is no ${dependency}.sql`);
            }
            if (target.kind !== "view") {
                throw new QueryCatalogError(`${shown(spec.schemaFile)}: depends_on "${dependency}", a named query; only views can be read by other SQL`);
            }
        }
    }
    const ordered: QuerySpec[] = [];
    const done = new Set<string>();
    const visit = (spec: QuerySpec, chain: readonly string[]) => {
        if (done.has(spec.name)) return;
        if (chain.includes(spec.name)) {
            const cycle = [...chain.slice(chain.indexOf(spec.name)), spec.name];
            throw new QueryCatalogError(`${shown(spec.schemaFile)}: depends_on forms a cycle: ${cycle.join(" -> ")}`);
        }
        for (const dependency of [...spec.dependsOn].sort()) {
            visit(byName.get(dependency)!, [...chain, spec.name]);
        }
        done.add(spec.name);
        ordered.push(spec);
    };
    // Code point order, not localeCompare: the creation order must not depend on the machine's locale.
    const byNameOrder = [...specs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const spec of byNameOrder.filter((candidate) => candidate.kind === "view")) {
        visit(spec, []);
    }
    return [...ordered, ...byNameOrder.filter((spec) => spec.kind !== "view")];
}

/** A file as the user knows it: relative to the working directory when inside it. */
function shown(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
