import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadQueryCatalog } from "../model/queryCatalog";
import { REPO_ROOT } from "../model/repository";
import { npmRun } from "./support/npmRun";
import { diffManifests, diffStage, rankedWarnings, ResourceChange, StackDiff, StageDiff, WARNING_LEVELS } from "../workbench/diff/manifestDiff";
import { renderMarkdown, renderText } from "../workbench/diff/render";
import { REPLACEMENT_RULES, replacementTriggers } from "../engine/replacements";
import { SideError, synthesizeTree } from "../workbench/diff/sides";
import { unifiedDiff } from "../workbench/diff/textDiff";
import { decodePrestoView, prettyLines, showValue } from "../workbench/diff/values";
import type { Manifest, ManifestResource } from "../workbench/synth/manifestFile";
import { synthesizeStage } from "../workbench/synth/stageSynthesis";
import { readStageConfigFile } from "../ops/stageFile";
import { stageManifests } from "./support/synth";

function clone<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

function byStack(manifests: Manifest[]): Map<string, Manifest> {
    return new Map(manifests.map((manifest) => [manifest.stack, manifest]));
}

async function stageWith(stage: string, overrides: Record<string, string>): Promise<Manifest[]> {
    return synthesizeStage({ stage, config: { ...readStageConfigFile(stage), ...overrides } });
}

function changesOf(stackDiffs: StackDiff[]): (ResourceChange & { stack: string })[] {
    return stackDiffs.flatMap((stackDiff) => stackDiff.changes.map((change) => ({ ...change, stack: stackDiff.stack })));
}

/** The manifest of one stack of a stage. */
function stackOf(manifests: Manifest[], stack: string): Manifest {
    const manifest = manifests.find((candidate) => candidate.stack === stack);
    if (manifest === undefined) throw new Error(`no stack ${stack} among ${manifests.map((candidate) => candidate.stack).join(", ")}`);
    return manifest;
}

/** A manifest with one resource's inputs or options edited. */
function editResource(manifest: Manifest, name: string, edit: (resource: ManifestResource) => void): Manifest {
    const copy = clone(manifest);
    // A component and its main resource may share a name (SecureBucket "storage-staging" and its bucket): the resource.
    const resource = copy.resources.find((candidate) => candidate.name === name && candidate.custom);
    if (resource === undefined) throw new Error(`${manifest.stack} has no resource ${name}`);
    edit(resource);
    return copy;
}

describe("reviewer diff", () => {
    describe("classification", () => {
        it("shows no change between two syntheses of the same program, and says so", async () => {
            // Two runs of the program, not one manifest and its copy: anything a run does not
            // reproduce (an order, a timestamp, a random name) would show up as a change.
            const first = await stageWith("prod", {});
            const second = await stageWith("prod", {});
            const stageDiff = diffStage("prod", byStack(first), byStack(second));
            assert.deepStrictEqual(changesOf(stageDiff.stacks), []);
            assert.match(renderText([stageDiff]), new RegExp(`no changes in ${first.length} stack\\(s\\)`));
            assert.match(renderMarkdown([stageDiff]), new RegExp(`### Stage \`prod\`: no changes in ${first.length} stack\\(s\\)`));
        });

        it("shows a lifecycle-days change as an in-place update with before and after, and nothing else", async () => {
            const base = await stageManifests("prod");
            const head = await stageWith("prod", { "spotify:stagingInfrequentAccessDays": "60" });
            const stageDiff = diffStage("prod", byStack(base), byStack(head));
            const changed = changesOf(stageDiff.stacks).map((change) => ({
                stack: change.stack,
                name: change.name,
                kind: change.kind,
                changes: change.properties.flatMap((property) => property.changes),
            }));
            assert.deepStrictEqual(changed, [
                {
                    stack: "prod-storage",
                    name: "storage-staging-lifecycle",
                    kind: "update",
                    changes: [{ path: "rules[2].transitions[0].days", before: 30, after: 60 }],
                },
            ]);
            const text = renderText([stageDiff]);
            assert.match(
                text,
                /~ {2}aws:s3\/bucketLifecycleConfiguration:BucketLifecycleConfiguration {2}storage-staging-lifecycle\n {7}rules\[2\]\.transitions\[0\]\.days: 30 → 60\n/,
            );
            assert.doesNotMatch(text, /WARNINGS/);
        });

        it("shows a bucketSuffix change as bucket replacements, with what happens to the data in dev (forceDestroy)", async () => {
            const base = await stageManifests("dev");
            const head = await stageWith("dev", { "spotify:bucketSuffix": "333333333333" });
            const stageDiff = diffStage("dev", byStack(base), byStack(head));
            const changes = changesOf(stageDiff.stacks);
            const buckets = changes.filter((change) => change.type === "aws:s3/bucket:Bucket");
            assert.strictEqual(buckets.length, 5);
            for (const bucket of buckets) {
                assert.strictEqual(bucket.kind, "replace", bucket.name);
                assert.deepStrictEqual(bucket.replaceReasons, ["bucket changed"]);
                assert.match(bucket.warnings.map((warning) => warning.message).join(), /deleted with it \(forceDestroy: true\): the data is lost/);
            }
            // Everything keyed by the bucket name goes with it; the objects uploaded to glue-assets too.
            for (const type of [
                "bucketPolicy:BucketPolicy",
                "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "bucketObjectv2:BucketObjectv2",
            ]) {
                assert.ok(
                    changes.filter((change) => change.type === `aws:s3/${type}`).every((change) => change.kind === "replace"),
                    type,
                );
            }
            assert.ok(
                !changes.some((change) => change.kind === "update" && change.type.startsWith("aws:s3/bucket")),
                "no bucket-keyed resource is shown as an in-place update",
            );
            const text = renderText([stageDiff]);
            assert.match(text, /^WARNINGS \(\d+\)\n {2}LOSES DATA dev-storage storage-access-logs \(aws:s3\/bucket:Bucket\), replace: /m);
            assert.match(text, /^dev-storage: 32 to replace, 13 output\(s\) changed {2}\[5 warnings\]$/m);
            assert.match(text, /\+- aws:s3\/bucket:Bucket {2}storage-staging {2}\(replace: bucket changed\)/);
        });

        it("in prod the same change is blocked by protect on the data buckets and fails on the others", async () => {
            const base = await stageManifests("prod");
            const head = await stageWith("prod", { "spotify:bucketSuffix": "333333333333" });
            const buckets = changesOf(diffStage("prod", byStack(base), byStack(head)).stacks).filter((change) => change.type === "aws:s3/bucket:Bucket");
            const warning = (name: string) =>
                buckets
                    .find((bucket) => bucket.name === name)!
                    .warnings.map((entry) => entry.message)
                    .join();
            assert.match(warning("storage-staging"), /deploy is blocked \(protect: true\)/);
            assert.match(warning("storage-warehouse"), /deploy is blocked \(protect: true\)/);
            assert.match(warning("storage-athena-results"), /cannot be deleted while it holds objects \(forceDestroy: false\)/);
        });

        it("shows renaming the Glue database as its replacement, with its tables and the views that live in it", async () => {
            const base = await stageManifests("dev");
            const head = await stageWith("dev", { "spotify:namePrefix": "spotx" });
            const changes = changesOf(diffStage("dev", byStack(base), byStack(head)).stacks);
            const database = changes.find((change) => change.type === "aws:glue/catalogDatabase:CatalogDatabase")!;
            assert.strictEqual(database.kind, "replace");
            assert.deepStrictEqual(database.replaceReasons, ["name changed"]);
            assert.match(database.warnings[0].message, /Glue deletes its tables and their partitions/);
            const tables = changes.filter((change) => change.type === "aws:glue/catalogTable:CatalogTable");
            // The warehouse table and every view (queries/*.schema.json of kind view) live in the database.
            assert.strictEqual(tables.length, 1 + loadQueryCatalog().queries.filter((query) => query.kind === "view").length);
            assert.ok(tables.every((table) => table.kind === "replace"));
            assert.match(tables.find((table) => table.name === "etl-tracks")!.warnings[0].message, /its Iceberg snapshots are dropped with it/);
            assert.deepStrictEqual(tables.find((table) => table.name.endsWith("-view"))!.warnings, [], "a view holds no data");
        });

        it("shows turning the Hive warehouse table into the Iceberg one as a replacement that loses its data", async () => {
            const etl = stackOf(await stageManifests("dev"), "dev-etl");
            const base = editResource(etl, "etl-tracks", (table) => {
                delete table.inputs.openTableFormatInput;
                table.inputs.partitionKeys = [{ name: "release_year", type: "int", comment: "Year of release_date" }];
            });
            const table = diffManifests(base, etl).changes.find((change) => change.name === "etl-tracks")!;
            assert.strictEqual(table.kind, "replace");
            assert.deepStrictEqual(table.replaceReasons, ["openTableFormatInput changed"]);
            assert.match(table.warnings[0].message, /its partitions are dropped from the catalog/);
            const changedOptimizer = editResource(etl, "etl-snapshot-retention", (optimizer) => {
                (optimizer.inputs.configuration as { enabled: boolean }).enabled = false;
            });
            assert.strictEqual(diffManifests(etl, changedOptimizer).changes.find((change) => change.name === "etl-snapshot-retention")!.kind, "update");
        });

        it("replaces what a replaced resource feeds a replace-on-change input, and marks the rest as recomputed", async () => {
            const storage = stackOf(await stageManifests("dev"), "dev-storage");
            const head = editResource(storage, "storage-data-key", (key) => (key.inputs.customerMasterKeySpec = "SYMMETRIC_DEFAULT"));
            const base = editResource(storage, "storage-data-key", (key) => (key.inputs.customerMasterKeySpec = "HMAC_256"));
            const stackDiff = diffManifests(base, head);
            const key = stackDiff.changes.find((change) => change.name === "storage-data-key")!;
            assert.strictEqual(key.kind, "replace");
            assert.match(key.warnings[0].message, /scheduled for deletion \(7-day window\)/);
            const alias = stackDiff.changes.find((change) => change.name === "storage-data-key-alias")!;
            assert.strictEqual(alias.kind, "update");
            assert.deepStrictEqual(alias.recomputed, ["targetKeyId (from storage-data-key)"]);
            const encryption = stackDiff.changes.find((change) => change.name === "storage-staging-encryption")!;
            assert.strictEqual(encryption.kind, "update", "rules.applyServerSideEncryptionByDefault.kmsMasterKeyId is updatable");
        });

        it("flags deleting a protected resource, dropping protection, and forceDestroy turned on in a protected stage", async () => {
            const storage = stackOf(await stageManifests("prod"), "prod-storage");
            const unprotected = editResource(storage, "storage-data-key", (key) => (key.protect = false));
            assert.deepStrictEqual(
                diffManifests(storage, unprotected).changes.map((change) => change.warnings.map((warning) => warning.message)),
                [["removes protect: pulumi will no longer refuse to delete or replace it"]],
            );
            const removed = { ...storage, resources: storage.resources.filter((resource) => resource.name !== "storage-data-key") };
            const deletion = diffManifests(storage, removed).changes;
            assert.strictEqual(deletion.length, 1);
            assert.strictEqual(deletion[0].kind, "delete");
            assert.match(deletion[0].warnings[0].message, /deleting a protected resource that holds the stage's encrypted data: the deploy is blocked/);
            const forceDestroy = editResource(storage, "storage-athena-results", (bucket) => (bucket.inputs.forceDestroy = true));
            const warnings = diffManifests(storage, forceDestroy).changes.flatMap((change) => change.warnings);
            assert.deepStrictEqual(
                warnings.map((warning) => warning.level),
                ["data-loss"],
            );
            assert.match(warnings[0].message, /turns forceDestroy on in a stage that protects its data/);
        });

        it("counts a provider default stated explicitly as no change, and any other value as one", async () => {
            const storage = stackOf(await stageManifests("prod"), "prod-storage");
            const explicit = editResource(storage, "storage-data-key", (key) =>
                Object.assign(key.inputs, { customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", isEnabled: true }),
            );
            assert.deepStrictEqual(diffManifests(storage, explicit).changes, []);
            const etl = stackOf(await stageManifests("prod"), "prod-etl");
            const role = editResource(etl, "etl-job-role", (resource) => Object.assign(resource.inputs, { path: "/", maxSessionDuration: 3600 }));
            assert.deepStrictEqual(diffManifests(etl, role).changes, []);
            const signing = editResource(storage, "storage-data-key", (key) => (key.inputs.keyUsage = "SIGN_VERIFY"));
            const key = diffManifests(storage, signing).changes.find((change) => change.name === "storage-data-key")!;
            assert.strictEqual(key.kind, "replace");
            assert.deepStrictEqual(key.replaceReasons, ["keyUsage changed"]);
        });

        it("shows a change to the awsx VPC component's inputs, with the children it replaces", async () => {
            const network = stackOf(await stageManifests("prod"), "prod-network");
            const editVpc = (edit: (inputs: Record<string, unknown>) => void) => {
                const copy = clone(network);
                const vpc = copy.resources.find((resource) => resource.type === "awsx:ec2:Vpc");
                assert.ok(vpc !== undefined && !vpc.custom, "prod's network has the awsx VPC component");
                edit(vpc.inputs);
                return diffManifests(network, copy).changes.find((change) => change.type === "awsx:ec2:Vpc");
            };
            const cidr = editVpc((inputs) => (inputs.cidrBlock = "10.42.0.0/16"));
            assert.strictEqual(cidr?.kind, "replace");
            assert.match(cidr.replaceReasons.join(), /^cidrBlock changed: replaces the VPC \(aws_vpc cidr_block ForceNew\) and with it every subnet/);
            const subnets = editVpc((inputs) => ((inputs.subnetSpecs as { cidrMask: number }[])[0].cidrMask = 22));
            assert.match(subnets?.replaceReasons.join() ?? "", /^subnetSpecs changed: replaces its subnets/);
            const dns = editVpc((inputs) => (inputs.enableDnsHostnames = false));
            assert.strictEqual(dns?.kind, "update", "VPC DNS attributes change in place");
        });

        it("warns that renaming prod's workgroup fails the deploy, and ranks prod's failures first, then data loss, then the rest", async () => {
            const renamed = { "spotify:namePrefix": "spotx" };
            const dev = diffStage("dev", byStack(await stageManifests("dev")), byStack(await stageWith("dev", renamed)));
            const prod = diffStage("prod", byStack(await stageManifests("prod")), byStack(await stageWith("prod", renamed)));
            const workgroup = (stageDiff: StageDiff) => changesOf(stageDiff.stacks).find((change) => change.type === "aws:athena/workgroup:Workgroup")!;
            assert.deepStrictEqual(
                workgroup(prod).warnings.map((warning) => warning.level),
                ["blocking"],
            );
            assert.match(workgroup(prod).warnings[0].message, /deleting the old workgroup fails while it holds named queries .*`up` fails at the end/);
            assert.deepStrictEqual(
                workgroup(dev).warnings.map((warning) => warning.level),
                ["data-loss"],
                "dev's workgroup has forceDestroy: its queries go with it",
            );
            const ranked = rankedWarnings([dev, prod]);
            const stages = ranked.map((entry) => entry.stage);
            assert.strictEqual(stages.indexOf("dev"), stages.lastIndexOf("prod") + 1, "every prod warning before any dev warning");
            for (const stage of ["prod", "dev"]) {
                const levels = ranked.filter((entry) => entry.stage === stage).map((entry) => WARNING_LEVELS.indexOf(entry.warning.level));
                assert.deepStrictEqual(
                    levels,
                    [...levels].sort((a, b) => a - b),
                    `${stage}: failures, then data loss, then the rest`,
                );
            }
            assert.ok(
                new Set(ranked.filter((entry) => entry.stage === "prod").map((entry) => entry.warning.level)).size > 1,
                "prod's warnings have several levels",
            );
            assert.match(renderText([dev, prod]), /^Stage prod\n[\s\S]*^Stage dev\n/m);
        });

        it("lists stacks in deploy order whatever order the manifests come in", async () => {
            const manifests = [...(await stageManifests("dev")), ...(await stageManifests("dev", true))].reverse();
            const stageDiff = diffStage("dev", new Map(), byStack(manifests));
            assert.deepStrictEqual(
                stageDiff.stacks.map((stackDiff) => stackDiff.stack),
                ["dev-network", "dev-storage", "dev-etl", "dev-queries", "dev-dashboards", "dev"],
            );
            assert.ok(stageDiff.stacks.every((stackDiff) => stackDiff.warnings.some((warning) => /new stack/.test(warning.message))));
        });
    });

    describe("values in full", () => {
        it("shows an edited line of a view's SQL as that line, decoded from the Presto view text", async () => {
            const queries = stackOf(await stageManifests("dev"), "dev-queries");
            const view = queries.resources.find((resource) => resource.name === "queries-genre_summary-view")!;
            const definition = decodePrestoView(String(view.inputs.viewOriginalText)) as { originalSql: string };
            assert.match(definition.originalSql, /max\(hit_score\) AS max_hit_score,/);
            // The same view with one line of its SQL edited, encoded as Athena stores it (infra/queries/prestoView.ts).
            const edited = {
                ...definition,
                originalSql: definition.originalSql.replace("max(hit_score) AS max_hit_score,", "max(hit_score) AS top_hit_score,"),
            };
            const head = editResource(queries, view.name, (resource) => {
                resource.inputs.viewOriginalText = `/* Presto View: ${Buffer.from(JSON.stringify(edited), "utf8").toString("base64")} */`;
            });
            const stackDiff = diffManifests(queries, head);
            const text = renderText([{ stage: "dev", protectedStage: false, stacks: [stackDiff] }]);
            assert.match(text, /viewOriginalText \(Presto view definition: base64 JSON, decoded\):/);
            assert.match(text, /^ +- +max\(hit_score\) AS max_hit_score,$/m);
            assert.match(text, /^ +\+ +max\(hit_score\) AS top_hit_score,$/m);
            assert.strictEqual(text.match(/^ +[-+] /gm)?.length, 2, `exactly one line changed:\n${text}`);
            assert.strictEqual(stackDiff.changes[0].kind, "update", "a view's text is updatable in place");
        });

        it("pretty-prints a changed policy and diffs it line by line, without cutting long values", async () => {
            const storage = stackOf(await stageManifests("dev"), "dev-storage");
            const head = editResource(storage, "storage-staging-policy", (resource) => {
                const policy = JSON.parse(String(resource.inputs.policy)) as { Statement: unknown[] };
                policy.Statement.push({
                    Sid: "AllowAnalytics",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::123456789012:role/analytics" },
                    Action: "s3:GetObject",
                    Resource: "*",
                });
                resource.inputs.policy = JSON.stringify(policy);
            });
            const text = renderText([{ stage: "dev", protectedStage: false, stacks: [diffManifests(storage, head)] }]);
            assert.match(text, /policy \(JSON document, pretty-printed\):/);
            assert.match(text, /^ +\+ {6}"Sid": "AllowAnalytics",$/m);
            assert.match(text, /^ +\+ {8}"AWS": "arn:aws:iam::123456789012:role\/analytics"$/m);
            const long = "x".repeat(300);
            const longHead = editResource(storage, "storage-data-key", (key) => (key.inputs.description = long));
            const longText = renderText([{ stage: "dev", protectedStage: false, stacks: [diffManifests(storage, longHead)] }]);
            assert.ok(longText.includes(`+${long}`), "the whole new value is shown");
            assert.doesNotMatch(longText, /\.\.\.$/m);
        });

        it("keeps secrets masked", () => {
            assert.deepStrictEqual(showValue("[secret]"), { kind: "inline", text: "[secret]" });
            const base = { resources: [] } as unknown as Manifest;
            const resource = {
                urn: "urn:x",
                type: "aws:kms/alias:Alias",
                name: "a",
                custom: true,
                read: false,
                parent: null,
                provider: null,
                protect: false,
                retainOnDelete: false,
                dependencies: [],
                propertyDependencies: {},
                inputs: { name: "[secret]" },
            };
            const head = { ...base, stack: "dev-storage", resources: [resource] } as unknown as Manifest;
            const before = { ...head, resources: [{ ...resource, inputs: { name: "alias/plain" } }] } as Manifest;
            const text = renderText([{ stage: "dev", protectedStage: false, stacks: [diffManifests(before, head)] }]);
            assert.match(text, /name: "alias\/plain" → \[secret\]/);
        });

        it("renders JSON with multi-line strings one line per line", () => {
            assert.deepStrictEqual(prettyLines({ sql: "SELECT 1\nFROM t", n: [1] }), [
                "{",
                '  "sql": |',
                "      SELECT 1",
                "      FROM t",
                '  "n": [',
                "    1",
                "  ]",
                "}",
            ]);
            assert.deepStrictEqual(unifiedDiff("a\nb\nc", "a\nB\nc"), ["@@ -1,3 +1,3 @@", " a", "-b", "+B", " c"]);
            assert.deepStrictEqual(unifiedDiff("same", "same"), []);
        });
    });

    describe("replacement table", () => {
        it("covers every custom resource type of the dev and prod manifests", async () => {
            const types = new Set<string>();
            for (const stage of ["dev", "prod"]) {
                for (const manifest of [...(await stageManifests(stage)), ...(await stageManifests(stage, true))]) {
                    for (const resource of manifest.resources) if (resource.custom && !resource.read) types.add(resource.type);
                }
            }
            const missing = [...types].filter((type) => REPLACEMENT_RULES[type] === undefined).sort();
            assert.deepStrictEqual(missing, [], "add these types to engine/replacements.ts, citing the provider's schema or source");
        });

        it("names only inputs the SDK's resource types have, and cites a source for each", () => {
            for (const [type, rule] of Object.entries(REPLACEMENT_RULES)) {
                assert.ok(rule.source.length > 20, `${type}: cite the provider source or schema`);
                if (rule.properties.length === 0) continue;
                // aws:s3/bucket:Bucket → @pulumi/aws/s3/bucket.d.ts; aws-native:quicksight:DataSet → @pulumi/aws-native/quicksight/dataSet.d.ts
                const [provider, module, name] = type.split(":");
                const file =
                    provider === "aws"
                        ? path.join(REPO_ROOT, "node_modules", "@pulumi", "aws", `${module}.d.ts`)
                        : path.join(REPO_ROOT, "node_modules", "@pulumi", provider, module, `${name.charAt(0).toLowerCase()}${name.slice(1)}.d.ts`);
                const source = fs.readFileSync(file, "utf8");
                const args = new RegExp(`export interface ${name}Args \\{([\\s\\S]*?)\\n\\}`).exec(source)?.[1];
                assert.ok(args !== undefined, `${type}: no ${name}Args in ${file}`);
                for (const property of rule.properties) {
                    const top = property.split(".")[0];
                    assert.match(args, new RegExp(`\\n\\s+${top}\\??:`), `${type}: ${top} is not an input of ${name}Args`);
                }
            }
        });

        it("matches changes at, below or above a replace-on-change path", () => {
            assert.deepStrictEqual(replacementTriggers("aws:s3/bucket:Bucket", ["bucket"]), ["bucket"]);
            assert.deepStrictEqual(replacementTriggers("aws:s3/bucket:Bucket", ["forceDestroy"]), []);
            assert.deepStrictEqual(replacementTriggers("aws-native:quicksight:RefreshSchedule", ["schedule.scheduleId"]), ["schedule.scheduleId"]);
            assert.deepStrictEqual(replacementTriggers("aws-native:quicksight:RefreshSchedule", ["schedule.scheduleFrequency.timeOfTheDay"]), []);
            assert.deepStrictEqual(replacementTriggers("aws-native:quicksight:RefreshSchedule", ["schedule"]), ["schedule.scheduleId"]);
            assert.deepStrictEqual(replacementTriggers("aws:glue/dataQualityRuleset:DataQualityRuleset", ["targetTable.databaseName"]), ["targetTable"]);
            assert.strictEqual(replacementTriggers("aws:nope/nope:Nope", ["x"]), undefined);
        });
    });

    describe("command line and synthesis", () => {
        it("synth clears a stack's old manifest before writing, so a failed synthesis leaves nothing stale", async () => {
            const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "stale-"));
            try {
                fs.mkdirSync(path.join(outDir, "dev"));
                for (const stack of ["dev-storage", "dev-etl"]) fs.writeFileSync(path.join(outDir, "dev", `${stack}.json`), "{}");
                const config = { ...readStageConfigFile("dev"), "spotify:bucketSuffix": "NOT VALID" };
                await assert.rejects(synthesizeStage({ stage: "dev", config, outDir }), /bucketSuffix/);
                assert.deepStrictEqual(fs.readdirSync(path.join(outDir, "dev")), []);
            } finally {
                fs.rmSync(outDir, { recursive: true, force: true });
            }
        });

        it("refuses to compare a side whose synthesis failed", () => {
            const root = fs.mkdtempSync(path.join(os.tmpdir(), "broken-tree-"));
            try {
                fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), path.join(root, "Pulumi.dev.yaml"));
                fs.mkdirSync(path.join(root, "tools"));
                fs.writeFileSync(path.join(root, "tools", "synth.ts"), 'console.error("synth: boom"); process.exit(1);\n');
                fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"));
                assert.throws(
                    () => synthesizeTree(root, ["dev"], path.join(root, "out"), "the base"),
                    (error: unknown) => error instanceof SideError && /synthesis of stage dev at the base failed[\s\S]*synth: boom/.test(error.message),
                );
            } finally {
                fs.rmSync(root, { recursive: true, force: true });
            }
        });

        it("diffs two manifest directories (npm run diff -- <base-dir> <head-dir>)", async () => {
            const root = fs.mkdtempSync(path.join(os.tmpdir(), "diff-dirs-"));
            try {
                await synthesizeStage({ stage: "dev", outDir: path.join(root, "base") });
                await synthesizeStage({
                    stage: "dev",
                    config: { ...readStageConfigFile("dev"), "spotify:logRetentionDays": "60" },
                    outDir: path.join(root, "head"),
                });
                const run = npmRun("diff", [
                    path.join(root, "base"),
                    path.join(root, "head"),
                    "--json",
                    path.join(root, "diff.json"),
                    "--out",
                    path.join(root, "diff.md"),
                ]);
                assert.strictEqual(run.status, 0, run.stderr);
                // The job's three log groups; the table optimizers write to Glue's own.
                assert.match(run.stdout, /dev-etl: 3 to update/);
                assert.match(run.stdout, /retentionInDays: 14 → 60/);
                assert.match(fs.readFileSync(path.join(root, "diff.md"), "utf8"), /\| 3 \| `dev-etl` \| 0 \| 3 \| 0 \| 0 \| 0 \| 0 \|/);
                assert.strictEqual(
                    (JSON.parse(fs.readFileSync(path.join(root, "diff.json"), "utf8")) as { stages: { stage: string }[] }).stages[0].stage,
                    "dev",
                );
            } finally {
                fs.rmSync(root, { recursive: true, force: true });
            }
        });

        it("diffs a stage against a git ref in one command, and rejects a ref that does not exist", () => {
            const run = npmRun("diff", ["dev", "--base", "HEAD", "--markdown"]);
            assert.strictEqual(run.status, 0, run.stderr);
            assert.match(run.stdout, /^### Stage `dev`: /m);
            assert.match(run.stdout, /\| 1 \| `dev-network` \|[\s\S]*\| 2 \| `dev-storage` \|[\s\S]*\| 5 \| `dev-dashboards` \|/);
            assert.match(run.stderr, /base dependencies: /);
            const missing = npmRun("diff", ["dev", "--base", "no-such-ref-anywhere"]);
            assert.strictEqual(missing.status, 2);
            assert.match(missing.stderr, /--base no-such-ref-anywhere: not a commit/);
            const unknown = npmRun("diff", ["dev", "--nope"]);
            assert.strictEqual(unknown.status, 2);
            assert.match(unknown.stderr, /Unknown option '--nope'/);
        });
    });
});
