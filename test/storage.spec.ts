import * as assert from "assert";
import { parseStageConfig, StageConfig } from "../model/stageConfig";
import { BUCKET_PURPOSES, BUCKET_ROLE_TAG, bucketNameProblem, DATA_BUCKET_PURPOSES, followsBucketConvention } from "../model/naming";
import { readStageConfigFile } from "../ops/stageFile";
import type { ManifestResource } from "../workbench/synth/manifestFile";
import { stackTemplate } from "./support/synth";
import { Match, Template } from "./support/template";

const BUCKET = "aws:s3/bucket:Bucket";
const SIDECARS = {
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    logging: "aws:s3/bucketLogging:BucketLogging",
};
const KMS_KEY = "aws:kms/key:Key";

/** The parts of the sidecars' inputs (aws v7 shapes) and of a bucket policy that these tests read. */
interface EncryptionRule {
    applyServerSideEncryptionByDefault: { sseAlgorithm: string };
    bucketKeyEnabled?: boolean;
}
interface LifecycleRule {
    status: string;
    abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
    expiration?: { days: number };
    noncurrentVersionExpiration?: { noncurrentDays: number };
    transitions?: unknown;
}
interface PolicyStatement {
    Effect: string;
    Condition?: { Bool?: Record<string, string> };
    Resource: unknown;
}

/** The aws v7 Bucket arguments that are not deprecated inline settings. */
const ALLOWED_BUCKET_INPUTS = new Set(["bucket", "bucketPrefix", "forceDestroy", "objectLockEnabled", "tags", "region"]);

function purposeOf(bucket: ManifestResource): string {
    const purpose = BUCKET_PURPOSES.find((candidate) => bucket.name === `storage-${candidate}`);
    assert.ok(purpose, `unexpected bucket ${bucket.name}`);
    return purpose;
}

/** The one sidecar of `type` whose `bucket` input was computed from `bucket`, if any. */
function sidecar(template: Template, bucket: ManifestResource, type: string): ManifestResource | undefined {
    const found = template.referencing(bucket, type, "bucket");
    assert.ok(found.length <= 1, `${bucket.name} has ${found.length} ${type}`);
    return found[0];
}

for (const stage of ["dev", "prod"]) {
    describe(`storage layer (${stage})`, () => {
        let template: Template;
        let config: StageConfig;
        let buckets: ManifestResource[];
        before(async () => {
            template = await stackTemplate(stage, `${stage}-storage`);
            config = parseStageConfig(readStageConfigFile(stage), stage);
            buckets = template.findResources(BUCKET);
        });

        it("declares the five buckets, one per purpose, with valid conventional names", () => {
            assert.deepStrictEqual(buckets.map(purposeOf).sort(), [...BUCKET_PURPOSES].sort());
            for (const bucket of buckets) {
                const name = String(bucket.inputs.bucket);
                assert.strictEqual(bucketNameProblem(name), undefined, name);
                assert.ok(followsBucketConvention(name, config), `${name} breaks <prefix>-<stage>-<purpose>-<suffix>`);
                assert.ok(name.endsWith(`-${config.bucketSuffix}`), name);
            }
        });

        it("declares each bucket's role in its own bucket-role tag, which the policy pack reads", () => {
            for (const bucket of buckets) {
                assert.deepStrictEqual(bucket.inputs.tags, { [BUCKET_ROLE_TAG]: purposeOf(bucket) }, `${bucket.name} tags`);
            }
        });

        it("uses no deprecated inline bucket arguments", () => {
            for (const bucket of buckets) {
                const inline = Object.keys(bucket.inputs).filter((key) => !ALLOWED_BUCKET_INPUTS.has(key));
                assert.deepStrictEqual(inline, [], `${bucket.name} uses inline arguments`);
            }
        });

        it("links every guardrail sidecar to its own bucket", () => {
            for (const bucket of buckets) {
                for (const type of [SIDECARS.encryption, SIDECARS.publicAccessBlock, SIDECARS.ownership, SIDECARS.policy, SIDECARS.lifecycle]) {
                    assert.ok(sidecar(template, bucket, type), `${bucket.name} lacks ${type}`);
                }
            }
            // No sidecar is left unattached to a bucket.
            for (const type of Object.values(SIDECARS)) {
                for (const resource of template.findResources(type)) {
                    assert.strictEqual(template.follow(resource, "bucket").filter((dependency) => dependency.type === BUCKET).length, 1, resource.name);
                }
            }
        });

        it("encrypts with the customer-managed key and a bucket key, except access logs (SSE-S3)", () => {
            const key = template.findResources(KMS_KEY)[0];
            for (const bucket of buckets) {
                const encryption = sidecar(template, bucket, SIDECARS.encryption)!;
                const [rule] = encryption.inputs.rules as EncryptionRule[];
                if (purposeOf(bucket) === "access-logs") {
                    assert.strictEqual(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
                } else {
                    assert.strictEqual(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
                    assert.strictEqual(rule.bucketKeyEnabled, true);
                    assert.deepStrictEqual(
                        template.follow(encryption, "rules").map((dependency) => dependency.urn),
                        [key.urn],
                    );
                }
            }
        });

        it("blocks public access, enforces bucket ownership and denies requests without TLS", () => {
            for (const bucket of buckets) {
                assert.ok(
                    template
                        .findResources(SIDECARS.publicAccessBlock, {
                            blockPublicAcls: true,
                            blockPublicPolicy: true,
                            ignorePublicAcls: true,
                            restrictPublicBuckets: true,
                        })
                        .some((block) => block.inputs.bucket === bucket.inputs.bucket),
                    bucket.name,
                );
                assert.strictEqual(
                    (sidecar(template, bucket, SIDECARS.ownership)!.inputs.rule as { objectOwnership: string }).objectOwnership,
                    "BucketOwnerEnforced",
                );
                const policy = JSON.parse(String(sidecar(template, bucket, SIDECARS.policy)!.inputs.policy)) as { Statement: PolicyStatement[] };
                const denyTls = policy.Statement.find(
                    (statement) => statement.Effect === "Deny" && statement.Condition?.Bool?.["aws:SecureTransport"] === "false",
                );
                assert.ok(denyTls, `${bucket.name} policy does not deny insecure transport`);
                const name = String(bucket.inputs.bucket);
                assert.deepStrictEqual(denyTls.Resource, [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`]);
            }
        });

        it("has the lifecycle rules the stage config asks for", () => {
            const rulesOf = (purpose: string) => {
                const bucket = buckets.find((candidate) => purposeOf(candidate) === purpose)!;
                return sidecar(template, bucket, SIDECARS.lifecycle)!.inputs.rules as LifecycleRule[];
            };
            for (const purpose of BUCKET_PURPOSES) {
                assert.ok(
                    rulesOf(purpose).some((rule) => rule.status === "Enabled" && rule.abortIncompleteMultipartUpload?.daysAfterInitiation === 1),
                    purpose,
                );
            }
            assert.ok(rulesOf("athena-results").some((rule) => rule.expiration?.days === config.athenaResultsRetentionDays));
            for (const purpose of DATA_BUCKET_PURPOSES) {
                assert.ok(
                    rulesOf(purpose).some((rule) => rule.noncurrentVersionExpiration?.noncurrentDays === config.noncurrentVersionRetentionDays),
                    purpose,
                );
            }
            assert.ok(
                rulesOf("staging").some((rule) =>
                    Match.arrayWith({ days: config.stagingInfrequentAccessDays, storageClass: "STANDARD_IA" }).test(rule.transitions),
                ),
            );
        });

        it("versions exactly the data buckets", () => {
            const versioned = buckets.filter((bucket) => sidecar(template, bucket, SIDECARS.versioning)?.inputs.versioningConfiguration !== undefined);
            assert.deepStrictEqual(versioned.map(purposeOf).sort(), [...DATA_BUCKET_PURPOSES].sort());
            for (const bucket of versioned) {
                assert.deepStrictEqual(sidecar(template, bucket, SIDECARS.versioning)!.inputs.versioningConfiguration, { status: "Enabled" });
            }
        });

        it("logs access to the data buckets into access-logs exactly when the stage enables it", () => {
            const accessLogs = buckets.find((bucket) => purposeOf(bucket) === "access-logs")!;
            const logged = buckets.filter((bucket) => sidecar(template, bucket, SIDECARS.logging) !== undefined);
            assert.deepStrictEqual(logged.map(purposeOf).sort(), config.accessLogging ? [...DATA_BUCKET_PURPOSES].sort() : []);
            for (const bucket of logged) {
                const logging = sidecar(template, bucket, SIDECARS.logging)!;
                assert.deepStrictEqual(
                    template.follow(logging, "targetBucket").map((dependency) => dependency.urn),
                    [accessLogs.urn],
                );
            }
        });

        it("rotates the data key and uses the configured deletion window", () => {
            template.resourceCountIs(KMS_KEY, 1);
            template.hasResourceProperties(KMS_KEY, { enableKeyRotation: true, deletionWindowInDays: config.kmsDeletionWindowDays });
        });

        it("protects and retains the key and the data buckets exactly when the stage protects data", () => {
            const guarded = [...template.findResources(KMS_KEY), ...buckets.filter((bucket) => DATA_BUCKET_PURPOSES.includes(purposeOf(bucket) as never))];
            for (const resource of guarded) {
                assert.strictEqual(resource.protect, config.protectData, `${resource.name} protect`);
                assert.strictEqual(resource.retainOnDelete, config.protectData, `${resource.name} retainOnDelete`);
            }
            for (const bucket of buckets) {
                assert.strictEqual(bucket.inputs.forceDestroy, config.allowTeardown, `${bucket.name} forceDestroy`);
            }
        });

        it("exports bucket names and ARNs, the key ARN and the data prefixes", () => {
            const outputs = template.manifest.outputs;
            for (const bucket of buckets) {
                assert.ok(Object.values(outputs).includes(bucket.inputs.bucket), `${bucket.name} name not exported`);
            }
            const warehouse = String(buckets.find((bucket) => purposeOf(bucket) === "warehouse")!.inputs.bucket);
            assert.strictEqual(outputs.rejectedPrefix, `s3://${warehouse}/rejected/`);
            assert.strictEqual(outputs.warehousePrefix, `s3://${warehouse}/tracks/`);
            assert.match(String(outputs.dataKeyArn), /^arn:aws:kms:/);
        });
    });
}

describe("stage differences", () => {
    it("prod keeps data longer than dev and has every protection dev lacks", () => {
        const dev = parseStageConfig(readStageConfigFile("dev"), "dev");
        const prod = parseStageConfig(readStageConfigFile("prod"), "prod");
        assert.ok(prod.protectData && !dev.protectData);
        assert.ok(dev.allowTeardown && !prod.allowTeardown);
        assert.ok(prod.accessLogging);
        assert.ok(prod.kmsDeletionWindowDays >= 30);
        assert.ok(prod.noncurrentVersionRetentionDays > dev.noncurrentVersionRetentionDays);
        assert.ok(prod.athenaResultsRetentionDays > dev.athenaResultsRetentionDays);
    });
});
