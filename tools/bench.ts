import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { REPO_ROOT } from "../infra/repository";
import { Command, measure, median, Sample } from "./bench/measure";
import { EtlFigures, OfflineRow, parseEtlFigures, renderDocument, renderEtl, renderHeader, renderOffline } from "./bench/report";
import { createWorkspace, generatedStageNames, writeGeneratedStages } from "./bench/workspace";

const HELP = `Usage: npm run bench -- [--quick] [--out FILE] [--skip-etl]

Measures every performance figure of the project in one run and rewrites BENCHMARKS.md, each
figure beside its reference measured in the same run:
  offline checks  synth and policy check (before: tsx and the engine's ts-node pack; after: the
                  compiled tools, pack in process) of stage dev and of 1, 4 and 16 generated stages
                  in one process; reference: plain node loading @pulumi/pulumi and @pulumi/aws
  ETL             etl/spotify_etl/bench.py at 100k and 1M tracks; reference: the DuckDB version
The offline checks run in a temporary copy of the working tree (generated stage files never
touch the repository). Takes GNU time (/usr/bin/time) and the Python venv (tools/venv.sh).

  --quick         one run per figure instead of three, and no 1M-track ETL run (under 10 minutes)
  --out FILE      where to write (default: BENCHMARKS.md at the repository root)
  --skip-etl      leave out the ETL section
  -h, --help      show this help`;

const FLOOR_SCRIPT = 'require("@pulumi/pulumi"); require("@pulumi/aws")';
const STAGE_COUNTS = [1, 4, 16];
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
    const list = (root: string) => (fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true }) as string[]).filter((file) => fs.statSync(path.join(root, file)).isFile()) : []);
    const files = [...new Set([...list(left), ...list(right)])].sort();
    return files.filter((file) => {
        const [a, b] = [path.join(left, file), path.join(right, file)];
        return !fs.existsSync(a) || !fs.existsSync(b) || !fs.readFileSync(a).equals(fs.readFileSync(b));
    });
}

async function offlineChecks(runs: number): Promise<string> {
    const workspace = createWorkspace(REPO_ROOT);
    try {
        const root = workspace.root;
        const logs = path.join(root, "out", "bench-logs");
        fs.mkdirSync(logs, { recursive: true });
        process.stderr.write(`bench: compiling the tools in ${root}\n`);
        execFileSync(process.execPath, ["tools/compiled.js", "--build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
        const stages = generatedStageNames(Math.max(...STAGE_COUNTS));
        writeGeneratedStages(root, stages);
        const node = (...argv: string[]): Command => ({ argv: [process.execPath, ...argv], cwd: root });
        const tsx = path.join("node_modules", ".bin", "tsx");
        const row = async (what: string, shown: string, command: Command): Promise<OfflineRow> => ({ what, command: shown, sample: await sampleOf(command, runs, logs, what) });

        const reference = await row("floor: plain node loading @pulumi/pulumi and @pulumi/aws", `node -e '${FLOOR_SCRIPT}'`, node("-e", FLOOR_SCRIPT));
        const synthBefore = await row("synth dev, before (tsx)", "tsx tools/synth.ts dev --quiet", node(tsx, "tools/synth.ts", "dev", "--quiet", "--out", "out/tsx"));
        const synthAfter = await row("synth dev, after (compiled)", "npm run synth -- dev --quiet", node("build/tools/synth.js", "dev", "--quiet", "--out", "out/compiled"));
        const policyBefore = await row("synth + policy check dev, before (tsx, pack by ts-node as the engine starts it)", "tsx tools/policy.ts dev --launcher engine", node(tsx, "tools/policy.ts", "dev", "--launcher", "engine"));
        const policyAfter = await row("synth + policy check dev, after (compiled, pack in process)", "npm run policy -- dev", node("build/tools/policy.js", "dev"));
        const growth: OfflineRow[] = [];
        for (const stageCount of STAGE_COUNTS) {
            const selected = stages.slice(0, stageCount);
            const shown = stageCount === 1 ? selected[0] : `${selected[0]} … ${selected[stageCount - 1]}`;
            growth.push(await row(`synth of ${stageCount} generated stage(s), one process`, `npm run synth -- ${shown} --quiet`, node("build/tools/synth.js", ...selected, "--quiet", "--out", "out/generated")));
            growth.push(await row(`synth + policy check of ${stageCount} generated stage(s), one process`, `npm run policy -- ${shown}`, node("build/tools/policy.js", ...selected)));
        }

        for (const stage of IDENTITY_STAGES.filter((stage) => stage !== "dev")) {
            execFileSync(process.execPath, [tsx, "tools/synth.ts", stage, "--quiet", "--out", "out/tsx"], { cwd: root, stdio: "ignore" });
            execFileSync(process.execPath, ["build/tools/synth.js", stage, "--quiet", "--out", "out/compiled"], { cwd: root, stdio: "ignore" });
        }
        const differing = IDENTITY_STAGES.filter((stage) => differingFiles(path.join(root, "out", "tsx", stage), path.join(root, "out", "compiled", stage)).length > 0);
        return renderOffline({
            reference,
            headline: { before: policyBefore, after: policyAfter },
            rows: [synthBefore, synthAfter, policyBefore, policyAfter, ...growth],
            identical: { stages: IDENTITY_STAGES, differing },
            runs,
        });
    } finally {
        workspace.remove();
    }
}

function etl(trackCounts: number[]): string {
    execFileSync("bash", [path.join(REPO_ROOT, "tools", "venv.sh")], { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit"] });
    const workdir = path.join(os.tmpdir(), "spotify-bench");
    const figures: EtlFigures[] = trackCounts.map((tracks) => {
        process.stderr.write(`bench: ETL at ${tracks} tracks\n`);
        const argv = ["-m", "spotify_etl.bench", "--tracks", String(tracks), "--workdir", workdir];
        const stdout = execFileSync(path.join(REPO_ROOT, ".venv", "bin", "python"), argv, { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 2 ** 20, stdio: ["ignore", "pipe", "inherit"] });
        return parseEtlFigures(stdout, `python -m spotify_etl.bench --tracks ${tracks}`);
    });
    return renderEtl(figures, `.venv/bin/python -m spotify_etl.bench --tracks N --workdir ${workdir}`);
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

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            quick: { type: "boolean", default: false },
            out: { type: "string", default: path.join(REPO_ROOT, "BENCHMARKS.md") },
            "skip-etl": { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(HELP);
        return;
    }
    const quick = values.quick;
    const cpus = os.cpus();
    const loadBefore = loadAverage();
    const started = new Date();
    const sections = [await offlineChecks(quick ? 1 : 3)];
    if (!values["skip-etl"]) sections.push(etl(quick ? [100_000] : [100_000, 1_000_000]));
    const header = renderHeader({
        date: started.toISOString().replace(/\.\d+Z$/, "Z"),
        commit: commit(),
        command: `npm run bench --${quick ? " --quick" : ""}${values["skip-etl"] ? " --skip-etl" : ""}`.replace(/ --$/, ""),
        machine: `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}`,
        node: process.version,
        loadBefore,
        loadAfter: loadAverage(),
        quick,
    });
    fs.writeFileSync(path.resolve(values.out), renderDocument([header, ...sections]));
    console.log(`bench: wrote ${path.relative(process.cwd(), path.resolve(values.out))} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
});
