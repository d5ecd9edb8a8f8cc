import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { PolicyCheck } from "./policyCheck/check";
import { Launcher, LAUNCHER_NAMES } from "./policyCheck/host";
import { passed, renderMarkdown, renderText } from "./policyCheck/report";
import { REPO_ROOT } from "../model/repository";
import { stageManifestsToCheck } from "./policyCheck/stageCheck";
import { stageCheckSettings, writeStagePackConfig } from "../ops/policyConfig/stageSettings";

const HELP = `Usage: npm run policy -- <stage>... [--fixture NAME] [--launcher in-process|engine|tsx] [--out DIR]
       npm run policy -- <stage> --write-pack-config FILE

Runs the policy pack policies/ (spotify-guardrails) offline against each stage, the way
\`pulumi preview --policy-pack policies --policy-pack-config <the stage's config>\` does:
the pack is asked what the engine asks it (Analyze per resource, AnalyzeStack per stack), in
this process or started as the engine starts it (--launcher). No cloud, no Pulumi CLI.

The stage's policy config is derived from its Pulumi.<stage>.yaml (policies/README.md,
"Config"): its stage, name prefix, network, QuickSight principals and workgroup, and, by
spotify:protectData, its enforcement levels and minimums.

The stage's layer stacks, the ones it deploys, are always synthesized afresh, in process, once
(manifests are written to out/synth/<stage>/). Violations are printed per stack and resource with
their enforcement level, and written to <DIR>/<stage>.json and .md.

  <stage>...        dev, prod, ... (each needs its Pulumi.<stage>.yaml, nothing else);
                    several stages are checked in one process, by one pack
  --fixture NAME    check the fixture program policies/fixtures/NAME.ts (stack "<stage>") instead
                    of the real program; reports go to <DIR>/<stage>-fixture-NAME.json and .md
  --launcher L      in-process (default): the pack's rules called in this process with the
                    arguments @pulumi/policy's server gives them, so the SDK loads once and nothing
                    is serialized (type checking: npm run typecheck; policies/tests/engine.spec.ts
                    proves it reports what the engine's way does);
                    engine: started the pulumi-analyzer-policy way, ts-node with type checking,
                    and asked over the analyzer protocol;
                    tsx: the same pack started as a process and loaded by tsx, without type checking
  --out DIR         report directory (default: out/policy)
  --write-pack-config FILE
                    write the stage's --policy-pack-config to FILE for the Pulumi CLI and exit,
                    checking nothing (npm run stage -- preview|up writes it to
                    out/policy-config/<stage>.json itself)
  -h, --help        show this help

Exit status: 0 when there is no mandatory violation (advisory ones are reported), 1 when there is
at least one, 2 when the check could not run (bad arguments, synthesis or pack failure).`;

export async function main(argv: string[]): Promise<number> {
    try {
        return await check(argv);
    } catch (error) {
        console.error(`policy: ${error instanceof Error ? error.message : String(error)}`);
        return 2;
    }
}

async function check(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            fixture: { type: "string" },
            launcher: { type: "string", default: "in-process" },
            out: { type: "string", default: path.join(REPO_ROOT, "out", "policy") },
            "write-pack-config": { type: "string" },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    if (positionals.length === 0) {
        console.error(`policy: expected at least one stage, got none\n\n${HELP}`);
        return 2;
    }
    if (!(LAUNCHER_NAMES as readonly string[]).includes(values.launcher)) {
        console.error(`policy: --launcher must be ${LAUNCHER_NAMES.join(", ")}, got ${values.launcher}`);
        return 2;
    }
    const packConfigFile = values["write-pack-config"];
    if (packConfigFile !== undefined) {
        if (positionals.length !== 1 || values.fixture !== undefined) {
            console.error(
                `policy: --write-pack-config takes exactly one stage and no --fixture, got ${positionals.join(" ")}${values.fixture === undefined ? "" : " --fixture"}`,
            );
            return 2;
        }
        writeStagePackConfig(positionals[0], path.resolve(packConfigFile));
        console.log(`Policy pack config of stage ${positionals[0]}: ${packConfigFile}`);
        return 0;
    }
    const fixture = values.fixture;
    const check = await PolicyCheck.start(values.launcher as Launcher);
    let allPassed = true;
    try {
        for (const stage of positionals) {
            const settings = stageCheckSettings(stage);
            const report = await check.evaluate(await stageManifestsToCheck(stage, settings.stageConfig, fixture), {
                ...settings,
                target: fixture === undefined ? "program" : `fixture ${fixture}`,
            });
            console.log(renderText(report));
            const base = path.join(path.resolve(values.out), fixture === undefined ? stage : `${stage}-fixture-${fixture}`);
            fs.mkdirSync(path.dirname(base), { recursive: true });
            fs.writeFileSync(`${base}.json`, JSON.stringify(report, null, 2) + "\n");
            fs.writeFileSync(`${base}.md`, renderMarkdown(report));
            console.log(`Reports: ${path.relative(process.cwd(), base)}.json, .md`);
            allPassed &&= passed(report);
        }
    } finally {
        await check.stop();
    }
    return allPassed ? 0 : 1;
}
