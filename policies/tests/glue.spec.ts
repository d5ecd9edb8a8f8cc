import * as assert from "assert";
import * as aws from "@pulumi/aws";
import type { StageSettings } from "../model/guardrails";
import { InputsOf, Known, typed, UNKNOWN, withInputs } from "./support/fixtures";
import { assertCompliant, assertViolations, evaluate } from "./support/inProcess";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/abc";
type Encryption = Known<InputsOf<aws.glue.SecurityConfigurationArgs>["encryptionConfiguration"]>;
const ENCRYPTED: Encryption = {
    s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: KEY },
    cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: KEY },
    jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: KEY },
};

const securityConfiguration = (encryptionConfiguration: Encryption = ENCRYPTED) =>
    typed(aws.glue.SecurityConfiguration, "security", { name: "spotify_dev_etl_security", encryptionConfiguration });
const JOB_INPUTS: InputsOf<aws.glue.JobArgs> = {
    name: "spotify_dev_etl",
    glueVersion: "5.1",
    timeout: 60,
    command: { name: "glueetl", scriptLocation: "s3://b/scripts/job.py" },
};
/** A job that refers to the security configuration by its name output, as preview sees it. */
const job = (inputs: InputsOf<aws.glue.JobArgs> = {}) =>
    typed(
        aws.glue.Job,
        "job",
        { ...JOB_INPUTS, securityConfiguration: "spotify_dev_etl_security", ...inputs },
        { from: { securityConfiguration: ["security"] } },
    );
const crawler = (inputs: InputsOf<aws.glue.CrawlerArgs> = {}) =>
    typed(
        aws.glue.Crawler,
        "crawler",
        {
            name: "spotify_dev_crawler",
            databaseName: "spotify_dev_warehouse",
            schemaChangePolicy: { deleteBehavior: "LOG", updateBehavior: "LOG" },
            securityConfiguration: UNKNOWN,
            ...inputs,
        },
        { from: { securityConfiguration: ["security"] } },
    );

describe("policies: Glue", function () {
    describe("glue-security-configuration", () => {
        it("accepts a job and a crawler whose security configuration encrypts S3, logs and bookmarks", async () => {
            await assertCompliant("glue-security-configuration", [securityConfiguration(), job(), crawler()]);
        });
        it("follows a security configuration named literally, without property dependencies", async () => {
            await assertCompliant("glue-security-configuration", [securityConfiguration(), { ...job(), from: {} }]);
        });
        it("rejects a job or crawler without a security configuration", async () => {
            await assertViolations(
                "glue-security-configuration",
                [
                    { ...job({ securityConfiguration: undefined }), from: {} },
                    { ...crawler({ securityConfiguration: undefined }), from: {} },
                ],
                [
                    { resource: "job", message: /Glue job job has no securityConfiguration/ },
                    { resource: "crawler", message: /Glue crawler crawler has no securityConfiguration/ },
                ],
            );
        });
        it("rejects a security configuration this stack does not declare", async () => {
            await assertViolations(
                "glue-security-configuration",
                [{ ...job(), from: {} }],
                [{ message: /uses security configuration "spotify_dev_etl_security", which this stack does not declare/ }],
            );
        });
        it("names every part that is not KMS-encrypted, once per security configuration", async () => {
            const weak = securityConfiguration({
                s3Encryption: { s3EncryptionMode: "SSE-S3" },
                cloudwatchEncryption: { cloudwatchEncryptionMode: "DISABLED" },
                jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS" },
            });
            await assertViolations(
                "glue-security-configuration",
                [weak, job(), crawler()],
                [
                    { resource: "security", message: /data Glue writes to S3 are not encrypted with SSE-KMS \(s3Encryption.s3EncryptionMode is SSE-S3\)/ },
                    { resource: "security", message: /CloudWatch logs are not encrypted with SSE-KMS/ },
                    { resource: "security", message: /jobBookmarksEncryption names no kmsKeyArn/ },
                ],
            );
        });
    });

    describe("glue-version", () => {
        it("requires Glue 5.1 or later on Spark jobs", async () => {
            await assertCompliant("glue-version", [securityConfiguration(), job({ glueVersion: "5.1" })]);
            await assertCompliant("glue-version", [securityConfiguration(), job({ glueVersion: "6.0" })]);
            await assertViolations(
                "glue-version",
                [securityConfiguration(), job({ glueVersion: "5.0" })],
                [{ resource: "job", message: /glueVersion 5.0; at least 5.1/ }],
            );
            await assertViolations(
                "glue-version",
                [securityConfiguration(), job({ glueVersion: "4.0" })],
                [{ resource: "job", message: /glueVersion 4.0; at least 5.1/ }],
            );
            await assertViolations("glue-version", [securityConfiguration(), job({ glueVersion: undefined })], [{ message: /glueVersion absent/ }]);
        });
        it("does not apply to Python shell jobs, which have their own versions", async () => {
            await assertCompliant("glue-version", [
                securityConfiguration(),
                job({ glueVersion: "3.0", command: { name: "pythonshell", scriptLocation: "s3://b/x.py" } }),
            ]);
        });
    });

    describe("glue-job-timeout", () => {
        it("requires an explicit timeout", async () => {
            await assertCompliant("glue-job-timeout", [securityConfiguration(), job()]);
            await assertViolations(
                "glue-job-timeout",
                [securityConfiguration(), job({ timeout: undefined })],
                [{ resource: "job", message: /has no timeout/ }],
            );
        });
    });

    describe("glue-iceberg-table-maintenance", () => {
        const PROD_ETL = { stage: "prod", stack: "prod-etl" } as const;
        const ICEBERG: InputsOf<aws.glue.CatalogTableArgs>["openTableFormatInput"] = {
            icebergInput: {
                metadataOperation: "CREATE",
                version: "2",
                icebergTableInput: { location: "s3://spotify-prod-warehouse-222222222222/tracks/", schema: { fields: [] } },
            },
        };
        const table = (inputs: InputsOf<aws.glue.CatalogTableArgs> = {}) =>
            typed(aws.glue.CatalogTable, "tracks", {
                name: "tracks",
                databaseName: "spotify_prod_warehouse",
                tableType: "EXTERNAL_TABLE",
                openTableFormatInput: ICEBERG,
                ...inputs,
            });
        /** An optimizer of the table, computed from it as the etl layer's are. */
        const optimizer = (type: string, enabled: boolean | typeof UNKNOWN = true) =>
            typed(
                aws.glue.CatalogTableOptimizer,
                type,
                {
                    catalogId: "123456789012",
                    databaseName: "spotify_prod_warehouse",
                    tableName: "tracks",
                    type,
                    configuration: { enabled, roleArn: "arn:aws:iam::123456789012:role/spotify_prod_table_maintenance_role" },
                },
                { from: { tableName: ["tracks"] } },
            );
        const maintained = () => [table(), optimizer("retention"), optimizer("orphan_file_deletion")];

        it("accepts an Iceberg table with both optimizers enabled, and ignores views", async () => {
            await assertCompliant("glue-iceberg-table-maintenance", maintained(), PROD_ETL);
            await assertCompliant(
                "glue-iceberg-table-maintenance",
                [typed(aws.glue.CatalogTable, "view", { name: "hits", tableType: "VIRTUAL_VIEW", viewOriginalText: "/* Presto View: e30= */" })],
                PROD_ETL,
            );
        });
        it("accepts an optimizer whose enabled flag preview cannot know yet", async () => {
            await assertCompliant("glue-iceberg-table-maintenance", [table(), optimizer("retention", UNKNOWN), optimizer("orphan_file_deletion")], PROD_ETL);
        });
        it("rejects a Hive table, naming it", async () => {
            await assertViolations(
                "glue-iceberg-table-maintenance",
                [
                    table({ openTableFormatInput: undefined, partitionKeys: [{ name: "release_year", type: "int" }] }),
                    optimizer("retention"),
                    optimizer("orphan_file_deletion"),
                ],
                [
                    {
                        resource: "tracks",
                        message: /Glue table spotify_prod_warehouse\.tracks is not an Iceberg table \(no openTableFormatInput\.icebergInput\)/,
                    },
                ],
                PROD_ETL,
            );
        });
        it("rejects a table without one of the optimizers, naming the one that is missing", async () => {
            await assertViolations(
                "glue-iceberg-table-maintenance",
                [table(), optimizer("retention")],
                [{ resource: "tracks", message: /spotify_prod_warehouse\.tracks has no orphan_file_deletion optimizer \(orphan-file removal\)/ }],
                PROD_ETL,
            );
            await assertViolations(
                "glue-iceberg-table-maintenance",
                [table()],
                [{ message: /has no retention optimizer \(snapshot expiry\)/ }, { message: /has no orphan_file_deletion optimizer/ }],
                PROD_ETL,
            );
        });
        it("rejects an optimizer of another table as this table's", async () => {
            const other = { ...withInputs(optimizer("orphan_file_deletion"), { tableName: "albums" }), from: {} };
            await assertViolations(
                "glue-iceberg-table-maintenance",
                [table(), optimizer("retention"), other],
                [{ message: /has no orphan_file_deletion optimizer/ }],
                PROD_ETL,
            );
        });
        it("rejects a disabled optimizer", async () => {
            await assertViolations(
                "glue-iceberg-table-maintenance",
                [table(), optimizer("retention", false), optimizer("orphan_file_deletion")],
                [{ resource: "tracks", message: /has its retention optimizer \(snapshot expiry\) disabled \(configuration\.enabled is false\)/ }],
                PROD_ETL,
            );
        });
        it("is mandatory in prod, advisory in a sandbox that maintains its table, and off in one that does not", async () => {
            const level = async (stage: string, settings: Partial<StageSettings> = {}) =>
                (await evaluate("glue-iceberg-table-maintenance", [table()], { stage, stack: `${stage}-etl`, settings })).map(
                    (violation) => violation.enforcement,
                );
            assert.deepStrictEqual(await level("prod"), ["mandatory", "mandatory"]);
            assert.deepStrictEqual(await level("dev"), ["advisory", "advisory"]);
            assert.deepStrictEqual(await level("dev", { tableMaintenance: false }), []);
        });
    });

    describe("glue-database-naming", () => {
        it("requires <prefix>_<stage>_<purpose>", async () => {
            const database = (name: string | undefined) => [typed(aws.glue.CatalogDatabase, "db", name === undefined ? {} : { name })];
            await assertCompliant("glue-database-naming", database("spotify_dev_warehouse"));
            await assertViolations("glue-database-naming", database("warehouse"), [
                { resource: "db", message: /"warehouse" does not follow spotify_dev_<purpose>/ },
            ]);
            await assertViolations("glue-database-naming", database(undefined), [{ message: /"\(generated\)"/ }]);
        });
    });

    describe("glue-data-catalog-encryption", () => {
        type Settings = Known<InputsOf<aws.glue.DataCatalogEncryptionSettingsArgs>["dataCatalogEncryptionSettings"]>;
        const database = typed(aws.glue.CatalogDatabase, "warehouse", { name: "spotify_dev_warehouse" });
        const settings = (encryptionAtRest: Settings["encryptionAtRest"], connectionPasswordEncryption: Settings["connectionPasswordEncryption"]) =>
            typed(aws.glue.DataCatalogEncryptionSettings, "catalog-encryption", {
                dataCatalogEncryptionSettings: { encryptionAtRest, connectionPasswordEncryption },
            });
        const ENCRYPTED_AT_REST = { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: KEY };
        const PASSWORDS_ENCRYPTED = { returnConnectionPasswordEncrypted: true, awsKmsKeyId: KEY };
        it("accepts a database beside catalog encryption of metadata and passwords with one customer-managed key", async () => {
            await assertCompliant("glue-data-catalog-encryption", [settings(ENCRYPTED_AT_REST, PASSWORDS_ENCRYPTED), database]);
            await assertCompliant("glue-data-catalog-encryption", [
                settings({ catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: UNKNOWN }, { returnConnectionPasswordEncrypted: true, awsKmsKeyId: UNKNOWN }),
                database,
            ]);
        });
        it("rejects a stack that declares a database but does not encrypt the catalog (CKV_AWS_94)", async () => {
            await assertViolations(
                "glue-data-catalog-encryption",
                [database],
                [{ resource: "warehouse", message: /Glue database spotify_dev_warehouse is declared in a stack that does not encrypt the Data Catalog/ }],
            );
        });
        it("names every part that is not encrypted with the customer-managed key", async () => {
            await assertViolations(
                "glue-data-catalog-encryption",
                [settings({ catalogEncryptionMode: "DISABLED" }, { returnConnectionPasswordEncrypted: false }), database],
                [
                    { resource: "catalog-encryption", message: /catalog metadata is not encrypted \(catalogEncryptionMode is DISABLED, not SSE-KMS\)/ },
                    {
                        resource: "catalog-encryption",
                        message: /connection passwords are returned in clear text \(returnConnectionPasswordEncrypted is false\)/,
                    },
                ],
            );
            await assertViolations(
                "glue-data-catalog-encryption",
                [settings({ catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: "alias/aws/glue" }, { returnConnectionPasswordEncrypted: true }), database],
                [{ message: /encryptionAtRest uses the AWS-managed key alias\/aws\/glue/ }, { message: /connectionPasswordEncryption names no KMS key/ }],
            );
            await assertViolations(
                "glue-data-catalog-encryption",
                [settings(ENCRYPTED_AT_REST, { ...PASSWORDS_ENCRYPTED, awsKmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/other" }), database],
                [{ message: /connection passwords use another key .* than the catalog/ }],
            );
        });
    });
});
