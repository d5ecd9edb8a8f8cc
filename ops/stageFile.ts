import * as fs from "fs";
import * as path from "path";
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, YAMLMap } from "yaml";
import { StageConfigError } from "../model/stageConfig";
import { REPO_ROOT } from "../model/repository";
import { configFileFor } from "../model/stacks";

/** Placeholder for `secure:` values, which cannot be decrypted without the stack's secrets provider. */
export const UNDECRYPTED_SECRET = "[secret: not decrypted offline]";

const EXAMPLE = "  config:\n    aws:region: eu-west-1\n    spotify:stage: dev";

/**
 * Parses Pulumi.<stage>.yaml, failing on any YAML error (bad quotes, tabs, duplicate keys, …) with
 * the file, line and column, and on a file whose shape is not a stage file's.
 */
function readStageDocument(stage: string, repoRoot: string): { document: Document; file: string } {
    const file = configFileFor(stage);
    const absolute = path.join(repoRoot, file);
    if (!fs.existsSync(absolute)) {
        throw new StageConfigError(`${file} not found in ${repoRoot}: a stage is defined by its Pulumi.<stage>.yaml.`);
    }
    const lineCounter = new LineCounter();
    // uniqueKeys: a key written twice is an error, not "the last one wins".
    const text = fs.readFileSync(absolute, "utf8");
    const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
    const [first, ...later] = document.errors;
    if (first !== undefined) {
        // The first error is the cause; the parser's later ones mostly follow from it.
        const { line, col } = lineCounter.linePos(first.pos[0]);
        // The line itself names the key the error is in.
        const source = JSON.stringify(text.split(/\r?\n/)[line - 1] ?? "");
        const more = later.length > 0 ? ` (and ${later.length} more error${later.length === 1 ? "" : "s"} after it)` : "";
        throw new StageConfigError(
            `${file} is not valid YAML:\n  ${file}:${line}:${col}: ${first.message.split("\n")[0]} (${first.code}), in: ${source}${more}`,
        );
    }
    visit(document, {
        Alias(_key, alias) {
            if (alias.resolve(document) !== undefined) return;
            const { line, col } = lineCounter.linePos(alias.range?.[0] ?? 0);
            throw new StageConfigError(
                `${file} is not valid YAML:\n  ${file}:${line}:${col}: alias *${alias.source} names no anchor (&${alias.source}) written before it, in: ${JSON.stringify(text.split(/\r?\n/)[line - 1] ?? "")}`,
            );
        },
    });
    const root = document.contents;
    if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) {
        throw new StageConfigError(`${file} is empty: a stage file holds its settings under a top-level "config:" map, for example\n${EXAMPLE}`);
    }
    if (!isMap(root)) {
        throw new StageConfigError(`${file}: the file must be a map with a "config:" key, for example\n${EXAMPLE}`);
    }
    return { document, file };
}

/** The `config:` map of a stage document, or an error explaining what is there instead. */
function configMap(document: Document, file: string) {
    const config = document.get("config", true);
    if (config === undefined) {
        const stray = (isMap(document.contents) ? document.contents.items : [])
            .map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key))
            .filter((key) => key.includes(":"));
        const advice =
            stray.length > 0
                ? `: ${stray.join(", ")} ${stray.length === 1 ? "is" : "are"} at the top level; indent ${stray.length === 1 ? "it" : "them"} under "config:"`
                : "";
        throw new StageConfigError(`${file} has no "config:" map${advice}, for example\n${EXAMPLE}`);
    }
    if (isSeq(config)) {
        throw new StageConfigError(
            `${file}: "config:" is written as a list ("- key: value"); it must be a map of key: value, without the "- ", for example\n${EXAMPLE}`,
        );
    }
    if (!isMap(config)) {
        throw new StageConfigError(`${file}: "config:" must be a map of key: value, for example\n${EXAMPLE}`);
    }
    return config;
}

/**
 * Reads Pulumi.<stage>.yaml into the flat string map the Pulumi runtime holds config in, as the
 * Pulumi CLI builds it: a plain scalar becomes its source text (`0x0e` stays "0x0e", not 14), a
 * quoted one its string, YAML's null (null, ~ or nothing) "", and lists and maps JSON. Aliases
 * resolve to their anchors' values, and merge keys (`<<: *defaults`) add the keys of the maps
 * they name that the config map does not set itself, as YAML defines them.
 */
export function readStageConfigFile(stage: string, repoRoot: string = REPO_ROOT): Record<string, string> {
    const { document, file } = readStageDocument(stage, repoRoot);
    // Checked here so a malformed list fails offline too; the environments themselves are opened
    // only by the Pulumi CLI (offline synthesis sees the file's own config, nothing imported).
    environmentsOf(document.get("environment"), file);
    return Object.fromEntries(
        configPairs(configMap(document, file), document, file).map(({ key, value }) => {
            if (!key.includes(":")) {
                throw new StageConfigError(`${file}: config key "${key}" needs a namespace, such as spotify:${key}.`);
            }
            return [key, toRuntimeString(value, document)];
        }),
    );
}

const MERGE_KEY = "<<";

/** The key/value pairs of the config map, its merge keys expanded: the map's own keys first, then merged ones it lacks. */
function configPairs(config: YAMLMap, document: Document, file: string): { key: string; value: unknown }[] {
    const own: { key: string; value: unknown }[] = [];
    const merged: { key: string; value: unknown }[] = [];
    for (const pair of config.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (key !== MERGE_KEY) {
            own.push({ key, value: pair.value });
            continue;
        }
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
        for (const source of sources) {
            const map = resolved(source, document);
            if (!isMap(map)) {
                throw new StageConfigError(`${file}: the merge key "<<" under "config:" must name a map (<<: *anchor of a map, or a list of them)`);
            }
            // Of several merged maps the first that sets a key wins (YAML's merge key type).
            for (const { key, value } of configPairs(map, document, file)) merged.push({ key, value });
        }
    }
    const seen = new Set(own.map(({ key }) => key));
    return [
        ...own,
        ...merged.filter(({ key }) => {
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
        }),
    ];
}

/** The node an alias refers to; any other node as it is. */
function resolved(node: unknown, document: Document): unknown {
    return isAlias(node) ? node.resolve(document) : node;
}

function toRuntimeString(node: unknown, document: Document): string {
    const value = resolved(node, document);
    if (isScalar(value)) {
        if (value.value === null) return "";
        // A plain scalar without a tag is passed as written; quoted and tagged ones by their value.
        if (value.type === Scalar.PLAIN && value.tag === undefined && typeof value.source === "string") return value.source;
        return value.toString();
    }
    if (isMap(value) && value.has("secure")) return UNDECRYPTED_SECRET;
    if (value === null || value === undefined) return "";
    return JSON.stringify((value as { toJS(document: Document): unknown }).toJS(document));
}

/**
 * The Pulumi ESC environments a stage file imports: its top-level `environment:` list (not config;
 * the Pulumi CLI opens them and merges their `pulumiConfig` into every stack that reads the file).
 * Every stack of the stage reads the same file, so they all share what the environments provide,
 * secrets included, whatever each stack's own secrets provider is. Empty when the file has none.
 */
export function readStageEnvironments(stage: string, repoRoot: string = REPO_ROOT): string[] {
    const { document, file } = readStageDocument(stage, repoRoot);
    return environmentsOf(document.get("environment"), file);
}

/** ESC environment references: `<project>/<environment>` (or a bare `<environment>`). */
const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/;

function environmentsOf(value: unknown, file: string): string[] {
    if (value === undefined || value === null) return [];
    if (!isSeq(value)) {
        throw new StageConfigError(`${file}: "environment" must be a list of Pulumi ESC environments, such as:\n  environment:\n    - spotify-pipeline/dev`);
    }
    return value.items.map((item) => {
        const entry = isScalar(item) ? item.value : item;
        if (typeof entry !== "string" || !ENVIRONMENT_NAME.test(entry)) {
            throw new StageConfigError(
                `${file}: environment entry ${JSON.stringify(isScalar(item) ? entry : String(item))} is not an ESC environment name (<project>/<environment>, such as spotify-pipeline/dev)`,
            );
        }
        return entry;
    });
}
