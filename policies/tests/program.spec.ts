import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stageManifests } from "../../test/support/synth";
import { stageManifestsToCheck } from "../../tools/policy/check";
import type { PolicyReport } from "../../tools/policy/report";
import { stageStacks } from "../../tools/synth/stage";
import { readStageConfigFile, REPO_ROOT } from "../../tools/synth/stageConfig";
import { sharedCheck, violations } from "./support/harness";

/** The real program and the broken fixture program, through the same check as `npm run policy`. */

const STAGES = ["dev", "prod"];
const BROKEN_RULES = ["s3-bucket-encryption", "s3-bucket-naming", "iam-no-wildcard-actions"];

describe("policies: the program", function () {
    for (const stage of STAGES) {
        it(`${stage}: every layer stack and the all-in-one stack pass with no mandatory violation`, async () => {
            const manifests = [...(await stageManifests(stage)), ...(await stageManifests(stage, true))];
            assert.deepStrictEqual(
                manifests.map((manifest) => manifest.stack),
                [...stageStacks(stage, false), stage],
            );
            const report = await (await sharedCheck()).evaluate(manifests, { stage, stageConfig: readStageConfigFile(stage) });
            const mandatory = violations(report).filter((violation) => violation.enforcement === "mandatory");
            assert.deepStrictEqual(mandatory.map(({ policy, resourceName, message }) => `${policy} ${resourceName}: ${message}`), []);
        });
    }

    it("prod: the broken fixture fails with mandatory violations of each broken rule, and of data protection", async () => {
        const report = await (await sharedCheck()).evaluate(await stageManifestsToCheck("prod", "broken"), { stage: "prod", stageConfig: readStageConfigFile("prod") });
        const mandatory = new Set(violations(report).filter((violation) => violation.enforcement === "mandatory").map((violation) => violation.policy));
        for (const rule of [...BROKEN_RULES, "data-protection", "s3-access-logging"]) assert.ok(mandatory.has(rule), `${rule} in ${[...mandatory].join(", ")}`);
    });

    describe("npm run policy", () => {
        const run = (...args: string[]) => {
            const out = fs.mkdtempSync(path.join(os.tmpdir(), "policy-out-"));
            const result = spawnSync(process.execPath, [require.resolve("tsx/cli"), "tools/policy.ts", ...args, "--out", out], { cwd: REPO_ROOT, encoding: "utf8" });
            return { ...result, out };
        };

        it("dev --fixture broken: exits 1, names each broken rule with its enforcement level, and writes JSON and Markdown reports", () => {
            const { status, stdout, stderr, out } = run("dev", "--fixture", "broken");
            assert.strictEqual(status, 1, `${stdout}\n${stderr}`);
            assert.match(stdout, /aws:s3\/bucket:Bucket unencrypted-staging\n {4}mandatory s3-bucket-encryption \(critical\)/);
            assert.match(stdout, /aws:s3\/bucket:Bucket misnamed\n {4}advisory {2}s3-bucket-naming \(medium\)/);
            assert.match(stdout, /aws:iam\/policy:Policy admin-everything\n {4}mandatory iam-no-wildcard-actions \(critical\)/);
            assert.match(stdout, /FAILED/);
            const report = JSON.parse(fs.readFileSync(path.join(out, "dev-fixture-broken.json"), "utf8")) as PolicyReport;
            for (const rule of BROKEN_RULES) assert.ok(violations(report, rule).length > 0, `${rule} in the JSON report`);
            const markdown = fs.readFileSync(path.join(out, "dev-fixture-broken.md"), "utf8");
            for (const rule of BROKEN_RULES) assert.ok(markdown.includes(rule), `${rule} in the Markdown report`);
        });

        it("exits 2 when it cannot check, naming the known fixtures for an unknown one", () => {
            const { status, stderr } = run("dev", "--fixture", "nope");
            assert.strictEqual(status, 2);
            assert.match(stderr, /no fixture "nope" in policies\/fixtures \(there are: broken\)/);
        });
    });
});
