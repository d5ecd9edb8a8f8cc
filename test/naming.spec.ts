import * as assert from "assert";
import { BUCKET_PURPOSES, bucketName, bucketNameProblem, bucketPurposeOf, followsUnderscoredConvention, underscoredName } from "../model/naming";
import { layerTags, missingRequiredTags, REQUIRED_TAG_KEYS } from "../model/tags";

describe("naming conventions", () => {
    const scope = { namePrefix: "spotify", stage: "dev", bucketSuffix: "111111111111" };

    it("names every bucket <prefix>-<stage>-<purpose>-<suffix> and recovers the purpose from the name", () => {
        for (const purpose of BUCKET_PURPOSES) {
            const name = bucketName(scope, purpose);
            assert.strictEqual(name, `spotify-dev-${purpose}-111111111111`);
            assert.strictEqual(bucketPurposeOf(name, scope), purpose);
            assert.strictEqual(bucketPurposeOf(name, { ...scope, stage: "prod" }), undefined);
        }
        assert.strictEqual(bucketPurposeOf("spotify-dev-staging-", scope), undefined);
        assert.strictEqual(bucketPurposeOf("spotify-dev-lake-1", scope), undefined);
    });

    for (const [name, problem] of [
        ["ab", /3-63/],
        ["a".repeat(64), /3-63/],
        ["Spotify-dev", /lowercase/],
        ["spotify_dev", /lowercase/],
        ["-spotify", /start and end/],
        ["192.168.1.10", /lowercase|IP/],
        ["xn--spotify", /reserves/],
        ["spotify-s3alias", /reserves/],
    ] as const) {
        it(`rejects the bucket name "${name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name}"`, () => {
            assert.match(bucketNameProblem(name) ?? "valid", problem);
        });
    }

    it("refuses to build a bucket name S3 would reject, and says which setting to shorten", () => {
        assert.throws(() => bucketName({ ...scope, bucketSuffix: "x".repeat(40) }, "athena-results"), /shorten spotify:namePrefix or spotify:bucketSuffix/);
    });

    it("builds Glue/Athena identifiers with underscores only", () => {
        assert.strictEqual(underscoredName(scope, "etl-job"), "spotify_dev_etl_job");
        assert.ok(followsUnderscoredConvention("spotify_dev_warehouse", scope));
        assert.ok(!followsUnderscoredConvention("spotify_prod_warehouse", scope));
        assert.ok(!followsUnderscoredConvention("spotify_dev_", scope));
        assert.ok(!followsUnderscoredConvention("Spotify_dev_warehouse", scope));
    });

    it("tags a layer with every required key and detects missing ones", () => {
        const tags = layerTags(
            { project: "spotify-pipeline", stage: "dev", owner: "data-platform", costCenter: "cc-1", dataClassification: "internal" },
            "etl",
        );
        assert.deepStrictEqual(Object.keys(tags).sort(), [...REQUIRED_TAG_KEYS].sort());
        assert.deepStrictEqual(missingRequiredTags(tags), []);
        assert.deepStrictEqual(missingRequiredTags({ ...tags, owner: "" }), ["owner"]);
        assert.deepStrictEqual(missingRequiredTags(undefined), [...REQUIRED_TAG_KEYS]);
    });
});
