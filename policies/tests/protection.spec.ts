import { assertCompliant, assertViolations, FixtureResource } from "./support/harness";

const bucket = (purpose: string, protect: boolean): FixtureResource => ({ type: "aws:s3/bucket:Bucket", name: purpose, protect, inputs: { bucket: `spotify-prod-${purpose}-222222222222` } });
const key = (protect: boolean): FixtureResource => ({ type: "aws:kms/key:Key", name: "data-key", protect, inputs: { enableKeyRotation: true } });
const PROD = { stage: "prod" };

describe("policies: data protection", function () {
    it("accepts protected data buckets and keys in prod", async () => {
        await assertCompliant("data-protection", [bucket("staging", true), bucket("warehouse", true), key(true)], PROD);
    });

    it("rejects unprotected data buckets and keys in prod", async () => {
        await assertViolations("data-protection", [bucket("staging", false), key(false)], [
            { resource: "staging", message: /Data bucket "spotify-prod-staging-222222222222" is not protected/ },
            { resource: "data-key", message: /KMS key is not protected/ },
        ], PROD);
    });

    it("leaves buckets that are not data buckets alone", async () => {
        await assertCompliant("data-protection", [bucket("athena-results", false)], PROD);
    });

    it("is disabled in dev, which is torn down freely", async () => {
        await assertCompliant("data-protection", [{ ...bucket("staging", false), inputs: { bucket: "spotify-dev-staging-111111111111" } }, key(false)]);
    });
});
