import * as aws from "@pulumi/aws";
import { BUCKET_ROLE_TAG } from "../model/naming";
import { typed, withInputs } from "./support/fixtures";
import { assertCompliant, assertViolations } from "./support/inProcess";

const bucket = (purpose: string, protect: boolean, name = `spotify-prod-${purpose}-222222222222`) =>
    typed(aws.s3.Bucket, purpose, { bucket: name, tags: { [BUCKET_ROLE_TAG]: purpose } }, { protect });
const key = (protect: boolean) => typed(aws.kms.Key, "data-key", { enableKeyRotation: true }, { protect });
const PROD = { stage: "prod" };

describe("policies: data protection", function () {
    it("accepts protected data buckets and keys in prod", async () => {
        await assertCompliant("data-protection", [bucket("staging", true), bucket("warehouse", true), key(true)], PROD);
    });

    it("rejects unprotected data buckets and keys in prod", async () => {
        await assertViolations(
            "data-protection",
            [bucket("staging", false), key(false)],
            [
                { resource: "staging", message: /Data bucket "spotify-prod-staging-222222222222" is not protected/ },
                { resource: "data-key", message: /KMS key is not protected/ },
            ],
            PROD,
        );
    });

    it("leaves buckets whose role is not a data role alone", async () => {
        await assertCompliant("data-protection", [bucket("athena-results", false)], PROD);
    });

    it("knows a data bucket by its role tag: renamed off the convention, it still must be protected", async () => {
        await assertViolations(
            "data-protection",
            [bucket("warehouse", false, "archive-2024-222222222222")],
            [{ resource: "warehouse", message: /Data bucket "archive-2024-222222222222" is not protected/ }],
            PROD,
        );
    });

    it("protects a bucket whose role cannot be told, as a data bucket", async () => {
        const untagged = withInputs(bucket("athena-results", false), { tags: undefined });
        await assertViolations(
            "data-protection",
            [untagged],
            [{ message: /Bucket "spotify-prod-athena-results-222222222222" \(no valid bucket-role tag: held to the data-bucket rules\) is not protected/ }],
            PROD,
        );
    });

    it("protects the Data Catalog encryption settings, whose deletion turns catalog encryption off", async () => {
        const settings = (protect: boolean) =>
            typed(
                aws.glue.DataCatalogEncryptionSettings,
                "catalog-encryption",
                { dataCatalogEncryptionSettings: { encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: "k" } } },
                { protect },
            );
        await assertCompliant("data-protection", [settings(true)], PROD);
        await assertViolations(
            "data-protection",
            [settings(false)],
            [
                {
                    resource: "catalog-encryption",
                    message: /Data Catalog encryption \(deleting it turns encryption off for the account's whole catalog\) is not protected/,
                },
            ],
            PROD,
        );
    });

    it("is disabled in dev, which is torn down freely", async () => {
        await assertCompliant("data-protection", [bucket("staging", false, "spotify-dev-staging-111111111111"), key(false)]);
    });
});
