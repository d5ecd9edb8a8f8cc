/**
 * The column types a contract may declare, one row per type, with the spelling of every system that
 * reads or writes such a column. Contracts declare them in two spellings: queries/<name>.schema.json
 * in Athena's query (Presto/Trino) spelling, which keys this table, and the warehouse contract
 * (etl/spotify_etl/contracts/warehouse_schema.json) in Athena's DDL (Hive) spelling, the `hive`
 * rendering. This is the one table: the view encoding (infra/queries/prestoView.ts), the warehouse
 * table's Iceberg schema (infra/etl/warehouseCatalog.ts) and QuickSight's datasets
 * (infra/dashboards/quicksight.ts) read it here, the SQL tests (DuckDB, Trino) through the JSON copy
 * `npm run python:json` writes (workbench/pythonJson.ts). The Glue job's package keeps its own Spark
 * types (etl/spotify_etl/contract.py): its zip is deployed code named by its content, so reading the
 * table would redeploy it; queries/tests/test_column_types.py holds that copy to this table's `spark`
 * rendering.
 *
 * Not declarable, on purpose:
 * - `char`, `varchar(n)`, `char(n)`: DuckDB drops a string's length (its CHAR is VARCHAR), so the
 *   local check of every query's output against its declaration could never pass or verify them.
 *   Declare `varchar`, and cast a literal's `varchar(n)` to it in the SQL.
 * - anything else not below (arrays, maps, rows, `time`, ...): no contract needs them.
 */

/** QuickSight's type of a dataset's input column, with the sub-type it gives floating-point numbers. */
export interface QuicksightColumnType {
    readonly type: "STRING" | "INTEGER" | "DECIMAL" | "DATETIME" | "BOOLEAN";
    readonly subType?: "FLOAT";
}

/** How each system spells one column type. */
export interface ColumnTypeRenderings {
    /** Athena/Glue table column (Hive DDL): the warehouse contract's spelling, and a view's storage descriptor columns. */
    readonly hive: string;
    /** A Presto view definition's column (the declared spelling, in its canonical form). */
    readonly presto: string;
    /** QuickSight dataset input column. */
    readonly quicksight: QuicksightColumnType;
    /** DuckDB, as it names a result column's type. */
    readonly duckdb: string;
    /** The pyspark.sql.types constructor call the Glue job builds it with, e.g. `LongType()`. */
    readonly spark: string;
    /** Trino, as it names a result column's type. */
    readonly trino: string;
    /** An Iceberg table's field type (Iceberg's table spec, "Primitive Types"): how the warehouse table declares the column. */
    readonly iceberg: string;
}

/** The types without parameters, by their declared (Presto) name. */
export const SCALAR_COLUMN_TYPES: Readonly<Record<string, ColumnTypeRenderings>> = {
    varchar: {
        hive: "string",
        presto: "varchar",
        quicksight: { type: "STRING" },
        duckdb: "VARCHAR",
        spark: "StringType()",
        trino: "varchar",
        iceberg: "string",
    },
    boolean: {
        hive: "boolean",
        presto: "boolean",
        quicksight: { type: "BOOLEAN" },
        duckdb: "BOOLEAN",
        spark: "BooleanType()",
        trino: "boolean",
        iceberg: "boolean",
    },
    tinyint: { hive: "tinyint", presto: "tinyint", quicksight: { type: "INTEGER" }, duckdb: "TINYINT", spark: "ByteType()", trino: "tinyint", iceberg: "int" },
    smallint: {
        hive: "smallint",
        presto: "smallint",
        quicksight: { type: "INTEGER" },
        duckdb: "SMALLINT",
        spark: "ShortType()",
        trino: "smallint",
        iceberg: "int",
    },
    integer: { hive: "int", presto: "integer", quicksight: { type: "INTEGER" }, duckdb: "INTEGER", spark: "IntegerType()", trino: "integer", iceberg: "int" },
    bigint: { hive: "bigint", presto: "bigint", quicksight: { type: "INTEGER" }, duckdb: "BIGINT", spark: "LongType()", trino: "bigint", iceberg: "long" },
    real: {
        hive: "float",
        presto: "real",
        quicksight: { type: "DECIMAL", subType: "FLOAT" },
        duckdb: "FLOAT",
        spark: "FloatType()",
        trino: "real",
        iceberg: "float",
    },
    double: {
        hive: "double",
        presto: "double",
        quicksight: { type: "DECIMAL", subType: "FLOAT" },
        duckdb: "DOUBLE",
        spark: "DoubleType()",
        trino: "double",
        iceberg: "double",
    },
    date: { hive: "date", presto: "date", quicksight: { type: "DATETIME" }, duckdb: "DATE", spark: "DateType()", trino: "date", iceberg: "date" },
    // Athena's timestamp has millisecond precision: Trino spells it with the precision.
    timestamp: {
        hive: "timestamp",
        presto: "timestamp",
        quicksight: { type: "DATETIME" },
        duckdb: "TIMESTAMP",
        spark: "TimestampType()",
        trino: "timestamp(3)",
        iceberg: "timestamp",
    },
};

/**
 * `decimal(p,s)`, declared with no spaces, 1 <= p <= maxPrecision and 0 <= s <= p (Athena's and
 * Hive's limits). Each rendering is a template: `{precision}` and `{scale}` stand for p and s.
 */
export const DECIMAL_COLUMN_TYPE = {
    maxPrecision: 38,
    renderings: {
        hive: "decimal({precision},{scale})",
        presto: "decimal({precision},{scale})",
        quicksight: { type: "DECIMAL" },
        duckdb: "DECIMAL({precision},{scale})",
        spark: "DecimalType({precision},{scale})",
        trino: "decimal({precision},{scale})",
        iceberg: "decimal({precision},{scale})",
    },
} as const satisfies { maxPrecision: number; renderings: ColumnTypeRenderings };

const DECIMAL = /^decimal\((\d+),(\d+)\)$/;

/** The declarable types, for messages. */
export const KNOWN_COLUMN_TYPES = `${Object.keys(SCALAR_COLUMN_TYPES).join(", ")}, decimal(p,s) with 1 <= p <= ${DECIMAL_COLUMN_TYPE.maxPrecision} and s <= p`;

/** The renderings of the declared (Presto-spelled) type `declared`, or undefined when it is not declarable. */
export function findColumnType(declared: string): ColumnTypeRenderings | undefined {
    const decimal = DECIMAL.exec(declared);
    if (decimal !== null) {
        const [precision, scale] = [Number(decimal[1]), Number(decimal[2])];
        if (precision < 1 || precision > DECIMAL_COLUMN_TYPE.maxPrecision || scale > precision) return undefined;
        const fill = (template: string) => template.replace("{precision}", String(precision)).replace("{scale}", String(scale));
        const { hive, presto, quicksight, duckdb, spark, trino, iceberg } = DECIMAL_COLUMN_TYPE.renderings;
        return { hive: fill(hive), presto: fill(presto), quicksight, duckdb: fill(duckdb), spark: fill(spark), trino: fill(trino), iceberg: fill(iceberg) };
    }
    return Object.hasOwn(SCALAR_COLUMN_TYPES, declared) ? SCALAR_COLUMN_TYPES[declared] : undefined;
}

/**
 * The renderings of a type in its Hive (DDL) spelling, as the warehouse contract declares it, or
 * undefined when it is not declarable. A decimal is spelled alike in both.
 */
export function findHiveColumnType(hive: string): ColumnTypeRenderings | undefined {
    if (DECIMAL.test(hive)) return findColumnType(hive);
    return Object.values(SCALAR_COLUMN_TYPES).find((renderings) => renderings.hive === hive);
}

/** The renderings of the declared (Presto-spelled) type `declared`; an undeclarable type throws, naming it and the declarable ones. */
export function columnType(declared: string): ColumnTypeRenderings {
    const found = findColumnType(declared);
    if (found === undefined) throw new Error(`Column type "${declared}" is not one of ${KNOWN_COLUMN_TYPES}.`);
    return found;
}
