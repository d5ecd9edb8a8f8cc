import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadQueryCatalog } from "../model/queryCatalog";
import { REPO_ROOT } from "../model/repository";
import { npmRun } from "./support/npmRun";

/** What the committed sample says a run over it must deliver. */
const SAMPLE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "etl", "sample", "manifest.json"), "utf8")) as { tracks: number };

// The README's local loop, as it calls it: the ETL on the committed sample into out/local, then
// every query on DuckDB over the table it committed. (`dashboard` and `rollback` have specs of their own.)
describe("local runs (npm run local -- etl, then queries)", function () {
    // A fresh machine builds the Python environment first.
    this.timeout(20 * 60_000);

    it("etl: commits the sample's tracks to out/local's warehouse table and records the run as succeeded", () => {
        const run = npmRun("local", ["etl"]);
        assert.strictEqual(run.status, 0, `npm run local -- etl failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
        const summaryPath = /^summary: (.+\.json)$/m.exec(run.stdout)?.[1];
        assert.ok(summaryPath, `no summary named in:\n${run.stdout}`);
        assert.strictEqual(path.dirname(summaryPath), path.join(REPO_ROOT, "out", "local", "_runs"));
        const summary = JSON.parse(fs.readFileSync(summaryPath, "utf8")) as { status: string; output: { rows: number }; snapshot_id: unknown };
        assert.strictEqual(summary.status, "succeeded");
        assert.strictEqual(summary.output.rows, SAMPLE.tracks);
        assert.ok(summary.snapshot_id, "the summary names the snapshot the run committed");
    });

    it("queries: runs every view and named query of the catalog over that table, each matching its declared schema", () => {
        const run = npmRun("local", ["queries", "--rows", "2"]);
        assert.strictEqual(run.status, 0, `npm run local -- queries failed (${run.status ?? run.signal}):\n${run.stderr}`);
        for (const query of loadQueryCatalog().queries) assert.ok(run.stdout.includes(`${query.name} (${query.kind})`), `${query.name} is not in the output`);
        assert.ok(run.stdout.includes("every output matches its declared schema"), run.stdout.slice(-500));
    });

    it("refuses an unknown query and an unknown target by name, with exit status 2", () => {
        const query = npmRun("local", ["queries", "--only", "no_such_query"]);
        assert.strictEqual(query.status, 2, query.stderr);
        assert.match(query.stderr, /no such query: no_such_query/);
        const target = npmRun("local", ["nonsense"]);
        assert.strictEqual(target.status, 2, target.stderr);
        assert.match(target.stderr, /unknown target 'nonsense'; usage: npm run local -- <etl\|rollback\|queries\|dashboard>/);
    });
});
