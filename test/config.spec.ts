import * as assert from "assert";
import * as fs from "fs";
import { CONFIG_KEYS, parseStageConfig, qualifiedKey, ruleOf } from "../model/stageConfig";
import { README, renderConfigTable, withRenderedTable } from "../workbench/configReference";
import { REPO_ROOT } from "../model/repository";
import { readStageConfigFile } from "../ops/stageFile";
import { SynthesisError, synthesizeStack } from "../workbench/synth/synthesize";

/** Synthesizes `stack` with `config` and returns the failure, which must come before any resource. */
async function failureOf(stack: string, config: Record<string, string>): Promise<SynthesisError> {
    try {
        await synthesizeStack({ stackName: stack, config });
    } catch (error) {
        assert.ok(error instanceof SynthesisError, `expected a SynthesisError, got ${String(error)}`);
        return error;
    }
    assert.fail(`${stack} synthesized although its config is invalid`);
}

function without(config: Record<string, string>, key: string): Record<string, string> {
    const copy = { ...config };
    delete copy[key];
    return copy;
}

describe("stage config validation", () => {
    const dev = readStageConfigFile("dev");

    const badConfigs: Array<[string, Record<string, string>, string, RegExp]> = [
        ["missing owner", without(dev, "spotify:owner"), "spotify:owner", /required key is missing/],
        ["missing bucket suffix", without(dev, "spotify:bucketSuffix"), "spotify:bucketSuffix", /required key is missing/],
        ["missing region", without(dev, "aws:region"), "aws:region", /required key is missing/],
        ["malformed region", { ...dev, "aws:region": "Europe" }, "aws:region", /AWS region/],
        ["stage of another stack", { ...dev, "spotify:stage": "prod" }, "spotify:stage", /belongs to stage "dev"/],
        ["uppercase stage", { ...dev, "spotify:stage": "Dev" }, "spotify:stage", /lowercase/],
        ["deletion window too short", { ...dev, "spotify:kmsDeletionWindowDays": "3" }, "spotify:kmsDeletionWindowDays", /from 7 to 30/],
        ["fractional retention", { ...dev, "spotify:athenaResultsRetentionDays": "1.5" }, "spotify:athenaResultsRetentionDays", /whole number/],
        ["transition S3 refuses", { ...dev, "spotify:stagingInfrequentAccessDays": "10" }, "spotify:stagingInfrequentAccessDays", /from 30/],
        ["non-boolean flag", { ...dev, "spotify:protectData": "yes" }, "spotify:protectData", /true or false/],
        ["bucket suffix not DNS-safe", { ...dev, "spotify:bucketSuffix": "Acme_Corp" }, "spotify:bucketSuffix", /lowercase/],
        ["unknown classification", { ...dev, "spotify:dataClassification": "secret" }, "spotify:dataClassification", /one of public/],
        ["protected data with teardown", { ...dev, "spotify:protectData": "true" }, "spotify:allowTeardown", /must be false/],
        [
            "viewer that is no ARN",
            { ...dev, "spotify:quicksightViewers": '["alice"]' },
            "spotify:quicksightViewers",
            /entry 1, "alice", is not an ARN \(arn:<partition>:quicksight/,
        ],
        [
            "no dashboard owner",
            { ...dev, "spotify:quicksightOwners": "[]" },
            "spotify:quicksightOwners",
            /a YAML list of at least 1 QuickSight user or group ARN /,
        ],
        ["missing dashboard owners", without(dev, "spotify:quicksightOwners"), "spotify:quicksightOwners", /required key is missing/],
        [
            "a principal both owner and viewer",
            { ...dev, "spotify:quicksightViewers": dev["spotify:quicksightOwners"] },
            "spotify:quicksightViewers",
            /already in spotify:quicksightOwners/,
        ],
        ["unknown import mode", { ...dev, "spotify:quicksightImportMode": "CACHED" }, "spotify:quicksightImportMode", /one of SPICE, DIRECT_QUERY/],
        ["refresh time past midnight", { ...dev, "spotify:quicksightRefreshTime": "24:30" }, "spotify:quicksightRefreshTime", /HH:MM/],
        [
            "service role that is no IAM name",
            { ...dev, "spotify:quicksightServiceRoleName": "role/quicksight" },
            "spotify:quicksightServiceRoleName",
            /IAM role name/,
        ],
        ["log retention CloudWatch lacks", { ...dev, "spotify:logRetentionDays": "45" }, "spotify:logRetentionDays", /retention periods/],
        [
            "FLEX on a large worker",
            { ...dev, "spotify:glueExecutionClass": "FLEX", "spotify:glueWorkerType": "G.8X" },
            "spotify:glueWorkerType",
            /FLEX runs only/,
        ],
        ["misspelt key", { ...dev, "spotify:kmsDeletionWindow": "7" }, "spotify:kmsDeletionWindow", /unknown key/],
        ["malformed schedule", { ...dev, "spotify:etlSchedule": "daily" }, "spotify:etlSchedule", /cron/],
    ];

    for (const [what, config, key, reason] of badConfigs) {
        it(`rejects ${what}, naming ${key} and the file, before any resource`, async () => {
            const failure = await failureOf("dev-storage", config);
            assert.match(failure.message, /Pulumi\.dev\.yaml/);
            const line = failure.message.split("\n").find((candidate) => candidate.includes(`${key}:`));
            assert.ok(line, `no line names ${key} in:\n${failure.message}`);
            assert.match(line, reason);
            assert.deepStrictEqual(failure.registered, []);
        });
    }

    it("reports every problem at once", () => {
        const config = { ...without(dev, "spotify:owner"), "spotify:kmsDeletionWindowDays": "99" };
        assert.throws(
            () => parseStageConfig(config, "dev"),
            (error: Error) => /spotify:owner/.test(error.message) && /spotify:kmsDeletionWindowDays/.test(error.message),
        );
    });

    it("explains both causes when a layer stack gets no stage config: no --config-file, or nothing under config:", async () => {
        const failure = await failureOf("dev-storage", {});
        assert.match(failure.message, /--config-file Pulumi\.dev\.yaml/);
        assert.match(failure.message, /has none under its\s+top-level "config:" map \(an empty file, or keys written at the top level\)/);
        assert.deepStrictEqual(failure.registered, []);
    });

    it("names the file the stack really read when it was run with another stage's file", () => {
        // Under the Pulumi CLI the program is not told which --config-file was read.
        assert.throws(
            () => parseStageConfig(readStageConfigFile("prod"), "dev"),
            (error: Error) =>
                /^Invalid stage config in Pulumi\.prod\.yaml \(going by its spotify:stage, prod\) for stage dev:/.test(error.message) &&
                /spotify:stage: is "prod" but the stack belongs to stage "dev": .*--config-file Pulumi\.dev\.yaml/.test(error.message),
        );
    });

    it("names the file it was given when the caller knows it, and says to fix the file's stage", () => {
        assert.throws(
            () => parseStageConfig(readStageConfigFile("prod"), "dev", "Pulumi.dev.yaml"),
            (error: Error) => /^Invalid stage config in Pulumi\.dev\.yaml for stage dev:/.test(error.message) && /set spotify:stage: dev/.test(error.message),
        );
    });

    it("accepts every committed stage file", () => {
        const stageFiles = fs.readdirSync(REPO_ROOT).filter((file) => /^Pulumi\.[a-z0-9]+\.yaml$/.test(file));
        assert.ok(stageFiles.length >= 2);
        for (const file of stageFiles) {
            const stage = file.split(".")[1];
            assert.strictEqual(parseStageConfig(readStageConfigFile(stage), stage).stage, stage);
        }
    });

    it("has README's stage config reference exactly as rendered from CONFIG_KEYS (npm run docs:config)", () => {
        const readme = fs.readFileSync(README, "utf8");
        assert.strictEqual(withRenderedTable(readme), readme, "README.md's stage config reference is stale: run npm run docs:config");
    });

    it("renders one row per key with the limits the code enforces", () => {
        const table = renderConfigTable();
        for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
            const row = table.split("\n").find((line) => line.startsWith(`| \`${qualifiedKey(key)}\` |`));
            assert.ok(row, `no row for ${key}`);
            assert.ok(row.includes(ruleOf(spec).replace(/\|/g, "\\|")), `the row of ${key} does not state its rule`);
            if ("rule" in spec) {
                // The rule in the table is the one a bad value's error message states.
                const failure = spec.schema.safeParse("\u0000");
                assert.ok(
                    !failure.success && failure.error.issues[0].message.includes(`must be ${spec.rule}`),
                    `${key}: the error does not state the table's rule`,
                );
            }
        }
    });
});
