import * as fs from "fs";
import * as path from "path";
import { isNode, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { findColumnType } from "../../model/columnTypes";
import { REPO_ROOT } from "../../model/repository";
import { UserError } from "../../model/userError";

/**
 * A dashboard as reviewable source: dashboards/<name>.yaml (format in dashboards/README.md). This
 * module owns reading and validating it; infra/dashboards/quicksight.ts renders it as a QuickSight
 * definition and workbench/dashboard renders it as a local page, both through {@link visualFields}.
 */

export const DASHBOARDS_DIR = path.join(REPO_ROOT, "dashboards");
/** The dashboard the stage deploys. */
export const DASHBOARD_FILE = path.join(DASHBOARDS_DIR, "spotify-hits.yaml");

/** QuickSight lays sheets out on a grid 36 columns wide; a visual spans at most 21 rows. */
export const GRID_COLUMNS = 36;
export const GRID_MAX_ROW_SPAN = 21;

const ID = /^[a-z][a-z0-9-]*$/;
const COLUMN = /^[a-z][a-z0-9_]*$/;

const id = z.string().regex(ID, "must be lowercase letters, digits and hyphens, starting with a letter (a stable QuickSight id)");
const title = z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters");
const column = z.string().regex(COLUMN, "must be a column name (lowercase snake_case)");
const count = (min: number, max: number) =>
    z
        .number()
        .int(`must be a whole number from ${min} to ${max}`)
        .min(min, `must be a whole number from ${min} to ${max}`)
        .max(max, `must be a whole number from ${min} to ${max}`);

export const AGGREGATES = ["sum", "average", "min", "max", "median", "count", "distinct_count"] as const;
export type Aggregate = (typeof AGGREGATES)[number];
/** Aggregates QuickSight offers on text, boolean and date columns; the others need a number. */
export const NON_NUMERIC_AGGREGATES: readonly Aggregate[] = ["count", "distinct_count"];

/** How a number is shown: a year without separators, counts with them, scores to one decimal, shares as percentages. */
export const NUMBER_FORMATS = ["year", "integer", "decimal1", "decimal2", "percent"] as const;
export type NumberFormat = (typeof NUMBER_FORMATS)[number];
const numberFormat = z.enum(NUMBER_FORMATS, { error: `must be one of ${NUMBER_FORMATS.join(", ")}` });

/** What a reader sees for a column: its label, its number format, and the word shown for a NULL number. */
const fieldPresentation = z.strictObject({ label: title, format: numberFormat.optional(), nulls: z.string().trim().min(1).max(40).optional() });
export type FieldPresentation = z.output<typeof fieldPresentation>;

const dimension = z.strictObject({ column });
const measure = z.strictObject({
    column,
    aggregate: z.enum(AGGREGATES, { error: `must be one of ${AGGREGATES.join(", ")}` }),
    label: title.optional(),
    format: numberFormat.optional(),
});
/** A row condition of one visual: a text column equal to a value, or a number at most a bound. */
const condition = z.union([z.strictObject({ column, equals: z.string().min(1) }), z.strictObject({ column, atMost: z.number() })], {
    error: "must be {column, equals: <text>} or {column, atMost: <number>}",
});
export type Condition = z.output<typeof condition>;
const sort = z.array(z.strictObject({ column, order: z.enum(["asc", "desc"], { error: 'must be "asc" or "desc"' }) })).min(1, "must list at least one column");
const layout = z.strictObject({
    column: count(0, GRID_COLUMNS - 1),
    row: count(0, 1000),
    width: count(1, GRID_COLUMNS),
    height: count(1, GRID_MAX_ROW_SPAN),
});
const visualBase = { id, title, dataset: id, layout, where: z.array(condition).min(1, "must list at least one condition").optional() };

const visual = z.discriminatedUnion(
    "type",
    [
        z.strictObject({ ...visualBase, type: z.literal("kpi"), value: measure }),
        z.strictObject({
            ...visualBase,
            type: z.literal("table"),
            columns: z.array(column).min(1, "must list at least one column"),
            sort,
            rows: count(1, 1000),
        }),
        z.strictObject({ ...visualBase, type: z.literal("histogram"), value: dimension, bins: count(2, 1000) }),
        z.strictObject({ ...visualBase, type: z.literal("bar"), category: dimension, value: measure, counts: measure.optional(), sort, limit: count(1, 1000) }),
        z.strictObject({ ...visualBase, type: z.literal("line"), category: dimension, value: measure, counts: measure.optional() }),
        z.strictObject({ ...visualBase, type: z.literal("scatter"), x: dimension, y: dimension, color: dimension }),
    ],
    { error: "type must be one of kpi, table, histogram, bar, line, scatter" },
);
export type Visual = z.output<typeof visual>;
export type VisualType = Visual["type"];

/** `exempt`: visuals the filter does not apply to (their dataset lacks the column, or a row of theirs belongs to no value of it). */
const filterBase = { id, title, dataset: id, column, exempt: z.array(id).min(1, "must list at least one visual").optional() };
const filter = z.discriminatedUnion(
    "type",
    [
        z.strictObject({ ...filterBase, type: z.literal("category") }),
        z.strictObject({ ...filterBase, type: z.literal("range"), min: z.number(), max: z.number(), step: z.number().positive("must be positive") }),
    ],
    { error: "type must be category or range" },
);
export type DashboardFilter = z.output<typeof filter>;

const sheet = z.strictObject({ id, title, description: z.string().trim().min(1).optional(), visuals: z.array(visual).min(1, "must hold at least one visual") });
export type Sheet = z.output<typeof sheet>;

const dashboardSchema = z.strictObject({
    id,
    name: title,
    description: z.string().trim().min(1, "must not be empty"),
    /** Dataset identifier -> the view it reads. */
    datasets: z.record(id, z.string().regex(COLUMN, "must name a view (lowercase snake_case)")),
    /** Column -> how it is shown, wherever it appears. */
    fields: z.record(column, fieldPresentation),
    filters: z.array(filter),
    sheets: z.array(sheet).min(1, "must hold at least one sheet"),
});
export type Dashboard = z.output<typeof dashboardSchema> & { file: string };

/** Where a field appears in its visual: the well (or sort) that names it. */
export type FieldRole = "value" | "counts" | "category" | "column" | "sort" | "x" | "y" | "color";

export interface VisualField {
    role: FieldRole;
    column: string;
    aggregate?: Aggregate;
    /** A measure's own label and format, where the column's would not fit the aggregate. */
    label?: string;
    format?: NumberFormat;
}

/** Every column a visual uses, with its role; the one walk that rendering and checks share. */
export function visualFields(visual: Visual): VisualField[] {
    switch (visual.type) {
        case "kpi":
            return [{ role: "value", ...visual.value }];
        case "table":
            return [
                ...visual.columns.map((name): VisualField => ({ role: "column", column: name })),
                ...visual.sort.map(({ column: name }): VisualField => ({ role: "sort", column: name })),
            ];
        case "histogram":
            return [{ role: "value", ...visual.value }];
        case "bar":
            return [
                { role: "category", ...visual.category },
                { role: "value", ...visual.value },
                ...(visual.counts === undefined ? [] : [{ role: "counts" as const, ...visual.counts }]),
                ...visual.sort.map(({ column: name }): VisualField => ({ role: "sort", column: name })),
            ];
        case "line":
            return [
                { role: "category", ...visual.category },
                { role: "value", ...visual.value },
                ...(visual.counts === undefined ? [] : [{ role: "counts" as const, ...visual.counts }]),
            ];
        case "scatter":
            return [
                { role: "x", ...visual.x },
                { role: "y", ...visual.y },
                { role: "color", ...visual.color },
            ];
    }
}

const AGGREGATE_PREFIX: Record<Aggregate, string> = {
    sum: "Total",
    average: "Average",
    min: "Lowest",
    max: "Highest",
    median: "Median",
    count: "Number of",
    distinct_count: "Distinct",
};

/**
 * How a field is shown, by QuickSight and by the local preview alike: the column's entry under
 * `fields`, or for a measure its own label ("Average track popularity" unless it names one) and a
 * format that fits the aggregate (counts are integers, an average of integers has one decimal).
 * The contract ({@link dashboardContractProblems}) makes sure every shown column has an entry.
 */
export function presentationOf(dashboard: Pick<Dashboard, "fields" | "file">, field: VisualField): FieldPresentation {
    const base = dashboard.fields[field.column];
    if (base === undefined) throw new DashboardDefinitionError(`${dashboard.file}: column "${field.column}" has no entry under fields (its label and format)`);
    if (field.aggregate === undefined) return base;
    const label = field.label ?? `${AGGREGATE_PREFIX[field.aggregate]} ${base.label.charAt(0).toLowerCase()}${base.label.slice(1)}`;
    return { label, format: field.format ?? measureFormat(field.aggregate, base.format), nulls: base.nulls };
}

function measureFormat(aggregate: Aggregate, format: NumberFormat | undefined): NumberFormat {
    if (aggregate === "count" || aggregate === "distinct_count") return "integer";
    if ((aggregate === "average" || aggregate === "median") && (format === undefined || format === "integer" || format === "year")) return "decimal1";
    return format ?? "decimal1";
}

/** Aggregates that turn many rows into one number a reader cannot weigh without the count behind it. */
const NEEDS_COUNTS: readonly Aggregate[] = ["average", "median"];

/** A dashboard file that cannot be read, or that breaks the format or the contract with its datasets. */
export class DashboardDefinitionError extends UserError {}

/** Reads and validates the format of a dashboard file; the contract with the views is {@link dashboardContractProblems}. */
export function loadDashboard(file: string = DASHBOARD_FILE): Dashboard {
    const shown = path.relative(REPO_ROOT, file);
    if (!fs.existsSync(file)) {
        throw new DashboardDefinitionError(`${shown}: no such dashboard definition`);
    }
    const lineCounter = new LineCounter();
    const document = parseDocument(fs.readFileSync(file, "utf8"), { lineCounter, uniqueKeys: true, prettyErrors: true });
    if (document.errors.length > 0) {
        const [first] = document.errors;
        const position = first.linePos?.[0];
        throw new DashboardDefinitionError(`${shown}${position === undefined ? "" : `:${position.line}:${position.col}`}: ${first.message.split("\n")[0]}`);
    }
    const parsed = dashboardSchema.safeParse(document.toJS());
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => {
            // The deepest node of the path that exists gives the line to look at.
            let line: number | undefined;
            for (let depth = issue.path.length; depth >= 0 && line === undefined; depth--) {
                const node = document.getIn(issue.path.slice(0, depth) as (string | number)[], true);
                if (isNode(node) && node.range !== undefined && node.range !== null) line = lineCounter.linePos(node.range[0]).line;
            }
            return `  - ${shown}${line === undefined ? "" : `:${line}`}: ${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`;
        });
        throw new DashboardDefinitionError(`Invalid dashboard definition:\n${problems.join("\n")}`);
    }
    const dashboard = { ...parsed.data, file: shown };
    const problems = structureProblems(dashboard);
    if (problems.length > 0) {
        throw new DashboardDefinitionError(`Invalid dashboard definition ${shown}:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    }
    return dashboard;
}

/** Ids that must be unique, datasets that must be declared, and grids whose visuals must not overlap. */
function structureProblems(dashboard: Dashboard): string[] {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    const unique = (kind: string, value: string) => {
        const previous = seen.get(value);
        if (previous !== undefined) problems.push(`${kind} id "${value}" is already used by a ${previous}: ids must be unique in the dashboard`);
        seen.set(value, kind);
    };
    const declared = (owner: string, dataset: string) => {
        if (!(dataset in dashboard.datasets))
            problems.push(
                `${owner} reads dataset "${dataset}", which is not declared under datasets (declared: ${Object.keys(dashboard.datasets).join(", ")})`,
            );
    };
    const visualIds = new Set(dashboard.sheets.flatMap((page) => page.visuals.map((item) => item.id)));
    for (const item of dashboard.filters) {
        unique("filter", item.id);
        declared(`filter "${item.id}"`, item.dataset);
        if (item.type === "range" && item.min >= item.max) problems.push(`filter "${item.id}": min ${item.min} must be below max ${item.max}`);
        for (const exempt of item.exempt ?? []) {
            if (!visualIds.has(exempt)) problems.push(`filter "${item.id}" exempts visual "${exempt}", which no sheet holds`);
        }
    }
    for (const page of dashboard.sheets) {
        unique("sheet", page.id);
        const cells = new Map<string, string>();
        for (const item of page.visuals) {
            unique("visual", item.id);
            declared(`visual "${item.id}" (sheet "${page.id}")`, item.dataset);
            const { column: left, row: top, width, height } = item.layout;
            if (left + width > GRID_COLUMNS)
                problems.push(`visual "${item.id}" (sheet "${page.id}"): layout column ${left} + width ${width} passes the grid's ${GRID_COLUMNS} columns`);
            for (let row = top; row < top + height; row++) {
                for (let col = left; col < Math.min(left + width, GRID_COLUMNS); col++) {
                    const other = cells.get(`${row},${col}`);
                    if (other !== undefined && other !== item.id) {
                        problems.push(`visual "${item.id}" (sheet "${page.id}") overlaps visual "${other}" at row ${row}, column ${col}`);
                        row = top + height;
                        break;
                    }
                    cells.set(`${row},${col}`, item.id);
                }
            }
        }
    }
    return problems;
}

/** A view's declared output, as the queries layer exports it. */
export interface DatasetColumns {
    name: string;
    columns: readonly { name: string; type: string }[];
}

/** Whether a declared (Presto/Trino) column type is a number: one QuickSight reads as INTEGER or DECIMAL (model/columnTypes.ts). */
export function isNumericType(type: string): boolean {
    const quicksight = findColumnType(type)?.quicksight.type;
    return quicksight === "INTEGER" || quicksight === "DECIMAL";
}

/** Roles that need a number: what QuickSight would otherwise refuse or draw as nonsense. */
const NUMERIC_ROLES: Partial<Record<VisualType, FieldRole[]>> = { histogram: ["value"], scatter: ["x", "y"] };

/**
 * Every way the dashboard's fields fail to match the views' declared columns; empty when they all
 * match. Each problem names the visual (or filter), the dataset, its view and the column.
 */
export function dashboardContractProblems(dashboard: Dashboard, views: readonly DatasetColumns[]): string[] {
    const byName = new Map(views.map((view) => [view.name, view]));
    const problems: string[] = [];
    const columnsOf = (dataset: string) => byName.get(dashboard.datasets[dataset]);
    for (const [dataset, view] of Object.entries(dashboard.datasets)) {
        if (!byName.has(view))
            problems.push(
                `${dashboard.file}: dataset "${dataset}" reads view "${view}", which is not a deployed view (views: ${[...byName.keys()].join(", ")})`,
            );
    }
    const check = (owner: string, dataset: string, field: VisualField, numeric: boolean) => {
        const view = columnsOf(dataset);
        if (view === undefined) return;
        const declared = view.columns.find((candidate) => candidate.name === field.column);
        const where = `${dashboard.file}: ${owner} uses column "${field.column}" of dataset "${dataset}" (view ${view.name})`;
        if (declared === undefined) {
            problems.push(`${where}, which the view does not declare (it declares ${view.columns.map((candidate) => candidate.name).join(", ")})`);
        } else if ((numeric || (field.aggregate !== undefined && !NON_NUMERIC_AGGREGATES.includes(field.aggregate))) && !isNumericType(declared.type)) {
            problems.push(`${where} as a number (${field.aggregate ?? field.role}), but it is ${declared.type}`);
        }
    };
    const presented = new Set<string>();
    const presentation = (owner: string, dataset: string, name: string) => {
        presented.add(name);
        const entry = dashboard.fields[name];
        const type = columnsOf(dataset)?.columns.find((candidate) => candidate.name === name)?.type;
        if (entry === undefined) {
            problems.push(`${dashboard.file}: ${owner} shows column "${name}", which has no entry under fields (its label and format)`);
        } else if (type !== undefined && isNumericType(type) && entry.format === undefined) {
            problems.push(`${dashboard.file}: fields.${name} is a number (${type}) and needs a format (${NUMBER_FORMATS.join(", ")})`);
        } else if (type !== undefined && !isNumericType(type) && entry.format !== undefined) {
            problems.push(`${dashboard.file}: fields.${name} is ${type}, not a number, and takes no format`);
        }
    };
    for (const page of dashboard.sheets) {
        for (const item of page.visuals) {
            const owner = `visual "${item.id}" (sheet "${page.id}")`;
            for (const field of visualFields(item)) {
                check(`${owner} ${field.role}`, item.dataset, field, NUMERIC_ROLES[item.type]?.includes(field.role) ?? false);
                presentation(owner, item.dataset, field.column);
            }
            for (const condition of item.where ?? []) {
                const numeric = "atMost" in condition;
                check(`${owner} where`, item.dataset, { role: "column", column: condition.column }, numeric);
                const type = columnsOf(item.dataset)?.columns.find((candidate) => candidate.name === condition.column)?.type;
                if (!numeric && type !== undefined && isNumericType(type))
                    problems.push(`${dashboard.file}: ${owner} where ${condition.column} equals text, but it is ${type}: use atMost`);
            }
            if ((item.type === "bar" || item.type === "line") && NEEDS_COUNTS.includes(item.value.aggregate) && item.counts === undefined) {
                problems.push(
                    `${dashboard.file}: ${owner} shows the ${item.value.aggregate} of ${item.value.column} without counts: add counts (the rows behind each ${item.type === "bar" ? "bar" : "point"})`,
                );
            }
            if (item.type === "table" || item.type === "bar") {
                const shown = new Set(
                    visualFields(item)
                        .filter((field) => field.role !== "sort")
                        .map((field) => field.column),
                );
                for (const { column: sorted } of item.sort) {
                    if (!shown.has(sorted))
                        problems.push(`${dashboard.file}: visual "${item.id}" (sheet "${page.id}") sorts by "${sorted}", which it does not show`);
                }
            }
        }
    }
    for (const item of dashboard.filters) {
        const field: VisualField = { role: "column", column: item.column };
        check(`filter "${item.id}"`, item.dataset, field, item.type === "range");
        presentation(`filter "${item.id}"`, item.dataset, item.column);
        // A filter applies to every visual it does not exempt, so each such visual's dataset must carry its column with the same type.
        const type = columnsOf(item.dataset)?.columns.find((candidate) => candidate.name === item.column)?.type;
        for (const { page, visual } of filteredVisuals(dashboard, item)) {
            const owner = `filter "${item.id}" (applied to visual "${visual.id}" of sheet "${page.id}")`;
            const otherType = columnsOf(visual.dataset)?.columns.find((candidate) => candidate.name === item.column)?.type;
            if (columnsOf(visual.dataset) !== undefined && otherType === undefined) {
                problems.push(
                    `${dashboard.file}: ${owner}: dataset "${visual.dataset}" has no column ${item.column}; list the visual under the filter's exempt if it cannot be filtered`,
                );
            } else if (type !== undefined && otherType !== undefined && otherType !== type) {
                problems.push(`${dashboard.file}: ${owner} filters ${item.column} as ${type}, but dataset "${visual.dataset}" has it as ${otherType}`);
            }
        }
    }
    for (const name of Object.keys(dashboard.fields).filter((candidate) => !presented.has(candidate))) {
        problems.push(`${dashboard.file}: fields.${name} labels a column that no visual or filter shows`);
    }
    return problems;
}

/** The visuals a filter applies to, sheet by sheet: every visual it does not exempt. */
export function filteredVisuals(dashboard: Dashboard, filter: DashboardFilter): { page: Sheet; visual: Visual }[] {
    const exempt = new Set(filter.exempt ?? []);
    return dashboard.sheets.flatMap((page) => page.visuals.filter((visual) => !exempt.has(visual.id)).map((visual) => ({ page, visual })));
}

/** What a visual's subtitle says when filters skip it, so a reader does not expect a selection to change it. */
export function exemptionNote(dashboard: Dashboard, visual: Visual): string | undefined {
    const skipping = dashboard.filters.filter((filter) => filter.exempt?.includes(visual.id)).map((filter) => filter.title);
    return skipping.length === 0 ? undefined : `Not filtered by ${skipping.join(" or ")}`;
}

/** Fails with every contract problem at once. */
export function assertDashboardContract(dashboard: Dashboard, views: readonly DatasetColumns[]): void {
    const problems = dashboardContractProblems(dashboard, views);
    if (problems.length > 0) {
        throw new DashboardDefinitionError(`The dashboard does not match its datasets:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    }
}
