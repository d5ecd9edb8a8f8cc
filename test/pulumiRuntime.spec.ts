import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { REPO_ROOT } from "../model/repository";
import { synthesizeStage } from "../workbench/synth/stageSynthesis";
import { npmRun } from "./support/npmRun";

/** The types a run registered, counted, in a stable order. */
function tally(types: readonly string[]): string[] {
    const counts = new Map<string, number>();
    for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
    return [...counts].map(([type, count]) => `${count} × ${type}`).sort();
}

// The Pulumi CLI runs infra/ through @pulumi/pulumi's cmd/run, which compiles it with ts-node and
// the compiler options it reads from Pulumi.yaml's tsconfig, not through tsx or tsc as the tools do.
// A program that type checks here once failed every real preview (TS2550 under ts-node's defaults).
describe("the program under Pulumi's own Node.js runtime (cmd/run, ts-node as Pulumi.yaml configures it)", function () {
    this.timeout(10 * 60_000);

    before(() => {
        // The child loads the compiled fake cloud and stage reader (build/), current as npm run build leaves it.
        const build = npmRun("build");
        assert.strictEqual(build.status, 0, build.stderr);
    });

    for (const stage of ["dev", "prod"]) {
        it(`compiles and registers the same resources as the offline synthesis (all-in-one stack "${stage}")`, async () => {
            const child = spawnSync(process.execPath, [path.join(REPO_ROOT, "test", "support", "pulumiNodeRuntime.js"), stage, stage], {
                cwd: REPO_ROOT,
                encoding: "utf8",
                // Type checked, as the CLI runs it for users (the suite's engine runs only transpile).
                env: { ...process.env, PULUMI_NODEJS_TRANSPILE_ONLY: undefined },
            });
            assert.strictEqual(child.status, 0, child.stderr);
            const { types, errors } = JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}") as { types: string[]; errors: string[] };
            assert.deepStrictEqual(errors, [], `the runtime reported errors:\n${errors.join("\n")}`);
            const [manifest] = await synthesizeStage({ stage, allInOne: true });
            const synthesized = manifest.resources.filter((resource) => !resource.read).map((resource) => resource.type);
            assert.deepStrictEqual(tally(types), tally(["pulumi:pulumi:Stack", ...synthesized]));
        });
    }
});
