import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BUCKET_ROLE_TAG } from "../../model/naming";
import { synthesizeAlone } from "../../test/support/alone";
import { Template } from "../../test/support/template";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { AccessLogsBucket, AccessLogsBucketArgs, validateAccessLogsBucketArgs } from "./accessLogsBucket";
import { SecureBucket } from "./secureBucket";

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
const LOGS = "acme-qa-access-logs-210987654321";

function logsArgs(extra: Partial<AccessLogsBucketArgs> = {}): AccessLogsBucketArgs {
    return { bucketName: LOGS, prefix: "s3/", accessLogRetentionDays: 90, location: { partition: "aws", accountId: "210987654321" }, ...extra };
}

type Statement = { Sid: string; Principal: unknown; Action: unknown; Resource: unknown; Condition?: unknown };

describe("AccessLogsBucket (alone)", () => {
    let template: Template;
    before(async () => {
        template = await synthesizeAlone(() => {
            const host = new pulumi.ComponentResource(T.host, "store");
            const logs = new AccessLogsBucket("store-access-logs", logsArgs(), host);
            new SecureBucket("logged", { bucketName: "acme-qa-staging-210987654321", encryption: { kind: "s3" }, accessLogs: logs.destinationFor("staging") });
        });
    });

    it("registers one SecureBucket under the given parent, named as given, tagged access-logs", () => {
        const [component, ...others] = template.childrenOf(template.resource(T.host, "store"));
        assert.deepStrictEqual(others, []);
        assert.deepStrictEqual([component.type, component.name], [T.component, "store-access-logs"]);
        const bucket = template.resource(T.bucket, "store-access-logs");
        assert.deepStrictEqual(bucket.inputs, { bucket: LOGS, forceDestroy: false, tags: { [BUCKET_ROLE_TAG]: "access-logs" } });
        assert.deepStrictEqual([bucket.protect, bucket.retainOnDelete], [false, false]);
    });

    it("encrypts with SSE-S3, the only encryption S3 delivers access logs into, and keeps no versions", () => {
        const [encryption] = template.findResources(T.encryption).filter((resource) => resource.name === "store-access-logs-encryption");
        assert.deepStrictEqual(encryption.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        assert.strictEqual(template.findResources(T.versioning).length, 0);
    });

    it("expires log objects after the given days", () => {
        const rules = template.resource(T.lifecycle, "store-access-logs-lifecycle").inputs.rules as unknown[];
        assert.deepStrictEqual(rules[1], { id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: 90 } });
        assert.strictEqual(rules.length, 2);
    });

    it("lets S3 server access logging put objects under the prefix only, for the given account's buckets only", () => {
        const { Statement: statements } = JSON.parse(String(template.resource(T.policy, "store-access-logs-policy").inputs.policy)) as {
            Statement: Statement[];
        };
        const delivery = statements.find((statement) => statement.Sid === "S3ServerAccessLogsDelivery");
        assert.deepStrictEqual(delivery, {
            Sid: "S3ServerAccessLogsDelivery",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `arn:aws:s3:::${LOGS}/s3/*`,
            Condition: { StringEquals: { "aws:SourceAccount": "210987654321" } },
        });
    });

    it("gives each logged bucket a destination of its own under the prefix", () => {
        const logging = template.resource(T.logging, "logged-access-logging");
        assert.strictEqual(logging.inputs.targetPrefix, "s3/staging/");
        assert.deepStrictEqual(template.follow(logging, "targetBucket"), [template.resource(T.bucket, "store-access-logs")]);
    });

    it("forceDestroy: lets pulumi destroy empty it", async () => {
        const forced = await synthesizeAlone(
            () => new AccessLogsBucket("logs", logsArgs({ forceDestroy: true }), new pulumi.ComponentResource(T.host, "store")),
        );
        assert.strictEqual(forced.resource(T.bucket, "logs").inputs.forceDestroy, true);
    });

    describe("bad args", () => {
        const refused: [string, Partial<AccessLogsBucketArgs>, RegExp][] = [
            ["a prefix without its trailing slash", { prefix: "s3" }, /AccessLogsBucketArgs\.prefix: must be a key prefix ending in "\/".*got "s3"/],
            ["an empty prefix", { prefix: "" }, /AccessLogsBucketArgs\.prefix: /],
            [
                "a retention of no days",
                { accessLogRetentionDays: 0 },
                /AccessLogsBucketArgs\.accessLogRetentionDays: must be a whole number from 1 to 3650.*, got 0/,
            ],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateAccessLogsBucketArgs(logsArgs(extra)), message));
        }

        it("refuses them in the constructor, before registering the bucket", async () => {
            await assert.rejects(
                synthesizeAlone(() => new AccessLogsBucket("logs", logsArgs({ prefix: "s3" }), new pulumi.ComponentResource(T.host, "store"))),
                (error: SynthesisError) =>
                    /AccessLogsBucketArgs\.prefix/.test(error.message) && !error.registered.some((resource) => resource.type === T.component),
            );
        });
    });
});
