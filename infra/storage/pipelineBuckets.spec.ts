import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BUCKET_ROLE_TAG } from "../../model/naming";
import { synthesizeAlone } from "../../test/support/alone";
import { OTHER_ACCOUNT_ID, OTHER_ACCOUNT_PLAN } from "../../test/support/standIns";
import { Template } from "../../test/support/template";
import type { ManifestResource } from "../../workbench/synth/manifestFile";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { AccessLogsBucket } from "./accessLogsBucket";
import { PIPELINE_BUCKET_PURPOSES, PipelineBuckets, PipelineBucketsArgs, validatePipelineBucketsArgs } from "./pipelineBuckets";

const T = {
    host: "test:index:Host",
    component: "spotify:storage:SecureBucket",
    bucket: "aws:s3/bucket:Bucket",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    logging: "aws:s3/bucketLogging:BucketLogging",
};
const KEY_ARN = `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT_ID}:key/data`;
const ENDPOINT = "vpce-0123456789abcdef0";
const DATA_BUCKETS = ["staging", "warehouse"];

function bucketsArgs(extra: Partial<PipelineBucketsArgs> = {}): PipelineBucketsArgs {
    return {
        bucketNames: OTHER_ACCOUNT_PLAN.buckets,
        dataKeyArn: KEY_ARN,
        location: { partition: "aws", accountId: OTHER_ACCOUNT_ID },
        noncurrentVersionRetentionDays: 30,
        stagingInfrequentAccessDays: 45,
        athenaResultsRetentionDays: 7,
        ...extra,
    };
}

/** The buckets declared under a component of their own, with an access-logs bucket when `withAccessLogs`. */
function declare(args: Partial<PipelineBucketsArgs>, withAccessLogs = false): () => void {
    return () => {
        const host = new pulumi.ComponentResource(T.host, "store");
        const accessLogs = withAccessLogs
            ? new AccessLogsBucket(
                  "store-access-logs",
                  { bucketName: OTHER_ACCOUNT_PLAN.buckets["access-logs"], prefix: "s3/", accessLogRetentionDays: 90, location: bucketsArgs().location },
                  host,
              )
            : undefined;
        new PipelineBuckets("store", bucketsArgs({ accessLogs, ...args }), host);
    };
}

/** The sidecar of `type` of the bucket named `store-<purpose>`, if any. */
function sidecar(template: Template, purpose: string, type: string): ManifestResource | undefined {
    const bucket = template.resource(T.bucket, `store-${purpose}`);
    const found = template.referencing(bucket, type, "bucket");
    assert.ok(found.length <= 1, `${purpose}: ${found.length} ${type}`);
    return found[0];
}

type Statement = { Sid?: string; Condition?: Record<string, Record<string, unknown>> };
const sidsOf = (template: Template, purpose: string) =>
    (JSON.parse(String(sidecar(template, purpose, T.policy)!.inputs.policy)) as { Statement: Statement[] }).Statement.map((statement) => statement.Sid);

describe("PipelineBuckets (alone)", () => {
    describe("defaults: no access logs, no network isolation", () => {
        let template: Template;
        before(async () => {
            template = await synthesizeAlone(declare({}));
        });

        it("registers a SecureBucket per purpose under the given parent, named <name>-<purpose>, with the plan's names and role tags", () => {
            assert.deepStrictEqual(
                template.childNames(template.resource(T.host, "store")),
                PIPELINE_BUCKET_PURPOSES.map((purpose) => `${T.component} store-${purpose}`).sort(),
            );
            for (const purpose of PIPELINE_BUCKET_PURPOSES) {
                const bucket = template.resource(T.bucket, `store-${purpose}`);
                assert.deepStrictEqual(bucket.inputs, {
                    bucket: OTHER_ACCOUNT_PLAN.buckets[purpose],
                    forceDestroy: false,
                    tags: { [BUCKET_ROLE_TAG]: purpose },
                });
            }
        });

        it("encrypts every bucket with the data key and a bucket key", () => {
            for (const purpose of PIPELINE_BUCKET_PURPOSES) {
                assert.deepStrictEqual(
                    sidecar(template, purpose, T.encryption)!.inputs.rules,
                    [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true }],
                    purpose,
                );
            }
        });

        it("versions the data buckets only", () => {
            const versioned = PIPELINE_BUCKET_PURPOSES.filter((purpose) => sidecar(template, purpose, T.versioning) !== undefined);
            assert.deepStrictEqual(versioned, DATA_BUCKETS);
        });

        it("gives each bucket the lifecycle its purpose needs, with the given days", () => {
            const rulesOf = (purpose: string) => (sidecar(template, purpose, T.lifecycle)!.inputs.rules as unknown[]).slice(1);
            const noncurrent = { id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } };
            assert.deepStrictEqual(rulesOf("staging"), [
                noncurrent,
                { id: "staging-to-infrequent-access", status: "Enabled", filter: {}, transitions: [{ days: 45, storageClass: "STANDARD_IA" }] },
            ]);
            assert.deepStrictEqual(rulesOf("warehouse"), [noncurrent]);
            assert.deepStrictEqual(rulesOf("athena-results"), [{ id: "expire-query-results", status: "Enabled", filter: {}, expiration: { days: 7 } }]);
            assert.deepStrictEqual(rulesOf("glue-assets"), [
                { id: "expire-glue-temp", status: "Enabled", filter: { prefix: OTHER_ACCOUNT_PLAN.layout.glueTemp }, expiration: { days: 7 } },
            ]);
        });

        it("logs no access, adds nothing to the TLS-only policies, and neither protects nor force-destroys a bucket", () => {
            template.resourceCountIs(T.logging, 0);
            for (const purpose of PIPELINE_BUCKET_PURPOSES) {
                assert.deepStrictEqual(sidsOf(template, purpose), ["DenyInsecureTransport"], purpose);
                const bucket = template.resource(T.bucket, `store-${purpose}`);
                assert.deepStrictEqual([bucket.protect, bucket.retainOnDelete], [false, false], purpose);
            }
        });
    });

    it("accessLogs: the data buckets, and only they, log their access to their own prefix of the access-logs bucket", async () => {
        const template = await synthesizeAlone(declare({}, true));
        const logsBucket = template.resource(T.bucket, "store-access-logs");
        const logged = PIPELINE_BUCKET_PURPOSES.filter((purpose) => sidecar(template, purpose, T.logging) !== undefined);
        assert.deepStrictEqual(logged, DATA_BUCKETS);
        for (const purpose of logged) {
            const logging = sidecar(template, purpose, T.logging)!;
            assert.strictEqual(logging.inputs.targetPrefix, `s3/${purpose}/`);
            assert.deepStrictEqual(template.follow(logging, "targetBucket"), [logsBucket]);
        }
    });

    it("endpointOnly: the data buckets, and only they, deny what does not come through the endpoint", async () => {
        const template = await synthesizeAlone(declare({ endpointOnly: { s3EndpointId: ENDPOINT, plan: OTHER_ACCOUNT_PLAN } }));
        for (const purpose of PIPELINE_BUCKET_PURPOSES) {
            const expected = DATA_BUCKETS.includes(purpose)
                ? ["DenyInsecureTransport", "DenyOutsideVpcEndpoint", "PreviewRoleReadsNoObjects"]
                : ["DenyInsecureTransport"];
            assert.deepStrictEqual(sidsOf(template, purpose), expected, purpose);
        }
        const { Statement: statements } = JSON.parse(String(sidecar(template, "warehouse", T.policy)!.inputs.policy)) as {
            Statement: (Statement & { Resource: unknown })[];
        };
        const deny = statements.find((statement) => statement.Sid === "DenyOutsideVpcEndpoint")!;
        assert.deepStrictEqual(deny.Condition?.StringNotEquals, { "aws:SourceVpce": ENDPOINT });
        assert.deepStrictEqual(deny.Resource, [
            `arn:aws:s3:::${OTHER_ACCOUNT_PLAN.buckets.warehouse}`,
            `arn:aws:s3:::${OTHER_ACCOUNT_PLAN.buckets.warehouse}/*`,
        ]);
        assert.ok(
            (deny.Condition?.ArnNotEquals?.["aws:PrincipalArn"] as string[]).includes(
                `arn:aws:iam::210987654321:role/${OTHER_ACCOUNT_PLAN.externalRoles.deploy}`,
            ),
            "the deploy role, in the given account, is exempt",
        );
    });

    it("protectData: protects and retains the data buckets only; forceDestroy: every bucket", async () => {
        const template = await synthesizeAlone(declare({ protectData: true }));
        for (const purpose of PIPELINE_BUCKET_PURPOSES) {
            const bucket = template.resource(T.bucket, `store-${purpose}`);
            const guarded = DATA_BUCKETS.includes(purpose);
            assert.deepStrictEqual([bucket.protect, bucket.retainOnDelete], [guarded, guarded], purpose);
        }
        const forced = await synthesizeAlone(declare({ forceDestroy: true }));
        for (const purpose of PIPELINE_BUCKET_PURPOSES) assert.strictEqual(forced.resource(T.bucket, `store-${purpose}`).inputs.forceDestroy, true, purpose);
    });

    describe("bad args", () => {
        const refused: [string, Partial<PipelineBucketsArgs>, RegExp][] = [
            [
                "a bucket name S3 refuses",
                { bucketNames: { ...OTHER_ACCOUNT_PLAN.buckets, "glue-assets": "Glue_Assets" } },
                /PipelineBucketsArgs\.bucketNames\.glue-assets: must use only lowercase letters.*, got "Glue_Assets"/,
            ],
            [
                "one name for two buckets",
                { bucketNames: { ...OTHER_ACCOUNT_PLAN.buckets, warehouse: OTHER_ACCOUNT_PLAN.buckets.staging } },
                new RegExp(`PipelineBucketsArgs\\.bucketNames\\.warehouse: is also the staging bucket's name, "${OTHER_ACCOUNT_PLAN.buckets.staging}"`),
            ],
            [
                "Standard-IA before 30 days",
                { stagingInfrequentAccessDays: 10 },
                /PipelineBucketsArgs\.stagingInfrequentAccessDays: must be a whole number from 30 to 3650.*, got 10/,
            ],
            [
                "no days of noncurrent versions",
                { noncurrentVersionRetentionDays: 0 },
                /PipelineBucketsArgs\.noncurrentVersionRetentionDays: must be a whole number from 1/,
            ],
            [
                "query results kept for part of a day",
                { athenaResultsRetentionDays: 0.5 },
                /PipelineBucketsArgs\.athenaResultsRetentionDays: must be a whole number from 1/,
            ],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validatePipelineBucketsArgs(bucketsArgs(extra)), message));
        }

        it("refuses them in the constructor, before registering any bucket", async () => {
            await assert.rejects(
                synthesizeAlone(declare({ bucketNames: { ...OTHER_ACCOUNT_PLAN.buckets, "glue-assets": "Glue_Assets" } })),
                (error: SynthesisError) =>
                    /PipelineBucketsArgs\.bucketNames\.glue-assets/.test(error.message) && !error.registered.some((resource) => resource.type === T.component),
            );
        });
    });
});
