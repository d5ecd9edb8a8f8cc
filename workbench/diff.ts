import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { REPO_ROOT } from "../model/repository";
import { STAGE_PATTERN } from "../model/stacks";
import { diffStage, StageDiff } from "./diff/manifestDiff";
import { renderMarkdown, renderText } from "./diff/render";
import { rehearse } from "./diff/rehearse";
import { readManifests, resolveRef, SideError, stagesIn, synthesizeTree, withWorktree } from "./diff/sides";

const HELP = `Usage:
  npm run diff -- <stage>... [--base <git-ref>] [--rehearse] [--markdown] [--out FILE] [--json FILE] [--manifests DIR]
  npm run diff -- <base-dir> <head-dir> [--stage STAGE] [--markdown] [--out FILE] [--json FILE]

What a change does to each stack, as a reviewer needs to see it before it is applied. The first
form synthesizes each stage twice, from <git-ref> (default HEAD) in a temporary git worktree and
from the working tree, into fresh directories; the second compares manifests already written by
npm run synth (<dir>/<stage>/<stack>.json).

Per stage, stacks in deploy order, each synthesized with the head outputs of the stacks below it;
per resource: create (+), update (~), replace (+-) or delete (-). Replacement follows
engine/replacements.ts (the inputs each provider replaces on; for components, the children an
input replaces), including resources whose replace-on-change input is computed from a replaced
resource, in any stack. Fake ids derive from those inputs, provider defaults filled in
(engine/providerBehaviour.ts), so stating a default is no change. Warnings, listed first and
ranked (stages that protect data first; then FAILS: the deploy fails, LOSES DATA, caution): a
protected resource, a bucket or workgroup without forceDestroy that cannot be deleted, data lost
with it, protect or retainOnDelete dropped, forceDestroy turned on where data is protected. Values
are shown in full: long and multi-line strings as unified diffs, JSON documents (policies, the
Presto view of a Glue view, base64-decoded) pretty-printed; secrets stay masked as in the manifests.

Offline: compares what the program declares, not a deployed stack; \`pulumi preview\` is the word
of record (npm run stage -- preview <stage>).

  <stage>           dev, prod, ... (several may be given)
  --base REF        git commit, branch or tag to compare against (stage form; default HEAD)
  --rehearse        also a dress rehearsal on the real engine, offline (stage form): the base
                    deployed into a scratch file backend with the offline providers, then the
                    working tree applied over it stack by stack in deploy order through
                    npm run stage -- up <stage> --offline, with the policy pack; the engine's own
                    steps per stack, cross-stack effects included, and any failure (protect, a
                    policy, a plan that no longer matches), in the same report format
  --stage STAGE     only this stage (directory form; default: every stage found)
  --markdown        print Markdown (as for a pull-request comment) instead of text
  --out FILE        also write the Markdown to FILE
  --json FILE       also write the diff as JSON to FILE (workbench/prComment.ts reads it)
  --manifests DIR   keep the synthesized manifests in DIR/base and DIR/head (stage form)
  -h, --help        show this help

Exit status: 0 when the diff was made (changes or not), 1 when --rehearse found that applying
the change fails, 2 when the diff could not be made (bad arguments, a ref that does not exist, a
synthesis that failed: the diff never reports a failed synthesis as "no changes").`;

export interface DiffRun {
    title: string;
    stages: StageDiff[];
    /** The base commit, in the stage form. */
    base?: string;
    /** The dress rehearsal's report, per stage (--rehearse). */
    rehearsals?: StageDiff[];
    /** How the base's dependencies were provided, in the stage form. */
    dependencies?: string;
}

function diffDirectories(base: string, head: string, stages: readonly string[]): StageDiff[] {
    return stages.map((stage) => diffStage(stage, readManifests(base, stage), readManifests(head, stage)));
}

/** The stage form: synthesize `stages` at `ref` and in the working tree, then compare. */
export function diffAgainstRef(
    stages: readonly string[],
    ref: string,
    options: { repoRoot?: string; manifestsDir?: string; log?: (line: string) => void } = {},
): DiffRun {
    const repoRoot = options.repoRoot ?? REPO_ROOT;
    const commit = resolveRef(repoRoot, ref);
    const keep = options.manifestsDir !== undefined;
    const root = keep ? path.resolve(options.manifestsDir!) : fs.mkdtempSync(path.join(os.tmpdir(), "spotify-diff-"));
    const [baseDir, headDir] = [path.join(root, "base"), path.join(root, "head")];
    // Never compare what an earlier run left there.
    fs.rmSync(baseDir, { recursive: true, force: true });
    fs.rmSync(headDir, { recursive: true, force: true });
    try {
        let dependencies = "";
        withWorktree(
            repoRoot,
            commit,
            (worktree, source) => {
                dependencies = source;
                synthesizeTree(worktree, stages, baseDir, `${ref} (${commit.slice(0, 12)})`);
            },
            options.log,
        );
        synthesizeTree(repoRoot, stages, headDir, "the working tree");
        for (const stage of stages) {
            if (!fs.existsSync(path.join(baseDir, stage)) && !fs.existsSync(path.join(headDir, stage))) {
                throw new SideError(`stage ${stage} has no Pulumi.${stage}.yaml at ${ref} nor in the working tree`);
            }
        }
        return { title: `${ref} (${commit.slice(0, 12)}) → working tree`, stages: diffDirectories(baseDir, headDir, stages), dependencies, base: commit };
    } finally {
        if (!keep) fs.rmSync(root, { recursive: true, force: true });
    }
}

export function main(argv: string[]): number {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            options: {
                base: { type: "string" },
                stage: { type: "string" },
                markdown: { type: "boolean", default: false },
                rehearse: { type: "boolean", default: false },
                out: { type: "string" },
                json: { type: "string" },
                manifests: { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
        });
    } catch (error) {
        console.error(`diff: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
        return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    const directoryForm = positionals.length === 2 && positionals.every((entry) => fs.existsSync(entry) && fs.statSync(entry).isDirectory());
    let run: DiffRun;
    let rehearsalFailed = false;
    try {
        if (directoryForm) {
            if (values.base !== undefined || values.manifests !== undefined || values.rehearse)
                throw new SideError("--base, --manifests and --rehearse belong to the stage form (npm run diff -- <stage> --base <ref>)");
            const [base, head] = positionals.map((directory) => path.resolve(directory));
            run = {
                title: `${path.relative(process.cwd(), base) || base} → ${path.relative(process.cwd(), head) || head}`,
                stages: diffDirectories(base, head, values.stage !== undefined ? [values.stage] : stagesIn(base, head)),
            };
        } else {
            if (positionals.length === 0) throw new SideError("expected a stage (or a base and a head directory)");
            const invalid = positionals.filter((stage) => !STAGE_PATTERN.test(stage));
            if (invalid.length > 0) throw new SideError(`${invalid.join(", ")}: neither a stage name nor, with one other, two existing directories`);
            if (values.stage !== undefined) throw new SideError("--stage belongs to the directory form; name the stages as arguments");
            const ref = values.base ?? "HEAD";
            run = diffAgainstRef(positionals, ref, { manifestsDir: values.manifests, log: (line) => console.error(line) });
            console.error(`diff: base dependencies: ${describeDependencies(run.dependencies)}`);
            if (values.rehearse) {
                const rehearsals = rehearse(REPO_ROOT, run.base!, positionals, (line) => console.error(line));
                run.rehearsals = rehearsals.map((rehearsal) => rehearsal.stage);
                rehearsalFailed = rehearsals.some((rehearsal) => rehearsal.status !== 0);
            }
        }
    } catch (error) {
        if (error instanceof SideError) {
            console.error(`diff: ${error.message}${error.message.startsWith("expected") ? `\n\n${HELP}` : ""}`);
            return 2;
        }
        throw error;
    }
    const rehearsalTitle = `dress rehearsal on the real engine, offline: ${run.title.replace(" → ", " deployed, then ")} applied stack by stack`;
    const rehearsals = run.rehearsals ?? [];
    const markdown = [
        renderMarkdown(run.stages, { title: run.title }),
        ...(rehearsals.length > 0 ? ["## Dress rehearsal", "", renderMarkdown(rehearsals, { title: rehearsalTitle })] : []),
    ].join("\n");
    const text = [
        renderText(run.stages, { title: run.title }),
        ...(rehearsals.length > 0 ? ["DRESS REHEARSAL", "", renderText(rehearsals, { title: rehearsalTitle })] : []),
    ].join("\n");
    console.log(values.markdown ? markdown : text);
    if (values.out !== undefined) fs.writeFileSync(values.out, markdown);
    if (values.json !== undefined) fs.writeFileSync(values.json, JSON.stringify(run, null, 2) + "\n");
    if (rehearsalFailed) {
        console.error("diff: the dress rehearsal failed: applying this change fails (see its report above)");
        return 1;
    }
    return 0;
}

function describeDependencies(source: string | undefined): string {
    switch (source) {
        case "shared":
            return "the working tree's node_modules (same package-lock.json)";
        case "cached":
            return "installed earlier from the base's package-lock.json (cache)";
        case "installed":
            return "npm ci from the base's package-lock.json";
        default:
            return "unknown";
    }
}
