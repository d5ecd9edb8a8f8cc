import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { columnType, findColumnType, KNOWN_COLUMN_TYPES, SCALAR_COLUMN_TYPES } from "../model/columnTypes";
import { REPO_ROOT } from "../model/repository";
import { quicksightColumnType } from "../infra/dashboards/quicksight";
import { prestoViewOriginalText, prestoViewTableArgs } from "../infra/queries/prestoView";
import warehouseContract from "../etl/spotify_etl/contracts/warehouse_schema.json";

/** Each declarable type as Glue (Hive DDL) and QuickSight spell it: queries/README.md and the QuickSight API's InputColumn. */
const EXPECTED: Record<string, { hive: string; quicksight: { type: string; subType?: string } }> = {
    varchar: { hive: "string", quicksight: { type: "STRING" } },
    boolean: { hive: "boolean", quicksight: { type: "BOOLEAN" } },
    tinyint: { hive: "tinyint", quicksight: { type: "INTEGER" } },
    smallint: { hive: "smallint", quicksight: { type: "INTEGER" } },
    integer: { hive: "int", quicksight: { type: "INTEGER" } },
    bigint: { hive: "bigint", quicksight: { type: "INTEGER" } },
    real: { hive: "float", quicksight: { type: "DECIMAL", subType: "FLOAT" } },
    double: { hive: "double", quicksight: { type: "DECIMAL", subType: "FLOAT" } },
    date: { hive: "date", quicksight: { type: "DATETIME" } },
    timestamp: { hive: "timestamp", quicksight: { type: "DATETIME" } },
    "decimal(10,2)": { hive: "decimal(10,2)", quicksight: { type: "DECIMAL" } },
};

describe("column types: the one table (model/columnTypes.ts)", () => {
    it("declares every type the contracts use: the queries' schemas in Presto spelling, the warehouse contract in Hive spelling", () => {
        const queriesDir = path.join(REPO_ROOT, "queries");
        const declared = fs
            .readdirSync(queriesDir)
            .filter((file) => file.endsWith(".schema.json"))
            .flatMap((file) =>
                (JSON.parse(fs.readFileSync(path.join(queriesDir, file), "utf8")) as { columns: { type: string }[] }).columns.map((column) => column.type),
            );
        assert.ok(declared.length > 0);
        for (const type of declared) assert.ok(findColumnType(type) !== undefined, `queries declare ${type}`);
        const hiveSpellings = Object.values(SCALAR_COLUMN_TYPES).map((renderings) => renderings.hive);
        for (const column of [...warehouseContract.columns, ...warehouseContract.partition_keys]) {
            assert.ok(hiveSpellings.includes(column.type), `the warehouse contract declares ${column.type}`);
        }
    });

    it("spells each type differently from every other in Hive and in DuckDB, so the Python side finds the row from either", () => {
        for (const system of ["hive", "duckdb"] as const) {
            const spellings = Object.values(SCALAR_COLUMN_TYPES).map((renderings) => renderings[system]);
            assert.strictEqual(new Set(spellings).size, spellings.length, `${system}: ${spellings.join(", ")}`);
        }
    });

    it("renders decimal(p,s) by rule, within Athena's limits, and only in its canonical spelling", () => {
        assert.deepStrictEqual(columnType("decimal(10,2)"), {
            hive: "decimal(10,2)",
            presto: "decimal(10,2)",
            quicksight: { type: "DECIMAL" },
            duckdb: "DECIMAL(10,2)",
            iceberg: "decimal(10,2)",
            spark: "DecimalType(10,2)",
            trino: "decimal(10,2)",
        });
        assert.strictEqual(columnType("decimal(38,38)").duckdb, "DECIMAL(38,38)");
        for (const outside of ["decimal(0,0)", "decimal(39,2)", "decimal(5,6)", "decimal(10, 2)", "DECIMAL(10,2)", "decimal"]) {
            assert.strictEqual(findColumnType(outside), undefined, outside);
        }
    });

    it("fails on a type no contract may declare, naming it and the declarable ones", () => {
        for (const undeclarable of ["char", "varchar(5)", "string", "text", "toString"]) {
            assert.throws(
                () => columnType(undeclarable),
                (error: Error) => error.message === `Column type "${undeclarable}" is not one of ${KNOWN_COLUMN_TYPES}.`,
            );
        }
        assert.match(KNOWN_COLUMN_TYPES, /^varchar, boolean, tinyint, .*, timestamp, decimal\(p,s\) with 1 <= p <= 38 and s <= p$/);
    });

    it("is what the view encoding and QuickSight's datasets render", () => {
        const columns = Object.keys(EXPECTED).map((type, index) => ({ name: `c${index}`, type }));
        const source = { name: "every_type", description: "Every declarable type.", sql: "SELECT 1", columns };
        const storage = prestoViewTableArgs(source, "db").storageDescriptor as { columns: { name: string; type: string }[] };
        assert.deepStrictEqual(
            storage.columns,
            columns.map((column) => ({ name: column.name, type: EXPECTED[column.type].hive })),
        );
        const encoded = /^\/\* Presto View: (.*) \*\/$/.exec(prestoViewOriginalText(source, "db"))![1];
        assert.deepStrictEqual((JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as { columns: unknown }).columns, columns);
        for (const type of Object.keys(EXPECTED)) assert.deepStrictEqual(quicksightColumnType(type), EXPECTED[type].quicksight, type);
        assert.throws(
            () => prestoViewTableArgs({ ...source, columns: [{ name: "c", type: "char" }] }, pulumi.output("db")),
            /View every_type: column c has type "char", which is not one of varchar, /,
        );
        assert.throws(() => quicksightColumnType("char"), /Column type "char" is not one of varchar, /);
    });
});
