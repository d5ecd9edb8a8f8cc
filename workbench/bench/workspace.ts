import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { configFileFor } from "../../model/stacks";

/**
 * A private copy of the working tree for the offline benchmarks: the figures come from one
 * snapshot of the sources even while they are edited, the generated stages' files never touch the
 * repository, and its build/ is compiled from that snapshot. node_modules is linked, not copied.
 */
export interface Workspace {
    root: string;
    remove(): void;
}

/** The stage every generated stage copies (its stage file and its policy config). */
export const TEMPLATE_STAGE = "dev";

export function createWorkspace(repoRoot: string): Workspace {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "spotify-bench-"));
    // Tracked and untracked files, without what .gitignore excludes (out/, build/, .venv/, ...).
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
        cwd: repoRoot,
        encoding: "utf8",
        maxBuffer: 64 * 2 ** 20,
    })
        .split("\0")
        .filter((file) => file !== "" && fs.existsSync(path.join(repoRoot, file)));
    for (const file of files) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        // A tracked link (policies/model) stays a link: it points inside the tree, which is copied too.
        if (fs.lstatSync(path.join(repoRoot, file)).isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(path.join(repoRoot, file)), path.join(root, file));
        else fs.copyFileSync(path.join(repoRoot, file), path.join(root, file));
    }
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(root, "node_modules"), "dir");
    return { root, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Names of `count` generated stages: bench1, bench2, ... (valid stage names). */
export function generatedStageNames(count: number): string[] {
    return Array.from({ length: count }, (_, index) => `bench${index + 1}`);
}

/**
 * Writes Pulumi.<stage>.yaml for each generated stage, a copy of the template stage's with the
 * stage name replaced, into the workspace: a stage is its one file (its policy config derives from it).
 */
export function writeGeneratedStages(workspace: string, stages: string[]): void {
    const stageFile = fs.readFileSync(path.join(workspace, configFileFor(TEMPLATE_STAGE)), "utf8");
    const stageKey = new RegExp(`^(\\s*spotify:stage:\\s*)${TEMPLATE_STAGE}\\s*$`, "m");
    if (!stageKey.test(stageFile)) throw new Error(`${configFileFor(TEMPLATE_STAGE)} has no "spotify:stage: ${TEMPLATE_STAGE}" line to generate stages from`);
    for (const stage of stages) fs.writeFileSync(path.join(workspace, configFileFor(stage)), stageFile.replace(stageKey, `$1${stage}`));
}
