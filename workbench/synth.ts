import * as path from "path";
import { parseArgs } from "util";
import { resolveStack, StackTarget, STAGE_PATTERN } from "../model/stacks";
import { DEFAULT_OUT_DIR, synthesizeStage } from "./synth/stageSynthesis";
import { renderPreview } from "./synth/tree";

const HELP = `Usage: npm run synth -- <stage>... [--all-in-one] [--out DIR] [--quiet]

Synthesizes every stack of each stage offline, in one process, under Pulumi's mock runtime (no cloud, no Pulumi CLI),
prints a preview-style tree per stack and writes one deterministic manifest per stack to
<DIR>/<stage>/<stack>.json. The stage's settings come from Pulumi.<stage>.yaml.

  <stage>...     dev, prod, ... (any stage with a Pulumi.<stage>.yaml)
  --all-in-one   synthesize the single "<stage>" stack instead of the "<stage>-<layer>" stacks
  --out DIR      manifest root (default: out/synth)
  --quiet        print only one line per stack
  -h, --help     show this help`;

/** The stage argument, or an error that says what was given instead (a stack name, a hyphenated name). */
function stageArgument(given: string): string {
    if (STAGE_PATTERN.test(given)) return given;
    let stack: StackTarget | undefined;
    try {
        stack = resolveStack(given);
    } catch {
        stack = undefined;
    }
    if (stack !== undefined) {
        throw new Error(
            `"${given}" is a stack name; synth takes a stage and synthesizes every stack of it, ${given} included:\n` +
                `  npm run synth -- ${stack.stage}\n  (its manifest is out/synth/${stack.stage}/${given}.json)`,
        );
    }
    const joined = given.replace(/-/g, "");
    const hint =
        given.includes("-") && STAGE_PATTERN.test(joined)
            ? ` Stage names have no hyphens (a hyphen separates stage and layer in stack names): "${joined}"?`
            : "";
    throw new Error(`"${given}" is not a stage name: 2-12 lowercase letters and digits, starting with a letter.${hint}\n\n${HELP}`);
}

export async function main(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            "all-in-one": { type: "boolean", default: false },
            out: { type: "string", default: DEFAULT_OUT_DIR },
            quiet: { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    if (positionals.length === 0) throw new Error(`expected at least one stage, got none\n\n${HELP}`);
    // Every argument is checked before the first synthesis, so a typo fails at once.
    for (const stage of positionals.map(stageArgument)) {
        const started = process.hrtime.bigint();
        const manifests = await synthesizeStage({
            stage,
            allInOne: values["all-in-one"],
            outDir: path.resolve(values.out),
            onStack: (manifest, file) => {
                if (!values.quiet) console.log(`${renderPreview(manifest)}\n`);
                console.log(`${manifest.stack}: ${manifest.resources.length} resources -> ${path.relative(process.cwd(), file ?? "")}`);
            },
        });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        console.log(`Synthesized ${manifests.length} stack(s) of stage ${stage} in ${seconds.toFixed(2)}s (verified under mocks).`);
    }
    return 0;
}
