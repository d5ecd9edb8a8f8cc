import { parseArgs } from "util";
import { CONFIG_KEYS, parseStageConfig, qualifiedKey, StageConfigError } from "../model/stageConfig";
import { configFileFor, STAGE_PATTERN } from "../model/stacks";
import { readStageConfigFile } from "./stageFile";

const HELP = `Usage: npm run -s stage-value -- <stage> <key>

Prints one validated setting of a stage, read from Pulumi.<stage>.yaml by the program's own reader
and checks (a file the program rejects fails here with the same error): how the workflows learn a
stage's AWS region (npm run -s stage-value -- prod aws:region) instead of writing it twice.

  <key>       aws:region or spotify:<key> (README.md, "Stage config reference")
  -h, --help  show this help`;

export function main(argv: string[]): number {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: "boolean", short: "h", default: false } } });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    const [stage, key, ...rest] = positionals;
    const keys = Object.keys(CONFIG_KEYS).map(qualifiedKey);
    if (stage === undefined || key === undefined || rest.length > 0 || !STAGE_PATTERN.test(stage)) {
        console.error(`stage-value: expected a stage and a key\n\n${HELP}`);
        return 2;
    }
    if (!keys.includes(key)) {
        console.error(`stage-value: ${key} is no stage setting (they are ${keys.join(", ")})`);
        return 2;
    }
    try {
        const config = parseStageConfig(readStageConfigFile(stage), stage, configFileFor(stage));
        const name = key === "aws:region" ? "region" : key.slice("spotify:".length);
        const value: unknown = config[name as keyof typeof config];
        console.log(typeof value === "string" ? value : JSON.stringify(value));
        return 0;
    } catch (error) {
        if (error instanceof StageConfigError) {
            console.error(`stage-value: ${error.message}`);
            return 1;
        }
        throw error;
    }
}
