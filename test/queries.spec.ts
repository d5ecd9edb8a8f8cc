import * as assert from "assert";
import { stagePlan } from "../model/stagePlan";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseStageConfig, StageConfig } from "../model/stageConfig";
import { QueriesLayer } from "../infra/layers/queries";
import { QUERIES_OUTPUTS } from "../model/layerOutputs";
import { followsUnderscoredConvention } from "../model/naming";
import { loadQueryCatalog, QueryCatalogError } from "../model/queryCatalog";
import type { Manifest, ManifestResource } from "../workbench/synth/manifestFile";
import { REPO_ROOT } from "../model/repository";
import { readStageConfigFile } from "../ops/stageFile";
import { synthesizeStack } from "../workbench/synth/synthesize";
import { stackTemplate, stageManifests } from "./support/synth";
import { Template } from "./support/template";

const WORKGROUP = "aws:athena/workgroup:Workgroup";
const NAMED_QUERY = "aws:athena/namedQuery:NamedQuery";
const TABLE = "aws:glue/catalogTable:CatalogTable";

/** queries/ as the analytics engineer wrote it, read here without the program's loader. */
interface QueryFile {
    name: string;
    sql: string;
    schema: { name: string; kind: "view" | "query"; description: string; columns: { name: string; type: string }[]; depends_on?: string[] };
}

function readQueryFiles(): QueryFile[] {
    const directory = path.join(REPO_ROOT, "queries");
    return fs
        .readdirSync(directory)
        .filter((file) => file.endsWith(".sql"))
        .sort()
        .map((file) => {
            const name = file.slice(0, -".sql".length);
            return {
                name,
                sql: fs.readFileSync(path.join(directory, file), "utf8"),
                schema: JSON.parse(fs.readFileSync(path.join(directory, `${name}.schema.json`), "utf8")) as QueryFile["schema"],
            };
        });
}

/** Hive spelling of each Athena type, as queries/README.md states it (independent of the program). */
function expectedHiveType(athenaType: string): string {
    const renamed: Record<string, string> = { varchar: "string", integer: "int", real: "float", char: "char(1)" };
    return renamed[athenaType] ?? athenaType;
}

/** The JSON inside `/* Presto View: <base64> *\/`. */
function decodePrestoView(text: unknown): Record<string, unknown> {
    const match = /^\/\* Presto View: ([A-Za-z0-9+/]+={0,2}) \*\/$/.exec(String(text));
    assert.ok(match, `not a Presto view encoding: ${String(text).slice(0, 60)}`);
    return JSON.parse(Buffer.from(match[1], "base64").toString("utf8")) as Record<string, unknown>;
}

const files = readQueryFiles();
const views = files.filter((file) => file.schema.kind === "view");

describe("query catalog loader", () => {
    let directory: string;
    const write = (file: string, content: unknown) =>
        fs.writeFileSync(path.join(directory, file), typeof content === "string" ? content : JSON.stringify(content));
    const declare = (name: string, extra: Record<string, unknown> = {}) =>
        write(`${name}.schema.json`, { name, kind: "view", description: `${name} view`, columns: [{ name: "track_id", type: "varchar" }], ...extra });
    const fails = (pattern: RegExp) =>
        assert.throws(
            () => loadQueryCatalog(directory),
            (error: unknown) => error instanceof QueryCatalogError && pattern.test(error.message),
        );

    beforeEach(() => {
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "queries-"));
        write("base.sql", "SELECT track_id FROM tracks");
        declare("base");
    });
    afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

    it("loads queries/ with each view after the views it reads, then the named queries", () => {
        const catalog = loadQueryCatalog();
        assert.deepStrictEqual(
            catalog.queries.map((query) => query.name).sort(),
            files.map((file) => file.name),
        );
        const position = new Map(catalog.queries.map((query, index) => [query.name, index]));
        for (const query of catalog.queries) {
            for (const dependency of query.dependsOn) {
                assert.ok(position.get(dependency)! < position.get(query.name)!, `${query.name} comes before ${dependency}`);
            }
        }
        const kinds = catalog.queries.map((query) => query.kind);
        assert.deepStrictEqual(
            kinds,
            [...kinds].sort((a, b) => (a === b ? 0 : a === "view" ? -1 : 1)),
        );
    });

    it("fails naming the SQL file whose schema declaration is missing", () => {
        write("orphan.sql", "SELECT 1 AS one");
        fails(/orphan\.sql: missing its schema declaration orphan\.schema\.json/);
    });

    it("fails naming the declaration of an unknown column type", () => {
        write("odd.sql", "SELECT track_id FROM tracks");
        declare("odd", { columns: [{ name: "track_id", type: "text" }] });
        fails(/odd\.schema\.json: columns\.0\.type: "text" is not one of varchar/);
    });

    it("fails naming the declaration in a dependency cycle", () => {
        write("a.sql", "SELECT track_id FROM b");
        write("b.sql", "SELECT track_id FROM a");
        declare("a", { depends_on: ["b"] });
        declare("b", { depends_on: ["a"] });
        fails(/a\.schema\.json: depends_on forms a cycle: a -> b -> a/);
    });

    it("fails naming the declaration of an unknown or non-view dependency", () => {
        write("reader.sql", "SELECT track_id FROM missing");
        declare("reader", { depends_on: ["missing"] });
        fails(/reader\.schema\.json: depends_on "missing", but there is no missing\.sql/);
        write("missing.sql", "SELECT track_id FROM tracks");
        declare("missing", { kind: "query" });
        fails(/reader\.schema\.json: depends_on "missing", a named query/);
    });

    it("fails naming the file for a declaration without SQL, a misnamed declaration, a bad key or a view ending in ';'", () => {
        declare("lonely");
        fails(/lonely\.schema\.json: declares a query without lonely\.sql/);
        fs.rmSync(path.join(directory, "lonely.schema.json"));
        declare("base", { name: "other" });
        fails(/base\.schema\.json: name "other" must equal the file name "base"/);
        declare("base", { colums: [] });
        fails(/base\.schema\.json: .*Unrecognized key: "colums"/);
        declare("base");
        write("base.sql", "SELECT track_id FROM tracks;\n");
        fails(/base\.sql: a view's SQL must not end with ';'/);
    });

    it("fails naming the declaration of a bad kind, an empty description, no or twice-declared columns, a missing key", () => {
        declare("base", { kind: "table" });
        fails(/base\.schema\.json: kind: must be "view" or "query"/);
        declare("base", { description: " " });
        fails(/base\.schema\.json: description: must not be empty/);
        declare("base", { columns: [] });
        fails(/base\.schema\.json: columns: must list at least one column/);
        declare("base", {
            columns: [
                { name: "track_id", type: "varchar" },
                { name: "track_id", type: "bigint" },
            ],
        });
        fails(/base\.schema\.json: column "track_id" is declared twice/);
        write("base.schema.json", { name: "base", kind: "view", columns: [{ name: "track_id", type: "varchar" }] });
        fails(/base\.schema\.json: description: /);
    });
});

describe("queries layer wiring", () => {
    it("refuses an etl warehouse table other than the one the SQL reads", async () => {
        const raw = readStageConfigFile("dev");
        const config = parseStageConfig(raw, "dev");
        const program = () =>
            new QueriesLayer("queries", {
                config,
                plan: stagePlan(config),
                catalog: loadQueryCatalog(),
                storage: { athenaResultsBucketName: pulumi.output("results-bucket"), dataKeyArn: pulumi.output("arn:aws:kms:eu-west-1:123456789012:key/k") },
                etl: { glueDatabaseName: pulumi.output("spotify_dev_warehouse"), warehouseTableName: pulumi.output("songs") },
            }).outputs;
        await assert.rejects(
            synthesizeStack({ stackName: "dev", config: raw, program }),
            /warehouse table is "spotify_dev_warehouse\.songs", but queries\/\*\.sql read it as "tracks"/,
        );
    });
});

for (const stage of ["dev", "prod"]) {
    describe(`queries layer (${stage})`, () => {
        let template: Template;
        let config: StageConfig;
        let workgroup: ManifestResource;
        let storage: Manifest;
        /** The Glue database the etl layer declares: where the views and named queries belong. */
        let database: string;
        before(async () => {
            template = await stackTemplate(stage, `${stage}-queries`);
            config = parseStageConfig(readStageConfigFile(stage), stage);
            const manifests = await stageManifests(stage);
            storage = manifests.find((manifest) => manifest.stack === `${stage}-storage`)!;
            const etl = new Template(manifests.find((manifest) => manifest.stack === `${stage}-etl`)!);
            etl.resourceCountIs("aws:glue/catalogDatabase:CatalogDatabase", 1);
            database = String(etl.findResources("aws:glue/catalogDatabase:CatalogDatabase")[0].inputs.name);
            template.resourceCountIs(WORKGROUP, 1);
            workgroup = template.findResources(WORKGROUP)[0];
        });

        const tableOf = (name: string) => {
            const found = template.findResources(TABLE, { name });
            assert.strictEqual(found.length, 1, `expected one Glue table ${name}, found ${found.length}`);
            return found[0];
        };

        it("has one Athena workgroup, engine 3, enforcing encrypted results in the athena-results bucket and the scan cutoff", () => {
            const name = String(workgroup.inputs.name);
            assert.strictEqual(name, `${config.namePrefix}_${config.stage}_analytics`);
            assert.ok(followsUnderscoredConvention(name, config), name);
            const resultsBucket = storage.resources.find((resource) => resource.name === "storage-athena-results" && resource.type === "aws:s3/bucket:Bucket")!;
            assert.deepStrictEqual(workgroup.inputs.configuration, {
                enforceWorkgroupConfiguration: true,
                engineVersion: { selectedEngineVersion: "Athena engine version 3" },
                bytesScannedCutoffPerQuery: config.athenaBytesScannedCutoff,
                publishCloudwatchMetricsEnabled: true,
                resultConfiguration: {
                    outputLocation: `s3://${String(resultsBucket.inputs.bucket)}/results/`,
                    encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: storage.outputs.dataKeyArn },
                    expectedBucketOwner: template.manifest.fakeCloud.account,
                },
            });
            assert.strictEqual(workgroup.inputs.forceDestroy, config.allowTeardown);
            assert.strictEqual(workgroup.inputs.state, "ENABLED");
        });

        it("saves one named query per SQL file, holding exactly the file's SQL, in the warehouse database and the workgroup", () => {
            const queries = template.findResources(NAMED_QUERY);
            assert.deepStrictEqual(
                queries.map((query) => query.inputs.name).sort(),
                files.map((file) => file.name),
            );
            for (const file of files) {
                const [query] = template.findResources(NAMED_QUERY, { name: file.name });
                assert.strictEqual(query.inputs.query, file.sql, `${file.name}: the named query differs from ${file.name}.sql`);
                assert.strictEqual(query.inputs.description, file.schema.description);
                assert.strictEqual(query.inputs.database, database);
                assert.strictEqual(query.inputs.workgroup, workgroup.inputs.name);
                assert.ok(query.dependencies.includes(workgroup.urn), `${file.name} does not wait for the workgroup`);
            }
        });

        it("creates each view as a Presto-encoded Glue VIRTUAL_VIEW that decodes to the file's SQL, declared columns and description", () => {
            assert.deepStrictEqual(
                template
                    .findResources(TABLE)
                    .map((table) => table.inputs.name)
                    .sort(),
                views.map((view) => view.name),
            );
            for (const view of views) {
                const table = tableOf(view.name);
                assert.strictEqual(table.inputs.databaseName, database);
                assert.strictEqual(table.inputs.tableType, "VIRTUAL_VIEW");
                assert.deepStrictEqual(table.inputs.parameters, { presto_view: "true", comment: "Presto View" });
                assert.strictEqual(table.inputs.viewExpandedText, "/* Presto View */");
                assert.deepStrictEqual(decodePrestoView(table.inputs.viewOriginalText), {
                    originalSql: view.sql,
                    catalog: "awsdatacatalog",
                    schema: database,
                    columns: view.schema.columns,
                    comment: view.schema.description,
                    runAsInvoker: true,
                });
            }
        });

        it("makes each view SECURITY INVOKER with no owner and no Glue description, so Trino-based engines read it", () => {
            for (const view of views) {
                const table = tableOf(view.name);
                const definition = decodePrestoView(table.inputs.viewOriginalText);
                // Trino: a definer view needs a run-as identity (the JSON's owner or the table's),
                // an invoker view must have none; Athena evaluates its views as the caller anyway.
                assert.strictEqual(definition.runAsInvoker, true, view.name);
                assert.ok(!("owner" in definition), `${view.name}: the view definition names an owner`);
                assert.ok(!("owner" in table.inputs), `${view.name}: the Glue table names an owner`);
                // Trino's Glue metastore puts a table's description over the "Presto View" comment,
                // after which the table is no longer a view to it.
                assert.ok(!("description" in table.inputs), `${view.name}: a Glue description hides the view from Trino`);
            }
        });

        it("gives each view a storage descriptor with the Hive types of the declared columns and a SerDe block the provider sends", () => {
            for (const view of views) {
                const descriptor = tableOf(view.name).inputs.storageDescriptor as { columns: unknown; serDeInfo?: Record<string, unknown> };
                assert.deepStrictEqual(
                    descriptor.columns,
                    view.schema.columns.map((column) => ({ name: column.name, type: expectedHiveType(column.type) })),
                    view.name,
                );
                // An all-empty SerDe block is dropped before Glue is called, and Athena then fails on the view.
                assert.ok(
                    Object.values(descriptor.serDeInfo ?? {}).some((value) => typeof value === "string" && value !== ""),
                    `${view.name}: empty serDeInfo`,
                );
            }
        });

        it("creates views after the views they read", () => {
            for (const view of views) {
                const table = tableOf(view.name);
                const expected = (view.schema.depends_on ?? []).map((dependency) => tableOf(dependency).urn).sort();
                const actual = table.dependencies.filter((urn) => template.byUrn(urn).type === TABLE).sort();
                assert.deepStrictEqual(actual, expected, view.name);
            }
        });

        it("exports the workgroup, the database and the views for the dashboards layer", () => {
            const outputs = template.manifest.outputs;
            assert.deepStrictEqual(Object.keys(outputs).sort(), Object.keys(QUERIES_OUTPUTS).sort());
            assert.strictEqual(outputs.workgroupName, workgroup.inputs.name);
            assert.strictEqual(outputs.viewDatabaseName, database);
            // The views' declared columns travel with their names, exactly as queries/<view>.schema.json declares them.
            const exported = outputs.views as { name: string; columns: { name: string; type: string }[] }[];
            assert.deepStrictEqual(
                [...exported].sort((a, b) => a.name.localeCompare(b.name)),
                views.map((view) => ({
                    name: view.name,
                    columns: view.schema.columns.map(({ name, type }: { name: string; type: string }) => ({ name, type })),
                })),
            );
            assert.deepStrictEqual(
                Object.keys(outputs.namedQueryIds as Record<string, string>).sort(),
                files.map((file) => file.name),
            );
        });

        it("declares the same queries resources in the all-in-one stack, wired to the storage and etl resources", async () => {
            const [allInOne] = await stageManifests(stage, true);
            const whole = new Template(allInOne);
            const queriesLayer = (manifest: Manifest) =>
                manifest.resources
                    .filter((resource) => resource.name === "queries" || resource.name.startsWith("queries-"))
                    .map(({ type, name, inputs, protect, retainOnDelete }) => JSON.stringify({ type, name, inputs, protect, retainOnDelete }))
                    .sort();
            assert.deepStrictEqual(queriesLayer(allInOne), queriesLayer(template.manifest));
            const inProcess = whole.findResources(WORKGROUP)[0];
            const sources = whole
                .follow(inProcess, "configuration")
                .map((resource) => resource.name)
                .sort();
            assert.deepStrictEqual(sources, ["storage-athena-results", "storage-data-key"]);
            // Views and named queries wait for the warehouse database and table they read.
            for (const resource of [...whole.findResources(TABLE, { tableType: "VIRTUAL_VIEW" }), ...whole.findResources(NAMED_QUERY)]) {
                const property = resource.type === TABLE ? "databaseName" : "database";
                const read = whole.follow(resource, property).map((upstream) => `${upstream.type}::${String(upstream.inputs.name)}`);
                assert.deepStrictEqual(read.sort(), [`aws:glue/catalogDatabase:CatalogDatabase::${database}`, `${TABLE}::tracks`].sort(), resource.name);
            }
        });
    });
}
