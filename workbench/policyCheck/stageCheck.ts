import * as fs from "fs";
import * as path from "path";
import { PACK_DIR } from "./host";
import type { Manifest } from "../synth/manifestFile";
import { DEFAULT_OUT_DIR, synthesizeStage } from "../synth/stageSynthesis";
import { REPO_ROOT } from "../../model/repository";
import { synthesizeStack } from "../synth/synthesize";

/**
 * What the offline check (npm run policy) puts before the pack: a stage's synthesized stacks, or a
 * fixture program's. The pack itself is driven by workbench/policyCheck/ (PolicyCheck).
 */

export const FIXTURES_DIR = path.join(PACK_DIR, "fixtures");

/** The names of the fixture programs under policies/fixtures/. */
export function fixtureNames(): string[] {
    return fs
        .readdirSync(FIXTURES_DIR)
        .filter((file) => file.endsWith(".ts"))
        .map((file) => file.slice(0, -".ts".length))
        .sort();
}

type Program = (stackName: string) => Record<string, unknown>;

/**
 * The stacks to check: the stage's layer stacks, the ones it deploys (written to out/synth/<stage>/
 * like `npm run synth`), or the single stack `<stage>` of a fixture program.
 * Always synthesized afresh, in process, so the check never reads stale manifests. The all-in-one
 * stack holds the same resources (test/synth.spec.ts) and passes the pack too
 * (test/policyProgram.spec.ts), so it is not checked again here.
 */
export async function stageManifestsToCheck(stage: string, config: Record<string, string>, fixture?: string): Promise<Manifest[]> {
    if (fixture === undefined) return synthesizeStage({ stage, config, outDir: DEFAULT_OUT_DIR });
    if (!fixtureNames().includes(fixture)) {
        throw new Error(`no fixture "${fixture}" in ${path.relative(REPO_ROOT, FIXTURES_DIR)} (there are: ${fixtureNames().join(", ")})`);
    }
    // Relative to this module, so the compiled tools (build/workbench/) load the compiled fixture.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fixture named on the command line, loaded by path
    const program = (require(path.join(__dirname, "..", "..", "policies", "fixtures", fixture)) as { program?: Program }).program;
    if (typeof program !== "function") throw new Error(`fixture ${fixture} exports no program(stackName) function`);
    return [await synthesizeStack({ stackName: stage, config, program })];
}
