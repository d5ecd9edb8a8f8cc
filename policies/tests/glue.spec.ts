import { assertCompliant, assertViolations, FixtureResource, UNKNOWN } from "./support/harness";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/abc";
const T = {
    job: "aws:glue/job:Job",
    crawler: "aws:glue/crawler:Crawler",
    securityConfiguration: "aws:glue/securityConfiguration:SecurityConfiguration",
    database: "aws:glue/catalogDatabase:CatalogDatabase",
};
const ENCRYPTED = {
    s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: KEY },
    cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: KEY },
    jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: KEY },
};

const securityConfiguration = (encryptionConfiguration: Record<string, unknown> = ENCRYPTED): FixtureResource => ({
    type: T.securityConfiguration,
    name: "security",
    inputs: { name: "spotify_dev_etl_security", encryptionConfiguration },
});
const JOB_INPUTS = { name: "spotify_dev_etl", glueVersion: "5.1", timeout: 60, command: { name: "glueetl", scriptLocation: "s3://b/scripts/job.py" } };
/** A job that refers to the security configuration by its name output, as preview sees it. */
const job = (inputs: Record<string, unknown> = {}): FixtureResource => ({
    type: T.job,
    name: "job",
    inputs: { ...JOB_INPUTS, securityConfiguration: "spotify_dev_etl_security", ...inputs },
    from: { securityConfiguration: ["security"] },
});
const crawler = (inputs: Record<string, unknown> = {}): FixtureResource => ({
    type: T.crawler,
    name: "crawler",
    inputs: {
        name: "spotify_dev_crawler",
        databaseName: "spotify_dev_warehouse",
        schemaChangePolicy: { deleteBehavior: "LOG", updateBehavior: "LOG" },
        securityConfiguration: UNKNOWN,
        ...inputs,
    },
    from: { securityConfiguration: ["security"] },
});

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

    describe("glue-crawler-no-catalog-deletes", () => {
        it("accepts only deleteBehavior LOG; absent means AWS's DEPRECATE_IN_DATABASE", async () => {
            await assertCompliant("glue-crawler-no-catalog-deletes", [securityConfiguration(), crawler()]);
            await assertViolations(
                "glue-crawler-no-catalog-deletes",
                [securityConfiguration(), crawler({ schemaChangePolicy: { deleteBehavior: "DELETE_FROM_DATABASE" } })],
                [{ resource: "crawler", message: /DELETE_FROM_DATABASE/ }],
            );
            await assertViolations(
                "glue-crawler-no-catalog-deletes",
                [securityConfiguration(), crawler({ schemaChangePolicy: undefined })],
                [{ message: /DEPRECATE_IN_DATABASE/ }],
            );
        });
    });

    describe("glue-database-naming", () => {
        it("requires <prefix>_<stage>_<purpose>", async () => {
            const database = (name: string | undefined): FixtureResource[] => [{ type: T.database, name: "db", inputs: name === undefined ? {} : { name } }];
            await assertCompliant("glue-database-naming", database("spotify_dev_warehouse"));
            await assertViolations("glue-database-naming", database("warehouse"), [
                { resource: "db", message: /"warehouse" does not follow spotify_dev_<purpose>/ },
            ]);
            await assertViolations("glue-database-naming", database(undefined), [{ message: /"\(generated\)"/ }]);
        });
    });

    describe("glue-data-catalog-encryption", () => {
        const SETTINGS = "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings";
        const database: FixtureResource = { type: T.database, name: "warehouse", inputs: { name: "spotify_dev_warehouse" } };
        const settings = (encryptionAtRest: Record<string, unknown>, connectionPasswordEncryption: Record<string, unknown>): FixtureResource => ({
            type: SETTINGS,
            name: "catalog-encryption",
            inputs: { dataCatalogEncryptionSettings: { encryptionAtRest, connectionPasswordEncryption } },
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
