import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { parseStageConfig } from "../model/stageConfig";
import { loadDashboard } from "../infra/dashboards/definition";
import { REPO_ROOT } from "../model/repository";
import { configFileFor, STAGE_PATTERN } from "../model/stacks";
import { LocalRun, parseScanCost, RefreshQueries, renderCostModel, renderScanCost, ScanCost } from "./bench/cost";
import { EngineCommands } from "./bench/engine";
import { Command, measure, median, Sample } from "./bench/measure";
import {
    EtlFigures,
    keptHistory,
    OfflineRow,
    parseEtlFigures,
    renderDocument,
    renderEtl,
    renderHeader,
    renderNotMeasured,
    renderOffline,
    renderRealEngine,
} from "./bench/report";
import { createWorkspace, generatedStageNames, writeGeneratedStages } from "./bench/workspace";
import { visualQueries } from "./dashboard/visualQueries";
import { readStageConfigFile } from "../ops/stageFile";

const HELP = `Usage: npm run bench -- [--quick] [--out FILE] [--skip-etl]

Measures every performance figure of the project in one run and rewrites BENCHMARKS.md, each
figure beside its reference measured in the same run:
  offline checks  synth and policy check of stage dev (under tsx with the pack as the engine starts
                  it, and compiled with the rules in process) and of 1, 4 and 16 generated stages in
                  one process, against issue 26's targets (one stage within 2x the floor, each
                  further stage within 0.5x); reference, the floor: plain node loading
                  @pulumi/pulumi and @pulumi/aws
  ETL             etl/spotify_etl/bench.py at 100k and 1M tracks, with the floor any run pays (its
                  first Arrow round trip and its table write) and its JIT and GC CPU; reference:
                  the DuckDB version
  query scan cost bytes Athena would scan for every query the dashboard runs, from the Parquet
                  footers of the largest ETL run's output (query_engines.scan_cost); references: the
                  same input as raw CSV and as one unpartitioned Parquet table
  real engine     Pulumi CLI provisioning (cold: one build with empty caches, not with --quick;
                  warm), the offline up of every dev stack, then the preview of every dev stack and
                  of one; reference: the mock synthesis of stage dev
  cost model      Glue DPU-hours per run and the Athena cost of one dashboard refresh at every
                  stage's settings (Pulumi.<stage>.yaml), with the prices and their date
BENCHMARKS.md's last part, from its "History: earlier runs, kept as written" heading on, is
carried over as written: the dated "before" figures of changes whose old code is gone.
The offline checks run in a temporary copy of the working tree (generated stage files never
touch the repository). Takes GNU time (/usr/bin/time) and the Python venv (tools/venv.sh).

  --quick         one run per figure instead of three, generated stages up to 4 instead of 16, and
                  no 1M-track ETL run (under 10 minutes)
  --out FILE      where to write (default: BENCHMARKS.md at the repository root)
  --skip-etl      leave out the ETL section, and with it the scan cost and the cost model
  --skip-engine   leave out the real-engine section (the CLI build, offline up and previews)
  -h, --help      show this help`;

const FLOOR_SCRIPT = 'require("@pulumi/pulumi"); require("@pulumi/aws")';
const STAGE_COUNTS = [1, 4, 16];
/** --quick stops the growth rows at 4 stages: the 16-stage rows alone take a minute and more. */
const QUICK_STAGE_COUNTS = [1, 4];
/** Stages whose manifests must be byte-identical between the tsx and the compiled synthesis. */
const IDENTITY_STAGES = ["dev", "prod"];

async function sampleOf(command: Command, runs: number, logDir: string, label: string): Promise<Sample> {
    const samples: Sample[] = [];
    for (let run = 0; run < runs; run++) {
        process.stderr.write(`bench: ${label} (run ${run + 1}/${runs})\n`);
        samples.push(await measure(command, path.join(logDir, `${label.replace(/[^a-z0-9]+/gi, "-")}-${run + 1}.log`)));
    }
    return median(samples);
}

/** Files under `left` and `right` that differ or exist on one side only, relative to them. */
function differingFiles(left: string, right: string): string[] {
    const list = (root: string) =>
        fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true }) as string[]).filter((file) => fs.statSync(path.join(root, file)).isFile()) : [];
    const files = [...new Set([...list(left), ...list(right)])].sort();
    return files.filter((file) => {
        const [a, b] = [path.join(left, file), path.join(right, file)];
        return !fs.existsSync(a) || !fs.existsSync(b) || !fs.readFileSync(a).equals(fs.readFileSync(b));
    });
}

async function offlineChecks(runs: number, stageCounts: readonly number[]): Promise<string> {
    const workspace = createWorkspace(REPO_ROOT);
    try {
        const root = workspace.root;
        const logs = path.join(root, "out", "bench-logs");
        fs.mkdirSync(logs, { recursive: true });
        process.stderr.write(`bench: compiling the tools in ${root}\n`);
        execFileSync(process.execPath, ["tools/compiled.js", "--build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
        const stages = generatedStageNames(Math.max(...stageCounts));
        writeGeneratedStages(root, stages);
        const node = (...argv: string[]): Command => ({ argv: [process.execPath, ...argv], cwd: root });
        const row = async (what: string, shown: string, command: Command): Promise<OfflineRow> => ({
            what,
            command: shown,
            sample: await sampleOf(command, runs, logs, what),
        });

        const reference = await row("floor: plain node loading @pulumi/pulumi and @pulumi/aws", `node -e '${FLOOR_SCRIPT}'`, node("-e", FLOOR_SCRIPT));
        const synthBefore = await row(
            "synth dev, before (tsx)",
            "tsx workbench/synth.ts dev --quiet",
            node("tools/compiled.js", "--source", "synth", "dev", "--quiet", "--out", "out/tsx"),
        );
        const synthAfter = await row(
            "synth dev, after (compiled)",
            "npm run synth -- dev --quiet",
            node("tools/compiled.js", "synth", "dev", "--quiet", "--out", "out/compiled"),
        );
        const policyBefore = await row(
            "synth + policy check dev, before (tsx, pack by ts-node as the engine starts it)",
            "tsx workbench/policy.ts dev --launcher engine",
            node("tools/compiled.js", "--source", "policy", "dev", "--launcher", "engine"),
        );
        const policyAfter = await row(
            "synth + policy check dev, after (compiled, rules in process)",
            "npm run policy -- dev",
            node("tools/compiled.js", "policy", "dev"),
        );
        const growth: OfflineRow[] = [];
        for (const stageCount of stageCounts) {
            const selected = stages.slice(0, stageCount);
            const shown = stageCount === 1 ? selected[0] : `${selected[0]} … ${selected[stageCount - 1]}`;
            growth.push(
                await row(
                    `synth of ${stageCount} generated stage(s), one process`,
                    `npm run synth -- ${shown} --quiet`,
                    node("tools/compiled.js", "synth", ...selected, "--quiet", "--out", "out/generated"),
                ),
            );
            growth.push(
                await row(
                    `synth + policy check of ${stageCount} generated stage(s), one process`,
                    `npm run policy -- ${shown}`,
                    node("tools/compiled.js", "policy", ...selected),
                ),
            );
        }

        for (const stage of IDENTITY_STAGES.filter((stage) => stage !== "dev")) {
            execFileSync(process.execPath, ["tools/compiled.js", "--source", "synth", stage, "--quiet", "--out", "out/tsx"], { cwd: root, stdio: "ignore" });
            execFileSync(process.execPath, ["tools/compiled.js", "synth", stage, "--quiet", "--out", "out/compiled"], { cwd: root, stdio: "ignore" });
        }
        const differing = IDENTITY_STAGES.filter(
            (stage) => differingFiles(path.join(root, "out", "tsx", stage), path.join(root, "out", "compiled", stage)).length > 0,
        );
        const policyGrowth = growth.filter((candidate) => candidate.what.startsWith("synth + policy check"));
        return renderOffline({
            reference,
            targets: {
                oneStage: policyAfter,
                growth: { one: policyGrowth[0], many: policyGrowth[policyGrowth.length - 1], stages: Math.max(...stageCounts) },
            },
            rows: [synthBefore, synthAfter, policyBefore, policyAfter, ...growth],
            identical: { stages: IDENTITY_STAGES, differing },
            runs,
        });
    } finally {
        workspace.remove();
    }
}

const ETL_WORKDIR = path.join(os.tmpdir(), "spotify-bench");
/** The ETL benchmark's generator seed, given explicitly so that its staging directory is known. */
const ETL_SEED = 7;
const PYTHON = path.join(REPO_ROOT, ".venv", "bin", "python");

/** The real engine offline: CLI provisioning cold and warm, up and previews of stage dev, against its mock synthesis. */
async function realEngine(runs: number, cold: boolean): Promise<string> {
    const commands = new EngineCommands();
    const logs = fs.mkdtempSync(path.join(os.tmpdir(), "bench-engine-logs-"));
    try {
        const row = async (what: string, shown: string, command: () => Command, times = runs): Promise<OfflineRow> => {
            const samples: Sample[] = [];
            for (let run = 0; run < times; run++) samples.push(await sampleOf(command(), 1, logs, `${what} ${run + 1}`));
            return { what, command: shown, sample: median(samples) };
        };
        const reference = await row("mock synthesis of dev (reference)", "npm run synth -- dev --quiet", () => commands.reference);
        const rows: OfflineRow[] = [];
        if (cold)
            rows.push(await row("CLI provisioning, cold (empty Go and CLI caches)", "bash ops/pulumi-cli/provision.sh", () => commands.provisionCold(), 1));
        rows.push(await row("CLI provisioning, warm (cached build)", "bash ops/pulumi-cli/provision.sh", () => commands.provisionWarm));
        // Each up into empty state, then the previews over what it left.
        const ups: Sample[] = [];
        const previews: Sample[] = [];
        const stackPreviews: Sample[] = [];
        for (let run = 0; run < runs; run++) {
            ups.push(await sampleOf(commands.upDev(), 1, logs, `up dev ${run + 1}`));
            previews.push(await sampleOf(commands.previewDev(), 1, logs, `preview dev ${run + 1}`));
            stackPreviews.push(await sampleOf(commands.previewOneStack(), 1, logs, `preview dev-storage ${run + 1}`));
        }
        rows.push({
            what: "up of every dev stack, with the pack, into empty state",
            command: "npm run stage -- up dev --offline -- --yes",
            sample: median(ups),
        });
        rows.push({
            what: "preview of every dev stack after it (no changes)",
            command: "npm run stage -- preview dev --offline -- --expect-no-changes",
            sample: median(previews),
        });
        rows.push({
            what: "one stack's preview (dev-storage, with the pack)",
            command: "pulumi preview -s dev-storage (offline environment, policy pack)",
            sample: median(stackPreviews),
        });
        return renderRealEngine({ reference, rows, runs });
    } finally {
        commands.cleanup();
        fs.rmSync(logs, { recursive: true, force: true });
    }
}

function etl(trackCounts: number[]): EtlFigures[] {
    execFileSync("bash", [path.join(REPO_ROOT, "tools", "venv.sh")], { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit"] });
    return trackCounts.map((tracks) => {
        process.stderr.write(`bench: ETL at ${tracks} tracks\n`);
        const argv = ["-m", "spotify_etl.bench", "--tracks", String(tracks), "--workdir", ETL_WORKDIR, "--seed", String(ETL_SEED)];
        const stdout = execFileSync(PYTHON, argv, { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 2 ** 20, stdio: ["ignore", "pipe", "inherit"] });
        return parseEtlFigures(stdout, `python -m spotify_etl.bench --tracks ${tracks}`);
    });
}

/**
 * The staging data an ETL benchmark run read: spotify_etl.bench names it after the tracks, the
 * seed and its generator's version, and regenerates when the version changes, so the highest
 * version present is the one it just used.
 */
function stagingOf(tracks: number): string {
    const pattern = new RegExp(`^staging-${tracks}-seed${ETL_SEED}-v(\\d+)$`);
    const versions = fs
        .readdirSync(ETL_WORKDIR)
        .map((name) => pattern.exec(name))
        .filter((match): match is RegExpExecArray => match !== null)
        .sort((a, b) => Number(b[1]) - Number(a[1]));
    if (versions.length === 0) throw new Error(`${ETL_WORKDIR}: no staging-${tracks}-seed${ETL_SEED}-v<N> directory after the ETL benchmark ran`);
    return path.join(ETL_WORKDIR, versions[0][0]);
}

/** Every query one dashboard refresh can run, named for scan_cost: each dataset's import and each visual's query. */
function dashboardQueries(): { sql: Record<string, string>; refresh: RefreshQueries; reads: Map<string, string> } {
    const dashboard = loadDashboard();
    const sql: Record<string, string> = {};
    const reads = new Map<string, string>();
    const refresh: RefreshQueries = { datasetImports: [], visuals: [] };
    for (const [dataset, view] of Object.entries(dashboard.datasets)) {
        const name = `dataset ${dataset}`;
        // A SPICE import reads every column the dataset declares: all of the view's.
        sql[name] = `SELECT * FROM "${view}"`;
        reads.set(name, `view ${view}, dataset import`);
        refresh.datasetImports.push(name);
    }
    const datasetOf = new Map(dashboard.sheets.flatMap((sheet) => sheet.visuals.map((visual) => [visual.id, visual.dataset] as const)));
    for (const query of visualQueries(dashboard)) {
        const name = `visual ${query.visualId}`;
        sql[name] = query.sql;
        reads.set(name, `view ${dashboard.datasets[datasetOf.get(query.visualId) ?? ""]}, visual`);
        refresh.visuals.push(name);
    }
    return { sql, refresh, reads };
}

function scanCost(tracks: number, queries: Record<string, string>): ScanCost {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "bench-scan-cost-"));
    try {
        const file = path.join(directory, "queries.json");
        fs.writeFileSync(file, JSON.stringify(queries, null, 2));
        process.stderr.write(`bench: query scan cost of the ${tracks}-track ETL output\n`);
        const argv = [
            "-m",
            "query_engines.scan_cost",
            "--warehouse",
            path.join(ETL_WORKDIR, `out-${tracks}-etl`, "warehouse"),
            "--staging",
            stagingOf(tracks),
            "--queries",
            file,
        ];
        const stdout = execFileSync(PYTHON, argv, { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 2 ** 20, stdio: ["ignore", "pipe", "inherit"] });
        return parseScanCost(stdout, "python -m query_engines.scan_cost");
    } finally {
        fs.rmSync(directory, { recursive: true, force: true });
    }
}

/** Every stage of the repository (a Pulumi.<stage>.yaml at its root), its config read and checked as the program reads it. */
function stageConfigs() {
    return fs
        .readdirSync(REPO_ROOT)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stage): stage is string => stage !== undefined && STAGE_PATTERN.test(stage))
        .sort()
        .map((stage) => ({ stage, config: parseStageConfig(readStageConfigFile(stage), stage, configFileFor(stage)) }));
}

function etlSections(trackCounts: number[]): string[] {
    const figures = etl(trackCounts);
    const largest = figures.reduce((a, b) => (b.tracks > a.tracks ? b : a));
    const queries = dashboardQueries();
    const scan = scanCost(largest.tracks, queries.sql);
    const runs: LocalRun[] = figures.map((run) => ({
        tracks: run.tracks,
        etlSeconds: run.etl_seconds,
        sessionSeconds: run.etl_session_seconds,
        cores: run.cores,
    }));
    return [
        renderEtl(figures, `.venv/bin/python -m spotify_etl.bench --tracks N --workdir ${ETL_WORKDIR} --seed ${ETL_SEED}`),
        renderScanCost(scan, (name) => queries.reads.get(name) ?? "", largest.tracks),
        renderCostModel(stageConfigs(), runs, scan, queries.refresh),
    ];
}

function loadAverage(): string {
    return os
        .loadavg()
        .map((load) => load.toFixed(2))
        .join(", ");
}

function commit(): string {
    const head = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: REPO_ROOT, encoding: "utf8" }).trim() !== "";
    return dirty ? `${head} with uncommitted changes` : head;
}

export async function main(argv: string[]): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: {
            quick: { type: "boolean", default: false },
            out: { type: "string", default: path.join(REPO_ROOT, "BENCHMARKS.md") },
            "skip-etl": { type: "boolean", default: false },
            "skip-engine": { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    const quick = values.quick;
    const cpus = os.cpus();
    const loadBefore = loadAverage();
    const started = new Date();
    const sections = [await offlineChecks(quick ? 1 : 3, quick ? QUICK_STAGE_COUNTS : STAGE_COUNTS)];
    if (!values["skip-engine"]) sections.push(await realEngine(quick ? 1 : 3, !quick));
    if (!values["skip-etl"]) sections.push(...etlSections(quick ? [100_000] : [100_000, 1_000_000]));
    sections.push(renderNotMeasured());
    const header = renderHeader({
        date: started.toISOString().replace(/\.\d+Z$/, "Z"),
        commit: commit(),
        command: `npm run bench --${quick ? " --quick" : ""}${values["skip-etl"] ? " --skip-etl" : ""}${values["skip-engine"] ? " --skip-engine" : ""}`.replace(
            / --$/,
            "",
        ),
        machine: `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}`,
        node: process.version,
        loadBefore,
        loadAfter: loadAverage(),
        quick,
    });
    const history = keptHistory(fs.readFileSync(path.join(REPO_ROOT, "BENCHMARKS.md"), "utf8"));
    fs.writeFileSync(path.resolve(values.out), renderDocument([header, ...sections, ...(history === "" ? [] : [history])]));
    console.log(`bench: wrote ${path.relative(process.cwd(), path.resolve(values.out))} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
    return 0;
}
