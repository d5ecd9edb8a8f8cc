import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import { typed, UNKNOWN } from "./support/fixtures";

/** The fixtures the rules' specs declare: typed by their resource's SDK class, registered as the engine sees them. */
describe("policies: fixture resources", function () {
    it("take their type token from the SDK class, a provider's as the engine names provider resources", () => {
        assert.strictEqual(typed(aws.s3.Bucket, "b", {}).type, "aws:s3/bucket:Bucket");
        assert.strictEqual(typed(awsNative.quicksight.Dashboard, "d", {}).type, "aws-native:quicksight:Dashboard");
        assert.strictEqual(typed(aws.Provider, "p", {}).type, "pulumi:providers:aws");
    });

    it("give a provider's inputs that are not strings as JSON text, as the generated provider classes send them", () => {
        const provider = typed(aws.Provider, "p", { region: "eu-west-1", defaultTags: { tags: { owner: "data-platform" } }, maxRetries: 3 });
        assert.deepStrictEqual(provider.inputs, { region: "eu-west-1", defaultTags: '{"tags":{"owner":"data-platform"}}', maxRetries: "3" });
    });

    it("accept only the inputs the resource's args type declares, any of them unknown (checked by tsc: npm run typecheck)", () => {
        const fixtures = [
            typed(aws.kms.Key, "k", { enableKeyRotation: UNKNOWN, policy: UNKNOWN }),
            // @ts-expect-error -- KeyArgs has enableKeyRotation, not enableRotation
            typed(aws.kms.Key, "k", { enableRotation: true }),
            // @ts-expect-error -- enableKeyRotation is a boolean
            typed(aws.kms.Key, "k", { enableKeyRotation: "yes" }),
            // @ts-expect-error -- a nested property the provider's input type does not have
            typed(aws.s3.BucketVersioning, "v", { versioningConfiguration: { state: "Enabled" } }),
            // @ts-expect-error -- propertyDependencies name the resource's own inputs
            typed(aws.s3.BucketVersioning, "v", { bucket: UNKNOWN }, { from: { bukket: ["b"] } }),
        ];
        assert.deepStrictEqual(fixtures[0].inputs, { enableKeyRotation: UNKNOWN, policy: UNKNOWN });
    });
});
