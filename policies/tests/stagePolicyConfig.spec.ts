import * as assert from "assert";
import { parsePolicyConfig, reconcilePolicyConfig } from "../../ops/policyConfig/packConfig";
import { GUARDRAIL_PROFILES, StageSettings, stagePolicyConfig } from "../model/guardrails";
import { FIXTURE_STAGES } from "./support/fixtures";
import { declaredPolicies } from "./support/inProcess";

/** A stage's policy config, derived from its settings, as the pack's policies declare themselves (tests/engine.spec.ts: as over the protocol). */
async function derived(settings: StageSettings) {
    const info = { policies: await declaredPolicies() };
    const file = stagePolicyConfig(settings, info.policies);
    return { info, file, config: reconcilePolicyConfig(info.policies, parsePolicyConfig(file, `${settings.stage}'s config`)) };
}

describe("policies: the policy config a stage's settings give", function () {
    it("lists every policy of the pack, in its order, and passes the pack's schemas", async () => {
        for (const settings of Object.values(FIXTURE_STAGES)) {
            const { info, file } = await derived(settings);
            assert.deepStrictEqual(
                Object.keys(file),
                info.policies.map((policy) => policy.name),
            );
        }
    });

    it("gives each policy the stage's settings that its schema declares, and nothing else from the stage", async () => {
        const settings: StageSettings = {
            ...FIXTURE_STAGES.prod,
            stage: "qa",
            namePrefix: "acme",
            quicksightOwners: ["arn:aws:quicksight:eu-west-1:333333333333:user/default/ana"],
            quicksightViewers: ["arn:aws:quicksight:eu-west-1:333333333333:group/default/readers"],
            athenaWorkgroup: "acme_qa_analytics",
        };
        const { info, config } = await derived(settings);
        const expected: Record<string, unknown> = {
            stage: "qa",
            namePrefix: "acme",
            network: "isolated",
            owners: settings.quicksightOwners,
            viewers: settings.quicksightViewers,
            workgroup: "acme_qa_analytics",
        };
        let scoped = 0;
        for (const policy of info.policies) {
            for (const property of Object.keys(policy.configSchema?.properties ?? {})) {
                if (property in expected) assert.deepStrictEqual(config[policy.name].properties[property], expected[property], `${policy.name}.${property}`);
            }
            if ("stage" in (policy.configSchema?.properties ?? {})) scoped++;
        }
        assert.ok(scoped > 5, `only ${scoped} policies take the stage`);
        assert.deepStrictEqual(config["quicksight-approved-principals"].properties.owners, settings.quicksightOwners);
        assert.deepStrictEqual(config["quicksight-viewers-read-only"].properties.viewers, settings.quicksightViewers);
        assert.strictEqual(config["quicksight-athena-workgroup"].properties.workgroup, "acme_qa_analytics");
    });

    it("a sandbox (protectData false): critical rules mandatory, the rest advisory, the rules of settings it turned off disabled", async () => {
        const { info, config } = await derived(FIXTURE_STAGES.dev);
        for (const policy of info.policies) {
            const expected = ["s3-access-logging", "data-protection"].includes(policy.name)
                ? "disabled"
                : policy.severity === "critical"
                  ? "mandatory"
                  : "advisory";
            assert.strictEqual(config[policy.name].enforcementLevel, expected, policy.name);
        }
        assert.strictEqual(config["kms-deletion-window"].properties.minimumDays, GUARDRAIL_PROFILES.sandbox.minimumDays["kms-deletion-window"]);
        assert.strictEqual(config["logs-retention"].properties.minimumDays, GUARDRAIL_PROFILES.sandbox.minimumDays["logs-retention"]);
    });

    it("a sandbox that logs bucket access is advised on access logging", async () => {
        const { config } = await derived({ ...FIXTURE_STAGES.dev, accessLogging: true });
        assert.strictEqual(config["s3-access-logging"].enforcementLevel, "advisory");
        assert.strictEqual(config["data-protection"].enforcementLevel, "disabled");
    });

    it("a stage that protects its data: every rule mandatory, whatever else it turned off; keys recoverable 30 days, logs kept a year", async () => {
        const { info, config } = await derived({ ...FIXTURE_STAGES.prod, accessLogging: false });
        for (const policy of info.policies) assert.strictEqual(config[policy.name].enforcementLevel, "mandatory", policy.name);
        assert.strictEqual(config["kms-deletion-window"].properties.minimumDays, 30);
        assert.strictEqual(config["logs-retention"].properties.minimumDays, 365, "checkov CKV_AWS_338: a year of logs");
    });

    it("rejects properties that break a policy's schema, naming the policy and the property", async () => {
        const { info, file } = await derived(FIXTURE_STAGES.prod);
        const given = parsePolicyConfig(file, "prod");
        const scoped = Object.keys(given).find((policy) => typeof given[policy].properties.stage === "string");
        assert.ok(scoped, "no policy takes a stage");
        const broken = { ...given, [scoped]: { ...given[scoped], properties: { ...given[scoped].properties, stage: 42 } } };
        assert.throws(
            () => reconcilePolicyConfig(info.policies, broken),
            (error: Error) => error.message.includes(`${scoped}.stage`),
        );
        assert.throws(() => reconcilePolicyConfig(info.policies, { ...given, "no-such-rule": { properties: {} } }), /no-such-rule: no such policy in the pack/);
        assert.throws(() => parsePolicyConfig({ [scoped]: "strict" }, "a file"), /a file: .*"strict" is not an enforcement level/);
    });

    it("every rule has a description, a severity and remediation, as the CLI reads them", async () => {
        for (const policy of await declaredPolicies()) {
            assert.ok(policy.description.length > 20 && policy.remediation.length > 20 && policy.severity !== undefined, policy.name);
        }
    });
});
