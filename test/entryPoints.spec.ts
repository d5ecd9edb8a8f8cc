import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../model/repository";
import { npmRun } from "./support/npmRun";

/** Every tool something runs through tools/compiled.js: package.json's scripts, the shell and Python callers. */
function invokedTools(): string[] {
    const callers = [
        "package.json",
        ...["tools", "queries", "dashboards", "etl"].flatMap((folder) =>
            (fs.readdirSync(path.join(REPO_ROOT, folder), { recursive: true }) as string[])
                .filter((file) => /\.(sh|py|ts)$/.test(file) && !file.includes("node_modules"))
                .map((file) => path.join(folder, file)),
        ),
    ];
    const tools = new Set<string>();
    for (const caller of callers) {
        for (const match of fs.readFileSync(path.join(REPO_ROOT, caller), "utf8").matchAll(/compiled\.js"?,? (?:"?--source"?,? )?"?([A-Za-z]+)/g))
            tools.add(match[1]);
    }
    return [...tools].sort();
}
const TOOLS = invokedTools();

describe("entry points, run as package.json runs them", function () {
    this.timeout(5 * 60_000);

    it("npm run stage -- --help and npm run diff -- --help print their usage", () => {
        for (const [script, usage] of [
            ["stage", /^Usage: npm run stage -- <preview\|up\|destroy\|refresh> <stage>/],
            ["diff", /^Usage:\n {2}npm run diff -- <stage>/],
        ] as const) {
            const run = npmRun(script, ["--help"]);
            assert.strictEqual(run.status, 0, run.stderr);
            assert.match(run.stdout, usage, `npm run ${script} -- --help printed:\n${run.stdout}`);
        }
    });

    it("npm start synthesizes stage dev: a preview tree and one manifest per stack", () => {
        const out = path.join(REPO_ROOT, "out", "synth", "dev");
        fs.rmSync(out, { recursive: true, force: true });
        const run = npmRun("start");
        assert.strictEqual(run.status, 0, run.stderr);
        assert.match(run.stdout, /^Synthesized 5 stack\(s\) of stage dev in [\d.]+s \(verified under mocks\)\.$/m);
        assert.deepStrictEqual(fs.readdirSync(out).sort(), ["dev-dashboards.json", "dev-etl.json", "dev-network.json", "dev-queries.json", "dev-storage.json"]);
    });

    it("npm run docs:config -- --check compares README's config reference with the code, and fails when it is stale", () => {
        const run = npmRun("docs:config", ["--check"]);
        assert.strictEqual(run.status, 0, run.stderr);
        assert.match(run.stdout, /README\.md's stage config reference matches model\/stageConfig\.ts\./);
    });

    it("npm run bench writes BENCHMARKS.md's sections from measurements (the offline checks, one run each)", function () {
        this.timeout(15 * 60_000);
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "BENCHMARKS.md");
        const run = npmRun("bench", ["--quick", "--skip-etl", "--skip-engine", "--out", out]);
        assert.strictEqual(run.status, 0, run.stderr);
        const written = fs.readFileSync(out, "utf8");
        assert.match(written, /^Written by `npm run bench -- --quick --skip-etl --skip-engine`/m);
        assert.match(written, /^\| synth dev, after \(compiled\) \| `npm run synth -- dev --quiet` \| [\d.]+ \| [\d.]+× \|/m);
        assert.match(written, /^## History: earlier runs, kept as written$/m);
        fs.rmSync(path.dirname(out), { recursive: true, force: true });
    });

    it("every tool exports main(argv) and runs nothing when it is imported", () => {
        assert.ok(TOOLS.length >= 9 && TOOLS.includes("stage") && TOOLS.includes("pythonJson"), `found ${TOOLS.join(", ")}`);
        for (const tool of TOOLS) {
            const file = ["ops", "workbench"].map((folder) => `./${folder}/${tool}.ts`).find((candidate) => fs.existsSync(path.join(REPO_ROOT, candidate)));
            assert.ok(file !== undefined, `${tool}: neither ops/${tool}.ts nor workbench/${tool}.ts exists`);
            // A fresh process per tool: a tool that ran itself on import would print or exit here.
            const probe = spawnSync(process.execPath, ["-r", "tsx/cjs", "-e", `const m = require(${JSON.stringify(file)}); console.log(typeof m.main);`], {
                cwd: REPO_ROOT,
                encoding: "utf8",
            });
            assert.strictEqual(probe.status, 0, `${tool}: ${probe.stderr}`);
            assert.strictEqual(probe.stdout, "function\n", `${file} printed or exported no main: ${probe.stdout}`);
        }
    });

    it("the runner refuses a tool without main(argv) instead of exiting 0 having done nothing", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "runner-"));
        try {
            fs.mkdirSync(path.join(root, "tools"));
            fs.copyFileSync(path.join(REPO_ROOT, "tools", "compiled.js"), path.join(root, "tools", "compiled.js"));
            fs.copyFileSync(path.join(REPO_ROOT, ".nvmrc"), path.join(root, ".nvmrc"));
            fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"));
            fs.mkdirSync(path.join(root, "workbench"));
            fs.writeFileSync(path.join(root, "workbench", "guarded.ts"), 'if (require.main === module) console.log("ran");\nexport const nothing = 0;\n');
            const run = spawnSync(process.execPath, [path.join(root, "tools", "compiled.js"), "--source", "guarded"], { cwd: root, encoding: "utf8" });
            assert.strictEqual(run.status, 2, run.stdout + run.stderr);
            assert.strictEqual(run.stdout, "");
            assert.match(run.stderr, /workbench\/guarded\.ts exports no main\(argv\): there is nothing to run/);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("on a node older than .nvmrc's, the runner reruns the tool under the pinned Node.js", function () {
        // The machine's own node where it is older (this machine kind ships 20); elsewhere there is nothing to rerun.
        const old = ["/usr/bin/node", "/usr/local/bin/node"].find((candidate) => {
            const version = spawnSync(candidate, ["--version"], { encoding: "utf8" }).stdout ?? "";
            return (
                /^v(\d+)/.test(version) && Number(/^v(\d+)/.exec(version)![1]) < Number(fs.readFileSync(path.join(REPO_ROOT, ".nvmrc"), "utf8").split(".")[0])
            );
        });
        if (old === undefined) this.skip();
        const run = spawnSync(old, ["tools/compiled.js", "stage", "--help"], { cwd: REPO_ROOT, encoding: "utf8" });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.match(run.stderr, /is older than \d+: running under the cached Node\.js \d+/);
        assert.match(run.stdout, /^Usage: npm run stage -- /);
    });

    it("the runner passes the tool's exit status and arguments through, compiled and from source", () => {
        for (const mode of [[], ["--source"]]) {
            const run = spawnSync(process.execPath, ["tools/compiled.js", ...mode, "synth", "no-such-stage-"], { cwd: REPO_ROOT, encoding: "utf8" });
            assert.strictEqual(run.status, 1, `${mode.join(" ")}: ${run.stderr}`);
            assert.match(run.stderr, /^synth: "no-such-stage-" is not a stage name/);
        }
    });
});
