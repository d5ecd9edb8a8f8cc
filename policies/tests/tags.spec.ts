import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import { layerTags } from "../model/tags";
import { FixtureResource, InputsOf, PROJECT, typed } from "./support/fixtures";
import { assertCompliant, assertViolations } from "./support/inProcess";

const TAGS = layerTags({ project: PROJECT, stage: "dev", owner: "data-platform", costCenter: "cc-1234", dataClassification: "internal" }, "storage");
/** The layer's provider; its defaultTags reach the pack as JSON text, as the engine passes provider inputs. */
const provider = (inputs: InputsOf<aws.ProviderArgs>) => typed(aws.Provider, "storage-aws", { region: "eu-west-1", ...inputs });
const key = (inputs: InputsOf<aws.kms.KeyArgs> = {}, providerName: string | null = "storage-aws") =>
    typed(aws.kms.Key, "data-key", { enableKeyRotation: true, ...inputs }, providerName === null ? {} : { provider: providerName });
/** A dashboard of aws-native, whose tags are a list of {key, value}. */
const nativeDashboard = (tags: { key: string; value: string }[]) =>
    typed(awsNative.quicksight.Dashboard, "dashboard", { dashboardId: "d", name: "Hits", tags });

describe("policies: tags", function () {
    it("accepts a resource whose provider's defaultTags carry the required tags (JSON text, as the engine passes provider inputs)", async () => {
        await assertCompliant("required-tags", [provider({ defaultTags: { tags: TAGS } }), key()]);
    });

    it("accepts required tags set on the resource, or split between resource and provider", async () => {
        await assertCompliant("required-tags", [provider({}), key({ tags: TAGS })]);
        const { owner, ...rest } = TAGS;
        await assertCompliant("required-tags", [provider({ defaultTags: { tags: rest } }), key({ tags: { owner } })]);
    });

    it("names the required tags missing from both", async () => {
        const { owner: _owner, "cost-center": _costCenter, ...rest } = TAGS;
        await assertViolations(
            "required-tags",
            [provider({ defaultTags: { tags: rest } }), key()],
            [
                {
                    resource: "data-key",
                    message: /Missing required tags owner, cost-center \(checked the resource's tags and provider storage-aws's defaultTags\)/,
                },
            ],
        );
    });

    it("uses the engine's default provider, configured from the stage config, for resources without a provider", async () => {
        // Pulumi.dev.yaml sets no aws:defaultTags, so the default provider adds none.
        await assertViolations(
            "required-tags",
            [key({}, null)],
            [{ message: /Missing required tags project, stage, layer, owner, cost-center, data-classification \(checked .*provider default's defaultTags\)/ }],
        );
    });

    it("reads aws-native tags, a list of {key, value}", async () => {
        const tags = Object.entries(TAGS).map(([tagKey, value]) => ({ key: tagKey, value }));
        await assertCompliant("required-tags", [nativeDashboard(tags)]);
        await assertViolations("required-tags", [nativeDashboard(tags.slice(1))], [{ message: /Missing required tags project / }]);
    });

    it("checks any resource that sets tags, and skips untaggable types without them", async () => {
        await assertViolations(
            "required-tags",
            [typed(aws.sfn.StateMachine, "flow", { tags: { project: "spotify-pipeline" } })],
            [{ message: /Missing required tags stage,/ }],
        );
        await assertCompliant("required-tags", [typed(aws.kms.Alias, "alias", { name: "alias/x", targetKeyId: "k" })]);
    });

    describe("tag-values", () => {
        const withDefaults = (tags: Record<string, string>, own: Record<string, string> = {}): FixtureResource[] => [
            provider({ defaultTags: { tags } }),
            key(Object.keys(own).length === 0 ? {} : { tags: own }),
        ];
        it("accepts the layer's tags, on the layer's stack and in the all-in-one stack", async () => {
            await assertCompliant("tag-values", withDefaults(TAGS));
            await assertCompliant("tag-values", withDefaults(TAGS), { stack: "dev" });
            await assertCompliant("tag-values", withDefaults(TAGS, { "bucket-role": "staging", note: "Glue: s3://a/b_c=1 + @team" }));
        });
        it("requires stage to be the stage being checked, layer a real layer (the stack's own) and project the project", async () => {
            await assertViolations("tag-values", withDefaults({ ...TAGS, stage: "prod" }), [
                {
                    resource: "data-key",
                    message: /Tag stage is "prod", but this is stage dev \(checked the resource's tags and provider storage-aws's defaultTags\)/,
                },
            ]);
            await assertViolations("tag-values", withDefaults({ ...TAGS, layer: "ingest" }), [
                { message: /Tag layer is "ingest", which is not a layer \(network, storage, etl, queries, dashboards\)/ },
            ]);
            await assertViolations("tag-values", withDefaults({ ...TAGS, layer: "etl" }), [
                { message: /Tag layer is "etl", but the resource belongs to the storage layer's stack/ },
            ]);
            await assertViolations("tag-values", withDefaults(TAGS, { project: "spotify" }), [{ message: /Tag project is "spotify", not "spotify-pipeline"/ }]);
        });
        it("rejects empty and over-long values, disallowed characters and the reserved aws: prefix", async () => {
            await assertViolations(
                "tag-values",
                withDefaults({ ...TAGS, owner: " " }, { "cost-center": "x".repeat(257), "aws:owner": "me", "team<x>": "a", contact: "a;b" }),
                [
                    { message: /Tag owner is empty/ },
                    { message: /Tag cost-center is 257 characters long; AWS allows 256/ },
                    // The resource's own tags reach the pack with their keys sorted (a protobuf Struct).
                    { message: /Tag key "aws:owner" uses the prefix aws:/ },
                    { message: /Tag contact is "a;b", with characters AWS does not allow/ },
                    { message: /Tag key "team<x>" uses characters AWS does not allow/ },
                ],
            );
        });
        it("reads aws-native tags", async () => {
            const tags = Object.entries({ ...TAGS, stage: "prod" }).map(([tagKey, value]) => ({ key: tagKey, value }));
            await assertViolations("tag-values", [nativeDashboard(tags)], [{ message: /Tag stage is "prod", but this is stage dev/ }]);
        });
    });
});
