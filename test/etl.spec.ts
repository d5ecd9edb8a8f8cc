import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import glueRuntime from "../etl/glue_runtime.json";
import warehouseContract from "../etl/spotify_etl/contracts/warehouse_schema.json";
import { contentAddressedKey, uploadEntries } from "../infra/etl/contentAddressedObject";
import { REPO_ROOT } from "../model/repository";
import { parseStageConfig, StageConfig } from "../model/stageConfig";
import { pythonRuntimeFiles } from "../infra/etl/jobModules";
import { etlJobPackage, ETL_SOURCES } from "../infra/layers/etl";
import { DATA_LAYOUT } from "../model/stagePlan";
import { bucketName, BucketPurpose, underscoredName } from "../model/naming";
import { FAKE_ACCOUNT_ID, FAKE_PARTITION } from "../engine/fakeCloud";
import type { ManifestResource } from "../workbench/synth/manifestFile";
import { readStageConfigFile } from "../ops/stageFile";
import { stackTemplate } from "./support/synth";
import { Template } from "./support/template";

const TYPES = {
    database: "aws:glue/catalogDatabase:CatalogDatabase",
    table: "aws:glue/catalogTable:CatalogTable",
    securityConfiguration: "aws:glue/securityConfiguration:SecurityConfiguration",
    job: "aws:glue/job:Job",
    optimizer: "aws:glue/catalogTableOptimizer:CatalogTableOptimizer",
    trigger: "aws:glue/trigger:Trigger",
    ruleset: "aws:glue/dataQualityRuleset:DataQualityRuleset",
    catalogEncryption: "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    object: "aws:s3/bucketObjectv2:BucketObjectv2",
    key: "aws:kms/key:Key",
    bucket: "aws:s3/bucket:Bucket",
};

/** Job arguments Glue itself defines; every other argument is one the entry script reads. */
const GLUE_SPECIAL_ARGUMENTS = [
    "--job-language",
    "--job-bookmark-option",
    "--enable-metrics",
    "--enable-observability-metrics",
    "--enable-continuous-cloudwatch-log",
    "--extra-py-files",
    "--datalake-formats",
    "--TempDir",
];

/** Job inputs that are the stage's settings, by the config key they come from. */
const JOB_INPUTS_FROM_CONFIG = {
    workerType: "glueWorkerType",
    numberOfWorkers: "glueNumberOfWorkers",
    executionClass: "glueExecutionClass",
    timeout: "glueTimeoutMinutes",
    maxRetries: "glueMaxRetries",
} as const satisfies Record<string, keyof StageConfig>;

/**
 * The names the entry script passes to getResolvedOptions, JOB_NAME aside (Glue always passes it):
 * a literal list in the call, or the module-level list the call names or spreads first. What the
 * call adds after that spread, conditionally, is optional: arguments a run is started with (a
 * rollback's), not default arguments of the job.
 */
function scriptArguments(): string[] {
    const script = fs.readFileSync(path.join(REPO_ROOT, ETL_SOURCES.entryScript), "utf8");
    const call = /getResolvedOptions\(\s*\w+(?:\.\w+)?\s*,\s*(?:\[\s*\*\s*(\w+)|(\w+)|(\[[^\]]*\]))/.exec(script);
    assert.ok(call, `${ETL_SOURCES.entryScript} calls no getResolvedOptions(argv, <list>)`);
    const listName = call[1] ?? call[2];
    const literal = listName === undefined ? call[3] : new RegExp(`^${listName}\\s*(?::[^=\\n]*)?=\\s*(\\[[^\\]]*\\])`, "m").exec(script)?.[1];
    assert.ok(literal, `${ETL_SOURCES.entryScript}: getResolvedOptions reads ${listName}, which is not a literal list`);
    const names = [...literal.matchAll(/["']([^"']+)["']/g)].map((match) => match[1]);
    assert.ok(names.length > 0, "getResolvedOptions reads no arguments");
    return names.filter((name) => name !== "JOB_NAME");
}

interface Statement {
    Sid: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

function statementsOf(template: Template, roleName: string): Statement[] {
    template.hasResourceProperties(TYPES.role, { name: roleName });
    const [policy] = template.findResources(TYPES.rolePolicy, { role: roleName });
    assert.ok(policy, `${roleName} has no inline policy`);
    return (JSON.parse(String(policy.inputs.policy)) as { Statement: Statement[] }).Statement;
}

function glob(pattern: string, value: string, ignoreCase = false): boolean {
    const source = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

/** A minimal IAM evaluation of Allow statements: action and resource globs, StringEquals conditions. */
function allows(statements: Statement[], action: string, resource: string, context: Record<string, string> = {}): boolean {
    return statements.some(
        (statement) =>
            statement.Effect === "Allow" &&
            list(statement.Action).some((pattern) => glob(pattern, action, true)) &&
            list(statement.Resource).some((pattern) => glob(pattern, resource)) &&
            Object.entries(statement.Condition?.StringEquals ?? {}).every(([key, value]) => list(value).includes(context[key])),
    );
}

/** The two optimizers a stage's settings give the warehouse table (infra/etl/tableMaintenance.ts). */
function expectedOptimizers(config: StageConfig) {
    const enabled = config.tableMaintenance;
    const runRateInHours = config.tableMaintenanceEveryHours;
    return [
        {
            type: "retention",
            configuration: {
                enabled,
                retentionConfiguration: {
                    icebergConfiguration: {
                        snapshotRetentionPeriodInDays: config.snapshotRetentionDays,
                        numberOfSnapshotsToRetain: config.snapshotsToKeep,
                        cleanExpiredFiles: true,
                        runRateInHours,
                    },
                },
            },
        },
        {
            type: "orphan_file_deletion",
            configuration: {
                enabled,
                orphanFileDeletionConfiguration: { icebergConfiguration: { orphanFileRetentionPeriodInDays: config.orphanFileRetentionDays, runRateInHours } },
            },
        },
    ];
}

describe("etl layer (dev-etl)", () => {
    let template: Template;
    let config: StageConfig;
    let dataKeyArn: string;
    const s3 = (purpose: BucketPurpose, key = "") => `arn:${FAKE_PARTITION}:s3:::${bucketName(config, purpose)}${key === "" ? "" : `/${key}`}`;
    const s3Uri = (purpose: BucketPurpose, prefix: string) => `s3://${bucketName(config, purpose)}/${prefix}`;
    const regional = (service: string, resource: string) => `arn:${FAKE_PARTITION}:${service}:${config.region}:${FAKE_ACCOUNT_ID}:${resource}`;
    const securityConfigurationName = () => underscoredName(config, "etl_security");
    const jobRoleName = () => underscoredName(config, "etl_job_role");
    const maintenanceRoleName = () => underscoredName(config, "table_maintenance_role");
    const job = () => template.resource(TYPES.job, "etl-job");
    const table = () => template.resource(TYPES.table, "etl-tracks");
    const tableArn = () => regional("glue", `table/${underscoredName(config, "warehouse")}/${warehouseContract.table}`);

    before(async () => {
        template = await stackTemplate("dev", "dev-etl");
        config = parseStageConfig(readStageConfigFile("dev"), "dev");
        const storage = await stackTemplate("dev", "dev-storage");
        dataKeyArn = String(storage.manifest.outputs.dataKeyArn);
    });

    it("declares the catalog, job, table optimizers, security configuration, roles and ruleset, and no crawler", () => {
        for (const [type, count] of [
            [TYPES.database, 1],
            [TYPES.table, 1],
            [TYPES.securityConfiguration, 1],
            [TYPES.job, 1],
            [TYPES.optimizer, 2],
            ["aws:glue/crawler:Crawler", 0],
            [TYPES.trigger, 0],
            [TYPES.ruleset, 1],
            [TYPES.role, 2],
            [TYPES.rolePolicy, 2],
            [TYPES.logGroup, 3],
            [TYPES.object, 2],
        ] as const) {
            template.resourceCountIs(type, count);
        }
        template.hasResourceProperties(TYPES.database, { name: underscoredName(config, "warehouse") });
    });

    it("exports, under each output name, the resource that name says", () => {
        const named = (type: string, name: string) => String(template.resource(type, name).inputs.name);
        const roleArn = (name: string) => `arn:${FAKE_PARTITION}:iam::${FAKE_ACCOUNT_ID}:role/${named(TYPES.role, name)}`;
        assert.deepStrictEqual(template.manifest.outputs, {
            glueDatabaseName: named(TYPES.database, "etl-warehouse"),
            warehouseTableName: named(TYPES.table, "etl-tracks"),
            etlJobName: named(TYPES.job, "etl-job"),
            etlJobRoleArn: roleArn("etl-job-role"),
            glueSecurityConfigurationName: named(TYPES.securityConfiguration, "etl-security"),
            dataQualityRulesetName: named(TYPES.ruleset, "etl-quality"),
        });
    });

    it("encrypts S3 and CloudWatch (SSE-KMS) and bookmarks (CSE-KMS) with the storage layer's data key", () => {
        template.hasResourceProperties(TYPES.securityConfiguration, {
            name: securityConfigurationName(),
            encryptionConfiguration: {
                s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: dataKeyArn },
                cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: dataKeyArn },
                jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: dataKeyArn },
            },
        });
        assert.strictEqual(job().inputs.securityConfiguration, securityConfigurationName());
    });

    it("encrypts the Data Catalog's metadata and connection passwords with the data key, before the database exists", () => {
        template.resourceCountIs(TYPES.catalogEncryption, 1);
        const settings = template.hasResourceProperties(TYPES.catalogEncryption, {
            dataCatalogEncryptionSettings: {
                encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: dataKeyArn },
                connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: dataKeyArn },
            },
        });
        const database = template.resource(TYPES.database, "etl-warehouse");
        assert.ok(database.dependencies.includes(settings.urn), "the database does not wait for the catalog encryption");
        // Deleting the settings turns catalog encryption off: kept exactly where the stage keeps data.
        assert.strictEqual(settings.protect, config.protectData);
        assert.strictEqual(settings.retainOnDelete, config.protectData);
    });

    it("creates Glue's log groups itself, with the stage's retention and the data key, and the job waits for them and its permissions", () => {
        const names = [
            `/aws-glue/jobs/${securityConfigurationName()}-role/${jobRoleName()}/output`,
            `/aws-glue/jobs/${securityConfigurationName()}-role/${jobRoleName()}/error`,
            `/aws-glue/jobs/logs-v2-${securityConfigurationName()}`,
        ];
        const groups = template.findResources(TYPES.logGroup);
        assert.deepStrictEqual(groups.map((group) => group.inputs.name).sort(), [...names].sort());
        for (const group of groups) {
            assert.strictEqual(group.inputs.retentionInDays, config.logRetentionDays, String(group.inputs.name));
            assert.strictEqual(group.inputs.kmsKeyId, dataKeyArn, String(group.inputs.name));
        }
        const jobGroups = groups.filter((group) => String(group.inputs.name).startsWith("/aws-glue/jobs/"));
        for (const group of jobGroups) assert.ok(job().dependencies.includes(group.urn), `the job does not wait for ${String(group.inputs.name)}`);
        const [permissions] = template.findResources(TYPES.rolePolicy, { role: jobRoleName() });
        assert.ok(job().dependencies.includes(permissions.urn), "the job does not wait for its role's permissions");
    });

    describe("IAM", () => {
        const logGroupArns = (...names: string[]) => names.flatMap((name) => [regional("logs", `log-group:${name}`), regional("logs", `log-group:${name}:*`)]);
        const catalogArns = () => [regional("glue", "catalog"), regional("glue", `database/${underscoredName(config, "warehouse")}`)];

        /** Every resource each role may name; anything else in its policy is a scoping error. */
        const allowedResources = () => ({
            [jobRoleName()]: [
                s3("staging"),
                s3("warehouse"),
                s3("glue-assets"),
                ...DATA_LAYOUT.stagingSources.map((prefix) => s3("staging", `${prefix}*`)),
                ...[DATA_LAYOUT.warehouseTable, DATA_LAYOUT.rejected, DATA_LAYOUT.unmatched, DATA_LAYOUT.runSummaries].map((prefix) =>
                    s3("warehouse", `${prefix}*`),
                ),
                s3("glue-assets", `${DATA_LAYOUT.glueScripts}*`),
                s3("glue-assets", `${DATA_LAYOUT.glueTemp}*`),
                ...catalogArns(),
                tableArn(),
                regional("glue", "dataQualityRuleset/*"),
                dataKeyArn,
                ...logGroupArns(
                    `/aws-glue/jobs/${securityConfigurationName()}-role/${jobRoleName()}/output`,
                    `/aws-glue/jobs/${securityConfigurationName()}-role/${jobRoleName()}/error`,
                    `/aws-glue/jobs/logs-v2-${securityConfigurationName()}`,
                ),
            ],
            [maintenanceRoleName()]: [
                s3("warehouse"),
                s3("warehouse", `${DATA_LAYOUT.warehouseTable}*`),
                ...catalogArns(),
                tableArn(),
                dataKeyArn,
                ...logGroupArns("/aws-glue/iceberg-retention/logs", "/aws-glue/iceberg-orphan-file-deletion/logs"),
            ],
        });

        it("names no wildcard action, and no resource outside the layer's buckets, prefixes, database, key and log groups", () => {
            for (const [roleName, allowed] of Object.entries(allowedResources())) {
                for (const statement of statementsOf(template, roleName)) {
                    assert.strictEqual(statement.Effect, "Allow");
                    assert.match(statement.Sid, /^[A-Za-z0-9]+$/, `${roleName}: every statement has a Sid`);
                    for (const action of list(statement.Action)) assert.ok(!action.includes("*"), `${roleName}/${statement.Sid}: wildcard action ${action}`);
                    for (const resource of list(statement.Resource)) {
                        if (resource === "*") continue;
                        assert.ok(allowed.includes(resource), `${roleName}/${statement.Sid}: ${resource} is outside the layer's scope`);
                        if (/^arn:[^:]+:s3:::[^/]+$/.test(resource)) {
                            assert.deepStrictEqual(
                                list(statement.Action),
                                ["s3:ListBucket"],
                                `${roleName}/${statement.Sid}: bucket-level ARNs only for listing`,
                            );
                        }
                    }
                }
            }
        });

        it('uses "*" only for cloudwatch:PutMetricData, held to the Glue and Glue Data Quality namespaces', () => {
            const wildcards = [jobRoleName(), maintenanceRoleName()].flatMap((roleName) =>
                statementsOf(template, roleName).filter((statement) => list(statement.Resource).includes("*")),
            );
            assert.deepStrictEqual(
                wildcards.map((statement) => ({ Action: list(statement.Action), Resource: statement.Resource, Condition: statement.Condition })),
                [
                    {
                        Action: ["cloudwatch:PutMetricData"],
                        Resource: "*",
                        Condition: { StringEquals: { "cloudwatch:namespace": ["Glue", "Glue Data Quality"] } },
                    },
                ],
            );
        });

        it("lets the job read staging, write the warehouse outputs and use its code, temp dir, key and metrics, and nothing beside", () => {
            const job = statementsOf(template, jobRoleName());
            for (const source of DATA_LAYOUT.stagingSources) assert.ok(allows(job, "s3:GetObject", s3("staging", `${source}2024/part-1.csv`)), source);
            for (const prefix of [DATA_LAYOUT.warehouseTable, DATA_LAYOUT.rejected, DATA_LAYOUT.unmatched, DATA_LAYOUT.runSummaries]) {
                for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
                    assert.ok(allows(job, action, s3("warehouse", `${prefix}x/part-0.parquet`)), `${action} ${prefix}`);
            }
            assert.ok(allows(job, "s3:GetObject", s3("glue-assets", `${DATA_LAYOUT.glueScripts}0123/spotify_etl.zip`)));
            assert.ok(allows(job, "s3:PutObject", s3("glue-assets", `${DATA_LAYOUT.glueTemp}run-1/x`)));
            for (const action of ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"]) assert.ok(allows(job, action, dataKeyArn), action);
            for (const namespace of ["Glue", "Glue Data Quality"])
                assert.ok(allows(job, "cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": namespace }), namespace);
            assert.ok(allows(job, "glue:PublishDataQuality", regional("glue", "dataQualityRuleset/any")), "the quality gate publishes its results");

            assert.ok(!allows(job, "s3:PutObject", s3("staging", "tracks/x.csv")), "staging is read-only");
            assert.ok(!allows(job, "s3:GetObject", s3("staging", "other/x.csv")), "only the three sources");
            assert.ok(!allows(job, "s3:PutObject", s3("warehouse", "other/x")), "only the warehouse outputs");
            assert.ok(!allows(job, "s3:PutObject", s3("glue-assets", `${DATA_LAYOUT.glueScripts}x.py`)), "the job cannot change its own code");
            assert.ok(!allows(job, "s3:GetObject", s3("athena-results", "results/x")));
            assert.ok(!allows(job, "glue:GetTable", regional("glue", "table/other_database/tracks")));
            assert.ok(!allows(job, "cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "Other" }));
            assert.ok(!allows(job, "glue:UpdateDataQualityRuleset", regional("glue", `dataQualityRuleset/${underscoredName(config, "warehouse_quality")}`)));
        });

        it("lets the job commit to exactly the warehouse table through the Glue catalog, and delete its own run outputs", () => {
            const job = statementsOf(template, jobRoleName());
            for (const action of ["glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"]) assert.ok(allows(job, action, tableArn()), action);
            assert.ok(allows(job, "glue:GetDatabase", regional("glue", `database/${underscoredName(config, "warehouse")}`)));
            for (const folder of ["data/release_year=1999/00000-1.parquet", "metadata/v2.metadata.json", "metadata/snap-1.avro"]) {
                for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
                    assert.ok(allows(job, action, s3("warehouse", `${DATA_LAYOUT.warehouseTable}${folder}`)), `${action} ${folder}`);
            }
            for (const prefix of [DATA_LAYOUT.rejected, DATA_LAYOUT.unmatched]) {
                assert.ok(
                    allows(job, "s3:DeleteObject", s3("warehouse", `${prefix}run=20240101T020000Z-abc/part-0.parquet`)),
                    `a killed run's folder under ${prefix}`,
                );
            }
            assert.ok(allows(job, "s3:DeleteObject", s3("warehouse", `${DATA_LAYOUT.runSummaries}20240101.json.tmp`)), "a summary's temporary name");
            const otherTable = regional("glue", `table/${underscoredName(config, "warehouse")}/tracks_2`);
            assert.ok(!allows(job, "glue:UpdateTable", otherTable), "only the warehouse table");
            assert.ok(!allows(job, "glue:GetTable", otherTable), "only the warehouse table");
            for (const action of ["glue:CreateTable", "glue:DeleteTable", "glue:BatchCreatePartition", "glue:CreatePartition", "glue:UpdatePartition"])
                assert.ok(!allows(job, action, tableArn()), `${action}: the program declares the table and Iceberg keeps the partitions`);
        });

        it("lets the table optimizers read, rewrite and delete the table's files and commit its metadata, and nothing beside", () => {
            const maintenance = statementsOf(template, maintenanceRoleName());
            for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
                assert.ok(allows(maintenance, action, s3("warehouse", `${DATA_LAYOUT.warehouseTable}metadata/v3.metadata.json`)), action);
            for (const action of ["glue:GetTable", "glue:UpdateTable"]) assert.ok(allows(maintenance, action, tableArn()), action);
            for (const action of ["kms:Decrypt", "kms:GenerateDataKey"]) assert.ok(allows(maintenance, action, dataKeyArn), action);
            for (const group of ["/aws-glue/iceberg-retention/logs", "/aws-glue/iceberg-orphan-file-deletion/logs"])
                assert.ok(allows(maintenance, "logs:PutLogEvents", regional("logs", `log-group:${group}:log-stream:run-1`)), group);

            for (const prefix of [DATA_LAYOUT.rejected, DATA_LAYOUT.unmatched, DATA_LAYOUT.runSummaries])
                assert.ok(!allows(maintenance, "s3:DeleteObject", s3("warehouse", `${prefix}x`)), `the optimizers stay out of ${prefix}`);
            assert.ok(!allows(maintenance, "s3:GetObject", s3("staging", "tracks/x.csv")));
            assert.ok(!allows(maintenance, "glue:UpdateTable", regional("glue", `table/${underscoredName(config, "warehouse")}/tracks_2`)));
            assert.ok(!allows(maintenance, "glue:DeleteTable", tableArn()));
        });

        it("lets only Glue assume the roles, which have no managed policies", () => {
            template.resourceCountIs("aws:iam/rolePolicyAttachment:RolePolicyAttachment", 0);
            for (const role of template.findResources(TYPES.role)) {
                assert.deepStrictEqual((JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: unknown }).Statement, [
                    { Effect: "Allow", Principal: { Service: "glue.amazonaws.com" }, Action: "sts:AssumeRole" },
                ]);
            }
        });
    });

    describe("job", () => {
        it("runs the uploaded entry script on Glue 5.1 with the stage's capacity, timeout and retries", () => {
            const scriptKey = contentAddressedKey(DATA_LAYOUT.glueScripts, ETL_SOURCES.entryScript);
            template.hasResourceProperties(TYPES.object, { bucket: bucketName(config, "glue-assets"), key: scriptKey });
            assert.deepStrictEqual(job().inputs.command, { name: "glueetl", pythonVersion: "3", scriptLocation: s3Uri("glue-assets", scriptKey) });
            const inputs = job().inputs;
            assert.strictEqual(inputs.name, underscoredName(config, "etl"));
            assert.strictEqual(inputs.glueVersion, "5.1");
            assert.deepStrictEqual(inputs.executionProperty, { maxConcurrentRuns: 1 });
            for (const [input, key] of Object.entries(JOB_INPUTS_FROM_CONFIG)) assert.strictEqual(inputs[input], config[key], `${input} from spotify:${key}`);
        });

        it("is deployed on the Glue runtime whose Spark the local tests pin", () => {
            const runtime = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "etl/glue_runtime.json"), "utf8")) as { glueVersion: string; spark: string };
            const requirements = fs.readFileSync(path.join(REPO_ROOT, "etl/requirements-dev.txt"), "utf8");
            const pinned = /^pyspark==(\S+)$/m.exec(requirements)?.[1];
            assert.strictEqual(job().inputs.glueVersion, runtime.glueVersion);
            assert.strictEqual(
                pinned,
                runtime.spark,
                `etl/requirements-dev.txt pins pyspark ${pinned}; Glue ${runtime.glueVersion} runs Spark ${runtime.spark} (etl/glue_runtime.json)`,
            );
        });

        it("provides every argument the entry script reads, and no argument it does not", () => {
            const provided = Object.keys(job().inputs.defaultArguments as Record<string, string>);
            const custom = provided.filter((name) => !GLUE_SPECIAL_ARGUMENTS.includes(name)).map((name) => name.replace(/^--/, ""));
            assert.deepStrictEqual(custom.sort(), scriptArguments().sort());
        });

        it("points the path arguments at the storage layer's buckets and prefixes", () => {
            const args = job().inputs.defaultArguments as Record<string, string>;
            assert.strictEqual(args["--staging_path"], s3Uri("staging", ""));
            assert.strictEqual(args["--warehouse_path"], s3Uri("warehouse", DATA_LAYOUT.warehouseTable));
            assert.strictEqual(args["--rejected_path"], s3Uri("warehouse", DATA_LAYOUT.rejected));
            assert.strictEqual(args["--unmatched_path"], s3Uri("warehouse", DATA_LAYOUT.unmatched));
            assert.strictEqual(args["--runs_path"], s3Uri("warehouse", DATA_LAYOUT.runSummaries));
            assert.strictEqual(args["--TempDir"], s3Uri("glue-assets", DATA_LAYOUT.glueTemp));
        });

        it("disables bookmarks, enables metrics, observability metrics and continuous logs, and imports the uploaded package", () => {
            const packageKey = contentAddressedKey(DATA_LAYOUT.glueScripts, etlJobPackage());
            assert.match(packageKey, /^scripts\/[0-9a-f]{16}\/spotify_etl\.zip$/);
            template.hasResourceProperties(TYPES.object, { bucket: bucketName(config, "glue-assets"), key: packageKey });
            template.hasResourceProperties(TYPES.job, {
                defaultArguments: {
                    "--job-bookmark-option": "job-bookmark-disable",
                    "--enable-metrics": "true",
                    "--enable-observability-metrics": "true",
                    "--enable-continuous-cloudwatch-log": "true",
                    "--extra-py-files": s3Uri("glue-assets", packageKey),
                },
            });
        });
    });

    describe("content-addressed code", () => {
        let scratch: string;
        beforeEach(() => {
            scratch = fs.mkdtempSync(path.join(os.tmpdir(), "etl-spec-"));
        });
        afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));
        const copy = (source: string) => fs.cpSync(path.join(REPO_ROOT, source), path.join(scratch, source), { recursive: true });

        it("gives the entry script a new key when one byte of it changes, and the same key for the same bytes", () => {
            copy(ETL_SOURCES.entryScript);
            const before = contentAddressedKey(DATA_LAYOUT.glueScripts, ETL_SOURCES.entryScript, scratch);
            assert.strictEqual(before, contentAddressedKey(DATA_LAYOUT.glueScripts, ETL_SOURCES.entryScript), "a copy has the deployed key");
            const file = path.join(scratch, ETL_SOURCES.entryScript);
            const bytes = fs.readFileSync(file);
            bytes[bytes.length - 1] ^= 1;
            fs.writeFileSync(file, bytes);
            const after = contentAddressedKey(DATA_LAYOUT.glueScripts, ETL_SOURCES.entryScript, scratch);
            assert.notStrictEqual(after, before);
            assert.strictEqual(path.posix.basename(after), "spotify_etl_job.py");
        });

        it("gives the package a new key when a module it ships changes, and the same key when a module it leaves out changes", () => {
            copy(ETL_SOURCES.package);
            copy(ETL_SOURCES.entryScript);
            const key = () => contentAddressedKey(DATA_LAYOUT.glueScripts, etlJobPackage(scratch), scratch);
            const before = key();
            assert.strictEqual(before, contentAddressedKey(DATA_LAYOUT.glueScripts, etlJobPackage()), "a copy has the deployed key");
            fs.mkdirSync(path.join(scratch, ETL_SOURCES.package, "__pycache__"), { recursive: true });
            fs.writeFileSync(path.join(scratch, ETL_SOURCES.package, "__pycache__", "clean.cpython-311.pyc"), "cache");
            fs.appendFileSync(path.join(scratch, ETL_SOURCES.package, "bench.py"), "\n");
            assert.strictEqual(key(), before, "caches and tools are not part of the package");
            fs.appendFileSync(path.join(scratch, ETL_SOURCES.package, "clean.py"), "\n");
            assert.notStrictEqual(key(), before);
        });

        it("zips exactly the job's runtime modules and contracts as importable spotify_etl/..., from repository-relative files", () => {
            const key = contentAddressedKey(DATA_LAYOUT.glueScripts, etlJobPackage());
            const [upload] = template.findResources(TYPES.object, { key });
            assert.ok(upload, `no upload with key ${key}`);
            const archive = upload.inputs.source as { assets: Record<string, { path: string }> };
            assert.deepStrictEqual(Object.keys(archive.assets).sort(), [
                "spotify_etl/__init__.py",
                "spotify_etl/clean.py",
                "spotify_etl/columns.py",
                "spotify_etl/contract.py",
                "spotify_etl/contracts/__init__.py",
                "spotify_etl/contracts/warehouse_ruleset.dqdl",
                "spotify_etl/contracts/warehouse_schema.json",
                "spotify_etl/dedupe.py",
                "spotify_etl/errors.py",
                "spotify_etl/file_rows.py",
                "spotify_etl/iceberg.py",
                "spotify_etl/join.py",
                "spotify_etl/pipeline.py",
                "spotify_etl/read.py",
                "spotify_etl/reconcile.py",
                "spotify_etl/records.py",
                "spotify_etl/rollback.py",
                "spotify_etl/runs.py",
                "spotify_etl/schemas.py",
                "spotify_etl/session.py",
                "spotify_etl/summary.py",
                "spotify_etl/table.py",
                "spotify_etl/validate.py",
                "spotify_etl/write.py",
            ]);
            for (const [name, asset] of Object.entries(archive.assets)) {
                assert.strictEqual(asset.path, `etl/${name}`, "repository-relative, from the package directory");
            }
        });

        it("finds a package's runtime modules by walking imports from the entry script, lazy ones and resources included", () => {
            const write = (file: string, text: string) => {
                fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
                fs.writeFileSync(path.join(scratch, file), text);
            };
            write("job.py", "import sys\nfrom pkg.a import (\n    run,\n)\n");
            write("pkg/__init__.py", "");
            write("pkg/a.py", "from pkg import b, CONSTANT\ndef run():\n    from pkg.sub.c import go  # lazy\n    return go()\n");
            write("pkg/b.py", 'from importlib import resources\nTEXT = resources.files("pkg.data").joinpath("x.json")\n');
            write("pkg/sub/__init__.py", "");
            write("pkg/sub/c.py", "import os\n");
            write("pkg/data/__init__.py", "");
            write("pkg/data/x.json", "{}");
            write("pkg/tool.py", "from pkg.a import run\n");
            assert.deepStrictEqual(pythonRuntimeFiles("job.py", "pkg", scratch), [
                "pkg/__init__.py",
                "pkg/a.py",
                "pkg/b.py",
                "pkg/data/__init__.py",
                "pkg/data/x.json",
                "pkg/sub/__init__.py",
                "pkg/sub/c.py",
            ]);
        });

        it("refuses a package upload naming a file outside the package or missing", () => {
            assert.throws(
                () => uploadEntries({ package: ETL_SOURCES.package, files: [ETL_SOURCES.entryScript] }),
                /etl\/jobs\/spotify_etl_job\.py is not below the package etl\/spotify_etl/,
            );
            assert.throws(
                () => uploadEntries({ package: ETL_SOURCES.package, files: [`${ETL_SOURCES.package}/gone.py`] }),
                /etl\/spotify_etl\/gone\.py \(uploaded with etl\/spotify_etl\) is not a file/,
            );
        });

        it("leaves no absolute path of this machine in the manifest", () => {
            assert.ok(!JSON.stringify(template.manifest).includes(REPO_ROOT));
        });
    });

    describe("catalog and table maintenance", () => {
        it("declares the warehouse table as an Iceberg table exactly as the contract: every column, the partition spec, the location", () => {
            const inputs = table().inputs as {
                name: string;
                databaseName: string;
                partitionKeys?: unknown;
                storageDescriptor?: unknown;
                openTableFormatInput: unknown;
            };
            assert.strictEqual(inputs.name, warehouseContract.table);
            assert.strictEqual(inputs.databaseName, underscoredName(config, "warehouse"));
            assert.strictEqual(warehouseContract.format, "iceberg");
            // Glue refuses partition keys on an Iceberg table and derives the storage descriptor from its metadata.
            assert.strictEqual(inputs.partitionKeys, undefined);
            assert.strictEqual(inputs.storageDescriptor, undefined);
            const icebergTypes: Record<string, string> = { string: "string", int: "int", bigint: "long", double: "double", boolean: "boolean", date: "date" };
            const columns = [...warehouseContract.columns, ...warehouseContract.partition_keys];
            const releaseYear = columns.findIndex((column) => column.name === "release_year") + 1;
            assert.ok(releaseYear > 0);
            assert.deepStrictEqual(inputs.openTableFormatInput, {
                icebergInput: {
                    metadataOperation: "CREATE",
                    version: String(glueRuntime.icebergFormatVersion),
                    icebergTableInput: {
                        location: s3Uri("warehouse", DATA_LAYOUT.warehouseTable),
                        schema: {
                            schemaId: 0,
                            type: "struct",
                            fields: columns.map((column, index) => ({
                                id: index + 1,
                                name: column.name,
                                type: JSON.stringify(icebergTypes[column.type]),
                                required: false,
                                doc: column.comment,
                            })),
                        },
                        partitionSpec: { specId: 0, fields: [{ name: "release_year", sourceId: releaseYear, transform: "identity", fieldId: 1000 }] },
                        properties: { "write.parquet.compression-codec": warehouseContract.compression },
                    },
                },
            });
        });

        it("uses the Iceberg format version and release that Glue 5.1 ships (etl/glue_runtime.json)", () => {
            assert.strictEqual(glueRuntime.glueVersion, "5.1");
            assert.strictEqual(glueRuntime.iceberg, "1.10.0");
            assert.strictEqual(glueRuntime.icebergFormatVersion, 2);
            assert.match(glueRuntime.$icebergSource, /migrating-version-51/);
        });

        it("expires snapshots and deletes orphan files of that table, with the stage file's settings and their own role", () => {
            const optimizers = template.findResources(TYPES.optimizer);
            assert.deepStrictEqual(optimizers.map((optimizer) => optimizer.inputs.type).sort(), ["orphan_file_deletion", "retention"]);
            const roleArn = `arn:${FAKE_PARTITION}:iam::${FAKE_ACCOUNT_ID}:role/${maintenanceRoleName()}`;
            for (const optimizer of optimizers) {
                assert.strictEqual(optimizer.inputs.catalogId, FAKE_ACCOUNT_ID);
                assert.strictEqual(optimizer.inputs.databaseName, underscoredName(config, "warehouse"));
                assert.strictEqual(optimizer.inputs.tableName, warehouseContract.table);
            }
            for (const expected of expectedOptimizers(config)) {
                template.hasResourceProperties(TYPES.optimizer, { ...expected, configuration: { ...expected.configuration, roleArn } });
            }
            assert.strictEqual(config.tableMaintenance, true, "dev runs the optimizers too (Pulumi.dev.yaml)");
        });

        it("binds the data-quality ruleset, read from the contract file, to the warehouse table", () => {
            template.hasResourceProperties(TYPES.ruleset, {
                name: underscoredName(config, "warehouse_quality"),
                ruleset: fs.readFileSync(path.join(REPO_ROOT, ETL_SOURCES.ruleset), "utf8"),
                targetTable: { databaseName: underscoredName(config, "warehouse"), tableName: warehouseContract.table },
            });
        });
    });

    describe("job arguments and schedule", () => {
        it("loads Glue's Iceberg libraries and names the table it commits to", () => {
            template.hasResourceProperties(TYPES.job, {
                defaultArguments: {
                    "--datalake-formats": "iceberg",
                    "--warehouse_path": s3Uri("warehouse", DATA_LAYOUT.warehouseTable),
                    "--warehouse_database": underscoredName(config, "warehouse"),
                    "--warehouse_table": warehouseContract.table,
                    "--rejected_path": s3Uri("warehouse", DATA_LAYOUT.rejected),
                    "--unmatched_path": s3Uri("warehouse", DATA_LAYOUT.unmatched),
                    "--runs_path": s3Uri("warehouse", DATA_LAYOUT.runSummaries),
                },
            });
        });

        it('has no job schedule in dev, where it is "off"', () => {
            assert.strictEqual(config.etlSchedule, "off");
            assert.deepStrictEqual(template.findResources(TYPES.trigger, { type: "SCHEDULED" }), []);
        });
    });
});

describe("etl layer (prod-etl)", () => {
    it("runs the job on prod's schedule", async () => {
        const template = await stackTemplate("prod", "prod-etl");
        const config = parseStageConfig(readStageConfigFile("prod"), "prod");
        assert.notStrictEqual(config.etlSchedule, "off", "prod runs the job on a schedule");
        const job = template.resource(TYPES.job, "etl-job");
        template.hasResourceProperties(TYPES.trigger, {
            type: "SCHEDULED",
            schedule: config.etlSchedule,
            startOnCreation: true,
            actions: [{ jobName: job.inputs.name }],
        });
        for (const [input, key] of Object.entries(JOB_INPUTS_FROM_CONFIG)) assert.strictEqual(job.inputs[input], config[key], `${input} from spotify:${key}`);
    });

    it("declares the Iceberg table and keeps it with both optimizers on, with prod's settings, and no crawler", async () => {
        const template = await stackTemplate("prod", "prod-etl");
        const config = parseStageConfig(readStageConfigFile("prod"), "prod");
        template.resourceCountIs("aws:glue/crawler:Crawler", 0);
        const table = template.resource(TYPES.table, "etl-tracks");
        assert.strictEqual(
            (table.inputs.openTableFormatInput as { icebergInput: { version: string } }).icebergInput.version,
            String(glueRuntime.icebergFormatVersion),
        );
        assert.strictEqual(config.tableMaintenance, true, "prod must keep its table maintained");
        const tableArn = `arn:${FAKE_PARTITION}:glue:${config.region}:${FAKE_ACCOUNT_ID}:table/${underscoredName(config, "warehouse")}/${warehouseContract.table}`;
        assert.ok(allows(statementsOf(template, underscoredName(config, "etl_job_role")), "glue:UpdateTable", tableArn));
        for (const expected of expectedOptimizers(config)) {
            template.hasResourceProperties(TYPES.optimizer, { ...expected, tableName: warehouseContract.table });
        }
    });

    it("protects and retains the Data Catalog encryption settings, as prod keeps its data", async () => {
        const template = await stackTemplate("prod", "prod-etl");
        const [settings] = template.findResources(TYPES.catalogEncryption);
        assert.ok(settings.protect && settings.retainOnDelete, "prod's catalog encryption can be deleted, which would turn it off");
    });
});

describe("etl layer (dev, all-in-one)", () => {
    let template: Template;
    const config = parseStageConfig(readStageConfigFile("dev"), "dev");
    const one = (type: string) => {
        const [resource] = template.findResources(type);
        return resource;
    };
    const follows = (resource: ManifestResource, property: string, target: ManifestResource) =>
        assert.ok(resource.propertyDependencies[property]?.includes(target.urn), `${resource.name}.${property} is not computed from ${target.name}`);

    before(async () => {
        template = await stackTemplate("dev", "dev");
    });

    it("declares the same etl resources, with the same inputs, as the dev-etl stack", async () => {
        const layer = await stackTemplate("dev", "dev-etl");
        const etlResources = (source: Template) =>
            source.resources
                .filter((resource) => resource.name === "etl" || resource.name.startsWith("etl-"))
                .map((resource) => ({ type: resource.type, name: resource.name, inputs: resource.inputs }))
                .sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
        assert.deepStrictEqual(etlResources(template), etlResources(layer));
    });

    it("wires the job's paths, the table location and the encryption to the storage resources themselves", () => {
        const bucket = (purpose: BucketPurpose) => template.resource(TYPES.bucket, `storage-${purpose}`);
        const job = one(TYPES.job);
        for (const purpose of ["staging", "warehouse", "glue-assets"] as const) follows(job, "defaultArguments", bucket(purpose));
        follows(one(TYPES.table), "openTableFormatInput", bucket("warehouse"));
        follows(one(TYPES.securityConfiguration), "encryptionConfiguration", one(TYPES.key));
        follows(one(TYPES.catalogEncryption), "dataCatalogEncryptionSettings", one(TYPES.key));
        for (const group of template.findResources(TYPES.logGroup)) follows(group, "kmsKeyId", one(TYPES.key));
        for (const object of template.findResources(TYPES.object)) follows(object, "bucket", bucket("glue-assets"));
    });

    it("wires the ruleset and the optimizers to the declared table, and the job to its security configuration and code", () => {
        follows(one(TYPES.ruleset), "targetTable", one(TYPES.table));
        for (const optimizer of template.findResources(TYPES.optimizer)) follows(optimizer, "tableName", one(TYPES.table));
        follows(one(TYPES.job), "defaultArguments", one(TYPES.table));
        follows(one(TYPES.job), "securityConfiguration", one(TYPES.securityConfiguration));
        follows(one(TYPES.job), "command", template.resource(TYPES.object, "etl-entry-script"));
        follows(one(TYPES.job), "defaultArguments", template.resource(TYPES.object, "etl-package"));
    });

    it("gives the job and the table optimizers each their own role", () => {
        const role = (name: string) => template.hasResourceProperties(TYPES.role, { name });
        follows(one(TYPES.job), "roleArn", role(underscoredName(config, "etl_job_role")));
        for (const optimizer of template.findResources(TYPES.optimizer))
            follows(optimizer, "configuration", role(underscoredName(config, "table_maintenance_role")));
    });
});
