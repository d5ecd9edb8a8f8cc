import * as assert from "assert";
import { LAYERS } from "../infra/stacks";
import { stageCommands } from "../tools/stage";

describe("stage driver", () => {
    const layerOf = (command: string[]) => command[command.indexOf("--stack") + 1].replace(/^prod-/, "");
    const operations = (commands: string[][]) => commands.filter((command) => command[1] !== "stack");

    it("applies up layer by layer in dependency order, each with the stage file and the policy pack", () => {
        const commands = operations(stageCommands("up", "prod", ["--yes"]));
        const layers = commands.map(layerOf);
        assert.deepStrictEqual(layers, [...layers].sort((a, b) => LAYERS.indexOf(a as never) - LAYERS.indexOf(b as never)));
        for (const command of commands) {
            assert.deepStrictEqual(command.slice(command.indexOf("--config-file"), command.indexOf("--config-file") + 2), ["--config-file", "Pulumi.prod.yaml"]);
            assert.ok(command.includes("policies/config/prod.json"));
            assert.strictEqual(command[command.length - 1], "--yes");
        }
    });

    it("destroys in reverse order, without the policy pack", () => {
        const up = operations(stageCommands("up", "dev")).map((command) => command[command.indexOf("--stack") + 1]);
        const destroy = operations(stageCommands("destroy", "dev"));
        assert.deepStrictEqual(destroy.map((command) => command[command.indexOf("--stack") + 1]), [...up].reverse());
        assert.ok(destroy.every((command) => !command.includes("--policy-pack")));
    });

    it("selects or creates each stack before operating on it", () => {
        const commands = stageCommands("preview", "dev");
        for (let index = 0; index < commands.length; index += 2) {
            assert.deepStrictEqual(commands[index].slice(0, 4), ["pulumi", "stack", "select", "--create"]);
            assert.strictEqual(commands[index][4], commands[index + 1][commands[index + 1].indexOf("--stack") + 1]);
        }
    });
});
