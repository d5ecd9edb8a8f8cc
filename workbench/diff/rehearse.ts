import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stripVTControlCharacters } from "util";
import { configFileFor, stageStacks } from "../../model/stacks";
import { offlineConfigFile, offlineEnvironment } from "../../ops/stage";
import { readStageConfigFile } from "../../ops/stageFile";
import { ChangeKind, deployOrder, groupByProperty, ResourceChange, StackDiff, StageDiff } from "./manifestDiff";
import { SideError, withWorktree } from "./sides";

/**
 * The dress rehearsal (`npm run diff -- <stage> --base <ref> --rehearse`): the real Pulumi engine,
 * offline (engine/, the CLI of ops/pulumi-cli), on a scratch file backend. The base is deployed
 * first (`up` of every layer stack, in order), then the working tree goes up over it stack by stack
 * through the stage driver, with the policy pack: each stack reads the outputs the stacks below it
 * have just applied, so cross-stack effects happen as they would in a real rollout. What the
 * engine did (its own steps, from its events) and any failure (protect, a policy, a plan that no
 * longer matches) come back as a StageDiff, in the reviewer diff's report format.
 */

/** The engine's step ops, as the reviewer diff's kinds (same, read and refresh are no change). */
const STEP_KINDS: Readonly<Record<string, ChangeKind>> = {
    create: "create",
    update: "update",
    replace: "replace",
    "create-replacement": "replace",
    "delete-replaced": "replace",
    "discard-replaced": "replace",
    delete: "delete",
    discard: "delete",
};

interface StepMetadata {
    op: string;
    urn: string;
    type: string;
    keys?: string[];
    diffs?: string[];
    old?: { inputs?: Record<string, unknown> } | null;
    new?: { inputs?: Record<string, unknown> } | null;
}

interface EngineEventLine {
    resourcePreEvent?: { metadata: StepMetadata };
    diagnosticEvent?: { urn?: string; message: string; severity: string };
}

/** One stack's engine steps, from the events of its `up`, as the reviewer diff shows changes. */
export function stackDiffFromEvents(stack: string, events: readonly EngineEventLine[]): StackDiff {
    const changes = new Map<string, ResourceChange>();
    const warnings: StackDiff["warnings"] = [];
    for (const event of events) {
        const step = event.resourcePreEvent?.metadata;
        if (step !== undefined) {
            const kind = STEP_KINDS[step.op];
            if (kind === undefined || step.type.startsWith("pulumi:providers:") || step.type === "pulumi:pulumi:Stack") continue;
            const existing = changes.get(step.urn);
            if (existing !== undefined && (existing.kind === "replace" || kind !== "replace")) continue;
            const before = step.old?.inputs ?? {};
            const after = step.new?.inputs ?? {};
            changes.set(step.urn, {
                kind,
                urn: step.urn,
                type: step.type,
                name: step.urn.split("::").pop() ?? step.urn,
                replaceReasons: kind === "replace" ? (step.keys ?? []).map((key) => `${key} changed`) : [],
                recomputed: [],
                warnings: [],
                properties: kind === "update" || kind === "replace" ? groupByProperty(before, after) : [],
                ...(kind === "create" ? { inputs: after } : kind === "delete" ? { inputs: before } : {}),
            });
        }
        const diagnostic = event.diagnosticEvent;
        if (diagnostic?.severity === "error") {
            // The engine's own words, without its ANSI colour codes.
            const message = stripVTControlCharacters(diagnostic.message).trim();
            if (message !== "" && !warnings.some((warning) => warning.message === message)) warnings.push({ level: "blocking", message });
        }
    }
    return { stack, order: deployOrder(stack), changes: [...changes.values()].sort((a, b) => (a.urn < b.urn ? -1 : 1)), outputChanges: [], warnings };
}

function pulumiIn(cwd: string, env: NodeJS.ProcessEnv, args: string[]): void {
    const run = spawnSync("pulumi", args, { cwd, encoding: "utf8", env, maxBuffer: 256 * 1024 * 1024 });
    if (run.status !== 0) throw new SideError(`rehearsal: pulumi ${args.join(" ")} at the base failed:\n${`${run.stdout}${run.stderr}`.trim()}`);
}

/** Deploys the base's program, every layer stack in order, into the scratch backend of `env`. */
function deployBase(worktree: string, stage: string, env: NodeJS.ProcessEnv, log: (line: string) => void): boolean {
    if (!fs.existsSync(path.join(worktree, configFileFor(stage)))) return false;
    const configFile = offlineConfigFile(stage, worktree);
    for (const stack of stageStacks(stage, false)) {
        log(`rehearsal: base: pulumi up --stack ${stack}`);
        pulumiIn(worktree, env, ["stack", "select", "--create", stack]);
        pulumiIn(worktree, env, ["up", "--stack", stack, "--config-file", configFile, "--yes", "--non-interactive", "--color", "never"]);
    }
    return true;
}

export interface Rehearsal {
    stage: StageDiff;
    /** The driver's exit status for the head's up (0: every stack applied). */
    status: number;
}

/**
 * Rehearses `stages`: for each, a fresh scratch backend, the base at `commit` deployed, then the
 * working tree (`repoRoot`) applied over it through `npm run stage -- up <stage> --offline`.
 */
export function rehearse(repoRoot: string, commit: string, stages: readonly string[], log: (line: string) => void = () => undefined): Rehearsal[] {
    return stages.map((stage) => {
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `spotify-rehearsal-${stage}-`));
        const previous = process.env.SPOTIFY_OFFLINE_DIR;
        process.env.SPOTIFY_OFFLINE_DIR = scratch;
        try {
            const env = offlineEnvironment(repoRoot, log);
            const deployed = withWorktree(repoRoot, commit, (worktree) => deployBase(worktree, stage, env, log), log);
            if (!deployed) log(`rehearsal: stage ${stage} has no ${configFileFor(stage)} at the base: the head creates every stack`);
            const reportDir = path.join(scratch, "report");
            log(`rehearsal: head: npm run stage -- up ${stage} --offline, stack by stack`);
            const head = spawnSync(
                process.execPath,
                [
                    path.join(repoRoot, "tools", "compiled.js"),
                    "stage",
                    "up",
                    stage,
                    "--offline",
                    "--report",
                    reportDir,
                    "--",
                    "--yes",
                    "--non-interactive",
                    "--color",
                    "never",
                ],
                { cwd: repoRoot, encoding: "utf8", env: { ...process.env, SPOTIFY_OFFLINE_DIR: scratch }, maxBuffer: 256 * 1024 * 1024 },
            );
            const stacks = stageStacks(stage, false).map((stack) => {
                const eventsFile = path.join(reportDir, `${stack}.events.jsonl`);
                if (!fs.existsSync(eventsFile)) {
                    return {
                        ...stackDiffFromEvents(stack, []),
                        warnings: [{ level: "blocking" as const, message: "not applied: an earlier stack of the rollout failed" }],
                    };
                }
                const events = fs
                    .readFileSync(eventsFile, "utf8")
                    .split("\n")
                    .filter((line) => line.trim() !== "")
                    .map((line) => JSON.parse(line) as EngineEventLine);
                return stackDiffFromEvents(stack, events);
            });
            if (head.status !== 0 && stacks.every((stack) => stack.warnings.length === 0)) {
                throw new SideError(`rehearsal: the head's up of stage ${stage} failed before any stack ran:\n${`${head.stdout}${head.stderr}`.trim()}`);
            }
            const protectedStage = readStageConfigFile(stage, repoRoot)["spotify:protectData"] === "true";
            return { stage: { stage, protectedStage, stacks }, status: head.status ?? 1 };
        } finally {
            if (previous === undefined) delete process.env.SPOTIFY_OFFLINE_DIR;
            else process.env.SPOTIFY_OFFLINE_DIR = previous;
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    });
}
