import * as assert from "assert";
import { LAYERS, resolveStack } from "../model/stacks";
import { readStageConfigFile } from "../ops/stageFile";
import { SynthesisError, synthesizeStack } from "../workbench/synth/synthesize";

describe("stack name resolution", () => {
    it("maps <stage>-<layer> to one layer of the stage", () => {
        for (const layer of LAYERS) {
            assert.deepStrictEqual(resolveStack(`prod-${layer}`), { stackName: `prod-${layer}`, stage: "prod", layers: [layer], topology: "layer" });
        }
    });

    it("maps <stage> to every layer, in dependency order", () => {
        assert.deepStrictEqual(resolveStack("sandbox1"), { stackName: "sandbox1", stage: "sandbox1", layers: LAYERS, topology: "all-in-one" });
    });

    for (const [stack, reason] of [
        ["dev-bogus", /unknown layer "bogus"/],
        ["Dev-storage", /invalid stage "Dev"/],
        ["dev_storage", /not a valid stage name/],
        ["x", /not a valid stage name/],
        ["dev-storage-2", /unknown layer "storage-2"/],
    ] as const) {
        it(`rejects "${stack}" and says how to name and run a stack`, () => {
            assert.throws(
                () => resolveStack(stack),
                (error: Error) => reason.test(error.message) && error.message.includes("<stage>-<layer>") && error.message.includes("--config-file Pulumi."),
            );
        });
    }

    it("registers no resource for a bogus stack, even with a valid stage config", async () => {
        await assert.rejects(synthesizeStack({ stackName: "dev-bogus", config: readStageConfigFile("dev") }), (error: unknown) => {
            assert.ok(error instanceof SynthesisError);
            assert.match(error.message, /unknown layer "bogus"/);
            assert.deepStrictEqual(error.registered, []);
            return true;
        });
    });
});
