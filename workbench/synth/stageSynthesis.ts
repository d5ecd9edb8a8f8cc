import * as fs from "fs";
import * as path from "path";
import { configFileFor, stageStacks } from "../../model/stacks";
import { canonicalJson, Manifest } from "./manifestFile";
import { REPO_ROOT } from "../../model/repository";
import { readStageConfigFile } from "../../ops/stageFile";
import { PROJECT, SYNTH_ORGANIZATION, synthesizeStack } from "./synthesize";

export interface StageSynthesisOptions {
    stage: string;
    /** Synthesize the single `<stage>` stack instead of one stack per layer. */
    allInOne?: boolean;
    /** Where manifests go; `<outDir>/<stage>/<stack>.json`. Nothing is written when absent. */
    outDir?: string;
    /** Raw config to use instead of Pulumi.<stage>.yaml. */
    config?: Record<string, string>;
    /** Where Pulumi.<stage>.yaml is read from (default: the repository root). */
    repoRoot?: string;
    onStack?: (manifest: Manifest, file: string | undefined) => void;
}

export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, "out", "synth");

/**
 * Synthesizes every stack of a stage in order, feeding each layer's StackReferences from the
 * outputs of the layers synthesized before it.
 */
export async function synthesizeStage(options: StageSynthesisOptions): Promise<Manifest[]> {
    const stacks = stageStacks(options.stage, options.allInOne ?? false);
    if (options.outDir !== undefined) {
        // Old manifests go first: if a stack fails below, no stale file of it (or of a later stack)
        // is left for the diff or the policy check to read as current.
        for (const stackName of stacks) fs.rmSync(path.join(options.outDir, options.stage, `${stackName}.json`), { force: true });
    }
    const config = options.config ?? readStageConfigFile(options.stage, options.repoRoot);
    const configFile = options.config === undefined ? configFileFor(options.stage) : undefined;
    // The stage's stacks live in the organization its config names (infra/wiring.ts), so the fake
    // runtime runs as that organization and the StackReferences find the stacks synthesized here.
    const organization = config["spotify:stackReferenceOrg"] || SYNTH_ORGANIZATION;
    const upstream = new Map<string, Record<string, unknown>>();
    const manifests: Manifest[] = [];
    for (const stackName of stacks) {
        const manifest = await synthesizeStack({ stackName, config, configFile, organization, upstream });
        upstream.set(`${organization}/${PROJECT}/${stackName}`, manifest.outputs);
        let file: string | undefined;
        if (options.outDir !== undefined) {
            file = path.join(options.outDir, options.stage, `${stackName}.json`);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, canonicalJson(manifest));
        }
        options.onStack?.(manifest, file);
        manifests.push(manifest);
    }
    return manifests;
}
