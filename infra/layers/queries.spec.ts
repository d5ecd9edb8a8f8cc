import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FAKE_ACCOUNT_ID } from "../../engine/fakeCloud";
import type { StageConfig } from "../../model/stageConfig";
import { stagePlan } from "../../model/stagePlan";
import { synthesizeAlone } from "../../test/support/alone";
import { Template } from "../../test/support/template";
import { DATA_KEY_ARN, DEV_CONFIG } from "../../test/support/standIns";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import type { QueryCatalog, QuerySpec } from "../../model/queryCatalog";
import { QueriesLayer, QueriesLayerArgs, validateQueriesLayerArgs } from "./queries";

const TYPES = {
    workgroup: "aws:athena/workgroup:Workgroup",
    namedQuery: "aws:athena/namedQuery:NamedQuery",
    table: "aws:glue/catalogTable:CatalogTable",
};

function query(name: string, kind: QuerySpec["kind"], dependsOn: string[] = [], from = "tracks"): QuerySpec {
    return {
        name,
        kind,
        description: `the ${name} ${kind}`,
        columns: [{ name: "track_id", type: "varchar" }],
        dependsOn,
        sql: `SELECT track_id FROM ${from}`,
        sqlFile: `queries/${name}.sql`,
        schemaFile: `queries/${name}.schema.json`,
    };
}

/** Two views, the second reading the first, and a named query over the second. */
const CATALOG: QueryCatalog = {
    directory: "queries",
    queries: [query("base", "view"), query("top", "view", ["base"], "base"), query("report", "query", ["top"], "top")],
};

function layerArgs(config: StageConfig, extra: Partial<QueriesLayerArgs> = {}): QueriesLayerArgs {
    return {
        config,
        plan: stagePlan(config),
        catalog: CATALOG,
        storage: { athenaResultsBucketName: pulumi.output("results"), dataKeyArn: pulumi.output(DATA_KEY_ARN) },
        etl: { glueDatabaseName: pulumi.output("wh_db"), warehouseTableName: pulumi.output("tracks") },
        ...extra,
    };
}

describe("QueriesLayer (alone)", () => {
    describe("dev's settings, a catalog of two views and a query", () => {
        let template: Template;
        before(async () => {
            template = await synthesizeAlone(() => new QueriesLayer("sql", layerArgs(DEV_CONFIG)));
        });

        it("declares the workgroup, one named query per query and one table per view, named like it", () => {
            const layer = template.resource("spotify:layers:Queries", "sql");
            assert.deepStrictEqual(
                template
                    .childrenOf(layer)
                    .map((child) => `${child.type} ${child.name}`)
                    .sort(),
                [
                    `${TYPES.namedQuery} sql-base-query`,
                    `${TYPES.namedQuery} sql-report-query`,
                    `${TYPES.namedQuery} sql-top-query`,
                    `${TYPES.workgroup} sql-workgroup`,
                    `${TYPES.table} sql-base-view`,
                    `${TYPES.table} sql-top-view`,
                ],
            );
        });

        it("holds every query of the workgroup to the stage's scan limit, result location, key and account", () => {
            template.hasResourceProperties(TYPES.workgroup, {
                name: stagePlan(DEV_CONFIG).workgroup,
                forceDestroy: DEV_CONFIG.allowTeardown,
                configuration: {
                    enforceWorkgroupConfiguration: true,
                    bytesScannedCutoffPerQuery: DEV_CONFIG.athenaBytesScannedCutoff,
                    resultConfiguration: {
                        outputLocation: "s3://results/results/",
                        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: DATA_KEY_ARN },
                        expectedBucketOwner: FAKE_ACCOUNT_ID,
                    },
                },
            });
        });

        it("puts the named queries in that workgroup and the etl layer's database", () => {
            const workgroup = template.resource(TYPES.workgroup, "sql-workgroup");
            for (const named of template.findResources(TYPES.namedQuery)) {
                assert.strictEqual(named.inputs.database, "wh_db", named.name);
                assert.deepStrictEqual(template.follow(named, "workgroup"), [workgroup], named.name);
            }
            template.hasResourceProperties(TYPES.namedQuery, { name: "report", query: "SELECT track_id FROM top" });
        });

        it("declares each view as a Presto view in that database, after the views it reads", () => {
            const base = template.hasResourceProperties(TYPES.table, { name: "base", databaseName: "wh_db", tableType: "VIRTUAL_VIEW" });
            const top = template.hasResourceProperties(TYPES.table, { name: "top", databaseName: "wh_db", tableType: "VIRTUAL_VIEW" });
            assert.ok(top.dependencies.includes(base.urn), "top reads base, so waits for it");
            assert.ok(!base.dependencies.some((urn) => urn.endsWith("::sql-top-view")));
        });
    });

    it("keeps the workgroup's history when the stage may not be torn down", async () => {
        const template = await synthesizeAlone(() => new QueriesLayer("sql", layerArgs({ ...DEV_CONFIG, allowTeardown: false })));
        template.hasResourceProperties(TYPES.workgroup, { forceDestroy: false });
    });

    describe("bad args", () => {
        const refused: [string, Partial<QueriesLayerArgs>, StageConfig, RegExp][] = [
            [
                "a view listed before a view it reads",
                { catalog: { directory: "queries", queries: [query("top", "view", ["base"]), query("base", "view")] } },
                DEV_CONFIG,
                /QueriesLayerArgs\.catalog: lists top, which reads base, where base is no view listed before it/,
            ],
            [
                "SQL reading a named query",
                { catalog: { directory: "queries", queries: [query("report", "query"), query("top", "view", ["report"])] } },
                DEV_CONFIG,
                /QueriesLayerArgs\.catalog: lists top, which reads report, where report is no view/,
            ],
            [
                "a query listed twice",
                { catalog: { directory: "queries", queries: [query("base", "view"), query("base", "query")] } },
                DEV_CONFIG,
                /QueriesLayerArgs\.catalog: lists base twice/,
            ],
            [
                "a scan limit under Athena's 10 MiB",
                {},
                { ...DEV_CONFIG, athenaBytesScannedCutoff: 1024 },
                /QueriesLayerArgs\.config\.athenaBytesScannedCutoff: must be a whole number from 10485760/,
            ],
            [
                "another stage's plan",
                { plan: stagePlan({ ...DEV_CONFIG, stage: "prod" }) },
                DEV_CONFIG,
                /QueriesLayerArgs\.plan: is stage "prod"'s, but config is stage "dev"'s/,
            ],
        ];
        for (const [what, extra, config, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateQueriesLayerArgs(layerArgs(config, extra)), message));
        }

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeAlone(() => new QueriesLayer("sql", layerArgs({ ...DEV_CONFIG, athenaBytesScannedCutoff: 0 }))),
                (error: SynthesisError) =>
                    /QueriesLayerArgs\.config\.athenaBytesScannedCutoff/.test(error.message) &&
                    !error.registered.some((resource) => resource.type === "spotify:layers:Queries"),
            );
        });
    });
});
