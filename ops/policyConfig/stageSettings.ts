import * as fs from "fs";
import * as path from "path";
import { parseStageConfig, StageConfig } from "../../model/stageConfig";
import { REPO_ROOT } from "../../model/repository";
import { DeclaredPolicy, PolicyConfigFile, StageSettings, stagePolicyConfig } from "../../model/guardrails";
import { stagePlan } from "../../model/stagePlan";
import { configFileFor } from "../../model/stacks";
import { readStageConfigFile } from "../stageFile";

/**
 * A stage's policy settings, read from its Pulumi.<stage>.yaml by the program's own config reader
 * (so a file the program rejects is rejected here, with the same message), and the
 * --policy-pack-config the Pulumi CLI is given, derived from them.
 */

/** The settings the pack's config takes from a stage. */
export function stageSettings(config: StageConfig): StageSettings {
    return {
        stage: config.stage,
        namePrefix: config.namePrefix,
        network: config.network,
        protectData: config.protectData,
        accessLogging: config.accessLogging,
        tableMaintenance: config.tableMaintenance,
        quicksightOwners: config.quicksightOwners,
        quicksightViewers: config.quicksightViewers,
        athenaWorkgroup: stagePlan(config).workgroup,
        dataClassification: config.dataClassification,
    };
}

/** What stacks are checked against. */
export interface CheckSettings {
    /** The stage's raw config (Pulumi.<stage>.yaml as the runtime holds it), for ConfigureStack and default providers. */
    stageConfig: Record<string, string>;
    /** The stage's settings, from which its policy config is derived (model/guardrails.ts). */
    settings: StageSettings;
    /** Where the settings come from, for the report: "Pulumi.dev.yaml". */
    source: string;
    /** "program", or "fixture <name>", for the report. */
    target?: string;
}

/** What the check needs of a stage: its raw config, its settings and where they come from. */
export function stageCheckSettings(stage: string, repoRoot: string = REPO_ROOT): CheckSettings {
    const stageConfig = readStageConfigFile(stage, repoRoot);
    const file = configFileFor(stage);
    return { stageConfig, settings: stageSettings(parseStageConfig(stageConfig, stage, file)), source: file };
}

/**
 * The pack's policies as it declares them. Required when first used rather than imported: the pack
 * loads @pulumi/policy, and through it the SDK, from where the pack resolves them (under tsx with
 * policies/node_modules installed, a second SDK beside the repository's), which the modules that
 * import this one only to check a stage, such as the stage driver's tests, should not load.
 */
function packPolicies(): readonly DeclaredPolicy[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when first used, as said above
    return (require("../../policies/pack") as typeof import("../../policies/pack")).POLICIES;
}

/** The --policy-pack-config of `stage`, derived from its Pulumi.<stage>.yaml. */
export function stagePackConfig(stage: string, repoRoot: string = REPO_ROOT, policies: readonly DeclaredPolicy[] = packPolicies()): PolicyConfigFile {
    return stagePolicyConfig(stageCheckSettings(stage, repoRoot).settings, policies);
}

/** Writes the --policy-pack-config of `stage` to `file`: see writePackConfig. */
export function writeStagePackConfig(stage: string, file: string, repoRoot: string = REPO_ROOT): void {
    writePackConfig(stageCheckSettings(stage, repoRoot).settings, file);
}

/**
 * Writes the --policy-pack-config of a stage's settings to `file` (folders created), as the CLI
 * reads it: through a temporary name renamed over it, so a CLI started by another run of the driver
 * at the same moment reads the previous file or this one, never half of it.
 */
export function writePackConfig(settings: StageSettings, file: string): void {
    const config = stagePolicyConfig(settings, packPolicies());
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`);
    fs.renameSync(temporary, file);
}

/** Where `npm run stage` writes a stage's --policy-pack-config, relative to the repository root (out/ is ignored by git). */
export function packConfigPath(stage: string): string {
    return path.join("out", "policy-config", `${stage}.json`);
}
