import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { synthesizeAlone } from "../../test/support/alone";
import { Template } from "../../test/support/template";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import type { AwsLocation } from "../awsLocation";
import { DataKey, DataKeyArgs, validateDataKeyArgs } from "./dataKey";

const KEY = "aws:kms/key:Key";
const ALIAS = "aws:kms/alias:Alias";
const HOST = "test:index:Host";
/** Another account than the fake cloud's: what the policy names comes from the args. */
const LOCATION: AwsLocation = { partition: "aws", region: "eu-central-1", accountId: "210987654321" };

function keyArgs(extra: Partial<DataKeyArgs> = {}): DataKeyArgs {
    return { plan: { stage: "qa", dataKeyAlias: "alias/acme-qa-data" }, location: LOCATION, kmsDeletionWindowDays: 7, ...extra };
}

/** The key declared under a component of its own, as a layer declares it. */
function declare(args: DataKeyArgs): () => void {
    return () => new DataKey("store-data-key", args, new pulumi.ComponentResource(HOST, "store"));
}

type Statement = { Sid: string; Effect: string; Principal: unknown; Action: unknown; Resource: unknown; Condition?: unknown };

describe("DataKey (alone)", () => {
    let template: Template;
    before(async () => {
        template = await synthesizeAlone(declare(keyArgs()));
    });

    it("registers the key and its alias under the given parent, named from the given name", () => {
        const host = template.resource(HOST, "store");
        assert.deepStrictEqual(template.childNames(host), [`${ALIAS} store-data-key-alias`, `${KEY} store-data-key`]);
    });

    it("rotates the key, waits the given window before deleting it, and describes what it encrypts for the stage", () => {
        const key = template.resource(KEY, "store-data-key");
        assert.strictEqual(key.inputs.enableKeyRotation, true);
        assert.strictEqual(key.inputs.deletionWindowInDays, 7);
        assert.match(String(key.inputs.description), /^spotify-pipeline qa: encrypts staging, warehouse/);
    });

    it("points the plan's alias at the key", () => {
        const alias = template.resource(ALIAS, "store-data-key-alias");
        assert.strictEqual(alias.inputs.name, "alias/acme-qa-data");
        assert.deepStrictEqual(template.follow(alias, "targetKeyId"), [template.resource(KEY, "store-data-key")]);
    });

    it("lets the given account administer the key, and CloudWatch Logs of its region use it for that account's log groups only", () => {
        const { Statement: statements } = JSON.parse(String(template.resource(KEY, "store-data-key").inputs.policy)) as { Statement: Statement[] };
        assert.deepStrictEqual(
            statements.map((statement) => statement.Sid),
            ["AccountAdministersKeyThroughIam", "CloudWatchLogsUsesKey"],
        );
        assert.deepStrictEqual(statements[0].Principal, { AWS: "arn:aws:iam::210987654321:root" });
        assert.deepStrictEqual(statements[1].Principal, { Service: "logs.eu-central-1.amazonaws.com" });
        assert.deepStrictEqual(statements[1].Condition, { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-central-1:210987654321:*" } });
    });

    it("leaves the key unprotected by default, and protects and retains it with protectData", async () => {
        const unprotected = template.resource(KEY, "store-data-key");
        assert.deepStrictEqual([unprotected.protect, unprotected.retainOnDelete], [false, false]);
        const protectedKey = (await synthesizeAlone(declare(keyArgs({ protectData: true })))).resource(KEY, "store-data-key");
        assert.deepStrictEqual([protectedKey.protect, protectedKey.retainOnDelete], [true, true]);
    });

    describe("bad args", () => {
        const refused: [string, Partial<DataKeyArgs>, RegExp][] = [
            [
                "an alias without alias/",
                { plan: { stage: "qa", dataKeyAlias: "acme-qa-data" } },
                /DataKeyArgs\.plan\.dataKeyAlias: must be "alias\/" and 1-250 letters/,
            ],
            [
                "an alias in AWS's own alias/aws/",
                { plan: { stage: "qa", dataKeyAlias: "alias/aws/s3" } },
                /DataKeyArgs\.plan\.dataKeyAlias: .*outside AWS's own "alias\/aws\/", got "alias\/aws\/s3"/,
            ],
            ["an alias with a space", { plan: { stage: "qa", dataKeyAlias: "alias/acme data" } }, /DataKeyArgs\.plan\.dataKeyAlias: /],
            [
                "a deletion window under 7 days",
                { kmsDeletionWindowDays: 5 },
                /DataKeyArgs\.kmsDeletionWindowDays: must be a whole number from 7 to 30.*, got 5/,
            ],
            ["a deletion window of part of a day", { kmsDeletionWindowDays: 7.5 }, /DataKeyArgs\.kmsDeletionWindowDays: must be a whole number from 7 to 30/],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateDataKeyArgs(keyArgs(extra)), message));
        }

        it("refuses them in the constructor, before registering the key", async () => {
            await assert.rejects(
                synthesizeAlone(declare(keyArgs({ kmsDeletionWindowDays: 31 }))),
                (error: SynthesisError) =>
                    /DataKeyArgs\.kmsDeletionWindowDays: .*got 31/.test(error.message) && !error.registered.some((resource) => resource.type === KEY),
            );
        });
    });
});
