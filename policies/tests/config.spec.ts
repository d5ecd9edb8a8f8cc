import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseStageConfig } from "../../infra/config";
import { stageManifests } from "../../test/support/synth";
import { PolicyCheck } from "../../tools/policy/check";
import { policyConfigFile, readPolicyConfigFile, reconcilePolicyConfig } from "../../tools/policy/packConfig";
import { REPO_ROOT } from "../../infra/repository";
import { readStageConfigFile } from "../../tools/synth/stageConfig";
import { sharedCheck } from "./support/harness";

/** policies/config/<stage>.json: complete, valid, and in step with Pulumi.<stage>.yaml and the docs. */

const STAGES = fs
    .readdirSync(REPO_ROOT)
    .map((file) => /^Pulumi\.([a-z][a-z0-9]*)\.yaml$/.exec(file)?.[1])
    .filter((stage): stage is string => stage !== undefined)
    .sort();

async function reconciled(stage: string) {
    const { info } = await sharedCheck();
    return { info, config: reconcilePolicyConfig(info.policies, readPolicyConfigFile(policyConfigFile(stage))) };
}

describe("policies: config", function () {
    it("has a stage config for dev and prod at least", () => {
        assert.ok(STAGES.includes("dev") && STAGES.includes("prod"), STAGES.join(", "));
    });

    it("rejects properties that break a policy's schema, naming the policy and the property", async () => {
        const { info } = await sharedCheck();
        const given = readPolicyConfigFile(policyConfigFile("prod"));
        const scoped = Object.keys(given).find((policy) => typeof given[policy].properties.stage === "string");
        assert.ok(scoped, "no policy in prod.json takes a stage");
        const broken = { ...given, [scoped]: { ...given[scoped], properties: { ...given[scoped].properties, stage: 42 } } };
        assert.throws(() => reconcilePolicyConfig(info.policies, broken), (error: Error) => error.message.includes(`${scoped}.stage`));
    });

    for (const stage of STAGES) {
        describe(`policies/config/${stage}.json`, () => {
            it("names only policies of the pack and is valid against their schemas", async () => {
                await reconciled(stage); // throws on unknown policies and invalid properties
            });

            it(`repeats Pulumi.${stage}.yaml's stage, name prefix and QuickSight owners and viewers`, async () => {
                const stageConfig = parseStageConfig(readStageConfigFile(stage), stage);
                const { config } = await reconciled(stage);
                for (const [policy, { properties }] of Object.entries(config)) {
                    if ("stage" in properties) assert.strictEqual(properties.stage, stageConfig.stage, `${policy}.stage`);
                    if ("namePrefix" in properties) assert.strictEqual(properties.namePrefix, stageConfig.namePrefix, `${policy}.namePrefix`);
                }
                assert.deepStrictEqual(config["quicksight-approved-principals"].properties.principals, [...stageConfig.quicksightOwners, ...stageConfig.quicksightViewers]);
            });

            it(`sets minimums that Pulumi.${stage}.yaml meets: log retention and key deletion window`, async () => {
                const stageConfig = parseStageConfig(readStageConfigFile(stage), stage);
                const { config } = await reconciled(stage);
                assert.ok(Number(config["logs-retention"].properties.minimumDays) <= stageConfig.logRetentionDays, "spotify:logRetentionDays is below logs-retention.minimumDays");
                assert.ok(Number(config["kms-deletion-window"].properties.minimumDays) <= stageConfig.kmsDeletionWindowDays, "spotify:kmsDeletionWindowDays is below kms-deletion-window.minimumDays");
            });

            it("names the queries layer's workgroup as the QuickSight data sources' workgroup", async () => {
                const { config } = await reconciled(stage);
                const workgroups = (await stageManifests(stage)).flatMap((manifest) => manifest.resources).filter((resource) => resource.type === "aws:athena/workgroup:Workgroup");
                assert.deepStrictEqual(
                    workgroups.map((workgroup) => workgroup.inputs.name),
                    [config["quicksight-athena-workgroup"].properties.workgroup],
                );
            });
        });
    }

    it("dev: critical rules are mandatory, the rest advisory, and only the prod-only rules disabled", async () => {
        const { info, config } = await reconciled("dev");
        for (const policy of info.policies) {
            const expected = ["s3-access-logging", "data-protection"].includes(policy.name) ? "disabled" : policy.severity === "critical" ? "mandatory" : "advisory";
            assert.strictEqual(config[policy.name].enforcementLevel, expected, policy.name);
        }
    });

    it("prod: every rule is mandatory, deleted keys stay recoverable 30 days and logs are kept a year", async () => {
        const { info, config } = await reconciled("prod");
        for (const policy of info.policies) assert.strictEqual(config[policy.name].enforcementLevel, "mandatory", policy.name);
        assert.strictEqual(config["kms-deletion-window"].properties.minimumDays, 30);
        assert.strictEqual(config["logs-retention"].properties.minimumDays, 365, "checkov CKV_AWS_338: a year of logs in prod");
    });

    it("every rule has a description, a severity and remediation, as the CLI reads them", async () => {
        const { info } = await sharedCheck();
        assert.strictEqual(info.name, "spotify-guardrails");
        for (const policy of info.policies) {
            assert.ok(policy.description.length > 20 && policy.remediation.length > 20 && policy.severity !== undefined, policy.name);
        }
    });

    it("README.md documents every rule as the pack declares it, with its dev/prod enforcement", async () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const dev = await reconciled("dev");
        const prod = await reconciled("prod");
        // Rows of the rules table: | `name` | severity | dev | prod | what | remediation |, with "<" escaped for Markdown.
        const rows = new Map(
            readme
                .split("\n")
                .filter((line) => /^\| `[a-z0-9-]+` \| (low|medium|high|critical) \|/.test(line))
                .map((line) => line.slice(2, -2).split(" | ").map((cell) => cell.replace(/\\</g, "<")))
                .map(([name, ...cells]) => [name.replace(/`/g, ""), cells]),
        );
        assert.deepStrictEqual([...rows.keys()].sort(), dev.info.policies.map((policy) => policy.name).sort());
        for (const policy of dev.info.policies) {
            assert.deepStrictEqual(
                rows.get(policy.name),
                [policy.severity, dev.config[policy.name].enforcementLevel, prod.config[policy.name].enforcementLevel, policy.description, policy.remediation],
                policy.name,
            );
        }
    });

    it("the tsx launcher serves the same pack as the engine's way", async () => {
        const tsx = await PolicyCheck.start("tsx");
        try {
            assert.deepStrictEqual(tsx.info, (await sharedCheck()).info);
        } finally {
            await tsx.stop();
        }
    });
});
