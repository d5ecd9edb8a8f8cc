import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { CONFIG_KEYS, qualifiedKey, ruleOf } from "../model/stageConfig";
import { REPO_ROOT } from "../model/repository";

/** README.md's "Stage config reference" table lies between these markers, rendered from CONFIG_KEYS. */
export const BEGIN_MARKER = "<!-- config-reference:begin (rendered by `npm run docs:config` from model/stageConfig.ts; do not edit) -->";
export const END_MARKER = "<!-- config-reference:end -->";
export const README = path.join(REPO_ROOT, "README.md");

const HELP = `Usage: npm run docs:config [-- --check]

Renders README.md's "Stage config reference" table from CONFIG_KEYS in model/stageConfig.ts: every key,
its default, the limits the code enforces and its meaning.

  --check     change nothing; fail when README.md's table differs from the rendering
  -h, --help  show this help`;

/** Markdown table cells cannot hold a raw "|". */
function cell(text: string): string {
    return text.replace(/\|/g, "\\|");
}

/** The table, one row per key, in CONFIG_KEYS order. */
export function renderConfigTable(): string {
    const rows = Object.entries(CONFIG_KEYS).map(([key, spec]) => {
        const fallback: string | undefined = "default" in spec ? spec.default : undefined;
        const shown = fallback === undefined ? "required" : fallback === "" ? "empty" : `\`${fallback}\``;
        return `| \`${qualifiedKey(key)}\` | ${shown} | ${cell(ruleOf(spec))} | ${cell(spec.doc)} |`;
    });
    return ["| key | default | allowed values | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** `readme` with the table between the markers replaced by the current rendering. */
export function withRenderedTable(readme: string): string {
    const begin = readme.indexOf(BEGIN_MARKER);
    const end = readme.indexOf(END_MARKER);
    if (begin < 0 || end < begin) throw new Error(`README.md lacks the config reference markers ${BEGIN_MARKER} … ${END_MARKER}`);
    return `${readme.slice(0, begin + BEGIN_MARKER.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}

export function main(argv: string[]): number {
    const { values } = parseArgs({
        args: argv,
        options: { check: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
    });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    const readme = fs.readFileSync(README, "utf8");
    const rendered = withRenderedTable(readme);
    if (values.check) {
        if (rendered !== readme) throw new Error("README.md's stage config reference differs from model/stageConfig.ts: run npm run docs:config");
        console.log("README.md's stage config reference matches model/stageConfig.ts.");
        return 0;
    }
    fs.writeFileSync(README, rendered);
    console.log("README.md: stage config reference rendered from model/stageConfig.ts.");
    return 0;
}
