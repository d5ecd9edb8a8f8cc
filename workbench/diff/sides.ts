import { spawnSync, SpawnSyncReturns } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { configFileFor } from "../../model/stacks";
import type { Manifest } from "../synth/manifestFile";

/**
 * The two sides of `npm run diff -- <stage> --base <ref>`: the stage synthesized from a git ref (in
 * a temporary worktree) and from the working tree, each by that tree's own synth, into
 * fresh directories, so no stale manifest can ever be compared.
 */

export class SideError extends Error {}

/** How the base worktree got its node_modules, said in the diff's output. */
export type DependencySource = "shared" | "cached" | "installed";

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
    return spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

function git(repoRoot: string, ...args: string[]): string {
    const result = run("git", args, repoRoot);
    if (result.error !== undefined || result.status !== 0) {
        throw new SideError(`git ${args.join(" ")} failed: ${(result.stderr || result.error?.message || "").trim()}`);
    }
    return result.stdout;
}

/** The full commit id of `ref`, or a clear error. */
export function resolveRef(repoRoot: string, ref: string): string {
    const result = run("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], repoRoot);
    if (result.status !== 0) throw new SideError(`--base ${ref}: not a commit in ${repoRoot} (fetch it first, e.g. git fetch origin main)`);
    return result.stdout.trim();
}

/** Where base installs are kept between runs, one per lockfile. */
export function dependencyCacheRoot(): string {
    return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "spotify-pipeline", "diff-node-modules");
}

/**
 * Gives the worktree a node_modules: the working tree's own (a symlink) when both lockfiles are
 * byte-identical; else one installed with `npm ci` from the base's lockfile, kept in a cache keyed
 * by the lockfile's hash (npm's own cache makes the first install mostly offline).
 */
export function provideDependencies(repoRoot: string, worktree: string, log: (line: string) => void = () => undefined): DependencySource {
    const baseLock = path.join(worktree, "package-lock.json");
    const headLock = path.join(repoRoot, "package-lock.json");
    const target = path.join(worktree, "node_modules");
    if (
        fs.existsSync(baseLock) &&
        fs.existsSync(headLock) &&
        fs.readFileSync(baseLock).equals(fs.readFileSync(headLock)) &&
        fs.existsSync(path.join(repoRoot, "node_modules"))
    ) {
        fs.symlinkSync(path.join(repoRoot, "node_modules"), target, "dir");
        return "shared";
    }
    if (!fs.existsSync(baseLock)) throw new SideError("the base has no package-lock.json: cannot install its dependencies reproducibly");
    const hash = createHash("sha256").update(fs.readFileSync(baseLock)).digest("hex").slice(0, 16);
    const cached = path.join(dependencyCacheRoot(), hash);
    if (fs.existsSync(path.join(cached, "node_modules", ".package-lock.json"))) {
        fs.symlinkSync(path.join(cached, "node_modules"), target, "dir");
        return "cached";
    }
    log(`diff: the base's package-lock.json differs from the working tree's: npm ci into ${cached} (once per lockfile)`);
    const staging = `${cached}.tmp-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    for (const file of ["package.json", "package-lock.json"]) fs.copyFileSync(path.join(worktree, file), path.join(staging, file));
    // --ignore-scripts: the staging folder holds only package.json and its lockfile, so the project's "prepare"
    // (npm run build) cannot run there; the worktree's tools run from its sources.
    const install = run("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", "--ignore-scripts"], staging);
    if (install.error !== undefined || install.status !== 0) {
        fs.rmSync(staging, { recursive: true, force: true });
        throw new SideError(`npm ci for the base failed: ${(install.stderr || install.error?.message || "").trim()}`);
    }
    fs.rmSync(cached, { recursive: true, force: true });
    fs.renameSync(staging, cached);
    fs.symlinkSync(path.join(cached, "node_modules"), target, "dir");
    return "installed";
}

/**
 * Runs `fn` with a temporary detached worktree of `commit` (with dependencies), then removes the
 * worktree whatever happens.
 */
export function withWorktree<T>(
    repoRoot: string,
    commit: string,
    fn: (worktree: string, dependencies: DependencySource) => T,
    log?: (line: string) => void,
): T {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "spotify-diff-base-"));
    const worktree = path.join(parent, "base");
    git(repoRoot, "worktree", "add", "--detach", "--quiet", worktree, commit);
    const cleanup = () => {
        // Removes the worktree and its administrative entry; nothing else in the repository is touched.
        run("git", ["worktree", "remove", "--force", worktree], repoRoot);
        fs.rmSync(parent, { recursive: true, force: true });
    };
    const onSignal = (signal: NodeJS.Signals) => {
        cleanup();
        process.kill(process.pid, signal);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        return fn(worktree, provideDependencies(repoRoot, worktree, log));
    } finally {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
        cleanup();
    }
}

/**
 * Synthesizes `stages` of the tree at `root` with that tree's own synth into `outDir`. A stage
 * without its Pulumi.<stage>.yaml in that tree is skipped (it does not exist on that side); a
 * failed synthesis throws with the synth's own message, never leaving an empty side to be compared.
 */
export function synthesizeTree(root: string, stages: readonly string[], outDir: string, label: string): string[] {
    const present: string[] = [];
    for (const stage of stages) {
        if (!fs.existsSync(path.join(root, configFileFor(stage)))) continue;
        const result = run(process.execPath, [...synthCommand(root), stage, "--quiet", "--out", outDir], root);
        if (result.error !== undefined || result.status !== 0) {
            const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim() || result.error?.message || "";
            throw new SideError(`synthesis of stage ${stage} at ${label} failed (exit ${result.status ?? "none"}):\n${output}`);
        }
        present.push(stage);
    }
    return present;
}

/**
 * How the tree at `root` runs its own synth from source (it has no build/): through its runner where
 * that runner has a --source mode, else (a tree older than the runner's main(argv) contract, whose
 * tools ran themselves when loaded) tools/synth.ts under that tree's tsx.
 */
function synthCommand(root: string): string[] {
    const runner = path.join(root, "tools", "compiled.js");
    if (fs.existsSync(runner) && fs.readFileSync(runner, "utf8").includes('"--source"')) return [runner, "--source", "synth"];
    return [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), "tools/synth.ts"];
}

/** The manifests `<root>/<stage>/*.json`, by stack name. */
export function readManifests(root: string, stage: string): Map<string, Manifest> {
    const directory = path.join(root, stage);
    if (!fs.existsSync(directory)) return new Map();
    return new Map(
        fs
            .readdirSync(directory)
            .filter((file) => file.endsWith(".json"))
            .sort()
            .map((file) => {
                const manifest = JSON.parse(fs.readFileSync(path.join(directory, file), "utf8")) as Manifest;
                return [manifest.stack ?? file.replace(/\.json$/, ""), manifest] as const;
            }),
    );
}

/** Stage directories under any of `roots`. */
export function stagesIn(...roots: string[]): string[] {
    return [
        ...new Set(
            roots.flatMap((root) => (fs.existsSync(root) ? fs.readdirSync(root).filter((entry) => fs.statSync(path.join(root, entry)).isDirectory()) : [])),
        ),
    ].sort();
}
