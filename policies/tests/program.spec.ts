import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stageManifests } from "../../test/support/synth";
import { stageManifestsToCheck } from "../../tools/policy/check";
import type { PolicyReport } from "../../tools/policy/report";
import type { Manifest, ManifestResource } from "../../tools/synth/manifest";
import { stageStacks } from "../../tools/synth/stage";
import { REPO_ROOT } from "../../infra/repository";
import { readStageConfigFile } from "../../tools/synth/stageConfig";
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

    describe("each rule engages with the real manifests: one mistake injected into prod's all-in-one stack", () => {
        /** A copy of prod's all-in-one manifest, to break. */
        async function prodCopy(): Promise<Manifest> {
            const [manifest] = await stageManifests("prod", true);
            return JSON.parse(JSON.stringify(manifest)) as Manifest;
        }
        function find(manifest: Manifest, type: string, name: string): ManifestResource {
            const found = manifest.resources.find((resource) => resource.type === type && resource.name === name);
            assert.ok(found !== undefined, `prod has no ${type} ${name}`);
            return found;
        }
        async function assertCaught(manifest: Manifest, policy: string, resourceName: string) {
            const report = await (await sharedCheck()).evaluate([manifest], { stage: "prod", stageConfig: readStageConfigFile("prod") });
            const found = violations(report).map((violation) => `${violation.policy} ${violation.resourceName}`);
            assert.ok(found.includes(`${policy} ${resourceName}`), `expected ${policy} on ${resourceName}, got ${JSON.stringify(found)}`);
        }

        it("s3-bucket-encryption: the staging bucket's encryption sidecar dropped", async () => {
            const manifest = await prodCopy();
            const sidecar = find(manifest, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "storage-staging-encryption");
            manifest.resources = manifest.resources.filter((resource) => resource !== sidecar);
            await assertCaught(manifest, "s3-bucket-encryption", "storage-staging");
        });
        it("glue-security-configuration: CloudWatch encryption of the job's security configuration turned off", async () => {
            const manifest = await prodCopy();
            const encryption = find(manifest, "aws:glue/securityConfiguration:SecurityConfiguration", "etl-security").inputs.encryptionConfiguration as Record<string, unknown>;
            encryption.cloudwatchEncryption = { cloudwatchEncryptionMode: "DISABLED" };
            await assertCaught(manifest, "glue-security-configuration", "etl-security");
        });
        it("iam-no-wildcard-actions: a statement allowing everything added to the job role", async () => {
            const manifest = await prodCopy();
            const rolePolicy = find(manifest, "aws:iam/rolePolicy:RolePolicy", "etl-job-role-permissions");
            const document = JSON.parse(String(rolePolicy.inputs.policy)) as { Statement: unknown[] };
            document.Statement.push({ Effect: "Allow", Action: "*", Resource: "*" });
            rolePolicy.inputs.policy = JSON.stringify(document);
            await assertCaught(manifest, "iam-no-wildcard-actions", "etl-job-role-permissions");
        });
        it("required-tags: the etl layer's provider without defaultTags", async () => {
            const manifest = await prodCopy();
            delete find(manifest, "pulumi:providers:aws", "etl-aws").inputs.defaultTags;
            await assertCaught(manifest, "required-tags", "etl-job");
        });
        it("quicksight-no-public-sharing: the real dashboard shared with the whole account by link", async () => {
            const manifest = await prodCopy();
            const dashboard = find(manifest, "aws-native:quicksight:Dashboard", "dashboards-spotify-hits");
            dashboard.inputs.linkSharingConfiguration = { permissions: [{ principal: "arn:aws:quicksight:eu-west-1:123456789012:namespace/default", actions: ["quicksight:QueryDashboard"] }] };
            await assertCaught(manifest, "quicksight-no-public-sharing", "dashboards-spotify-hits");
        });
        it("quicksight-approved-principals: a real dataset granted to a user the stage does not list", async () => {
            const manifest = await prodCopy();
            const dataSet = find(manifest, "aws-native:quicksight:DataSet", "dashboards-tracks");
            (dataSet.inputs.permissions as unknown[]).push({ principal: "arn:aws:quicksight:eu-west-1:222222222222:user/default/mallory", actions: ["quicksight:DescribeDataSet"] });
            await assertCaught(manifest, "quicksight-approved-principals", "dashboards-tracks");
        });
        it("quicksight-athena-workgroup: the real data source moved to the primary workgroup", async () => {
            const manifest = await prodCopy();
            const dataSource = find(manifest, "aws-native:quicksight:DataSource", "dashboards-athena");
            dataSource.inputs.dataSourceParameters = { athenaParameters: { workGroup: "primary" } };
            await assertCaught(manifest, "quicksight-athena-workgroup", "dashboards-athena");
        });
        it("required-tags: the dashboards layer's aws-native provider without defaultTags", async () => {
            const manifest = await prodCopy();
            delete find(manifest, "pulumi:providers:aws-native", "dashboards-aws-native").inputs.defaultTags;
            await assertCaught(manifest, "required-tags", "dashboards-spotify-hits");
        });
        it("data-protection: the real dashboard unprotected", async () => {
            const manifest = await prodCopy();
            find(manifest, "aws-native:quicksight:Dashboard", "dashboards-spotify-hits").protect = false;
            await assertCaught(manifest, "data-protection", "dashboards-spotify-hits");
        });
        it("data-protection: the data key unprotected", async () => {
            const manifest = await prodCopy();
            find(manifest, "aws:kms/key:Key", "storage-data-key").protect = false;
            await assertCaught(manifest, "data-protection", "storage-data-key");
        });
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
