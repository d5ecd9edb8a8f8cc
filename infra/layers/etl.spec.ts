import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FAKE_ACCOUNT_ID } from "../../engine/fakeCloud";
import type { StageConfig } from "../../model/stageConfig";
import { stagePlan } from "../../model/stagePlan";
import { synthesizeAlone } from "../../test/support/alone";
import { Template } from "../../test/support/template";
import { DATA_KEY_ARN, DEV_CONFIG, storageOutputsForEtl } from "../../test/support/standIns";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { EtlLayer, EtlLayerArgs, validateEtlLayerArgs } from "./etl";
import type { EtlNetworkInputs } from "./etl";

const TYPES = {
    job: "aws:glue/job:Job",
    optimizer: "aws:glue/catalogTableOptimizer:CatalogTableOptimizer",
    security: "aws:glue/securityConfiguration:SecurityConfiguration",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    table: "aws:glue/catalogTable:CatalogTable",
};

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
    return { config, plan: stagePlan(config), storage: storageOutputsForEtl(), ...extra };
}

describe("EtlLayer (alone)", () => {
    describe("dev's settings, no network", () => {
        let template: Template;
        before(async () => {
            template = await synthesizeAlone(() => new EtlLayer("lake", layerArgs(DEV_CONFIG)));
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
                name: stagePlan(DEV_CONFIG).etl.securityConfiguration,
                encryptionConfiguration: {
                    s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: DATA_KEY_ARN },
                    cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: DATA_KEY_ARN },
                    jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: DATA_KEY_ARN },
                },
            });
            assert.deepStrictEqual(template.follow(template.resource(TYPES.job, "lake-job"), "securityConfiguration"), [security]);
        });

        it("hands the stage's job settings to the job, and its upkeep settings to the optimizers", () => {
            template.hasResourceProperties(TYPES.job, {
                workerType: DEV_CONFIG.glueWorkerType,
                numberOfWorkers: DEV_CONFIG.glueNumberOfWorkers,
                executionClass: DEV_CONFIG.glueExecutionClass,
                timeout: DEV_CONFIG.glueTimeoutMinutes,
                maxRetries: DEV_CONFIG.glueMaxRetries,
            });
            assert.strictEqual(DEV_CONFIG.etlSchedule, "off");
            template.resourceCountIs("aws:glue/trigger:Trigger", 0);
            template.hasResourceProperties(TYPES.optimizer, {
                configuration: {
                    enabled: DEV_CONFIG.tableMaintenance,
                    retentionConfiguration: {
                        icebergConfiguration: {
                            snapshotRetentionPeriodInDays: DEV_CONFIG.snapshotRetentionDays,
                            numberOfSnapshotsToRetain: DEV_CONFIG.snapshotsToKeep,
                            runRateInHours: DEV_CONFIG.tableMaintenanceEveryHours,
                        },
                    },
                },
            });
            template.hasResourceProperties(TYPES.optimizer, {
                configuration: {
                    orphanFileDeletionConfiguration: { icebergConfiguration: { orphanFileRetentionPeriodInDays: DEV_CONFIG.orphanFileRetentionDays } },
                },
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
        const isolated: StageConfig = { ...DEV_CONFIG, network: "isolated" };
        const template = await synthesizeAlone(() => new EtlLayer("lake", layerArgs(isolated, { network: network() })));
        template.hasResourceProperties(TYPES.job, { connections: ["conn_a", "conn_b"] });
        const [policy] = template.findResources(TYPES.rolePolicy, { role: stagePlan(DEV_CONFIG).etl.jobRole });
        const statements = (JSON.parse(String(policy.inputs.policy)) as { Statement: { Sid: string; Resource: unknown; Condition?: unknown }[] }).Statement;
        const manage = statements.find((statement) => statement.Sid === "ManageJobNetworkInterfaces");
        assert.deepStrictEqual(manage?.Condition, { ArnEquals: { "ec2:Vpc": `arn:aws:ec2:${DEV_CONFIG.region}:${FAKE_ACCOUNT_ID}:vpc/vpc-1` } });
    });

    describe("bad args", () => {
        it("refuses network outputs for a stage without a network, and none for an isolated stage", () => {
            assert.strictEqual(DEV_CONFIG.network, "none");
            assert.throws(
                () => validateEtlLayerArgs(layerArgs(DEV_CONFIG, { network: network() })),
                /EtlLayerArgs\.network: is given, but spotify:network is "none"/,
            );
            assert.throws(
                () => validateEtlLayerArgs(layerArgs({ ...DEV_CONFIG, network: "isolated" })),
                /EtlLayerArgs\.network: is required with spotify:network "isolated"/,
            );
        });

        it("refuses another stage's plan", () => {
            assert.throws(
                () => validateEtlLayerArgs({ ...layerArgs(DEV_CONFIG), plan: stagePlan({ ...DEV_CONFIG, stage: "prod" }) }),
                /EtlLayerArgs\.plan: is stage "prod"'s, but config is stage "dev"'s/,
            );
        });

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeAlone(() => new EtlLayer("lake", layerArgs({ ...DEV_CONFIG, network: "isolated" }))),
                (error: SynthesisError) =>
                    /EtlLayerArgs\.network/.test(error.message) && !error.registered.some((resource) => resource.type === "spotify:layers:Etl"),
            );
        });

        it("passes the stage's settings on to its components' checks", async () => {
            await assert.rejects(
                synthesizeAlone(() => new EtlLayer("lake", layerArgs({ ...DEV_CONFIG, glueWorkerType: "G.8X", glueExecutionClass: "FLEX" }))),
                /EtlJobArgs\.executionClass: FLEX runs only on workerType G\.1X or G\.2X/,
            );
        });
    });
});
