import { synthesizeStack } from "../../workbench/synth/synthesize";
import { Template } from "./template";

/**
 * One component under Pulumi's mock runtime, with nothing else of the program around it: `declare`
 * creates it (and whatever stands in for its inputs), and the template holds what it registered,
 * as the engine would see it (URNs, inputs with provider defaults left out, dependencies). The
 * fake cloud answers as in every synthesis (engine/fakeCloud.ts), so ids and ARNs are the ones a
 * whole-stage synthesis gives.
 */
export async function synthesizeAlone(declare: () => void, stackName = "dev"): Promise<Template> {
    const manifest = await synthesizeStack({
        stackName,
        config: { "aws:region": "eu-west-1" },
        program: () => {
            declare();
            return {};
        },
    });
    return new Template(manifest);
}
