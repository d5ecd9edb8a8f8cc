import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { PolicyCheck, stageManifestsToCheck } from "./policy/check";
import { LAUNCHERS, Launcher } from "./policy/host";
import { passed, PolicyReport, renderMarkdown, renderText } from "./policy/report";
import { REPO_ROOT } from "../infra/repository";
import { readStageConfigFile } from "./synth/stageConfig";

const HELP = `Usage: npm run policy -- <stage> [--fixture NAME] [--launcher engine|tsx] [--out DIR]

Runs the policy pack policies/ (spotify-guardrails) offline against a stage, the way
\`pulumi preview --policy-pack policies --policy-pack-config policies/config/<stage>.json\` does:
the pack is started as the engine starts it and asked through the analyzer protocol
(Analyze per resource, AnalyzeStack per stack). No cloud, no Pulumi CLI.

The stage's stacks are always synthesized afresh, in process (every layer stack and the
all-in-one stack; manifests are written to out/synth/<stage>/). Violations are printed per stack
and resource with their enforcement level, and written to <DIR>/<stage>.json and .md.

  <stage>           dev, prod, ... (needs Pulumi.<stage>.yaml and policies/config/<stage>.json)
  --fixture NAME    check the fixture program policies/fixtures/NAME.ts (stack "<stage>") instead
                    of the real program; reports go to <DIR>/<stage>-fixture-NAME.json and .md
  --launcher L      engine (default): the pulumi-analyzer-policy way, ts-node with type checking;
                    tsx: the same pack loaded by tsx, without type checking
  --out DIR         report directory (default: out/policy)
  -h, --help        show this help

Exit status: 0 when there is no mandatory violation (advisory ones are reported), 1 when there is
at least one, 2 when the check could not run (bad arguments, synthesis or pack failure).`;

async function main(): Promise<number> {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: {
            fixture: { type: "string" },
            launcher: { type: "string", default: "engine" },
            out: { type: "string", default: path.join(REPO_ROOT, "out", "policy") },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    if (positionals.length !== 1) {
        console.error(`policy: expected exactly one stage, got ${positionals.length === 0 ? "none" : positionals.join(" ")}\n\n${HELP}`);
        return 2;
    }
    if (!(values.launcher in LAUNCHERS)) {
        console.error(`policy: --launcher must be ${Object.keys(LAUNCHERS).join(" or ")}, got ${values.launcher}`);
        return 2;
    }
    const stage = positionals[0];
    const fixture = values.fixture;
    const manifests = await stageManifestsToCheck(stage, fixture);
    const check = await PolicyCheck.start(values.launcher as Launcher);
    let report: PolicyReport;
    try {
        report = await check.evaluate(manifests, { stage, stageConfig: readStageConfigFile(stage), target: fixture === undefined ? "program" : `fixture ${fixture}` });
    } finally {
        await check.stop();
    }
    console.log(renderText(report));
    const base = path.join(path.resolve(values.out), fixture === undefined ? stage : `${stage}-fixture-${fixture}`);
    fs.mkdirSync(path.dirname(base), { recursive: true });
    fs.writeFileSync(`${base}.json`, JSON.stringify(report, null, 2) + "\n");
    fs.writeFileSync(`${base}.md`, renderMarkdown(report));
    console.log(`Reports: ${path.relative(process.cwd(), base)}.json, .md`);
    return passed(report) ? 0 : 1;
}

main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
        console.error(`policy: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 2;
    },
);
