import type { Manifest } from "../../workbench/synth/manifestFile";
import { synthesizeStage } from "../../workbench/synth/stageSynthesis";
import { Template } from "./template";

const cache = new Map<string, Promise<Manifest[]>>();

/**
 * The manifests of a stage's stacks, synthesized once per test run from the committed
 * Pulumi.<stage>.yaml (no files are written).
 */
export function stageManifests(stage: string, allInOne = false): Promise<Manifest[]> {
    const key = `${stage}:${allInOne}`;
    let manifests = cache.get(key);
    if (manifests === undefined) {
        manifests = synthesizeStage({ stage, allInOne });
        cache.set(key, manifests);
    }
    return manifests;
}

/** The template of one stack of a stage, e.g. stackTemplate("dev", "dev-storage"). */
export async function stackTemplate(stage: string, stack: string): Promise<Template> {
    const manifests = await stageManifests(stage, stack === stage);
    const manifest = manifests.find((candidate) => candidate.stack === stack);
    if (manifest === undefined) throw new Error(`stage ${stage} has no stack ${stack}`);
    return new Template(manifest);
}
