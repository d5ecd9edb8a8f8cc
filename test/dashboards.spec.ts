import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { parseStageConfig, StageConfig } from "../model/stageConfig";
import {
    assertDashboardContract,
    Dashboard,
    DASHBOARD_FILE,
    dashboardContractProblems,
    DashboardDefinitionError,
    loadDashboard,
} from "../infra/dashboards/definition";
import { loadQueryCatalog, QUERIES_DIR } from "../model/queryCatalog";
import { readStageConfigFile } from "../ops/stageFile";
import { PROJECT, SynthesisError, SYNTH_ORGANIZATION, synthesizeStack } from "../workbench/synth/synthesize";
import { stackTemplate, stageManifests } from "./support/synth";
import { Template } from "./support/template";

const TYPES = {
    dataSource: "aws-native:quicksight:DataSource",
    dataSet: "aws-native:quicksight:DataSet",
    analysis: "aws-native:quicksight:Analysis",
    dashboard: "aws-native:quicksight:Dashboard",
    refresh: "aws-native:quicksight:RefreshSchedule",
    policy: "aws:iam/policy:Policy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    workgroup: "aws:athena/workgroup:Workgroup",
    database: "aws:glue/catalogDatabase:CatalogDatabase",
};

/** dashboards/spotify-hits.yaml as its author wrote it, read without the program's loader. */
const source = parse(fs.readFileSync(DASHBOARD_FILE, "utf8")) as {
    datasets: Record<string, string>;
    filters: { id: string; title: string; column: string; exempt?: string[] }[];
    sheets: { id: string; visuals: { id: string; type: string; dataset: string; where?: { column: string }[] }[] }[];
};
const sourceVisuals = source.sheets.flatMap((sheet) => sheet.visuals.map((visual) => ({ ...visual, sheet: sheet.id })));

/** The views' declared columns, read straight from queries/<view>.schema.json. */
function declaredColumns(view: string): { name: string; type: string }[] {
    return (JSON.parse(fs.readFileSync(path.join(QUERIES_DIR, `${view}.schema.json`), "utf8")) as { columns: { name: string; type: string }[] }).columns;
}

/** QuickSight's input column types for declared types, as AWS documents them (independent of the program's mapping). */
const EXPECTED_QUICKSIGHT_TYPE: Record<string, { type: string; subType?: string }> = {
    varchar: { type: "STRING" },
    integer: { type: "INTEGER" },
    bigint: { type: "INTEGER" },
    double: { type: "DECIMAL", subType: "FLOAT" },
    date: { type: "DATETIME" },
    boolean: { type: "BOOLEAN" },
};

/** A temporary copy of a directory, for breaking one file without touching the repository. */
function scratchCopy(directory: string): string {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "spotify-dashboards-"));
    fs.cpSync(directory, copy, { recursive: true });
    return copy;
}

function writeDashboard(text: string): string {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "spotify-dashboard-"));
    const file = path.join(directory, "broken.yaml");
    fs.writeFileSync(file, text);
    return file;
}

/** Every {dataSetIdentifier, columnName} anywhere in a rendered definition, with the JSON path that holds it. */
function columnReferences(value: unknown, at = "definition"): { at: string; dataset: string; column: string }[] {
    if (Array.isArray(value)) return value.flatMap((item, index) => columnReferences(item, `${at}[${index}]`));
    if (value === null || typeof value !== "object") return [];
    const record = value as Record<string, unknown>;
    const own =
        typeof record.dataSetIdentifier === "string" && typeof record.columnName === "string"
            ? [{ at, dataset: record.dataSetIdentifier, column: record.columnName }]
            : [];
    return [...own, ...Object.entries(record).flatMap(([key, inner]) => columnReferences(inner, `${at}.${key}`))];
}

describe("dashboards: the definition file", () => {
    const committed = fs.readFileSync(DASHBOARD_FILE, "utf8");

    it("holds the sheets and visuals the dashboard is for", () => {
        const dashboard = loadDashboard();
        const sheet = (id: string) => dashboard.sheets.find((candidate) => candidate.id === id)!;
        assert.deepStrictEqual(
            sheet("overview").visuals.map((visual) => visual.type),
            ["kpi", "kpi", "kpi", "table"],
        );
        assert.deepStrictEqual(
            sheet("hit-score-distribution").visuals.map((visual) => visual.type),
            ["histogram"],
        );
        assert.deepStrictEqual(
            sheet("genres").visuals.map((visual) => visual.type),
            ["bar", "table"],
        );
        const trend = sheet("popularity-trends").visuals[0];
        assert.ok(
            trend.type === "line" &&
                trend.category.column === "release_year" &&
                trend.value.column === "track_popularity" &&
                trend.value.aggregate === "average",
        );
        const scatter = sheet("track-vs-artist").visuals[0];
        assert.ok(
            scatter.type === "scatter" &&
                scatter.x.column === "artist_popularity" &&
                scatter.y.column === "track_popularity" &&
                scatter.color.column === "genre",
        );
        assert.deepStrictEqual(
            dashboard.filters.map((filter) => [filter.column, filter.type]),
            [
                ["genre", "category"],
                ["release_year", "range"],
            ],
        );
    });

    it("names the file, line and column of a YAML syntax error", () => {
        const file = writeDashboard(committed.replace("name: Spotify hits", 'name: "Spotify hits'));
        assert.throws(
            () => loadDashboard(file),
            (error: Error) => error instanceof DashboardDefinitionError && /broken\.yaml:\d+:\d+: /.test(error.message),
        );
    });

    it("names the path and line of a value that breaks the format", () => {
        const file = writeDashboard(committed.replace("type: histogram", "type: pie"));
        const line = committed.split("\n").findIndex((text) => text.includes("type: histogram")) + 1;
        const sheet = loadDashboard().sheets.findIndex((candidate) => candidate.visuals[0].type === "histogram");
        assert.throws(
            () => loadDashboard(file),
            (error: Error) =>
                new RegExp(`broken\\.yaml:${line}: sheets\\.${sheet}\\.visuals\\.0\\.type: type must be one of kpi, table, histogram`).test(error.message),
        );
    });

    it("refuses a duplicate id, an undeclared dataset and overlapping visuals, naming them", () => {
        const cases: [string, string, RegExp][] = [
            ["id: artists-kpi", "id: tracks-kpi", /visual id "tracks-kpi" is already used by a visual/],
            [
                "dataset: track-vs-artist\n        x:",
                "dataset: artists\n        x:",
                /visual "track-vs-artist-scatter" \(sheet "track-vs-artist"\) reads dataset "artists", which is not declared/,
            ],
            [
                "layout: { column: 12, row: 0, width: 12, height: 5 }",
                "layout: { column: 10, row: 0, width: 12, height: 5 }",
                /visual "artists-kpi" \(sheet "overview"\) overlaps visual "tracks-kpi"/,
            ],
            [
                "layout: { column: 0, row: 14, width: 36, height: 16 }",
                "layout: { column: 6, row: 14, width: 36, height: 16 }",
                /"genre-rank-table".*passes the grid's 36 columns/,
            ],
            [
                "exempt: [correlation-overall]\n",
                "exempt: [correlation-everything]\n",
                /filter "genre" exempts visual "correlation-everything", which no sheet holds/,
            ],
        ];
        for (const [from, to, expected] of cases) {
            assert.ok(committed.includes(from), from);
            assert.throws(
                () => loadDashboard(writeDashboard(committed.replace(from, to))),
                (error: Error) => expected.test(error.message),
                to,
            );
        }
    });
});

describe("dashboards: contract with the views' declared schemas", () => {
    const views = () => loadQueryCatalog().queries.filter((query) => query.kind === "view");

    it("uses only columns the views declare", () => {
        assert.deepStrictEqual(dashboardContractProblems(loadDashboard(), views()), []);
    });

    it("fails naming the visual and the column when a query's schema renames a column", () => {
        const queries = scratchCopy(QUERIES_DIR);
        const schemaFile = path.join(queries, "hit_score_insights.schema.json");
        fs.writeFileSync(schemaFile, fs.readFileSync(schemaFile, "utf8").replace('"name": "hit_score"', '"name": "hit_points"'));
        const renamed = loadQueryCatalog(queries).queries.filter((query) => query.kind === "view");
        assert.throws(
            () => assertDashboardContract(loadDashboard(), renamed),
            (error: Error) => {
                for (const visual of ["hit-score-kpi", "hit-score-histogram", "genre-hit-score"]) {
                    assert.match(
                        error.message,
                        new RegExp(
                            `visual "${visual}" .* uses column "hit_score" of dataset "tracks" \\(view hit_score_insights\\), which the view does not declare`,
                        ),
                    );
                }
                return true;
            },
        );
    });

    it("fails a numeric aggregate or axis on a text column, a filter column some dataset lacks, and a sort the visual does not show", () => {
        const dashboard = loadDashboard();
        const broken = JSON.parse(JSON.stringify(dashboard)) as Dashboard;
        const visual = (id: string) => broken.sheets.flatMap((sheet) => sheet.visuals).find((candidate) => candidate.id === id)!;
        const kpi = visual("hit-score-kpi");
        if (kpi.type === "kpi") kpi.value = { column: "genre", aggregate: "average" };
        const scatter = visual("track-vs-artist-scatter");
        if (scatter.type === "scatter") scatter.x = { column: "track_name" };
        const table = visual("top-tracks");
        if (table.type === "table") table.sort = [{ column: "album_name", order: "asc" }];
        broken.filters[0] = { ...broken.filters[0], column: "album_type" };
        const problems = dashboardContractProblems(broken, views()).join("\n");
        assert.match(problems, /visual "hit-score-kpi" \(sheet "overview"\) value uses column "genre" .* as a number \(average\), but it is varchar/);
        assert.match(problems, /visual "track-vs-artist-scatter" \(sheet "track-vs-artist"\) x uses column "track_name" .* as a number/);
        assert.match(problems, /visual "top-tracks" \(sheet "overview"\) sorts by "album_name", which it does not show/);
        assert.match(
            problems,
            /filter "genre" \(applied to visual "top-tracks" of sheet "overview"\): dataset "genre-ranks" has no column album_type; list the visual under the filter's exempt/,
        );
    });

    it("fails an average without its counts, a shown column without a label or a number without a format, a stale label, a bad condition and an unexempted visual", () => {
        const dashboard = loadDashboard();
        const broken = JSON.parse(JSON.stringify(dashboard)) as Dashboard;
        const visual = (id: string) => broken.sheets.flatMap((sheet) => sheet.visuals).find((candidate) => candidate.id === id)!;
        const byDuration = visual("popularity-by-duration");
        if (byDuration.type === "bar") delete byDuration.counts;
        delete broken.fields.artist_name;
        broken.fields.hit_score = { label: "Hit score" };
        broken.fields.album_name = { label: "Album" };
        visual("top-tracks").where = [{ column: "genre", atMost: 3 }];
        visual("correlation-artist").where = [{ column: "sample_size", equals: "3" }];
        broken.filters[1] = { ...broken.filters[1], exempt: ["correlation-overall"] };
        const problems = dashboardContractProblems(broken, views()).join("\n");
        assert.match(problems, /visual "popularity-by-duration" \(sheet "features"\) shows the average of track_popularity without counts/);
        assert.match(problems, /visual "top-tracks" \(sheet "overview"\) shows column "artist_name", which has no entry under fields/);
        assert.match(problems, /fields\.hit_score is a number \(double\) and needs a format/);
        assert.match(problems, /fields\.album_name labels a column that no visual or filter shows/);
        assert.match(problems, /visual "top-tracks" \(sheet "overview"\) where uses column "genre" .* as a number/);
        assert.match(problems, /visual "correlation-artist" \(sheet "what-makes-a-hit"\) where sample_size equals text, but it is bigint: use atMost/);
        assert.match(
            problems,
            /filter "release-year" \(applied to visual "correlation-artist" of sheet "what-makes-a-hit"\): dataset "popularity-needs" has no column release_year/,
        );
    });

    it("stops the dashboards stack when the deployed queries stack exports views without a column the dashboard uses", async () => {
        const config = readStageConfigFile("dev");
        const manifests = await stageManifests("dev");
        const upstream = new Map(
            manifests.map((manifest) => [
                `${SYNTH_ORGANIZATION}/${PROJECT}/${manifest.stack}`,
                JSON.parse(JSON.stringify(manifest.outputs)) as Record<string, unknown>,
            ]),
        );
        const queries = upstream.get(`${SYNTH_ORGANIZATION}/${PROJECT}/dev-queries`)!;
        for (const view of queries.views as { name: string; columns: { name: string }[] }[]) {
            if (view.name === "track_vs_artist_popularity") view.columns = view.columns.filter((column) => column.name !== "artist_popularity");
        }
        await assert.rejects(
            synthesizeStack({ stackName: "dev-dashboards", config, upstream }),
            (error: unknown) =>
                error instanceof SynthesisError &&
                /visual "track-vs-artist-scatter" \(sheet "track-vs-artist"\) x uses column "artist_popularity" of dataset "track-vs-artist"/.test(
                    error.message,
                ),
        );
    });

    it("stops the dashboards stack when an upstream output is not what its layer declares", async () => {
        const config = readStageConfigFile("dev");
        const manifests = await stageManifests("dev");
        const upstream = new Map(manifests.map((manifest) => [`${SYNTH_ORGANIZATION}/${PROJECT}/${manifest.stack}`, { ...manifest.outputs }]));
        // What an older queries stack exported: the view names as JSON text.
        upstream.get(`${SYNTH_ORGANIZATION}/${PROJECT}/dev-queries`)!.views = '["hit_score_insights"]';
        await assert.rejects(
            synthesizeStack({ stackName: "dev-dashboards", config, upstream }),
            (error: unknown) =>
                error instanceof SynthesisError &&
                /Stack dev-queries exports an unexpected views \(views: .*\); deploy dev-queries from this commit first/.test(error.message),
        );
    });
});

for (const stage of ["dev", "prod"]) {
    describe(`dashboards layer (${stage})`, () => {
        let template: Template;
        let config: StageConfig;
        let workgroupName: unknown;
        let databaseName: unknown;
        before(async () => {
            template = await stackTemplate(stage, `${stage}-dashboards`);
            config = parseStageConfig(readStageConfigFile(stage), stage);
            workgroupName = (await stackTemplate(stage, `${stage}-queries`)).findResources(TYPES.workgroup)[0].inputs.name;
            databaseName = (await stackTemplate(stage, `${stage}-etl`)).findResources(TYPES.database)[0].inputs.name;
        });
        const only = (type: string) => {
            const found = template.findResources(type);
            assert.strictEqual(found.length, 1, `${stage}: one ${type}`);
            return found[0];
        };

        it("queries Athena through the stage's workgroup, with SSL", () => {
            const dataSource = only(TYPES.dataSource);
            assert.strictEqual(dataSource.inputs.type, "ATHENA");
            assert.deepStrictEqual(dataSource.inputs.dataSourceParameters, { athenaParameters: { workGroup: workgroupName } });
            assert.deepStrictEqual(dataSource.inputs.sslProperties, { disableSsl: false });
        });

        it("declares one dataset per view the dashboard reads, with the view's declared columns and the stage's import mode", () => {
            const dataSource = only(TYPES.dataSource);
            const dataSets = template.findResources(TYPES.dataSet);
            assert.strictEqual(dataSets.length, Object.keys(source.datasets).length);
            for (const [dataset, view] of Object.entries(source.datasets)) {
                const dataSet = dataSets.find((candidate) => (candidate.inputs.physicalTableMap as Record<string, unknown>)[dataset] !== undefined);
                assert.ok(dataSet, `no dataset reads ${view} as ${dataset}`);
                const table = (dataSet.inputs.physicalTableMap as Record<string, { relationalTable: Record<string, unknown> }>)[dataset].relationalTable;
                assert.deepStrictEqual(
                    { catalog: table.catalog, schema: table.schema, name: table.name },
                    { catalog: "AwsDataCatalog", schema: databaseName, name: view },
                );
                assert.deepStrictEqual(
                    table.inputColumns,
                    declaredColumns(view).map((column) => ({ name: column.name, ...EXPECTED_QUICKSIGHT_TYPE[column.type] })),
                    `${view}: input columns`,
                );
                assert.strictEqual(dataSet.inputs.importMode, config.quicksightImportMode);
                assert.deepStrictEqual(
                    template.follow(dataSet, "physicalTableMap").filter((resource) => resource.type === TYPES.dataSource),
                    [dataSource],
                    `${view} reads the stack's data source`,
                );
            }
        });

        it("refreshes SPICE datasets daily at the stage's time, and only SPICE datasets", () => {
            const schedules = template.findResources(TYPES.refresh);
            if (config.quicksightImportMode !== "SPICE") {
                assert.deepStrictEqual(schedules, []);
                return;
            }
            const dataSets = template.findResources(TYPES.dataSet);
            assert.strictEqual(schedules.length, dataSets.length);
            for (const dataSet of dataSets) {
                const schedule = template.referencing(dataSet, TYPES.refresh, "dataSetId");
                assert.strictEqual(schedule.length, 1, `${dataSet.name} has one refresh schedule`);
                assert.deepStrictEqual((schedule[0].inputs.schedule as Record<string, unknown>).scheduleFrequency, {
                    interval: "DAILY",
                    timeOfTheDay: config.quicksightRefreshTime,
                    timeZone: "UTC",
                });
            }
        });

        it("renders the analysis and the dashboard from one definition that places every visual once", () => {
            const analysis = only(TYPES.analysis);
            const dashboard = only(TYPES.dashboard);
            assert.deepStrictEqual(analysis.inputs.definition, dashboard.inputs.definition);
            const definition = dashboard.inputs.definition as {
                sheets: {
                    sheetId: string;
                    visuals: Record<string, { visualId: string }>[];
                    layouts: { configuration: { gridLayout: { elements: { elementId: string }[] } } }[];
                }[];
                dataSetIdentifierDeclarations: { identifier: string }[];
            };
            for (const sheet of source.sheets) {
                const rendered = definition.sheets.find((candidate) => candidate.sheetId === sheet.id);
                assert.ok(rendered, `sheet ${sheet.id}`);
                const visualIds = rendered.visuals.map((visual) => Object.values(visual)[0].visualId);
                const placed = rendered.layouts.flatMap((layout) => layout.configuration.gridLayout.elements.map((element) => element.elementId));
                assert.deepStrictEqual(
                    visualIds,
                    sheet.visuals.map((visual) => visual.id),
                    `${sheet.id}: visuals`,
                );
                assert.deepStrictEqual([...placed].sort(), [...visualIds].sort(), `${sheet.id}: each visual placed once`);
            }
            assert.deepStrictEqual(
                definition.dataSetIdentifierDeclarations.map((declaration) => declaration.identifier).sort(),
                Object.keys(source.datasets).sort(),
            );
            // The declarations hold the datasets' ARNs: the definition is computed from every dataset.
            const dataSetUrns = template
                .findResources(TYPES.dataSet)
                .map((dataSet) => dataSet.urn)
                .sort();
            for (const resource of [analysis, dashboard]) {
                assert.deepStrictEqual(resource.propertyDependencies.definition.filter((urn) => urn.includes("DataSet")).sort(), dataSetUrns);
            }
        });

        it("references only columns its datasets' views declare, wherever the definition names a column", () => {
            const references = columnReferences(only(TYPES.dashboard).inputs.definition);
            const visualsWithFields = new Set(
                references.map((reference) => /sheets\[(\d+)\]\.visuals\[(\d+)\]/.exec(reference.at)?.slice(1).join(".")).filter((key) => key !== undefined),
            );
            assert.strictEqual(visualsWithFields.size, sourceVisuals.length, "every visual names at least one column");
            for (const reference of references) {
                const view = source.datasets[reference.dataset];
                assert.ok(view !== undefined, `${reference.at}: dataset ${reference.dataset} is not declared`);
                assert.ok(
                    declaredColumns(view).some((column) => column.name === reference.column),
                    `${reference.at}: ${reference.dataset}.${reference.column} is not a column of ${view}`,
                );
            }
        });

        it("applies each filter to every visual it does not exempt, with a control on each sheet it reaches, and says so on the exempt visuals", () => {
            type Scope = { sheetId: string; scope: string; visualIds?: string[] };
            const definition = only(TYPES.dashboard).inputs.definition as {
                filterGroups: {
                    filterGroupId: string;
                    crossDataset: string;
                    scopeConfiguration: { selectedSheets: { sheetVisualScopingConfigurations: Scope[] } };
                }[];
                sheets: {
                    sheetId: string;
                    filterControls: Record<string, { sourceFilterId: string }>[];
                    visuals: Record<string, { visualId: string; subtitle?: unknown }>[];
                }[];
            };
            for (const filter of source.filters) {
                const group = definition.filterGroups.find((candidate) => candidate.filterGroupId === `${filter.id}-filter-group`)!;
                assert.strictEqual(group.crossDataset, "ALL_DATASETS");
                const exempt = new Set(filter.exempt ?? []);
                const expected = source.sheets.flatMap((sheet): Scope[] => {
                    const filtered = sheet.visuals.filter((visual) => !exempt.has(visual.id)).map((visual) => visual.id);
                    if (filtered.length === 0) return [];
                    return filtered.length === sheet.visuals.length
                        ? [{ sheetId: sheet.id, scope: "ALL_VISUALS" }]
                        : [{ sheetId: sheet.id, scope: "SELECTED_VISUALS", visualIds: filtered }];
                });
                assert.deepStrictEqual(group.scopeConfiguration.selectedSheets.sheetVisualScopingConfigurations, expected, filter.id);
                for (const sheet of definition.sheets) {
                    const reached = expected.some((scope) => scope.sheetId === sheet.sheetId);
                    const controlled = sheet.filterControls.some((control) => Object.values(control)[0].sourceFilterId === filter.id);
                    assert.strictEqual(controlled, reached, `${filter.id} control on ${sheet.sheetId}`);
                    for (const visual of sheet.visuals.map((entry) => Object.values(entry)[0])) {
                        const skipped = source.filters.filter((candidate) => candidate.exempt?.includes(visual.visualId)).map((candidate) => candidate.title);
                        const subtitle = visual.subtitle as { formatText: { plainText: string } } | undefined;
                        if (skipped.length === 0) assert.strictEqual(subtitle, undefined, visual.visualId);
                        else
                            for (const title of skipped)
                                assert.match(subtitle!.formatText.plainText, new RegExp(`Not filtered by .*${title}`), visual.visualId);
                    }
                }
            }
            // The correlations cannot be filtered by year: the file must exempt them, and does.
            assert.ok(source.filters.some((filter) => filter.column === "release_year" && (filter.exempt ?? []).includes("correlation-overall")));
        });

        it("keeps each visual's own conditions to that visual and its dataset", () => {
            const definition = only(TYPES.dashboard).inputs.definition as {
                filterGroups: {
                    filterGroupId: string;
                    crossDataset: string;
                    scopeConfiguration: { selectedSheets: { sheetVisualScopingConfigurations: { sheetId: string; scope: string; visualIds?: string[] }[] } };
                    filters: Record<string, { column: { dataSetIdentifier: string; columnName: string } }>[];
                }[];
            };
            const conditioned = source.sheets.flatMap((sheet) =>
                sheet.visuals.filter((visual) => visual.where !== undefined).map((visual) => ({ sheet, visual })),
            );
            assert.ok(conditioned.length >= 5, "the leaderboard and the correlations select their rows");
            for (const { sheet, visual } of conditioned) {
                const group = definition.filterGroups.find((candidate) => candidate.filterGroupId === `${visual.id}-where`)!;
                assert.strictEqual(group.crossDataset, "SINGLE_DATASET");
                assert.deepStrictEqual(group.scopeConfiguration.selectedSheets.sheetVisualScopingConfigurations, [
                    { sheetId: sheet.id, scope: "SELECTED_VISUALS", visualIds: [visual.id] },
                ]);
                assert.deepStrictEqual(
                    group.filters.map((filter) => Object.values(filter)[0].column),
                    visual.where!.map((condition) => ({ dataSetIdentifier: visual.dataset, columnName: condition.column })),
                );
            }
        });

        it("labels every field it shows in words and formats every number: no column name reaches a reader", () => {
            const definition = only(TYPES.dashboard).inputs.definition;
            const labels: string[] = [];
            const formats: { fieldId: string; format: unknown }[] = [];
            const walk = (node: unknown, key = ""): void => {
                if (Array.isArray(node)) return node.forEach((item) => walk(item, key));
                if (typeof node !== "object" || node === null) return;
                const record = node as Record<string, unknown>;
                if (typeof record.customLabel === "string") labels.push(record.customLabel);
                if (typeof record.label === "string") labels.push(record.label);
                if (typeof record.fieldId === "string" && "formatConfiguration" in record)
                    formats.push({ fieldId: record.fieldId, format: record.formatConfiguration });
                for (const [child, value] of Object.entries(record)) walk(value, child);
            };
            walk(definition);
            assert.ok(labels.length > 60, `only ${labels.length} labels`);
            assert.deepStrictEqual(
                labels.filter((label) => /[a-z]_[a-z]/.test(label)),
                [],
            );
            const year = formats.filter((entry) => entry.fieldId.endsWith("-release_year"));
            assert.ok(year.length >= 2);
            for (const entry of year) assert.match(JSON.stringify(entry.format), /"thousandsSeparator":\{"visibility":"HIDDEN"\}/, entry.fieldId);
            const scores = formats.filter((entry) => /-(value|column)-hit_score$|-value-track_popularity$/.test(entry.fieldId));
            assert.ok(scores.length >= 3);
            for (const entry of scores) assert.match(JSON.stringify(entry.format), /"decimalPlaces":1/, entry.fieldId);
            const correlations = formats.filter((entry) => entry.fieldId.endsWith("-correlation"));
            assert.strictEqual(correlations.length, 5);
            for (const entry of correlations) assert.match(JSON.stringify(entry.format), /"nullString":"undefined"/, entry.fieldId);
        });

        it("grants the owners full control of every asset, the viewers the dashboard only, and nobody else anything", () => {
            for (const type of [TYPES.dataSource, TYPES.dataSet, TYPES.analysis, TYPES.dashboard]) {
                for (const resource of template.findResources(type)) {
                    const permissions = resource.inputs.permissions as { principal: string; actions: string[] }[];
                    const principals = permissions.map((permission) => permission.principal);
                    const expected = type === TYPES.dashboard ? [...config.quicksightOwners, ...config.quicksightViewers] : [...config.quicksightOwners];
                    assert.deepStrictEqual(principals, expected, `${resource.name}: principals`);
                    for (const permission of permissions) {
                        const isOwner = config.quicksightOwners.includes(permission.principal);
                        const mutating = permission.actions.filter((action) => /:(Update|Delete|Restore|Create|Cancel)/.test(action));
                        assert.strictEqual(mutating.length > 0, isOwner, `${resource.name}: ${permission.principal} ${isOwner ? "owns" : "only views"}`);
                        assert.ok(permission.actions.every((action) => action.startsWith("quicksight:")));
                    }
                    assert.strictEqual(resource.inputs.linkSharingConfiguration, undefined, `${resource.name}: no link sharing`);
                }
            }
            const publishOptions = only(TYPES.dashboard).inputs.dashboardPublishOptions as Record<string, Record<string, string>>;
            assert.strictEqual(publishOptions.adHocFilteringOption.availabilityStatus, "DISABLED");
        });

        it("offers CSV export only where the stage's data is not confidential or restricted", async () => {
            for (const [stage, expected] of [
                ["dev", "ENABLED"],
                ["prod", "DISABLED"],
            ]) {
                const manifests = await stageManifests(stage);
                const dashboards = manifests.flatMap((manifest) => manifest.resources).filter((resource) => resource.type === TYPES.dashboard);
                assert.strictEqual(dashboards.length, 1);
                const options = dashboards[0].inputs.dashboardPublishOptions as Record<string, Record<string, string>>;
                assert.strictEqual(
                    options.exportToCsvOption.availabilityStatus,
                    expected,
                    `${stage} (${readStageConfigFile(stage)["spotify:dataClassification"]})`,
                );
            }
        });

        it("gives the QuickSight service role this stage's data, and nothing wider", () => {
            const policy = only(TYPES.policy);
            const attachment = only(TYPES.attachment);
            assert.strictEqual(attachment.inputs.role, config.quicksightServiceRoleName);
            assert.deepStrictEqual(template.follow(attachment, "policyArn"), [policy]);
            const statements = (JSON.parse(String(policy.inputs.policy)) as { Statement: { Sid: string; Action: string[]; Resource: string[] }[] }).Statement;
            const resources = statements.flatMap((statement) => statement.Resource);
            assert.ok(
                resources.every((resource) => resource !== "*" && !resource.endsWith(":*")),
                `no account-wide resource: ${resources.join(", ")}`,
            );
            const glue = statements
                .filter((statement) => statement.Action.some((action) => action.startsWith("glue:")))
                .flatMap((statement) => statement.Resource);
            assert.ok(
                glue.filter((resource) => !resource.endsWith(":catalog")).every((resource) => resource.includes(`/${String(databaseName)}`)),
                `glue limited to ${String(databaseName)}: ${glue.join(", ")}`,
            );
            const athena = statements.filter((statement) => statement.Action.some((action) => action.startsWith("athena:Start")));
            assert.deepStrictEqual(
                athena.flatMap((statement) => statement.Resource).map((arn) => arn.split("/").pop()),
                [workgroupName],
            );
            for (const purpose of ["warehouse", "athena-results"]) {
                assert.ok(
                    resources.some((resource) => resource.includes(`-${stage}-${purpose}-`)),
                    `reaches the ${purpose} bucket`,
                );
            }
            assert.ok(!resources.some((resource) => /-(staging|glue-assets|access-logs)-/.test(resource)), "reaches no other bucket");
        });

        it(`${stage === "prod" ? "protects" : "does not protect"} the data source, datasets and dashboard, as the stage protects data`, () => {
            for (const type of [TYPES.dataSource, TYPES.dataSet, TYPES.dashboard]) {
                for (const resource of template.findResources(type)) {
                    assert.strictEqual(resource.protect, config.protectData, `${resource.name}: protect`);
                    assert.strictEqual(resource.retainOnDelete, config.protectData, `${resource.name}: retainOnDelete`);
                }
            }
        });

        it("creates QuickSight resources with the layer's aws-native provider, which carries the stage's region and the layer's tags", () => {
            for (const resource of template.resources.filter((candidate) => candidate.type.startsWith("aws-native:"))) {
                const provider = template.byUrn(String(resource.provider).split("::").slice(0, -1).join("::"));
                assert.strictEqual(provider.type, "pulumi:providers:aws-native");
                assert.strictEqual(provider.inputs.region, config.region);
                const tags = (JSON.parse(String(provider.inputs.defaultTags)) as { tags: Record<string, string> }).tags;
                assert.strictEqual(tags.layer, "dashboards");
                assert.strictEqual(tags.stage, stage);
            }
        });
    });
}
