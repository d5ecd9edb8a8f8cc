#!/usr/bin/env node
// The one way a command-line tool runs: it loads <tool> from ops/ (the deploy path) or workbench/
// (the offline workbench) and calls the main(argv) it exports.
//   node tools/compiled.js <tool> [arguments]           e.g. node tools/compiled.js synth dev
//   node tools/compiled.js --source <tool> [arguments]  the TypeScript itself, under tsx (a tree with no build/)
//   node tools/compiled.js --build                       npm run build (and npm ci, through "prepare")
// Tools run nothing when imported: a `require.main === module` guard never passes for a module
// loaded from here, and a tool that exits 0 having done nothing is the worst kind of defect. So a
// tool exports main(argv) returning its exit status, and a module without one is refused.
// Plain JavaScript on purpose: it must start without tsx or a build, because it is what decides
// whether to build. Under tsx a tool costs about twice the CPU of the compiled one (BENCHMARKS.md).
// When the build is missing or older than a source file it compiles first (`npm run build`, a few
// seconds with the incremental build info), so an edit never runs against stale JavaScript.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const BUILD = path.join(ROOT, "build");
/** Written when a build succeeds, with the time the build started (so edits made during it count). */
const STAMP = path.join(BUILD, ".stamp");
/** What tsconfig.build.json compiles, and the settings it compiles with. */
const SOURCE_DIRS = ["model", "infra", "ops", "workbench", "engine", "policies"];
const EXCLUDED_DIRS = [path.join("policies", "tests")];
/** Where the command-line tools live: each exports main(argv). */
const TOOL_DIRS = ["ops", "workbench"];
const SETTINGS = ["tsconfig.json", "tsconfig.build.json", "package-lock.json"];

/** The most recently modified of the files tsc reads: [mtime, file]. */
function newestSource(directory, newest = [0, ""]) {
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
        const file = path.join(directory, entry.name);
        if (entry.isDirectory()) {
            if (!EXCLUDED_DIRS.includes(path.relative(ROOT, file)) && entry.name !== "node_modules") newest = newestSource(file, newest);
        } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".spec.ts")) {
            newest = newer(newest, file);
        }
    }
    return newest;
}

/** JSON files the sources import are copied into build/ by tsc: their originals count as sources too. */
function newestCopiedJson(directory, newest = [0, ""]) {
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
        const file = path.join(directory, entry.name);
        if (entry.isDirectory()) newest = newestCopiedJson(file, newest);
        else if (entry.name.endsWith(".json")) newest = newer(newest, path.join(ROOT, path.relative(BUILD, file)));
    }
    return newest;
}

function newer(newest, file) {
    const mtime = fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
    return mtime > newest[0] ? [mtime, file] : newest;
}

/** Why the build must be (re)made, or undefined when it is current. */
function staleness() {
    if (!fs.existsSync(STAMP)) return "no build yet";
    const built = fs.statSync(STAMP).mtimeMs;
    let newest = newestCopiedJson(BUILD);
    for (const directory of SOURCE_DIRS) newest = newestSource(path.join(ROOT, directory), newest);
    for (const file of SETTINGS) newest = newer(newest, path.join(ROOT, file));
    return newest[0] > built ? `${path.relative(ROOT, newest[1])} changed since the last build` : undefined;
}

function build(reason) {
    process.stderr.write(`compiled tools: building build/ (${reason})\n`);
    const started = new Date();
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    if (!fs.existsSync(tsc)) fail("typescript is not installed: run npm ci first");
    const result = spawnSync(process.execPath, [tsc, "-p", path.join(ROOT, "tsconfig.build.json")], { cwd: ROOT, stdio: "inherit" });
    if (result.status !== 0) {
        fail(
            `the build failed (tsc exit ${result.status ?? result.signal}); fix the errors above, or run the TypeScript directly with node tools/compiled.js --source <tool>`,
        );
    }
    fs.writeFileSync(STAMP, "");
    fs.utimesSync(STAMP, started, started);
}

function fail(message) {
    process.stderr.write(`compiled tools: ${message}\n`);
    process.exit(2);
}

/** Loads the tool, compiled or from source, and runs its main(argv) to the exit status it returns. */
function run(toolFile, fromSource, argv) {
    let loaded;
    if (fromSource) {
        require("tsx/cjs");
        loaded = require(path.join(ROOT, toolFile));
    } else {
        const reason = staleness();
        if (reason !== undefined) build(reason);
        loaded = require(path.join(BUILD, toolFile.replace(/\.ts$/, ".js")));
    }
    const tool = path.basename(toolFile, ".ts");
    if (typeof loaded.main !== "function") fail(`${toolFile} exports no main(argv): there is nothing to run`);
    Promise.resolve()
        .then(() => loaded.main(argv))
        .then(
            (status) => {
                if (!Number.isInteger(status)) fail(`${toolFile}: main returned ${String(status)}, not an exit status`);
                // process.exit, not exitCode: a policy pack's analyzer server (the engine and tsx launchers) or a gRPC
                // channel left open would keep the process alive (stdout and stderr are synchronous for files and pipes
                // on Linux: nothing is lost).
                process.exit(status);
            },
            (error) => {
                process.stderr.write(`${tool}: ${error instanceof Error ? error.message : String(error)}\n`);
                process.exit(1);
            },
        );
}

/**
 * On a node older than .nvmrc's major version, runs this same command again under the Node.js that
 * tools/node-runtime.sh provides (installed once from the npm registry into a cache), so a machine
 * with an older node needs no extra step.
 */
function rerunUnderPinnedNode() {
    const required = Number(fs.readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim().split(".")[0]);
    if (Number(process.versions.node.split(".")[0]) >= required) return;
    process.stderr.write(`compiled tools: node ${process.version} is older than ${required}: running under the cached Node.js ${required}\n`);
    const found = spawnSync("bash", ["-c", "source tools/node-runtime.sh >&2 && command -v node"], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    if (found.status !== 0) fail(`tools/node-runtime.sh could not provide Node.js ${required} (exit ${found.status ?? found.signal})`);
    const result = spawnSync(found.stdout.trim(), [__filename, ...process.argv.slice(2)], { stdio: "inherit" });
    process.exit(result.status ?? 1);
}

function main() {
    rerunUnderPinnedNode();
    const args = process.argv.slice(2);
    if (args[0] === "--build") return build("npm run build");
    const fromSource = args[0] === "--source";
    const tool = fromSource ? args[1] : args[0];
    const toolFile = /^[A-Za-z]+$/.test(tool ?? "")
        ? TOOL_DIRS.map((directory) => path.join(directory, `${tool}.ts`)).find((file) => fs.existsSync(path.join(ROOT, file)))
        : undefined;
    if (toolFile === undefined) {
        fail(
            `usage: node tools/compiled.js [--source] <tool> [arguments], where ops/<tool>.ts or workbench/<tool>.ts exists; got ${tool === undefined ? "no tool" : JSON.stringify(tool)}`,
        );
    }
    run(toolFile, fromSource, args.slice(fromSource ? 2 : 1));
}

main();
