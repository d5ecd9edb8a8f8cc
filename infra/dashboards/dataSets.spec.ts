import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { synthesizeAlone } from "../../test/support/alone";
import { validateViewDataSetsArgs, ViewDataSets, ViewDataSetsArgs } from "./dataSets";
import type { DatasetColumns } from "./definition";

const OWNER = "arn:aws:quicksight:eu-west-1:123456789012:group/default/data-platform";
const VIEWER = "arn:aws:quicksight:eu-west-1:123456789012:group/default/data-analysts";
const DATA_SOURCE_ARN = "arn:aws:quicksight:eu-west-1:123456789012:datasource/spotify-dev-athena";
const TYPES = { dataSet: "aws-native:quicksight:DataSet", refresh: "aws-native:quicksight:RefreshSchedule" };

const VIEWS: DatasetColumns[] = [
    {
        name: "hit_score_insights",
        columns: [
            { name: "track_id", type: "varchar" },
            { name: "release_year", type: "integer" },
            { name: "hit_score", type: "double" },
            { name: "explicit", type: "boolean" },
            { name: "release_date", type: "date" },
        ],
    },
    { name: "genre_ranked_hits", columns: [{ name: "genre_rank", type: "bigint" }] },
];

function argsWith(overrides: Partial<ViewDataSetsArgs> = {}): ViewDataSetsArgs {
    return {
        accountId: "123456789012",
        stage: "dev",
        dataSourceArn: DATA_SOURCE_ARN,
        databaseName: pulumi.output("spotify_dev_warehouse"),
        dataSets: {
            tracks: { view: "hit_score_insights", dataSetId: "spotify-dev-tracks" },
            "genre-ranks": { view: "genre_ranked_hits", dataSetId: "spotify-dev-genre-ranks" },
        },
        views: pulumi.output(VIEWS),
        principals: { owners: [OWNER], viewers: [VIEWER] },
        importMode: "DIRECT_QUERY",
        ...overrides,
    };
}

function declare(args: ViewDataSetsArgs): void {
    new ViewDataSets("dashboards", args, new pulumi.ComponentResource("test:index:Parent", "parent"));
}

describe("ViewDataSets", () => {
    it("declares one dataset per view, reading the view's declared columns through the data source, owned by the owners only", async () => {
        const template = await synthesizeAlone(() => declare(argsWith()));
        const parent = template.resource("test:index:Parent", "parent");
        assert.deepStrictEqual(
            template
                .childrenOf(parent)
                .map((child) => `${child.type} ${child.name}`)
                .sort(),
            [`${TYPES.dataSet} dashboards-genre-ranks`, `${TYPES.dataSet} dashboards-tracks`],
        );
        const tracks = template.resource(TYPES.dataSet, "dashboards-tracks");
        assert.strictEqual(tracks.inputs.dataSetId, "spotify-dev-tracks");
        assert.strictEqual(tracks.inputs.name, "spotify-pipeline dev: hit_score_insights");
        assert.strictEqual(tracks.inputs.importMode, "DIRECT_QUERY");
        assert.deepStrictEqual(tracks.inputs.physicalTableMap, {
            tracks: {
                relationalTable: {
                    dataSourceArn: DATA_SOURCE_ARN,
                    catalog: "AwsDataCatalog",
                    schema: "spotify_dev_warehouse",
                    name: "hit_score_insights",
                    // QuickSight's input column types, as AWS documents them for these Athena types.
                    inputColumns: [
                        { name: "track_id", type: "STRING" },
                        { name: "release_year", type: "INTEGER" },
                        { name: "hit_score", type: "DECIMAL", subType: "FLOAT" },
                        { name: "explicit", type: "BOOLEAN" },
                        { name: "release_date", type: "DATETIME" },
                    ],
                },
            },
        });
        const ranks = template.resource(TYPES.dataSet, "dashboards-genre-ranks");
        assert.deepStrictEqual(
            (ranks.inputs.physicalTableMap as Record<string, { relationalTable: { inputColumns: unknown } }>)["genre-ranks"].relationalTable.inputColumns,
            [{ name: "genre_rank", type: "INTEGER" }],
        );
        for (const dataSet of [tracks, ranks]) {
            assert.deepStrictEqual(
                (dataSet.inputs.permissions as { principal: string }[]).map((permission) => permission.principal),
                [OWNER],
            );
            assert.deepStrictEqual([dataSet.protect, dataSet.retainOnDelete], [false, false]);
        }
        template.resourceCountIs(TYPES.refresh, 0);
    });

    it("with SPICE, refreshes each dataset daily at the given UTC time, once the dataset exists, and protects them when asked", async () => {
        const template = await synthesizeAlone(() => declare(argsWith({ importMode: "SPICE", refreshTime: "06:30", protect: true })));
        const dataSets = template.findResources(TYPES.dataSet);
        assert.strictEqual(dataSets.length, 2);
        for (const dataSet of dataSets) {
            assert.strictEqual(dataSet.inputs.importMode, "SPICE");
            assert.deepStrictEqual([dataSet.protect, dataSet.retainOnDelete], [true, true]);
            const schedules = template.referencing(dataSet, TYPES.refresh, "dataSetId");
            assert.strictEqual(schedules.length, 1, `${dataSet.name}: one schedule`);
            assert.strictEqual(schedules[0].name, `${dataSet.name}-refresh`);
            assert.strictEqual(schedules[0].inputs.dataSetId, dataSet.inputs.dataSetId);
            assert.deepStrictEqual(schedules[0].inputs.schedule, {
                scheduleId: `${String(dataSet.inputs.dataSetId)}-daily`,
                refreshType: "FULL_REFRESH",
                scheduleFrequency: { interval: "DAILY", timeOfTheDay: "06:30", timeZone: "UTC" },
            });
        }
    });

    it("refuses no datasets, a shared id, an unknown import mode and a SPICE refresh time that is not HH:MM, naming the field", async () => {
        for (const [overrides, expected] of [
            [{ dataSets: {} }, /ViewDataSetsArgs\.dataSets: must hold at least one dataset/],
            [
                { dataSets: { a: { view: "hit_score_insights", dataSetId: "same" }, b: { view: "genre_ranked_hits", dataSetId: "same" } } },
                /ViewDataSetsArgs\.dataSets\.a\.dataSetId: "same" is also the id of b/,
            ],
            [{ importMode: "HYBRID" as ViewDataSetsArgs["importMode"] }, /ViewDataSetsArgs\.importMode: must be one of SPICE, DIRECT_QUERY, got "HYBRID"/],
            [{ importMode: "SPICE" }, /ViewDataSetsArgs\.refreshTime: is required with importMode SPICE/],
            [
                { importMode: "SPICE", refreshTime: "6:30" },
                /ViewDataSetsArgs\.refreshTime: must be a UTC time of day written "HH:MM" \(00:00-23:59\), got "6:30"/,
            ],
            [{ importMode: "SPICE", refreshTime: "24:00" }, /ViewDataSetsArgs\.refreshTime: must be .*, got "24:00"/],
            [{ principals: { owners: [], viewers: [] } }, /ViewDataSetsArgs\.principals: must name at least one owner/],
        ] as const) {
            const args = argsWith(overrides);
            assert.throws(() => validateViewDataSetsArgs(args), expected);
            await assert.rejects(
                synthesizeAlone(() => declare(args)),
                expected,
            );
        }
        assert.doesNotThrow(() => validateViewDataSetsArgs(argsWith({ importMode: "DIRECT_QUERY", refreshTime: undefined })));
    });

    it("fails naming the dataset when its view is not among the views or declares no columns", async () => {
        // A dataset that cannot be built fails its own registration, and with it the run, as under the CLI.
        const declare = (views: readonly DatasetColumns[]) =>
            synthesizeAlone(() => {
                new ViewDataSets("dashboards", argsWith({ views: pulumi.output(views) }), new pulumi.ComponentResource("test:index:Parent", "parent"));
            });
        await assert.rejects(
            declare(VIEWS.slice(0, 1)),
            /ViewDataSetsArgs\.dataSets\.genre-ranks: reads view "genre_ranked_hits", which is not among the views \(hit_score_insights\)/,
        );
        await assert.rejects(
            declare([VIEWS[0], { name: "genre_ranked_hits", columns: [] }]),
            /ViewDataSetsArgs\.views: view "genre_ranked_hits" \(dataset genre-ranks\) declares no columns/,
        );
        await assert.doesNotReject(declare(VIEWS));
    });
});
