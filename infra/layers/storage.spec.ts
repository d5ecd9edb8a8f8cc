import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BUCKET_PURPOSES } from "../../model/naming";
import { synthesizeAlone } from "../../test/support/alone";
import { OTHER_ACCOUNT_PLAN } from "../../test/support/standIns";
import { Template } from "../../test/support/template";
import { settledOutput } from "../../workbench/sdkInternals";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { STORAGE_OUTPUTS } from "../../model/layerOutputs";
import { StorageLayer, StorageLayerArgs, StorageSettings, validateStorageLayerArgs } from "./storage";

const T = {
    layer: "spotify:layers:Storage",
    secureBucket: "spotify:storage:SecureBucket",
    bucket: "aws:s3/bucket:Bucket",
    key: "aws:kms/key:Key",
    alias: "aws:kms/alias:Alias",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    logging: "aws:s3/bucketLogging:BucketLogging",
};
/** Only the settings the layer reads: a protected stage that logs access. */
const SETTINGS: StorageSettings = {
    region: "eu-west-1",
    protectData: true,
    allowTeardown: false,
    kmsDeletionWindowDays: 30,
    accessLogging: true,
    accessLogRetentionDays: 365,
    noncurrentVersionRetentionDays: 90,
    stagingInfrequentAccessDays: 30,
    athenaResultsRetentionDays: 30,
};
const ENDPOINT = "vpce-0123456789abcdef0";

function layerArgs(config: Partial<StorageSettings> = {}, extra: Partial<StorageLayerArgs> = {}): StorageLayerArgs {
    return { config: { ...SETTINGS, ...config }, plan: OTHER_ACCOUNT_PLAN, ...extra };
}

/** Synthesizes the layer alone, with what it exports once settled. */
async function synthesize(args: StorageLayerArgs): Promise<{ template: Template; outputs: Record<string, unknown> }> {
    let outputs: Promise<unknown> | undefined;
    const template = await synthesizeAlone(() => {
        outputs = settledOutput(pulumi.all(new StorageLayer("store", args).outputs)).promise();
    });
    return { template, outputs: (await outputs) as Record<string, unknown> };
}

type Statement = { Sid?: string; Condition?: Record<string, Record<string, unknown>> };
const sidsOf = (template: Template, bucketName: string) => {
    const bucket = template.resource(T.bucket, bucketName);
    const [policy] = template.referencing(bucket, T.policy, "bucket");
    return (JSON.parse(String(policy.inputs.policy)) as { Statement: Statement[] }).Statement.map((statement) => statement.Sid);
};

describe("StorageLayer (alone)", () => {
    describe("only the settings it reads, no network layer", () => {
        let template: Template;
        let outputs: Record<string, unknown>;
        before(async () => {
            ({ template, outputs } = await synthesize(layerArgs()));
        });

        it("registers the data key, its alias and the five buckets directly under the layer, named like it", () => {
            const layer = template.resource(T.layer, "store");
            assert.deepStrictEqual(template.childNames(layer), [
                `${T.alias} store-data-key-alias`,
                `${T.key} store-data-key`,
                ...BUCKET_PURPOSES.map((purpose) => `${T.secureBucket} store-${purpose}`).sort(),
            ]);
            for (const purpose of BUCKET_PURPOSES)
                assert.strictEqual(template.resource(T.bucket, `store-${purpose}`).inputs.bucket, OTHER_ACCOUNT_PLAN.buckets[purpose]);
        });

        it("encrypts every bucket but access-logs with the layer's own data key", () => {
            const key = template.resource(T.key, "store-data-key");
            for (const purpose of BUCKET_PURPOSES) {
                const [encryption] = template.referencing(template.resource(T.bucket, `store-${purpose}`), T.encryption, "bucket");
                assert.deepStrictEqual(template.follow(encryption, "rules"), purpose === "access-logs" ? [] : [key], purpose);
            }
        });

        it("passes its settings to the pieces: the key's window and protection, the access logs of the data buckets", () => {
            const key = template.resource(T.key, "store-data-key");
            assert.deepStrictEqual([key.inputs.deletionWindowInDays, key.protect], [30, true]);
            const logsBucket = template.resource(T.bucket, "store-access-logs");
            const logged = template.findResources(T.logging).map((logging) => {
                assert.deepStrictEqual(template.follow(logging, "targetBucket"), [logsBucket]);
                return template.follow(logging, "bucket")[0].name;
            });
            assert.deepStrictEqual(logged.sort(), ["store-staging", "store-warehouse"]);
        });

        it("adds no endpoint-only statements without a network layer", () => {
            for (const purpose of BUCKET_PURPOSES) assert.ok(!sidsOf(template, `store-${purpose}`).includes("DenyOutsideVpcEndpoint"), purpose);
        });

        it("exports every output its schema declares, as downstream layers read them", () => {
            for (const [key, schema] of Object.entries(STORAGE_OUTPUTS))
                assert.ok(schema.safeParse(outputs[key]).success, `${key}: ${JSON.stringify(outputs[key])}`);
            assert.strictEqual(outputs.stagingBucketName, OTHER_ACCOUNT_PLAN.buckets.staging);
            assert.strictEqual(outputs.warehousePrefix, `s3://${OTHER_ACCOUNT_PLAN.buckets.warehouse}/${OTHER_ACCOUNT_PLAN.layout.warehouseTable}`);
            assert.strictEqual(outputs.rejectedPrefix, `s3://${OTHER_ACCOUNT_PLAN.buckets.warehouse}/${OTHER_ACCOUNT_PLAN.layout.rejected}`);
            assert.strictEqual(outputs.accessLogsBucketName, OTHER_ACCOUNT_PLAN.buckets["access-logs"]);
        });
    });

    it("with the network layer's endpoint: the data buckets admit only it", async () => {
        const { template } = await synthesize(layerArgs({}, { network: { s3EndpointId: pulumi.output(ENDPOINT) } }));
        for (const purpose of BUCKET_PURPOSES) {
            const isolated = purpose === "staging" || purpose === "warehouse";
            assert.strictEqual(sidsOf(template, `store-${purpose}`).includes("DenyOutsideVpcEndpoint"), isolated, purpose);
        }
    });

    it("without access logging: no bucket logs its access, and the access-logs bucket stays", async () => {
        const { template } = await synthesize(layerArgs({ accessLogging: false }));
        template.resourceCountIs(T.logging, 0);
        template.resource(T.bucket, "store-access-logs");
    });

    describe("bad args", () => {
        const refused: [string, Partial<StorageSettings>, RegExp][] = [
            [
                "a region AWS does not have",
                { region: "eu-middle-1" },
                /StorageLayerArgs\.config\.region: must be an AWS region the AWS SDK knows.*, got "eu-middle-1"/,
            ],
            [
                "a deletion window KMS refuses",
                { kmsDeletionWindowDays: 3 },
                /StorageLayerArgs\.config\.kmsDeletionWindowDays: must be a whole number from 7 to 30/,
            ],
            [
                "Standard-IA before 30 days",
                { stagingInfrequentAccessDays: 7 },
                /StorageLayerArgs\.config\.stagingInfrequentAccessDays: must be a whole number from 30/,
            ],
            [
                "protected data that may be torn down",
                { protectData: true, allowTeardown: true },
                /StorageLayerArgs\.config\.allowTeardown: must be false when protectData is true/,
            ],
        ];
        for (const [what, config, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateStorageLayerArgs(layerArgs(config)), message));
        }

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeAlone(() => new StorageLayer("store", layerArgs({ kmsDeletionWindowDays: 3 }))),
                (error: SynthesisError) => /StorageLayerArgs\.config\.kmsDeletionWindowDays/.test(error.message) && error.registered.length === 0,
            );
        });
    });
});
