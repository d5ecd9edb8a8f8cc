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
    const document = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown>; environment?: unknown } | null;
    // Checked here so a malformed list fails offline too; the environments themselves are opened
    // only by the Pulumi CLI (offline synthesis sees the file's own config, nothing imported).
    environmentsOf(document?.environment, configFileFor(stage));
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

/**
 * The Pulumi ESC environments a stage file imports: its top-level `environment:` list (not config;
 * the Pulumi CLI opens them and merges their `pulumiConfig` into every stack that reads the file).
 * Every stack of the stage reads the same file, so they all share what the environments provide,
 * secrets included, whatever each stack's own secrets provider is. Empty when the file has none.
 */
export function readStageEnvironments(stage: string, repoRoot: string = REPO_ROOT): string[] {
    const file = path.join(repoRoot, configFileFor(stage));
    if (!fs.existsSync(file)) {
        throw new Error(`${configFileFor(stage)} not found in ${repoRoot}: a stage is defined by its Pulumi.<stage>.yaml.`);
    }
    const document = parse(fs.readFileSync(file, "utf8")) as { environment?: unknown } | null;
    return environmentsOf(document?.environment, configFileFor(stage));
}

/** ESC environment references: `<project>/<environment>` (or a bare `<environment>`). */
const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/;

function environmentsOf(value: unknown, file: string): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
        throw new Error(`${file}: "environment" must be a list of Pulumi ESC environments, such as:\n  environment:\n    - spotify-pipeline/dev`);
    }
    return value.map((entry) => {
        if (typeof entry !== "string" || !ENVIRONMENT_NAME.test(entry)) {
            throw new Error(`${file}: environment entry ${JSON.stringify(entry)} is not an ESC environment name (<project>/<environment>, such as spotify-pipeline/dev)`);
        }
        return entry;
    });
}
