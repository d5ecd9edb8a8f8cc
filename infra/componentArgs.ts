import { CONFIG_KEYS, ruleOf, StageConfig } from "../model/stageConfig";

/** What is wrong with each field of a component's args, keyed by the field's path; undefined where nothing is. */
export type ArgProblems = Record<string, string | undefined>;

/**
 * Throws one error that names the args type, and each field with the rule it breaks
 * (`IsolatedVpcArgs.zones: must be …`); returns when no field has a problem.
 */
export function rejectArgProblems(argsType: string, problems: ArgProblems): void {
    const found = Object.entries(problems).filter((entry): entry is [string, string] => entry[1] !== undefined);
    if (found.length > 0) throw new Error(found.map(([field, problem]) => `${argsType}.${field}: ${problem}`).join("; "));
}

/**
 * Why `value` breaks the rule of the stage setting `key` it is taken from (model/stageConfig.ts), or
 * undefined: a component given a setting holds it to the rule the stage file is held to.
 */
export function settingProblem(key: keyof typeof CONFIG_KEYS, value: string | number | boolean): string | undefined {
    const spec = CONFIG_KEYS[key];
    // The rules read settings as the stage file holds them: text.
    return spec.schema.safeParse(String(value)).success ? undefined : `must be ${ruleOf(spec)}, got ${JSON.stringify(value)}`;
}

/** The stage settings that are single values (not lists), which {@link settingProblem} can judge. */
type ScalarSetting = { [K in keyof StageConfig]: StageConfig[K] extends string | number | boolean ? K : never }[keyof StageConfig];

/**
 * What is wrong with each of `keys` of a layer's `config`, keyed `config.<key>`: a layer given a
 * hand-made StageConfig (or part of one) holds each setting it reads to the stage file's rule.
 */
export function stageSettingProblems<K extends ScalarSetting>(config: Pick<StageConfig, K>, keys: readonly K[]): ArgProblems {
    return Object.fromEntries(keys.map((key) => [`config.${key}`, settingProblem(key === "region" ? "aws:region" : key, config[key])]));
}
