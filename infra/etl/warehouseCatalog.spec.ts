import * as assert from "assert";
import warehouseContract from "../../etl/spotify_etl/contracts/warehouse_schema.json";
import { synthesizeAlone } from "../../test/support/alone";
import { Template } from "../../test/support/template";
import { DATA_KEY_ARN, QA_PLAN } from "../../test/support/standIns";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { validateWarehouseCatalogArgs, WarehouseCatalog, WarehouseCatalogArgs } from "./warehouseCatalog";

const TYPES = {
    encryption: "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings",
    database: "aws:glue/catalogDatabase:CatalogDatabase",
    table: "aws:glue/catalogTable:CatalogTable",
    ruleset: "aws:glue/dataQualityRuleset:DataQualityRuleset",
};

const RULES = 'Rules = [\n    RowCount > 0,\n    IsComplete "track_id"\n]\n';

function catalogArgs(extra: Partial<WarehouseCatalogArgs> = {}): WarehouseCatalogArgs {
    return {
        plan: QA_PLAN,
        dataKeyArn: DATA_KEY_ARN,
        tableLocation: "s3://warehouse/tracks/",
        qualityRuleset: { text: RULES, source: "rules.dqdl" },
        ...extra,
    };
}

function synthesizeCatalog(extra: Partial<WarehouseCatalogArgs> = {}): Promise<Template> {
    return synthesizeAlone(() => new WarehouseCatalog("wh", catalogArgs(extra)));
}

describe("WarehouseCatalog (alone)", () => {
    describe("left to its defaults", () => {
        let template: Template;
        before(async () => {
            template = await synthesizeCatalog();
        });

        it("registers the catalog encryption, the plan's database, the contract's table and its ruleset, named from its name", () => {
            const component = template.resource("spotify:etl:WarehouseCatalog", "wh");
            assert.deepStrictEqual(template.childrenOf(component).map((child) => `${child.type} ${child.name}`).sort(), [
                `${TYPES.database} wh-warehouse`,
                `${TYPES.table} wh-tracks`,
                `${TYPES.encryption} wh-catalog-encryption`,
                `${TYPES.ruleset} wh-quality`,
            ]);
            template.hasResourceProperties(TYPES.database, { name: QA_PLAN.etl.database });
            template.hasResourceProperties(TYPES.table, { name: warehouseContract.table, databaseName: QA_PLAN.etl.database, tableType: "EXTERNAL_TABLE" });
        });

        it("encrypts the catalog with the given key before the database exists, and can delete that setting (protectData false)", () => {
            const encryption = template.hasResourceProperties(TYPES.encryption, {
                dataCatalogEncryptionSettings: {
                    encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: DATA_KEY_ARN },
                    connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: DATA_KEY_ARN },
                },
            });
            assert.ok(template.resource(TYPES.database, "wh-warehouse").dependencies.includes(encryption.urn));
            assert.deepStrictEqual([encryption.protect, encryption.retainOnDelete], [false, false]);
        });

        it("declares the table as Iceberg at the given location, in the database it declares", () => {
            const table = template.hasResourceProperties(TYPES.table, {
                openTableFormatInput: { icebergInput: { metadataOperation: "CREATE", icebergTableInput: { location: "s3://warehouse/tracks/" } } },
            });
            assert.strictEqual(table.inputs.partitionKeys, undefined, "Glue refuses partition keys on an Iceberg table");
            const deployed = template.resource(TYPES.database, "wh-warehouse");
            assert.deepStrictEqual(template.follow(table, "databaseName"), [deployed]);
        });

        it("binds the given rules to the table, naming their file", () => {
            const ruleset = template.hasResourceProperties(TYPES.ruleset, {
                name: QA_PLAN.etl.qualityRuleset,
                ruleset: RULES,
                targetTable: { databaseName: QA_PLAN.etl.database, tableName: warehouseContract.table },
            });
            assert.match(String(ruleset.inputs.description), /\(rules\.dqdl\)$/);
            assert.deepStrictEqual(template.follow(ruleset, "targetTable").map((resource) => resource.name).sort(), ["wh-tracks", "wh-warehouse"]);
        });
    });

    it("protects and retains the catalog encryption where the stage keeps its data", async () => {
        const template = await synthesizeCatalog({ protectData: true });
        const [encryption] = template.findResources(TYPES.encryption);
        assert.deepStrictEqual([encryption.protect, encryption.retainOnDelete], [true, true]);
        assert.strictEqual(template.resource(TYPES.table, "wh-tracks").protect, false, "only the per-account setting is protected");
    });

    describe("bad args", () => {
        const refused: [string, Partial<WarehouseCatalogArgs>, RegExp][] = [
            ["a table location that is no folder", { tableLocation: "s3://warehouse/tracks" }, /WarehouseCatalogArgs\.tableLocation: must be an s3:\/\/<bucket>\/ folder/],
            ["a local path as the table location", { tableLocation: "/data/tracks/" }, /WarehouseCatalogArgs\.tableLocation: /],
            ["an empty ruleset", { qualityRuleset: { text: "", source: "rules.dqdl" } }, /WarehouseCatalogArgs\.qualityRuleset\.text: must be a DQDL document .* \(from rules\.dqdl\)/],
            ["rules without their list", { qualityRuleset: { text: "RowCount > 0", source: "rules.dqdl" } }, /qualityRuleset\.text: must be a DQDL document/],
            ["rules from no file", { qualityRuleset: { text: RULES, source: " " } }, /WarehouseCatalogArgs\.qualityRuleset\.source: must name the file/],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateWarehouseCatalogArgs(catalogArgs(extra)), message));
        }

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeCatalog({ tableLocation: "warehouse/tracks/" }),
                (error: SynthesisError) =>
                    /WarehouseCatalogArgs\.tableLocation/.test(error.message) && !error.registered.some((resource) => resource.type === "spotify:etl:WarehouseCatalog"),
            );
        });
    });
});
