import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FAKE_ACCOUNT_ID } from "../../engine/fakeCloud";
import { readStageConfigFile } from "../../ops/stageFile";
import { parseStageConfig, StageConfig } from "../../model/stageConfig";
import { stagePlan } from "../../model/stagePlan";
import { synthesizeAlone } from "../../test/support/alone";
import { Template } from "../../test/support/template";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { EtlLayer, EtlLayerArgs, EtlStorageInputs, validateEtlLayerArgs } from "./etl";
import type { EtlNetworkInputs } from "./etl";

const TYPES = {
    job: "aws:glue/job:Job",
    optimizer: "aws:glue/catalogTableOptimizer:CatalogTableOptimizer",
    security: "aws:glue/securityConfiguration:SecurityConfiguration",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    table: "aws:glue/catalogTable:CatalogTable",
};

const DATA_KEY = "arn:aws:kms:eu-west-1:123456789012:key/data";
const dev = parseStageConfig(readStageConfigFile("dev"), "dev");

/** The storage layer's outputs as plain values. */
function storage(): EtlStorageInputs {
    const values = {
        dataKeyArn: DATA_KEY,
        stagingBucketArn: "arn:aws:s3:::staging",
        stagingPrefix: "s3://staging/",
        warehouseBucketName: "warehouse",
        warehouseBucketArn: "arn:aws:s3:::warehouse",
        warehousePrefix: "s3://warehouse/tracks/",
        rejectedPrefix: "s3://warehouse/rejected/",
        glueAssetsBucketName: "assets",
        glueAssetsBucketArn: "arn:aws:s3:::assets",
    };
    return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, pulumi.output(value)])) as EtlStorageInputs;
}

/** The network layer's outputs as plain values. */
function network(): EtlNetworkInputs {
    return {
        vpcId: pulumi.output("vpc-1"),
        jobSubnetIds: pulumi.output(["subnet-a", "subnet-b"]),
        glueSecurityGroupId: pulumi.output("sg-1"),
        glueConnectionNames: pulumi.output(["conn_a", "conn_b"]),
    };
}

function layerArgs(config: StageConfig, extra: Partial<EtlLayerArgs> = {}): EtlLayerArgs {
    return { config, plan: stagePlan(config), storage: storage(), ...extra };
}

describe("EtlLayer (alone)", () => {
    describe("dev's settings, no network", () => {
        let template: Template;
        before(async () => {
            template = await synthesizeAlone(() => new EtlLayer("lake", layerArgs(dev)));
        });

        it("declares the catalog, the security configuration, the two uploads, the job and the table's upkeep under itself, named like it", () => {
            const layer = template.resource("spotify:layers:Etl", "lake");
            assert.deepStrictEqual(
                template
                    .childrenOf(layer)
                    .map((child) => `${child.type} ${child.name}`)
                    .sort(),
                [
                    `${TYPES.security} lake-security`,
                    "spotify:etl:EtlJob lake",
                    "spotify:etl:TableMaintenance lake",
                    "spotify:etl:WarehouseCatalog lake",
                    "spotify:storage:ContentAddressedObject lake-entry-script",
                    "spotify:storage:ContentAddressedObject lake-package",
                ],
            );
        });

        it("encrypts everything the job writes with the storage layer's key, under the plan's name", () => {
            const security = template.hasResourceProperties(TYPES.security, {
                name: stagePlan(dev).etl.securityConfiguration,
                encryptionConfiguration: {
                    s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: DATA_KEY },
                    cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: DATA_KEY },
                    jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: DATA_KEY },
                },
            });
            assert.deepStrictEqual(template.follow(template.resource(TYPES.job, "lake-job"), "securityConfiguration"), [security]);
        });

        it("hands the stage's job settings to the job, and its upkeep settings to the optimizers", () => {
            template.hasResourceProperties(TYPES.job, {
                workerType: dev.glueWorkerType,
                numberOfWorkers: dev.glueNumberOfWorkers,
                executionClass: dev.glueExecutionClass,
                timeout: dev.glueTimeoutMinutes,
                maxRetries: dev.glueMaxRetries,
            });
            assert.strictEqual(dev.etlSchedule, "off");
            template.resourceCountIs("aws:glue/trigger:Trigger", 0);
            template.hasResourceProperties(TYPES.optimizer, {
                configuration: {
                    enabled: dev.tableMaintenance,
                    retentionConfiguration: {
                        icebergConfiguration: {
                            snapshotRetentionPeriodInDays: dev.snapshotRetentionDays,
                            numberOfSnapshotsToRetain: dev.snapshotsToKeep,
                            runRateInHours: dev.tableMaintenanceEveryHours,
                        },
                    },
                },
            });
            template.hasResourceProperties(TYPES.optimizer, {
                configuration: { orphanFileDeletionConfiguration: { icebergConfiguration: { orphanFileRetentionPeriodInDays: dev.orphanFileRetentionDays } } },
            });
        });

        it("runs the job on the uploaded code, against the table it declares, outside any VPC", () => {
            const job = template.resource(TYPES.job, "lake-job");
            const uploads = template.follow(job, "command").map((resource) => resource.name);
            assert.deepStrictEqual(uploads, ["lake-entry-script"]);
            assert.ok(template.follow(job, "defaultArguments").some((resource) => resource.name === "lake-package"));
            assert.ok(template.follow(job, "defaultArguments").some((resource) => resource.name === "lake-tracks"));
            assert.strictEqual(job.inputs.connections, undefined);
        });
    });

    it("runs the job in the network layer's connections, with its role allowed to create interfaces in that VPC only", async () => {
        const isolated: StageConfig = { ...dev, network: "isolated" };
        const template = await synthesizeAlone(() => new EtlLayer("lake", layerArgs(isolated, { network: network() })));
        template.hasResourceProperties(TYPES.job, { connections: ["conn_a", "conn_b"] });
        const [policy] = template.findResources(TYPES.rolePolicy, { role: stagePlan(dev).etl.jobRole });
        const statements = (JSON.parse(String(policy.inputs.policy)) as { Statement: { Sid: string; Resource: unknown; Condition?: unknown }[] }).Statement;
        const manage = statements.find((statement) => statement.Sid === "ManageJobNetworkInterfaces");
        assert.deepStrictEqual(manage?.Condition, { ArnEquals: { "ec2:Vpc": `arn:aws:ec2:${dev.region}:${FAKE_ACCOUNT_ID}:vpc/vpc-1` } });
    });

    describe("bad args", () => {
        it("refuses network outputs for a stage without a network, and none for an isolated stage", () => {
            assert.strictEqual(dev.network, "none");
            assert.throws(() => validateEtlLayerArgs(layerArgs(dev, { network: network() })), /EtlLayerArgs\.network: is given, but spotify:network is "none"/);
            assert.throws(
                () => validateEtlLayerArgs(layerArgs({ ...dev, network: "isolated" })),
                /EtlLayerArgs\.network: is required with spotify:network "isolated"/,
            );
        });

        it("refuses another stage's plan", () => {
            assert.throws(
                () => validateEtlLayerArgs({ ...layerArgs(dev), plan: stagePlan({ ...dev, stage: "prod" }) }),
                /EtlLayerArgs\.plan: is stage "prod"'s, but config is stage "dev"'s/,
            );
        });

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeAlone(() => new EtlLayer("lake", layerArgs({ ...dev, network: "isolated" }))),
                (error: SynthesisError) =>
                    /EtlLayerArgs\.network/.test(error.message) && !error.registered.some((resource) => resource.type === "spotify:layers:Etl"),
            );
        });

        it("passes the stage's settings on to its components' checks", async () => {
            await assert.rejects(
                synthesizeAlone(() => new EtlLayer("lake", layerArgs({ ...dev, glueWorkerType: "G.8X", glueExecutionClass: "FLEX" }))),
                /EtlJobArgs\.executionClass: FLEX runs only on workerType G\.1X or G\.2X/,
            );
        });
    });
});
