import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import warehouseContract from "../../etl/spotify_etl/contracts/warehouse_schema.json";
import { glueName, NamingScope } from "../../policies/conventions/naming";
import { splitChildOptions } from "./glueAccess";
import { UserError } from "../userError";

export interface WarehouseCatalogArgs {
    /** Stage and prefix the Glue names are built from (`<prefix>_<stage>_warehouse`, …). */
    naming: NamingScope;
    /** The stage's data key: encrypts the catalog's metadata and connection passwords. */
    dataKeyArn: pulumi.Input<string>;
    /** `s3://…/` location of the table the ETL job writes. */
    tableLocation: pulumi.Input<string>;
    /** The data-quality rules (DQDL) of the table. */
    qualityRuleset: { text: string; source: string };
    /**
     * protect + retainOnDelete on the catalog encryption settings, which are per account and
     * region: deleting them turns encryption off for every table of the catalog. Default false.
     */
    protectData?: boolean;
}

/** A warehouse contract column as the Glue catalog stores it. */
function catalogColumn(column: { name: string; type: string; comment: string }) {
    return { name: column.name, type: column.type, comment: column.comment };
}

/**
 * The warehouse's Data Catalog: the encrypted catalog, the database, the table declared from the
 * warehouse contract (etl/spotify_etl/contracts/warehouse_schema.json), and that table's
 * data-quality ruleset. `name` prefixes its children's names (`<name>-warehouse`, `<name>-tracks`, …).
 */
export class WarehouseCatalog extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly tableName: pulumi.Output<string>;
    public readonly rulesetName: pulumi.Output<string>;

    constructor(name: string, args: WarehouseCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
        super("spotify:etl:WarehouseCatalog", name, {}, opts);
        if (warehouseContract.format !== "parquet") {
            throw new UserError(`warehouse_schema.json: format "${warehouseContract.format}" has no catalog mapping; only parquet is supported.`);
        }
        const protectData = args.protectData ?? false;
        const child = splitChildOptions(this, opts);
        // The catalog's metadata (databases, tables, partitions) and connection passwords, encrypted
        // with the data key. Glue keeps one such setting per account and region, and encrypts only
        // objects created after it, so the database waits for it. Callers of the catalog use the key
        // with their own IAM permissions (SSE-KMS), which the key policy's account statement allows.
        // Deleting the resource writes empty settings (encryption off for the whole catalog, which
        // breaks crawlers that ran on it), so it is kept like the data key where the stage keeps data.
        const catalogEncryption = new aws.glue.DataCatalogEncryptionSettings(
            `${name}-catalog-encryption`,
            {
                dataCatalogEncryptionSettings: {
                    encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: args.dataKeyArn },
                    connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: args.dataKeyArn },
                },
            },
            { ...child, protect: protectData, retainOnDelete: protectData },
        );
        const database = new aws.glue.CatalogDatabase(
            `${name}-warehouse`,
            { name: glueName(args.naming, "warehouse"), description: `spotify-pipeline ${args.naming.stage}: the warehouse tables the ETL job writes` },
            { ...child, dependsOn: [catalogEncryption] },
        );
        // Declared from the contract rather than left to the crawler: the views of the queries layer
        // need the table before any run, and the columns are exactly those the job enforces, so a
        // contract change shows up in the preview as a table change.
        const table = new aws.glue.CatalogTable(
            `${name}-tracks`,
            {
                name: warehouseContract.table,
                databaseName: database.name,
                description: warehouseContract.description,
                tableType: "EXTERNAL_TABLE",
                parameters: { classification: "parquet", EXTERNAL: "TRUE", "parquet.compression": warehouseContract.compression.toUpperCase() },
                partitionKeys: warehouseContract.partition_keys.map(catalogColumn),
                storageDescriptor: {
                    location: args.tableLocation,
                    inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    serDeInfo: { serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", parameters: { "serialization.format": "1" } },
                    columns: warehouseContract.columns.map(catalogColumn),
                },
            },
            child,
        );
        const ruleset = new aws.glue.DataQualityRuleset(
            `${name}-quality`,
            {
                name: glueName(args.naming, "warehouse_quality"),
                description: `The data-quality rules of ${warehouseContract.table} (${args.qualityRuleset.source})`,
                ruleset: args.qualityRuleset.text,
                targetTable: { databaseName: database.name, tableName: table.name },
            },
            child,
        );
        this.databaseName = database.name;
        this.tableName = table.name;
        this.rulesetName = ruleset.name;
        this.registerOutputs({ databaseName: this.databaseName, tableName: this.tableName, rulesetName: this.rulesetName });
    }
}
