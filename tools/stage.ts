import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { configFileFor } from "../infra/stacks";
import { stageStacks } from "./synth/stage";
import { REPO_ROOT } from "../infra/repository";

const OPERATIONS = ["preview", "up", "destroy", "refresh"] as const;
type Operation = (typeof OPERATIONS)[number];

const HELP = `Usage: npm run stage -- <${OPERATIONS.join("|")}> <stage> [--dry-run] [-- <extra pulumi arguments>]

Runs the real Pulumi CLI on every layer stack of a stage, in dependency order (reverse order for
destroy), each with --config-file Pulumi.<stage>.yaml. preview and up also run the policy pack
(policies/, configured by policies/config/<stage>.json). Stops at the first stack that fails.
Needs the Pulumi CLI, a backend login and AWS credentials; --dry-run only prints the commands.

  --dry-run      print the pulumi commands instead of running them
  -h, --help     show this help

Example: npm run stage -- preview dev -- --diff`;

/** The pulumi invocations that apply `operation` to every layer stack of `stage`, in order. */
export function stageCommands(operation: Operation, stage: string, extraArgs: readonly string[] = []): string[][] {
    const stacks = stageStacks(stage, false);
    const ordered = operation === "destroy" ? [...stacks].reverse() : stacks;
    const policy = operation === "preview" || operation === "up" ? ["--policy-pack", "policies", "--policy-pack-config", `policies/config/${stage}.json`] : [];
    return ordered.flatMap((stack) => [
        ["pulumi", "stack", "select", "--create", stack],
        ["pulumi", operation, "--stack", stack, "--config-file", configFileFor(stage), ...policy, ...extraArgs],
    ]);
}

function main(): number {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: { "dry-run": { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
    });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    const [operation, stage, ...extraArgs] = positionals;
    if (!(OPERATIONS as readonly string[]).includes(operation ?? "") || stage === undefined) {
        console.error(`stage: expected an operation (${OPERATIONS.join(", ")}) and a stage\n\n${HELP}`);
        return 2;
    }
    if (!fs.existsSync(path.join(REPO_ROOT, configFileFor(stage)))) {
        console.error(`stage: ${configFileFor(stage)} not found: a stage is defined by its Pulumi.<stage>.yaml`);
        return 2;
    }
    for (const command of stageCommands(operation as Operation, stage, extraArgs)) {
        console.log(`$ ${command.join(" ")}`);
        if (values["dry-run"]) continue;
        const result = spawnSync(command[0], command.slice(1), { cwd: REPO_ROOT, stdio: "inherit" });
        if (result.error !== undefined) {
            console.error(`stage: could not run ${command[0]}: ${result.error.message} (install the Pulumi CLI: https://www.pulumi.com/docs/install/)`);
            return 1;
        }
        if (result.status !== 0) {
            console.error(`stage: "${command.join(" ")}" failed with exit code ${result.status}; later stacks were not touched.`);
            return result.status ?? 1;
        }
    }
    return 0;
}

if (require.main === module) {
    process.exitCode = main();
}
