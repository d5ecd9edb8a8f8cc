import * as assert from "assert";
import { FAKE_ACCOUNT_ID } from "../../engine/fakeCloud";
import { synthesizeAlone } from "../../test/support/alone";
import { Template } from "../../test/support/template";
import { DATA_KEY_ARN, QA_LOCATION, QA_PLAN } from "../../test/support/standIns";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { TableMaintenance, TableMaintenanceArgs, validateTableMaintenanceArgs } from "./tableMaintenance";

const OPTIMIZER = "aws:glue/catalogTableOptimizer:CatalogTableOptimizer";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";


function maintenanceArgs(extra: Partial<TableMaintenanceArgs> = {}): TableMaintenanceArgs {
    return {
        plan: QA_PLAN,
        location: QA_LOCATION,
        dataKeyArn: DATA_KEY_ARN,
        warehouseBucketArn: "arn:aws:s3:::warehouse",
        tablePrefix: "tracks/",
        databaseName: "db",
        tableName: "tracks",
        ...extra,
    };
}

function synthesizeMaintenance(extra: Partial<TableMaintenanceArgs> = {}): Promise<Template> {
    return synthesizeAlone(() => new TableMaintenance("upkeep", maintenanceArgs(extra)));
}

/** The optimizer of `type` ("retention" or "orphan_file_deletion"). */
function optimizer(template: Template, type: string) {
    const [found] = template.findResources(OPTIMIZER, { type });
    assert.ok(found, `no ${type} optimizer`);
    return found;
}

describe("TableMaintenance (alone)", () => {
    describe("left to its defaults", () => {
        let template: Template;
        before(async () => {
            template = await synthesizeMaintenance();
        });

        it("registers its role and the two optimizers of the given table, named from its name", () => {
            const component = template.resource("spotify:etl:TableMaintenance", "upkeep");
            assert.deepStrictEqual(template.childrenOf(component).map((child) => `${child.type} ${child.name}`).sort(), [
                `${OPTIMIZER} upkeep-orphan-file-deletion`,
                `${OPTIMIZER} upkeep-snapshot-retention`,
                "spotify:etl:GlueServiceRole upkeep-maintenance-role",
            ]);
            for (const found of template.findResources(OPTIMIZER)) {
                assert.deepStrictEqual([found.inputs.catalogId, found.inputs.databaseName, found.inputs.tableName], [FAKE_ACCOUNT_ID, "db", "tracks"]);
            }
        });

        it("runs both daily, keeping what a stage that sets nothing keeps: 5 days of snapshots, at least 1, orphans for 3 days", () => {
            const roleArn = `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/${QA_PLAN.etl.tableMaintenanceRole}`;
            assert.deepStrictEqual(optimizer(template, "retention").inputs.configuration, {
                enabled: true,
                roleArn,
                retentionConfiguration: {
                    icebergConfiguration: { snapshotRetentionPeriodInDays: 5, numberOfSnapshotsToRetain: 1, cleanExpiredFiles: true, runRateInHours: 24 },
                },
            });
            assert.deepStrictEqual(optimizer(template, "orphan_file_deletion").inputs.configuration, {
                enabled: true,
                roleArn,
                orphanFileDeletionConfiguration: { icebergConfiguration: { orphanFileRetentionPeriodInDays: 3, runRateInHours: 24 } },
            });
        });

        it("creates the optimizers after their role's permissions, which Glue checks on creation", () => {
            const [permissions] = template.findResources(ROLE_POLICY, { role: QA_PLAN.etl.tableMaintenanceRole });
            for (const found of template.findResources(OPTIMIZER)) assert.ok(found.dependencies.includes(permissions.urn), found.name);
        });

        it("lets its role touch only the files under the table's prefix", () => {
            const [permissions] = template.findResources(ROLE_POLICY);
            const statements = (JSON.parse(String(permissions.inputs.policy)) as { Statement: { Sid: string; Resource: unknown }[] }).Statement;
            assert.strictEqual(statements.find((statement) => statement.Sid === "MaintainTableFiles")?.Resource, "arn:aws:s3:::warehouse/tracks/*");
        });
    });

    it("declares both optimizers disabled, not absent, when maintenance is off", async () => {
        const template = await synthesizeMaintenance({ enabled: false });
        template.resourceCountIs(OPTIMIZER, 2);
        for (const found of template.findResources(OPTIMIZER)) assert.strictEqual((found.inputs.configuration as { enabled: boolean }).enabled, false);
    });

    it("runs and keeps as told", async () => {
        const template = await synthesizeMaintenance({ everyHours: 6, snapshotRetentionDays: 10, snapshotsToKeep: 3, orphanFileRetentionDays: 7 });
        template.hasResourceProperties(OPTIMIZER, {
            configuration: {
                retentionConfiguration: { icebergConfiguration: { snapshotRetentionPeriodInDays: 10, numberOfSnapshotsToRetain: 3, runRateInHours: 6 } },
            },
        });
        template.hasResourceProperties(OPTIMIZER, {
            configuration: { orphanFileDeletionConfiguration: { icebergConfiguration: { orphanFileRetentionPeriodInDays: 7, runRateInHours: 6 } } },
        });
    });

    describe("bad args", () => {
        const refused: [string, Partial<TableMaintenanceArgs>, RegExp][] = [
            ["runs more often than Glue allows", { everyHours: 2 }, /TableMaintenanceArgs\.everyHours: must be a whole number from 3 to 168/],
            ["runs less often than Glue allows", { everyHours: 169 }, /TableMaintenanceArgs\.everyHours: must be a whole number from 3 to 168/],
            ["keeping no snapshot", { snapshotsToKeep: 0 }, /TableMaintenanceArgs\.snapshotsToKeep: must be a whole number from 1 to 100/],
            ["no snapshot retention", { snapshotRetentionDays: 0 }, /TableMaintenanceArgs\.snapshotRetentionDays: must be a whole number from 1 to 3650/],
            ["no orphan retention", { orphanFileRetentionDays: 0 }, /TableMaintenanceArgs\.orphanFileRetentionDays: must be a whole number from 1 to 3650/],
            ["a table prefix without its slash", { tablePrefix: "tracks" }, /TableMaintenanceArgs\.tablePrefix: must be a key prefix ending in "\/"/],
            ["the whole bucket as the table", { tablePrefix: "/" }, /TableMaintenanceArgs\.tablePrefix: must be a key prefix/],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateTableMaintenanceArgs(maintenanceArgs(extra)), message));
        }

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeMaintenance({ snapshotsToKeep: 0 }),
                (error: SynthesisError) =>
                    /TableMaintenanceArgs\.snapshotsToKeep/.test(error.message) && !error.registered.some((resource) => resource.type === "spotify:etl:TableMaintenance"),
            );
        });
    });
});
