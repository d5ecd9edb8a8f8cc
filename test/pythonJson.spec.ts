import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../model/repository";
import { GENERATED_FILES } from "../workbench/pythonJson";

const SCRIPT = "python:json";

/**
 * `npm run python:json -- <args>` as package.json spells it, from source (`--source`: the launcher
 * otherwise compiles build/ first, which the entry point specs exercise).
 */
function pythonJson(args: readonly string[]) {
    const scripts = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const [node, launcher, tool, ...rest] = scripts[SCRIPT].split(" ");
    assert.deepStrictEqual([node, launcher, tool, rest], ["node", "tools/compiled.js", "pythonJson", []], `package.json's ${SCRIPT}: ${scripts[SCRIPT]}`);
    return spawnSync(process.execPath, [launcher, "--source", tool, ...args], { cwd: REPO_ROOT, encoding: "utf8" });
}

/** A repository holding only what the tool reads and writes: queries/ and the generated files, copied from this one. */
function copiedRoot(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "python-json-"));
    fs.cpSync(path.join(REPO_ROOT, "queries"), path.join(root, "queries"), {
        recursive: true,
        filter: (source) => (fs.statSync(source).isDirectory() ? path.basename(source) === "queries" : /\.(sql|schema\.json)$/.test(source)),
    });
    for (const file of Object.values(GENERATED_FILES)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
    }
    return root;
}

describe("npm run python:json: the JSON the Python side reads", function () {
    this.timeout(120_000);
    let root: string;
    beforeEach(() => (root = copiedRoot()));
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("--check passes on the repository: the committed files are current", () => {
        const run = pythonJson(["--check"]);
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(run.stdout, `${GENERATED_FILES.columnTypes} and ${GENERATED_FILES.queryCatalog} are current.\n`);
    });

    it("--check fails naming the stale file and the command, and a run rewrites it to what --check accepts", () => {
        const columnTypes = path.join(root, GENERATED_FILES.columnTypes);
        fs.writeFileSync(columnTypes, fs.readFileSync(columnTypes, "utf8").replace('"LongType()"', '"IntegerType()"'));
        fs.appendFileSync(path.join(root, "queries", "genre_summary.sql"), "\n");
        const stale = pythonJson(["--check", "--root", root]);
        assert.strictEqual(stale.status, 1, stale.stdout);
        assert.strictEqual(stale.stderr, `pythonJson: ${GENERATED_FILES.columnTypes} and ${GENERATED_FILES.queryCatalog} are stale: run npm run python:json\n`);

        const write = pythonJson(["--root", root]);
        assert.strictEqual(write.status, 0, write.stderr);
        assert.strictEqual(write.stdout, `${GENERATED_FILES.columnTypes}: written\n${GENERATED_FILES.queryCatalog}: written\n`);
        assert.strictEqual(fs.readFileSync(columnTypes, "utf8"), fs.readFileSync(path.join(REPO_ROOT, GENERATED_FILES.columnTypes), "utf8"));
        const catalog = JSON.parse(fs.readFileSync(path.join(root, GENERATED_FILES.queryCatalog), "utf8")) as { queries: { name: string; sql: string }[] };
        assert.match(catalog.queries.find((query) => query.name === "genre_summary")!.sql, /\n\n$/);
        const current = pythonJson(["--check", "--root", root]);
        assert.strictEqual(current.status, 0, current.stderr);
    });

    it("writes the query catalog with repository-relative paths and sorted keys, and fails naming an invalid query file", () => {
        const text = fs.readFileSync(path.join(root, GENERATED_FILES.queryCatalog), "utf8");
        const catalog = JSON.parse(text) as { directory: string; queries: { sql_file: string; schema_file: string }[]; sources: Record<string, string> };
        assert.strictEqual(catalog.directory, "queries");
        assert.ok(
            catalog.queries.every(
                (query) => /^queries\/[a-z_]+\.sql$/.test(query.sql_file) && query.schema_file === query.sql_file.replace(/\.sql$/, ".schema.json"),
            ),
        );
        assert.deepStrictEqual(Object.keys(catalog), ["directory", "generated_by", "queries", "sources", "warehouse_table"]);
        assert.strictEqual(Object.keys(catalog.sources).length, 2 * catalog.queries.length);

        const schema = path.join(root, "queries", "genre_summary.schema.json");
        fs.writeFileSync(schema, fs.readFileSync(schema, "utf8").replace('"type": "varchar"', '"type": "string"'));
        const run = pythonJson(["--check", "--root", root]);
        assert.strictEqual(run.status, 1);
        assert.match(run.stderr, /genre_summary\.schema\.json: columns\.0\.type: "string" is not one of varchar, /);
    });
});
