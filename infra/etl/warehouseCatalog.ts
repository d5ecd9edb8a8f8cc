import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import glueRuntime from "../../etl/glue_runtime.json";
import warehouseContract from "../../etl/spotify_etl/contracts/warehouse_schema.json";
import { findHiveColumnType } from "../../model/columnTypes";
import type { StagePlan } from "../../model/stagePlan";
import { UserError } from "../../model/userError";
import { rejectArgProblems } from "../componentArgs";
import { s3FolderProblem } from "../s3Uris";
import { splitChildOptions } from "./splitAliases";

/** The data-quality rules of the table, in DQDL, and the repository file they come from (named in the ruleset's description). */
export interface QualityRuleset {
    readonly text: string;
    readonly source: string;
}

export interface WarehouseCatalogArgs {
    /** The stage and the names of its database and ruleset (model/stagePlan.ts). */
    readonly plan: Pick<StagePlan, "stage" | "etl">;
    /** The stage's data key: encrypts the catalog's metadata and connection passwords. */
    readonly dataKeyArn: pulumi.Input<string>;
    /** `s3://…/` location of the table the ETL job writes. */
    readonly tableLocation: pulumi.Input<string>;
    readonly qualityRuleset: QualityRuleset;
    /**
     * protect + retainOnDelete on the catalog encryption settings, which are per account and
     * region: deleting them turns encryption off for every table of the catalog. Default false.
     */
    readonly protectData?: boolean;
}

/** A DQDL document: one `Rules = [ … ]` list (AWS Glue developer guide, "Data Quality Definition Language reference"). */
const DQDL_RULES = /^\s*Rules\s*=\s*\[[^]*\]\s*$/;

/**
 * Throws an error naming every arg of a WarehouseCatalog that would leave a broken catalog: a
 * table location, given as a plain string, that is not an `s3://` folder, a ruleset that is not a
 * DQDL rule list, or a ruleset without the file it comes from.
 */
export function validateWarehouseCatalogArgs(args: WarehouseCatalogArgs): void {
    rejectArgProblems("WarehouseCatalogArgs", {
        tableLocation: s3FolderProblem(args.tableLocation),
        "qualityRuleset.text": DQDL_RULES.test(args.qualityRuleset.text) ? undefined : `must be a DQDL document "Rules = [ ... ]" (from ${args.qualityRuleset.source})`,
        "qualityRuleset.source": args.qualityRuleset.source.trim() === "" ? "must name the file the rules come from" : undefined,
    });
}

/** The partition field ids Iceberg assigns start here (the spec's PARTITION_DATA_ID_START). */
const FIRST_PARTITION_FIELD_ID = 1000;

/**
 * The Iceberg table the contract describes: every column, the partition columns included (an
 * Iceberg partition column is an ordinary column that the partition spec names), with ids 1..n in
 * contract order, and an identity partition on each partition key. Every field is optional: the
 * job refuses a NULL in a non-nullable column before it writes (spotify_etl/contract.py), and the
 * columns it computes that way are nullable to Spark, which Iceberg's Spark writer refuses to write
 * into a required field.
 */
export function icebergTableDefinition(contract: typeof warehouseContract) {
    const columns = [...contract.columns, ...contract.partition_keys];
    const fields = columns.map((column, index) => {
        const type = findHiveColumnType(column.type)?.iceberg;
        if (type === undefined) {
            throw new UserError(
                `warehouse_schema.json: column ${column.name} has type "${column.type}", which is no declarable type (model/columnTypes.ts, in its Hive spelling).`,
            );
        }
        // The provider sends each field's type as a JSON document: a primitive type is a JSON string.
        return { id: index + 1, name: column.name, type: JSON.stringify(type), required: false, doc: column.comment };
    });
    const idOf = (name: string) => fields.find((field) => field.name === name)!.id;
    return {
        schema: { schemaId: 0, type: "struct", fields },
        partitionSpec: {
            specId: 0,
            fields: contract.partition_keys.map((key, index) => ({
                name: key.name,
                sourceId: idOf(key.name),
                transform: "identity",
                fieldId: FIRST_PARTITION_FIELD_ID + index,
            })),
        },
    };
}

/**
 * The warehouse's Data Catalog: the encrypted catalog, the database, the Apache Iceberg table
 * declared from the warehouse contract (etl/spotify_etl/contracts/warehouse_schema.json) in the
 * format version of etl/glue_runtime.json, and that table's data-quality ruleset. `name` prefixes
 * its children's names (`<name>-warehouse`, `<name>-tracks`, …).
 */
export class WarehouseCatalog extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly tableName: pulumi.Output<string>;
    public readonly rulesetName: pulumi.Output<string>;

    constructor(name: string, args: WarehouseCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
        validateWarehouseCatalogArgs(args);
        if (warehouseContract.format !== "iceberg") {
            throw new UserError(`warehouse_schema.json: format "${warehouseContract.format}" has no catalog mapping; only iceberg is supported.`);
        }
        super("spotify:etl:WarehouseCatalog", name, {}, opts);
        const protectData = args.protectData ?? false;
        const child = splitChildOptions(this, opts);
        // The catalog's metadata (databases, tables, partitions) and connection passwords, encrypted
        // with the data key. Glue keeps one such setting per account and region, and encrypts only
        // objects created after it, so the database waits for it. Callers of the catalog use the key
        // with their own IAM permissions (SSE-KMS), which the key policy's account statement allows.
        // Deleting the resource writes empty settings (encryption off for the whole catalog, which
        // breaks every reader of the catalog), so it is kept like the data key where the stage keeps data.
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
            { name: args.plan.etl.database, description: `spotify-pipeline ${args.plan.stage}: the warehouse tables the ETL job writes` },
            { ...child, dependsOn: [catalogEncryption] },
        );
        // Declared from the contract: the views of the queries layer need the table before any run,
        // and the columns are exactly those the job enforces. Iceberg format version 2 (etl/
        // glue_runtime.json), which Athena engine v3 reads and writes and Glue 5.1's Iceberg 1.10
        // writes. Each job run commits one snapshot, so readers see the previous run's table or the
        // new one, never a mix; partitions live in the table's metadata, not in the catalog.
        //
        // With icebergTableInput the provider creates the table from it alone (CreateTable with
        // OpenTableFormatInput and the name, no TableInput: terraform-provider-aws
        // internal/service/glue/catalog_table.go), so the schema, partition spec and location are
        // given there: a Glue partitionKeys list is refused on an Iceberg table ("Cannot create
        // partitions in an iceberg table", hashicorp/terraform-provider-aws#36531), and Glue derives
        // the table's storage descriptor (location, columns) from the Iceberg metadata. Updates
        // keep the table_type and metadata_location parameters the job's commits set.
        //
        // Glue applies an Iceberg definition only when it creates the table, and the provider
        // updates openTableFormatInput in place (no ForceNew), which would leave a Hive table with
        // an Iceberg definition beside it. So a change there replaces the table: the Hive table of
        // earlier deployments is dropped and the Iceberg one created under the same name (delete
        // first, since the name is taken). A replaced table starts empty until the next full run;
        // the files of the old one stay in S3 until orphan-file removal deletes them.
        const iceberg = icebergTableDefinition(warehouseContract);
        const table = new aws.glue.CatalogTable(
            `${name}-tracks`,
            {
                name: warehouseContract.table,
                databaseName: database.name,
                description: warehouseContract.description,
                tableType: "EXTERNAL_TABLE",
                openTableFormatInput: {
                    icebergInput: {
                        metadataOperation: "CREATE",
                        version: String(glueRuntime.icebergFormatVersion),
                        icebergTableInput: {
                            location: args.tableLocation,
                            schema: iceberg.schema,
                            partitionSpec: iceberg.partitionSpec,
                            // Iceberg writes zstd by default; the contract says how the files are compressed.
                            properties: { "write.parquet.compression-codec": warehouseContract.compression },
                        },
                    },
                },
            },
            { ...child, replaceOnChanges: ["openTableFormatInput"], deleteBeforeReplace: true },
        );
        const ruleset = new aws.glue.DataQualityRuleset(
            `${name}-quality`,
            {
                name: args.plan.etl.qualityRuleset,
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
