import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../infra/repository";
import { configFileFor } from "../../infra/stacks";


/** Placeholder for `secure:` values, which cannot be decrypted without the stack's secrets provider. */
export const UNDECRYPTED_SECRET = "[secret: not decrypted offline]";

/**
 * Reads Pulumi.<stage>.yaml into the flat string map the Pulumi runtime holds config in:
 * scalars as strings, lists and maps as JSON.
 */
export function readStageConfigFile(stage: string, repoRoot: string = REPO_ROOT): Record<string, string> {
    const file = path.join(repoRoot, configFileFor(stage));
    if (!fs.existsSync(file)) {
        throw new Error(`${configFileFor(stage)} not found in ${repoRoot}: a stage is defined by its Pulumi.<stage>.yaml.`);
    }
    const document = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const config = document?.config ?? {};
    return Object.fromEntries(
        Object.entries(config).map(([key, value]) => {
            if (!key.includes(":")) {
                throw new Error(`${configFileFor(stage)}: config key "${key}" needs a namespace, such as spotify:${key}.`);
            }
            return [key, toRuntimeString(value)];
        }),
    );
}

function toRuntimeString(value: unknown): string {
    if (typeof value === "string") return value;
    if (value !== null && typeof value === "object" && "secure" in value) return UNDECRYPTED_SECRET;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return JSON.stringify(value);
}
