import * as path from "path";
import { parseArgs } from "util";
import { DEFAULT_OUT_DIR, synthesizeStage } from "./synth/stage";
import { renderPreview } from "./synth/tree";

const HELP = `Usage: npm run synth -- <stage> [--all-in-one] [--out DIR] [--quiet]

Synthesizes every stack of a stage offline, under Pulumi's mock runtime (no cloud, no Pulumi CLI),
prints a preview-style tree per stack and writes one deterministic manifest per stack to
<DIR>/<stage>/<stack>.json. The stage's settings come from Pulumi.<stage>.yaml.

  <stage>        dev, prod, ... (any stage with a Pulumi.<stage>.yaml)
  --all-in-one   synthesize the single "<stage>" stack instead of the "<stage>-<layer>" stacks
  --out DIR      manifest root (default: out/synth)
  --quiet        print only one line per stack
  -h, --help     show this help`;

async function main(): Promise<void> {
    const { values, positionals } = parseArgs({
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
        return;
    }
    if (positionals.length !== 1) {
        throw new Error(`expected exactly one stage, got ${positionals.length === 0 ? "none" : positionals.join(" ")}\n\n${HELP}`);
    }
    const started = process.hrtime.bigint();
    const manifests = await synthesizeStage({
        stage: positionals[0],
        allInOne: values["all-in-one"],
        outDir: path.resolve(values.out),
        onStack: (manifest, file) => {
            if (!values.quiet) console.log(`${renderPreview(manifest)}\n`);
            console.log(`${manifest.stack}: ${manifest.resources.length} resources -> ${path.relative(process.cwd(), file ?? "")}`);
        },
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`Synthesized ${manifests.length} stack(s) of stage ${positionals[0]} in ${seconds.toFixed(2)}s (verified under mocks).`);
}

main().catch((error: unknown) => {
    console.error(`synth: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
});
