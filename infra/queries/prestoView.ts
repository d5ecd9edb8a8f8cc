import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { columnType, findColumnType, KNOWN_COLUMN_TYPES } from "../../model/columnTypes";
import type { ViewColumn, ViewSource } from "../../model/queryCatalog";

/**
 * Athena views as Glue Data Catalog tables, created declaratively instead of by running
 * `CREATE VIEW` DDL in Athena.
 *
 * Athena (like Presto/Trino on a Hive metastore) stores a view as a Glue table that it recognises
 * by this encoding, and nothing documents it besides what the engines themselves write and read
 * (Trino's `ViewReaderUtil`, `TrinoViewUtil` and Glue `GlueConverter`, plugin/trino-hive in
 * trinodb/trino):
 *
 * - `tableType` is `VIRTUAL_VIEW`; `parameters` are exactly `{ presto_view: "true", comment: "Presto View" }`:
 *   Trino recognises a view only when the `comment` parameter is "Presto View" (`isTrinoView`).
 * - No Glue `description`: Trino's Glue metastore copies a table's description over its `comment`
 *   parameter ("Glue description overrides the comment field in the parameters",
 *   `GlueConverter.fromGlueTable`), which hides the view (Trino answers "Table ... does not exist").
 *   Trino itself never writes a description for a view (`GlueConverter.toGlueTableInput`); the
 *   view's comment goes into the definition JSON below, where `SHOW CREATE VIEW ... COMMENT` reads it.
 * - `viewOriginalText` is `/* Presto View: <base64 of UTF-8 JSON> *\/`, the JSON being Trino's
 *   ConnectorViewDefinition:
 *     `originalSql`  the view's SELECT, verbatim: no `CREATE VIEW`, no trailing `;`. Tables and views
 *                    it names unqualified resolve in `catalog`.`schema`;
 *     `catalog`      `awsdatacatalog`, the Glue Data Catalog as Athena names it;
 *     `schema`       the Glue database the view lives in;
 *     `columns`      `[{ name, type }]` in output order, with Presto/Trino types (`varchar`,
 *                    `integer`, `decimal(10,2)`...);
 *     `comment`      the view's description (queries/<name>.schema.json);
 *     `runAsInvoker` true, and no `owner`: SECURITY INVOKER. See "Run-as identity" below.
 * - `viewExpandedText` is the marker `/* Presto View *\/`.
 * - `storageDescriptor.columns` repeat the columns with Hive types (`varchar` -> `string`,
 *   `integer` -> `int`, `real` -> `float`; the table is model/columnTypes.ts). Glue, the console and
 *   QuickSight's table picker read these; Athena checks the query against the JSON columns and
 *   fails with "View ... is stale" when the SQL's output cannot be coerced to them.
 * - `storageDescriptor.serDeInfo` must exist, or Athena fails reading the view with
 *   "HIVE_METASTORE_ERROR: Table storage descriptor is missing SerDe info" (Trino's Glue converter
 *   requires it too: "StorageDescriptor SerDeInfo is null"). Its content is unused (a view reads
 *   no files), but the provider drops an all-empty SerDe block before calling Glue
 *   (hashicorp/terraform-provider-aws#28517), so it carries a placeholder name.
 *
 * Run-as identity (SECURITY INVOKER, `runAsInvoker: true`, no owner). A Trino view runs either as
 * its owner (DEFINER) or as the caller (INVOKER), and Trino accepts exactly one of "definer with a
 * run-as identity" and "invoker without one" (`io.trino.metadata.ViewDefinition`: "Run-as identity
 * must be set for a run-as definer view" / "cannot be set for a run-as invoker view"). For a view
 * stored in a Hive metastore or Glue, the definer identity is the Glue table's `Owner` when it has
 * one, else the JSON's `owner` ("use owner from table metadata if it exists", `TrinoViewUtil.getView`).
 *
 * - The previous encoding, `runAsInvoker: false` with no owner anywhere, is refused by Trino with
 *   that error (queries/tests/test_trino.py reproduces it). Views created by Athena's own CREATE VIEW
 *   fail the same way when Trino reads them through Glue (trinodb/trino#18573), so copying what
 *   Athena writes is not enough for Trino-based engines.
 * - Athena's plain views have no SECURITY clause (Athena docs, "CREATE VIEW": `CREATE [ OR REPLACE ]
 *   VIEW view_name AS query`) and run with the caller's permissions on the underlying tables: "Users
 *   who have Lake Formation permissions to a VIEW but do not have permissions to the table and
 *   columns on which the view was based are not able to use the VIEW to query data" (Athena docs,
 *   "Considerations and limitations for querying data registered with Lake Formation"). Definer
 *   semantics exist only for the separate Glue Data Catalog views (`CREATE PROTECTED MULTI DIALECT
 *   VIEW ... SECURITY DEFINER`). Athena also works with views "created ... with Presto running on
 *   the Amazon EMR cluster connected to the same catalog" (Athena docs, "Considerations and
 *   limitations for Athena views"), which carry `runAsInvoker: true` when created SECURITY INVOKER.
 *   So INVOKER states what Athena does anyway, and Trino-based engines read it.
 * - The alternative, a definer owner (the JSON's `owner` or the Glue table's `owner`, e.g. "hadoop";
 *   the tests show Trino reads that too), would make Trino run every view as a principal that must
 *   exist in that engine's access control (duneanalytics/spellbook#3634 moved its views to INVOKER
 *   for that reason) and would claim definer semantics Athena does not apply.
 * - Not verifiable offline: that Athena itself accepts `runAsInvoker: true`; the first deploy of the
 *   views shows it (`SELECT * FROM <view> LIMIT 1` in the stage's workgroup).
 *
 * Both column lists come from one declaration (queries/<name>.schema.json), so they cannot drift.
 */

/** Athena's name for the Glue Data Catalog, the `catalog` of every view. */
export const PRESTO_VIEW_CATALOG = "awsdatacatalog";
/** The `viewExpandedText` marker of a Presto view. */
export const PRESTO_VIEW_EXPANDED_TEXT = "/* Presto View */";
/** Table parameters Athena sets on the views it creates. */
export const PRESTO_VIEW_PARAMETERS = { presto_view: "true", comment: "Presto View" } as const;
/** Keeps the SerDe block non-empty so the provider sends it (see the module doc). */
export const VIEW_SERDE_INFO = { name: "-" } as const;

/** `/* Presto View: <base64 JSON> *\/` for a view of `source` in Glue database `schema`. */
export function prestoViewOriginalText(source: ViewSource, schema: string): string {
    const definition = {
        originalSql: source.sql,
        catalog: PRESTO_VIEW_CATALOG,
        schema,
        columns: source.columns.map(({ name, type }) => ({ name, type: columnType(type).presto })),
        comment: source.description,
        // SECURITY INVOKER without an owner: readable by Athena and by Trino (see the module doc).
        runAsInvoker: true,
    };
    return `/* Presto View: ${Buffer.from(JSON.stringify(definition), "utf8").toString("base64")} */`;
}

/** The Glue table arguments of the Athena view `source` in `databaseName`. */
export function prestoViewTableArgs(source: ViewSource, databaseName: pulumi.Input<string>): aws.glue.CatalogTableArgs {
    // First, so an undeclarable type fails here and not later inside the definition's apply.
    const columns = source.columns.map((column) => ({ name: column.name, type: requiredHiveType(source, column) }));
    return {
        name: source.name,
        databaseName,
        // No `description`: Trino's Glue metastore would put it over the "Presto View" comment and
        // no longer see a view (module doc). The description is the view definition's `comment`.
        tableType: "VIRTUAL_VIEW",
        parameters: { ...PRESTO_VIEW_PARAMETERS },
        viewOriginalText: pulumi.output(databaseName).apply((schema) => prestoViewOriginalText(source, schema)),
        viewExpandedText: PRESTO_VIEW_EXPANDED_TEXT,
        storageDescriptor: {
            columns,
            serDeInfo: { ...VIEW_SERDE_INFO },
        },
    };
}

function requiredHiveType(source: ViewSource, column: ViewColumn): string {
    const converted = findColumnType(column.type);
    if (converted === undefined) {
        throw new Error(`View ${source.name}: column ${column.name} has type "${column.type}", which is not one of ${KNOWN_COLUMN_TYPES}.`);
    }
    return converted.hive;
}
