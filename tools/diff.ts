import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { diffManifests, renderDiff } from "./diff/manifestDiff";
import type { Manifest } from "./synth/manifest";

const HELP = `Usage: npm run diff -- <base-dir> <head-dir> [--stage STAGE] [--out FILE]

Compares two sets of synthesized manifests (as written by npm run synth, <dir>/<stage>/<stack>.json),
for example main's and a pull request's, and prints what would change per stack: resources to
create, update (with every changed input and option) and delete, and changed outputs. Deleting a
protected resource or dropping protect/retainOnDelete is flagged. Offline: compares manifests, not
a deployed stack; \`pulumi preview\` is the word of record.

  --stage STAGE  only this stage (default: every stage found in either directory)
  --out FILE     also write the Markdown to FILE
  -h, --help     show this help`;

function readManifests(root: string, stage: string): Map<string, Manifest> {
    const directory = path.join(root, stage);
    if (!fs.existsSync(directory)) return new Map();
    return new Map(
        fs
            .readdirSync(directory)
            .filter((file) => file.endsWith(".json"))
            .map((file) => [file, JSON.parse(fs.readFileSync(path.join(directory, file), "utf8")) as Manifest]),
    );
}

function stagesIn(...roots: string[]): string[] {
    return [...new Set(roots.flatMap((root) => (fs.existsSync(root) ? fs.readdirSync(root).filter((entry) => fs.statSync(path.join(root, entry)).isDirectory()) : [])))].sort();
}

function main(): number {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: { stage: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    if (positionals.length !== 2) {
        console.error(`diff: expected a base and a head directory\n\n${HELP}`);
        return 2;
    }
    const [base, head] = positionals.map((directory) => path.resolve(directory));
    for (const directory of [base, head]) {
        if (!fs.existsSync(directory)) {
            console.error(`diff: ${directory} does not exist (write manifests there with npm run synth -- <stage> --out DIR)`);
            return 2;
        }
    }
    const sections: string[] = [];
    for (const stage of values.stage !== undefined ? [values.stage] : stagesIn(base, head)) {
        const before = readManifests(base, stage);
        const after = readManifests(head, stage);
        const files = [...new Set([...before.keys(), ...after.keys()])].sort();
        sections.push(`## Stage ${stage}\n\n${renderDiff(files.map((file) => diffManifests(before.get(file), after.get(file))))}`);
    }
    const markdown = sections.join("\n");
    console.log(markdown);
    if (values.out !== undefined) fs.writeFileSync(values.out, markdown);
    return 0;
}

process.exitCode = main();
