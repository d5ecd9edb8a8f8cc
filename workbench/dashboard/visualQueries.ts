import { Aggregate, Condition, Dashboard, FieldRole, Visual, VisualField, visualFields } from "../../infra/dashboards/definition";

/**
 * The query each visual of a dashboard needs, in Athena (Trino) SQL against its dataset's view:
 * what QuickSight asks Athena for to draw it, and what the local preview runs on DuckDB. With the
 * filters at their defaults (everything selected) no visual needs a WHERE clause for them.
 */
export interface VisualQuery {
    visualId: string;
    sql: string;
    /** The result's columns, in order: {@link outputColumn} of every field the visual shows. */
    columns: string[];
}

/** The SQL of each aggregate QuickSight offers; median is approximate in QuickSight on Athena too. */
const AGGREGATE_SQL: Record<Aggregate, (column: string) => string> = {
    sum: (column) => `sum(${column})`,
    average: (column) => `avg(${column})`,
    min: (column) => `min(${column})`,
    max: (column) => `max(${column})`,
    median: (column) => `approx_percentile(${column}, 0.5)`,
    count: (column) => `count(${column})`,
    distinct_count: (column) => `count(DISTINCT ${column})`,
};

/** Fields a chart plots as raw numbers: rows where they are NULL have no place on it. */
const NON_NULL_ROLES: Partial<Record<Visual["type"], FieldRole[]>> = { histogram: ["value"], scatter: ["x", "y"] };

/**
 * The result column that holds a field: a table keeps its column names; every other visual names
 * a field by its role (value, category, x, ...), which cannot collide even when two roles use the
 * same column (a count of genre by genre).
 */
export function outputColumn(field: VisualField): string {
    return field.role === "column" ? field.column : field.role;
}

/** Quoted, so that a column named like a keyword (year, order) is still a column. */
function identifier(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

/** A visual's row condition in SQL, as QuickSight's visual-scoped filter applies it (NULLs never match). */
function conditionSql(condition: Condition): string {
    const column = identifier(condition.column);
    return "equals" in condition ? `${column} = '${condition.equals.replace(/'/g, "''")}'` : `${column} <= ${condition.atMost}`;
}

function expression(field: VisualField): string {
    const column = identifier(field.column);
    return field.aggregate === undefined ? column : AGGREGATE_SQL[field.aggregate](column);
}

/** Every field the visual shows, once per result column (a table may list a column twice). */
export function shownFields(visual: Visual): VisualField[] {
    const fields = new Map<string, VisualField>();
    for (const field of visualFields(visual)) {
        if (field.role !== "sort" && !fields.has(outputColumn(field))) fields.set(outputColumn(field), field);
    }
    return [...fields.values()];
}

/** The order the visual asks for, as (shown field, descending) pairs. */
function declaredOrder(visual: Visual, shown: VisualField[]): [VisualField, boolean][] {
    switch (visual.type) {
        case "table":
        case "bar":
            return visual.sort.map(({ column, order }) => {
                // The definition's contract says a visual only sorts by a field it shows; the first
                // match wins, so a bar whose category and value share a column sorts by category.
                const field = shown.find((candidate) => candidate.column === column);
                if (field === undefined) throw new Error(`visual "${visual.id}" sorts by "${column}", which it does not show`);
                return [field, order === "desc"];
            });
        case "line":
            return shown.filter((field) => field.role === "category").map((field) => [field, false]);
        case "kpi":
        case "histogram":
        case "scatter":
            return [];
    }
}

function visualQuery(dashboard: Dashboard, visual: Visual): VisualQuery {
    const view = dashboard.datasets[visual.dataset];
    if (view === undefined) throw new Error(`visual "${visual.id}" reads dataset "${visual.dataset}", which ${dashboard.file} does not declare`);
    const shown = shownFields(visual);
    const measures = shown.filter((field) => field.aggregate !== undefined);
    const dimensions = shown.filter((field) => field.aggregate === undefined);
    const selected = shown.map((field) =>
        outputColumn(field) === field.column && field.aggregate === undefined
            ? identifier(field.column)
            : `${expression(field)} AS ${identifier(outputColumn(field))}`,
    );
    const lines = [`SELECT ${selected.join(", ")}`, `FROM ${identifier(view)}`];
    const nonNull = shown.filter((field) => NON_NULL_ROLES[visual.type]?.includes(field.role));
    const conditions = [...(visual.where ?? []).map(conditionSql), ...nonNull.map((field) => `${expression(field)} IS NOT NULL`)];
    if (conditions.length > 0) lines.push(`WHERE ${conditions.join(" AND ")}`);
    if (measures.length > 0 && dimensions.length > 0) lines.push(`GROUP BY ${dimensions.map(expression).join(", ")}`);
    // A single aggregate row needs no order. Any other result is ordered as the visual asks, then by
    // every other field it shows, so that LIMIT keeps the same rows and the preview is reproducible.
    // Trino (and DuckDB) put NULLs last in either direction, as QuickSight does.
    if (dimensions.length > 0) {
        const declared = declaredOrder(visual, shown);
        const tieBreakers = shown.filter((field) => !declared.some(([sorted]) => sorted === field));
        const order = [...declared, ...tieBreakers.map((field): [VisualField, boolean] => [field, false])];
        lines.push(`ORDER BY ${order.map(([field, descending]) => `${expression(field)}${descending ? " DESC" : ""}`).join(", ")}`);
    }
    const limit = visual.type === "table" ? visual.rows : visual.type === "bar" ? visual.limit : undefined;
    if (limit !== undefined) lines.push(`LIMIT ${limit}`);
    return { visualId: visual.id, sql: lines.join("\n"), columns: shown.map(outputColumn) };
}

/** The query of every visual, sheet by sheet in the definition's order. */
export function visualQueries(dashboard: Dashboard): VisualQuery[] {
    return dashboard.sheets.flatMap((sheet) => sheet.visuals.map((visual) => visualQuery(dashboard, visual)));
}
