import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseStageConfig } from "../model/stageConfig";
import { REPO_ROOT } from "../model/repository";
import { npmRun } from "./support/npmRun";
import { parsePolicyConfig, reconcilePolicyConfig } from "../ops/policyConfig/packConfig";
import { sharedCheck } from "../policies/tests/support/harness";
import { stagePackConfig } from "../ops/policyConfig/stageSettings";
import { readStageConfigFile } from "../ops/stageFile";
import { stageManifests } from "./support/synth";

/** Each stage's policy config, derived from its Pulumi.<stage>.yaml: complete, valid, following the file, and documented. */

const STAGES = fs
    .readdirSync(REPO_ROOT)
    .map((file) => /^Pulumi\.([a-z][a-z0-9]*)\.yaml$/.exec(file)?.[1])
    .filter((stage): stage is string => stage !== undefined)
    .sort();

/** The stage's derived config, reconciled as the CLI does with the running pack's policies. */
async function reconciled(stage: string, repoRoot = REPO_ROOT) {
    const { info } = await sharedCheck();
    const file = stagePackConfig(stage, repoRoot, info.policies);
    return { info, file, config: reconcilePolicyConfig(info.policies, parsePolicyConfig(file, `${stage}'s derived config`)) };
}

describe("policy config derived from the stage files", function () {
    it("there are stage files for dev and prod at least", () => {
        assert.ok(STAGES.includes("dev") && STAGES.includes("prod"), STAGES.join(", "));
    });

    for (const stage of STAGES) {
        describe(`Pulumi.${stage}.yaml`, () => {
            it("gives a config that names only policies of the pack and is valid against their schemas", async () => {
                await reconciled(stage); // throws on unknown policies and invalid properties
            });

            it("gives minimums the stage itself meets: log retention and key deletion window", async () => {
                const stageConfig = parseStageConfig(readStageConfigFile(stage), stage);
                const { config } = await reconciled(stage);
                assert.ok(
                    Number(config["logs-retention"].properties.minimumDays) <= stageConfig.logRetentionDays,
                    "spotify:logRetentionDays is below logs-retention.minimumDays",
                );
                assert.ok(
                    Number(config["kms-deletion-window"].properties.minimumDays) <= stageConfig.kmsDeletionWindowDays,
                    "spotify:kmsDeletionWindowDays is below kms-deletion-window.minimumDays",
                );
            });

            it("names the queries layer's workgroup as the QuickSight data sources' workgroup", async () => {
                const { config } = await reconciled(stage);
                const workgroups = (await stageManifests(stage))
                    .flatMap((manifest) => manifest.resources)
                    .filter((resource) => resource.type === "aws:athena/workgroup:Workgroup");
                assert.deepStrictEqual(
                    workgroups.map((workgroup) => workgroup.inputs.name),
                    [config["quicksight-athena-workgroup"].properties.workgroup],
                );
            });
        });
    }

    describe("follows the stage file: a changed copy of Pulumi.prod.yaml", () => {
        let root: string;
        beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"))));
        afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
        /** Pulumi.prod.yaml with `edit` applied, written as stage `stage` into the temporary root. */
        const copy = (stage: string, edit: (text: string) => string) => {
            const text = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8").replace(/^(\s*spotify:stage:\s*)prod\s*$/m, `$1${stage}`);
            const edited = edit(text);
            assert.notStrictEqual(edited, text, "the edit changed nothing");
            fs.writeFileSync(path.join(root, `Pulumi.${stage}.yaml`), edited);
        };

        it("a new stage is its one file: stage, name prefix, network and QuickSight principals come from it", async () => {
            copy("qa", (text) =>
                text
                    .replace(/^(\s*spotify:namePrefix:\s*).*$/m, "$1acme")
                    .replace(/^(\s*spotify:network:\s*).*$/m, "$1none")
                    .replace(/group\/default\/data-analysts/, "user/default/ana"),
            );
            const { info, config } = await reconciled("qa", root);
            for (const policy of info.policies) {
                const properties = config[policy.name].properties;
                if ("stage" in properties) assert.strictEqual(properties.stage, "qa", `${policy.name}.stage`);
                if ("namePrefix" in properties) assert.strictEqual(properties.namePrefix, "acme", `${policy.name}.namePrefix`);
                if ("network" in properties) assert.strictEqual(properties.network, "none", `${policy.name}.network`);
            }
            assert.deepStrictEqual(config["quicksight-approved-principals"].properties.owners, [
                "arn:aws:quicksight:eu-west-1:222222222222:group/default/data-platform",
            ]);
            assert.deepStrictEqual(config["quicksight-approved-principals"].properties.viewers, ["arn:aws:quicksight:eu-west-1:222222222222:user/default/ana"]);
            assert.deepStrictEqual(config["quicksight-viewers-read-only"].properties.viewers, ["arn:aws:quicksight:eu-west-1:222222222222:user/default/ana"]);
            assert.strictEqual(config["quicksight-athena-workgroup"].properties.workgroup, "acme_qa_analytics");
        });

        it("spotify:protectData false turns prod's every-rule-mandatory profile into the sandbox one", async () => {
            copy("prod", (text) =>
                text.replace(/^(\s*spotify:protectData:\s*)true\s*$/m, "$1false").replace(/^(\s*spotify:allowTeardown:\s*)false\s*$/m, "$1true"),
            );
            const { info, config } = await reconciled("prod", root);
            const advisory = info.policies.filter((policy) => config[policy.name].enforcementLevel === "advisory");
            assert.ok(advisory.length > 10, `${advisory.length} advisory rules`);
            assert.strictEqual(config["data-protection"].enforcementLevel, "disabled");
            assert.strictEqual(config["logs-retention"].properties.minimumDays, 1);
            const { config: real } = await reconciled("prod");
            assert.strictEqual(real["data-protection"].enforcementLevel, "mandatory");
            assert.strictEqual(real["logs-retention"].properties.minimumDays, 365);
        });

        it("a stage file the program rejects gives no config, and the error names the file and the key", async () => {
            copy("qa", (text) => text.replace(/^(\s*spotify:network:\s*).*$/m, "$1open"));
            await assert.rejects(reconciled("qa", root), /Pulumi\.qa\.yaml[\s\S]*spotify:network/);
        });
    });

    it("npm run policy -- <stage> --write-pack-config FILE writes what the check derives", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pack-config-")), "prod.json");
        const result = npmRun("policy", ["prod", "--write-pack-config", file]);
        assert.strictEqual(result.status, 0, result.stderr);
        const { file: derived } = await reconciled("prod");
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(file, "utf8")), derived);
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
    });

    it("policies/README.md documents every rule as the pack declares it, with its dev/prod enforcement", async () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "policies", "README.md"), "utf8");
        const dev = await reconciled("dev");
        const prod = await reconciled("prod");
        // Rows of the rules table: | `name` | severity | dev | prod | what | remediation |, with "<" escaped for Markdown.
        const rows = new Map(
            readme
                .split("\n")
                .filter((line) => /^\| `[a-z0-9-]+` \| (low|medium|high|critical) \|/.test(line))
                .map((line) =>
                    line
                        .slice(2, -2)
                        .split(" | ")
                        .map((cell) => cell.replace(/\\</g, "<")),
                )
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
});
