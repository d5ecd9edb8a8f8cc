import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BUCKET_ROLE_TAG } from "../../model/naming";
import { synthesizeAlone } from "../../test/support/alone";
import { Template } from "../../test/support/template";
import type { ManifestResource } from "../../workbench/synth/manifestFile";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { SecureBucket, SecureBucketArgs, validateSecureBucketArgs } from "./secureBucket";

const T = {
    component: "spotify:storage:SecureBucket",
    bucket: "aws:s3/bucket:Bucket",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    logging: "aws:s3/bucketLogging:BucketLogging",
};
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/data";
/** A conventional name: <prefix>-<stage>-<purpose>-<suffix>, stating the purpose "warehouse". */
const WAREHOUSE = "acme-qa-warehouse-123456789012";

type Statement = { Sid?: string; Effect: string; Resource: unknown; Condition?: unknown };
const statementsOf = (policy: ManifestResource) => (JSON.parse(String(policy.inputs.policy)) as { Statement: Statement[] }).Statement;

function bucketArgs(extra: Partial<SecureBucketArgs> = {}): SecureBucketArgs {
    return { bucketName: WAREHOUSE, encryption: { kind: "kms", keyArn: KEY_ARN }, ...extra };
}

/** The one resource of `type` among the component's children. */
function child(template: Template, type: string): ManifestResource {
    const found = template.childrenOf(template.resource(T.component, "box")).filter((resource) => resource.type === type);
    assert.strictEqual(found.length, 1, `${found.length} ${type}`);
    return found[0];
}

describe("SecureBucket (alone)", () => {
    describe("defaults: SSE-KMS, no options", () => {
        let template: Template;
        before(async () => {
            template = await synthesizeAlone(() => new SecureBucket("box", bucketArgs()));
        });

        it("registers the bucket and its five guardrails, named from the component, and neither versioning nor access logging", () => {
            const component = template.resource(T.component, "box");
            assert.deepStrictEqual(template.childNames(component), [
                `${T.bucket} box`,
                `${T.lifecycle} box-lifecycle`,
                `${T.ownership} box-ownership`,
                `${T.policy} box-policy`,
                `${T.publicAccessBlock} box-public-access-block`,
                `${T.encryption} box-encryption`,
            ]);
        });

        it("names the bucket as given, tags it with the purpose its name states, and neither force-destroys nor protects it", () => {
            const bucket = child(template, T.bucket);
            assert.deepStrictEqual(bucket.inputs, { bucket: WAREHOUSE, forceDestroy: false, tags: { [BUCKET_ROLE_TAG]: "warehouse" } });
            assert.deepStrictEqual([bucket.protect, bucket.retainOnDelete], [false, false]);
        });

        it("attaches every guardrail to the bucket it creates", () => {
            const bucket = child(template, T.bucket);
            for (const type of [T.encryption, T.publicAccessBlock, T.ownership, T.policy, T.lifecycle]) {
                assert.deepStrictEqual(template.follow(child(template, type), "bucket"), [bucket], type);
            }
        });

        it("encrypts with the given key and an S3 bucket key", () => {
            assert.deepStrictEqual(child(template, T.encryption).inputs.rules, [
                { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true },
            ]);
        });

        it("denies requests without TLS to the bucket and its objects, and writes the policy only after the public access block", () => {
            const policy = child(template, T.policy);
            const [deny, ...others] = statementsOf(policy);
            assert.deepStrictEqual(others, []);
            assert.deepStrictEqual([deny.Sid, deny.Effect, deny.Condition], ["DenyInsecureTransport", "Deny", { Bool: { "aws:SecureTransport": "false" } }]);
            const [bucketArn, objects] = deny.Resource as string[];
            assert.strictEqual(objects, `${bucketArn}/*`);
            assert.ok(template.follow(policy, "policy").includes(child(template, T.bucket)), "the policy's resources come from the bucket");
            assert.ok(policy.dependencies.includes(child(template, T.publicAccessBlock).urn), "the policy waits for the public access block");
        });

        it("aborts incomplete multipart uploads after a day, and has no other lifecycle rule", () => {
            assert.deepStrictEqual(child(template, T.lifecycle).inputs.rules, [
                { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
            ]);
        });
    });

    describe("options", () => {
        it("versioned: turns versioning on", async () => {
            const template = await synthesizeAlone(() => new SecureBucket("box", bucketArgs({ versioned: true })));
            assert.deepStrictEqual(child(template, T.versioning).inputs.versioningConfiguration, { status: "Enabled" });
        });

        it("accessLogs: delivers the access logs to the given bucket and prefix", async () => {
            const template = await synthesizeAlone(() => {
                const logs = new SecureBucket("logs", { bucketName: "acme-qa-access-logs-123456789012", encryption: { kind: "s3" } });
                new SecureBucket("box", bucketArgs({ accessLogs: { bucketName: logs.name, prefix: "s3/warehouse/" } }));
            });
            const logging = child(template, T.logging);
            assert.strictEqual(logging.inputs.targetPrefix, "s3/warehouse/");
            assert.deepStrictEqual(template.follow(logging, "targetBucket"), [template.resource(T.bucket, "logs")]);
            assert.deepStrictEqual(template.follow(logging, "bucket"), [child(template, T.bucket)]);
        });

        it("encryption s3: SSE-S3 without a bucket key", async () => {
            const template = await synthesizeAlone(() => new SecureBucket("box", bucketArgs({ encryption: { kind: "s3" } })));
            assert.deepStrictEqual(child(template, T.encryption).inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        });

        it("lifecycleRules and policyStatements: after the bucket's own rule and statement, in the given order", async () => {
            const expire = { id: "expire", status: "Enabled", filter: {}, expiration: { days: 3 } };
            const archive = { id: "archive", status: "Enabled", filter: {}, transitions: [{ days: 30, storageClass: "STANDARD_IA" }] };
            const extra = {
                Sid: "ReadForAuditors",
                Effect: "Allow" as const,
                Principal: { AWS: "arn:aws:iam::123456789012:root" },
                Action: "s3:GetObject",
                Resource: "*",
            };
            const template = await synthesizeAlone(
                () => new SecureBucket("box", bucketArgs({ lifecycleRules: [expire, archive], policyStatements: [pulumi.output(extra)] })),
            );
            assert.deepStrictEqual(
                (child(template, T.lifecycle).inputs.rules as { id: string }[]).map((rule) => rule.id),
                ["abort-incomplete-multipart-uploads", "expire", "archive"],
            );
            assert.deepStrictEqual(
                statementsOf(child(template, T.policy)).map((statement) => statement.Sid),
                ["DenyInsecureTransport", "ReadForAuditors"],
            );
        });

        it("protectData: protects and retains the bucket, not its guardrails", async () => {
            const template = await synthesizeAlone(() => new SecureBucket("box", bucketArgs({ protectData: true })));
            for (const resource of template.childrenOf(template.resource(T.component, "box"))) {
                const guarded = resource.type === T.bucket;
                assert.deepStrictEqual([resource.protect, resource.retainOnDelete], [guarded, guarded], resource.name);
            }
        });

        it("forceDestroy: lets pulumi destroy empty the bucket", async () => {
            const template = await synthesizeAlone(() => new SecureBucket("box", bucketArgs({ forceDestroy: true })));
            assert.strictEqual(child(template, T.bucket).inputs.forceDestroy, true);
        });

        it("role: tags a bucket whose name states no purpose; without it such a bucket gets no tag", async () => {
            const template = await synthesizeAlone(() => {
                new SecureBucket("box", bucketArgs({ bucketName: "raw-dump", role: "staging" }));
                new SecureBucket("untagged", bucketArgs({ bucketName: "raw-dump-2" }));
            });
            assert.deepStrictEqual(child(template, T.bucket).inputs.tags, { [BUCKET_ROLE_TAG]: "staging" });
            assert.strictEqual(template.resource(T.bucket, "untagged").inputs.tags, undefined);
        });
    });

    describe("bad args", () => {
        const refused: [string, Partial<SecureBucketArgs>, RegExp][] = [
            [
                "a bucket name with capitals",
                { bucketName: "Acme-Data" },
                /SecureBucketArgs\.bucketName: must use only lowercase letters, digits and hyphens.*, got "Acme-Data"/,
            ],
            ["a bucket name over 63 characters", { bucketName: "a".repeat(64) }, /SecureBucketArgs\.bucketName: must be 3-63 characters long, is 64/],
            [
                "a role its name contradicts",
                { role: "staging" },
                /SecureBucketArgs\.role: "staging" contradicts the purpose "warehouse" that "acme-qa-warehouse-123456789012" states/,
            ],
            [
                "access logs without a trailing slash",
                { accessLogs: { bucketName: "acme-logs", prefix: "s3/warehouse" } },
                /SecureBucketArgs\.accessLogs\.prefix: must be a key prefix ending in "\/"/,
            ],
            [
                "access logs into the bucket itself",
                { accessLogs: { bucketName: WAREHOUSE, prefix: "s3/" } },
                /SecureBucketArgs\.accessLogs\.bucketName: must not be the logged bucket itself/,
            ],
            [
                "a lifecycle rule id repeated",
                {
                    lifecycleRules: [
                        { id: "expire", status: "Enabled", expiration: { days: 1 } },
                        { id: "expire", status: "Enabled", expiration: { days: 2 } },
                    ],
                },
                /SecureBucketArgs\.lifecycleRules: ids must be unique in the bucket's configuration, got "expire" more than once/,
            ],
            [
                "a lifecycle rule taking the bucket's own rule's id",
                { lifecycleRules: [{ id: "abort-incomplete-multipart-uploads", status: "Enabled" }] },
                /SecureBucketArgs\.lifecycleRules: must not use the id "abort-incomplete-multipart-uploads"/,
            ],
            [
                "a lifecycle rule id over 255 characters",
                { lifecycleRules: [{ id: "x".repeat(256), status: "Enabled" }] },
                /lifecycleRules: ids must be 1-255 characters/,
            ],
            ["protectData with forceDestroy", { protectData: true, forceDestroy: true }, /SecureBucketArgs\.protectData: must not be true with forceDestroy/],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateSecureBucketArgs(bucketArgs(extra)), message));
        }

        it("names every field at fault at once", () => {
            assert.throws(
                () => validateSecureBucketArgs(bucketArgs({ bucketName: "x", protectData: true, forceDestroy: true })),
                /SecureBucketArgs\.bucketName: .*; SecureBucketArgs\.protectData: /,
            );
        });

        it("accepts what the pipeline's buckets use", () => {
            validateSecureBucketArgs(
                bucketArgs({
                    role: "warehouse",
                    versioned: true,
                    accessLogs: { bucketName: pulumi.output("logs"), prefix: "s3/warehouse/" },
                    protectData: true,
                }),
            );
        });

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeAlone(() => new SecureBucket("box", bucketArgs({ bucketName: "Acme-Data" }))),
                (error: SynthesisError) => /SecureBucketArgs\.bucketName/.test(error.message) && error.registered.length === 0,
            );
        });
    });
});
