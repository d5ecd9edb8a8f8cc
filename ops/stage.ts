import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { REPO_ROOT } from "../model/repository";
import { configFileFor, STAGE_PATTERN, stageStacks } from "../model/stacks";
import type { StageSettings } from "../model/guardrails";
import { parseStageConfig, StageConfig, StageConfigError } from "../model/stageConfig";
import { packConfigPath, stageSettings, writePackConfig } from "./policyConfig/stageSettings";
import { readStageConfigFile } from "./stageFile";
import {
    backendStacks,
    cliCommand,
    Operation,
    OPERATIONS,
    projectWorkspace,
    pulumiOptions,
    PulumiOptions,
    runOperation,
    StackOperation,
    UsageError,
} from "./stage/operation";

export { OPERATIONS, UsageError };
export type { Operation };

/** Where offline runs keep their stacks (state/, a file backend), the CLI's home and their stage-file copies. */
const OFFLINE_DIR = "out/engine";

/** The offline folder: OFFLINE_DIR, or SPOTIFY_OFFLINE_DIR (the tests keep their stacks apart from a user's). */
function offlineDir(repoRoot: string): string {
    return process.env.SPOTIFY_OFFLINE_DIR ?? path.join(repoRoot, OFFLINE_DIR);
}

const HELP = `Usage: npm run stage -- <${OPERATIONS.join("|")}> <stage> [options] [-- <extra pulumi arguments>]

Runs the real Pulumi CLI on every layer stack of a stage through Pulumi's Automation API (a
LocalWorkspace over this project; the same online and offline), in dependency order (reverse order
for destroy), each with --config-file Pulumi.<stage>.yaml; it prints the equivalent CLI command of
each stack first. preview and up also run the policy pack
(policies/) with the stage's policy config, which they first derive from Pulumi.<stage>.yaml and
write to ${packConfigPath("<stage>")} (also with --dry-run, so the printed commands run as shown).
Stops at the first stack that fails (unless --keep-going). Needs the Pulumi CLI, a backend login
and AWS credentials.

Only up creates stacks (Stack.createOrSelect). preview, refresh and destroy first list the
stage's stacks (LocalWorkspace.listStacks) and skip one that does not exist yet, with every later
layer, which reads its outputs: a new stage previews as "not deployed yet" instead of failing.
With spotify:stackReferenceOrg set in the stage file, stacks are named <org>/<stage>-<layer>.

  --offline             run the real CLI offline: Pulumi CLI 3.276.0 from ops/pulumi-cli/provision.sh
                        (built from the Go module proxy once, then cached), the offline engine's
                        language host and providers (engine/bin) first on PATH, a file backend in
                        ${OFFLINE_DIR}/state and a passphrase secrets provider (PULUMI_CONFIG_PASSPHRASE,
                        default "offline"); no cloud account is touched (verified offline only)
  --dry-run             print the pulumi commands instead of running them (stacks assumed to exist)
  --keep-going          run the later stacks even when one fails (exit status: the first failure)
  --save-plan DIR       preview: save each stack's update plan to DIR/<stack>.plan.json
  --plan DIR            up: apply exactly the plans in DIR/<stack>.plan.json (from --save-plan);
                        directories are relative to the repository root
  --plan-each DIR       up: for each stack in order, preview and save its plan (DIR/<stack>.plan.json)
                        right after the stacks below it applied, then apply exactly that plan: a
                        rollout whose plans cannot go stale on upstream outputs
  --report DIR          preview, refresh, up: also write each stack's output (DIR/<stack>.txt), its
                        engine events (DIR/<stack>.events.jsonl) and DIR/summary.json
  --confirm-destroy S   destroy of a stage that protects data (spotify:protectData: true) only
                        runs when S repeats the stage's name
  -h, --help            show this help

Options for pulumi go after "--" and are passed to every stack's operation, as the Automation API
takes them: --diff, --expect-no-changes, --refresh, --preview-only, --color C, --parallel N,
--target URN (repeatable), --message M; --yes and --non-interactive are accepted and always in
force. Any other is refused; --stack and --config-file are set by the driver, and --dry-run is a
driver option.

Examples:
  npm run stage -- preview dev -- --diff
  npm run stage -- preview prod --save-plan out/plans/prod -- --diff
  npm run stage -- up prod --plan out/plans/prod -- --yes
  npm run stage -- up prod --plan-each out/plans/prod -- --yes --refresh
  npm run stage -- refresh prod --keep-going -- --preview-only --expect-no-changes
  npm run stage -- destroy prod --confirm-destroy prod`;

/** Arguments the driver sets itself and that must not come after `--`. */
const DRIVER_OWNED = ["--stack", "-s", "--config-file", "--dry-run", "--save-plan", "--plan", "--event-log"];

export interface StageOptions {
    /** The pulumi options from after "--", for every stack's operation. */
    pulumi?: PulumiOptions;
    /** spotify:stackReferenceOrg: stacks are `<org>/<stack>` when set. */
    organization?: string;
    /** Short names of the stacks that exist; undefined means all (dry run, up). */
    existing?: ReadonlySet<string>;
    savePlanDir?: string;
    planDir?: string;
    /** up: plan each stack right before applying it (DIR/<stack>.plan.json), after the stacks below it applied. */
    planEachDir?: string;
    reportDir?: string;
}

/** One stack's step: its operation and the equivalent CLI commands (as printed), or why it is skipped. */
export interface StackStep {
    stack: string;
    qualified: string;
    commands: string[][];
    /** up with --plan-each: the preview that saves the plan the operation then applies exactly. */
    prepare?: StackOperation;
    operation?: StackOperation;
    skipped?: string;
}

function qualify(stack: string, organization: string | undefined): string {
    return organization === undefined || organization === "" ? stack : `${organization}/${stack}`;
}

function runsPolicyPack(operation: Operation): boolean {
    return operation === "preview" || operation === "up";
}

/** The stacks of `stage` in the order `operation` visits them, each with its commands. */
export function stageSteps(operation: Operation, stage: string, options: StageOptions = {}): StackStep[] {
    const stacks = stageStacks(stage, false);
    const ordered = operation === "destroy" ? [...stacks].reverse() : stacks;
    const policy = runsPolicyPack(operation);
    let missingUpstream: string | undefined;
    return ordered.map((stack) => {
        const qualified = qualify(stack, options.organization);
        const step: StackStep = { stack, qualified, commands: [] };
        if (operation !== "up" && options.existing !== undefined) {
            if (!options.existing.has(stack)) {
                step.skipped = `${qualified} does not exist yet: \`npm run stage -- up ${stage}\` creates it`;
                if (operation !== "destroy") missingUpstream ??= stack;
                return step;
            }
            if (missingUpstream !== undefined && operation !== "destroy") {
                step.skipped = `${qualified} reads the outputs of ${qualify(missingUpstream, options.organization)}, which does not exist yet: skipped until it is deployed`;
                return step;
            }
        }
        step.operation = {
            operation,
            stack: qualified,
            configFile: configFileFor(stage),
            policyPacks: policy ? ["policies"] : [],
            policyPackConfigs: policy ? [packConfigPath(stage)] : [],
            create: operation === "up",
            savePlan: options.savePlanDir === undefined ? undefined : path.join(options.savePlanDir, `${stack}.plan.json`),
            plan: options.planDir === undefined ? undefined : path.join(options.planDir, `${stack}.plan.json`),
            pulumi: options.pulumi ?? {},
        };
        if (operation === "up" && options.planEachDir !== undefined) {
            const planFile = path.join(options.planEachDir, `${stack}.plan.json`);
            step.prepare = { ...step.operation, operation: "preview", savePlan: planFile, plan: undefined };
            step.operation.plan = planFile;
        }
        if (operation === "up") step.commands.push(["pulumi", "stack", "select", "--create", qualified]);
        if (step.prepare !== undefined) step.commands.push(cliCommand(step.prepare));
        step.commands.push(cliCommand(step.operation));
        return step;
    });
}

/** The pulumi invocations that apply `operation` to every layer stack of `stage`, in order. */
export function stageCommands(operation: Operation, stage: string, extraArgs: readonly string[] = [], options: Omit<StageOptions, "pulumi"> = {}): string[][] {
    return stageSteps(operation, stage, { ...options, pulumi: pulumiOptions(extraArgs, operation) }).flatMap((step) => step.commands);
}

/** `pulumi stack ls --json`, scoped to the organization when one is configured. */

export interface ParsedArgs {
    operation: Operation;
    stage: string;
    dryRun: boolean;
    keepGoing: boolean;
    offline: boolean;
    extraArgs: string[];
    /** The pulumi options of extraArgs, as the Automation API takes them. */
    pulumi: PulumiOptions;
    savePlanDir?: string;
    planDir?: string;
    planEachDir?: string;
    reportDir?: string;
    confirmDestroy?: string;
}

/** Parses and checks the command line; every mistake is a UsageError with a message for a person. */
export function parseStageArgs(argv: readonly string[]): ParsedArgs | "help" {
    const separator = argv.indexOf("--");
    const own = separator < 0 ? [...argv] : argv.slice(0, separator);
    const extraArgs = separator < 0 ? [] : argv.slice(separator + 1);
    let parsed;
    try {
        parsed = parseArgs({
            args: own,
            allowPositionals: true,
            strict: true,
            options: {
                "dry-run": { type: "boolean", default: false },
                offline: { type: "boolean", default: false },
                "keep-going": { type: "boolean", default: false },
                "save-plan": { type: "string" },
                plan: { type: "string" },
                "plan-each": { type: "string" },
                report: { type: "string" },
                "confirm-destroy": { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
        });
    } catch (error) {
        const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, "") : String(error);
        const unknown = /Unknown option '([^']+)'/.exec(message)?.[1];
        throw new UsageError(
            unknown !== undefined
                ? `unknown option ${unknown} (an option for pulumi goes after "--": npm run stage -- <operation> <stage> -- ${unknown})`
                : message,
        );
    }
    const { values, positionals } = parsed;
    if (values.help) return "help";
    const [operation, stage, ...rest] = positionals;
    if (!(OPERATIONS as readonly string[]).includes(operation ?? ""))
        throw new UsageError(`expected an operation (${OPERATIONS.join(", ")}), got ${operation === undefined ? "none" : `"${operation}"`}`);
    if (stage === undefined) throw new UsageError(`expected a stage after ${operation}`);
    if (!STAGE_PATTERN.test(stage))
        throw new UsageError(`"${stage}" is not a stage name (lowercase letters and digits, 2-12 characters, starting with a letter)`);
    if (rest.length > 0) throw new UsageError(`unexpected argument(s) ${rest.join(" ")} (arguments for pulumi go after "--")`);
    for (const argument of extraArgs) {
        const name = argument.split("=")[0];
        if (DRIVER_OWNED.includes(name)) {
            throw new UsageError(
                name === "--dry-run"
                    ? `--dry-run after "--" would reach pulumi: it is a driver option, put it before "--" (npm run stage -- ${operation} ${stage} --dry-run)`
                    : `${name} is set by the driver for every stack; it cannot be passed to pulumi after "--"`,
            );
        }
    }
    const savePlanDir = values["save-plan"];
    const planDir = values.plan;
    if (savePlanDir !== undefined && operation !== "preview") throw new UsageError("--save-plan belongs to preview");
    if (planDir !== undefined && operation !== "up") throw new UsageError("--plan belongs to up");
    const planEachDir = values["plan-each"];
    if (planEachDir !== undefined && operation !== "up") throw new UsageError("--plan-each belongs to up");
    if (planEachDir !== undefined && planDir !== undefined)
        throw new UsageError("--plan applies plans made earlier, --plan-each makes each right before applying it: choose one");
    if (values.report !== undefined && operation === "destroy") throw new UsageError("--report belongs to preview, refresh and up");
    if (values["confirm-destroy"] !== undefined && operation !== "destroy") throw new UsageError("--confirm-destroy belongs to destroy");
    return {
        operation: operation as Operation,
        stage,
        dryRun: values["dry-run"],
        offline: values.offline,
        keepGoing: values["keep-going"],
        extraArgs,
        pulumi: pulumiOptions(extraArgs, operation as Operation),
        savePlanDir,
        planDir,
        planEachDir,
        reportDir: values.report,
        confirmDestroy: values["confirm-destroy"],
    };
}

/** What the driver knows of a stage once its file is read and checked. */
export interface CheckedStage {
    /** spotify:stackReferenceOrg, when set. */
    organization?: string;
    protectData: boolean;
    /** The settings the policy pack's config derives from (preview and up, which run the pack). */
    policySettings?: StageSettings;
}

/**
 * What a stage must have before the real CLI is run on it, its file read and validated once; throws
 * a UsageError naming the missing file, or, for preview and up, whose policy config derives from
 * it, the problems of its stage file. Refresh and destroy work from the stacks' state, so a stage
 * whose file the program now rejects can still be refreshed or torn down: its two settings they
 * need are then read as written.
 */
export function checkStage(args: ParsedArgs, repoRoot: string = REPO_ROOT): CheckedStage {
    const stageFile = configFileFor(args.stage);
    if (!fs.existsSync(path.join(repoRoot, stageFile))) throw new UsageError(`${stageFile} not found: a stage is defined by its Pulumi.<stage>.yaml`);
    const raw = readStageConfigFile(args.stage, repoRoot);
    let config: StageConfig | undefined;
    try {
        config = parseStageConfig(raw, args.stage, stageFile);
    } catch (error) {
        if (!(error instanceof StageConfigError)) throw error;
        if (runsPolicyPack(args.operation))
            throw new UsageError(`the policy pack's config derives from ${stageFile}, which the program rejects: ${error.message}`);
    }
    const protectData = config?.protectData ?? raw["spotify:protectData"] === "true";
    if (args.operation === "destroy" && protectData && args.confirmDestroy !== args.stage) {
        throw new UsageError(
            `stage ${args.stage} protects its data (spotify:protectData: true in ${stageFile}): destroying it needs --confirm-destroy ${args.stage}` +
                (args.confirmDestroy !== undefined ? ` (got --confirm-destroy ${args.confirmDestroy})` : "") +
                ". Protected resources still refuse deletion until protect is removed.",
        );
    }
    if (args.planDir !== undefined) {
        const missing = stageStacks(args.stage, false).filter((stack) => !fs.existsSync(path.resolve(repoRoot, args.planDir!, `${stack}.plan.json`)));
        if (missing.length > 0 && !args.dryRun)
            throw new UsageError(`--plan ${args.planDir}: no plan for ${missing.join(", ")} (make them with preview --save-plan ${args.planDir})`);
    }
    const organization = (config?.stackReferenceOrg ?? raw["spotify:stackReferenceOrg"])?.trim();
    return {
        organization: organization === "" ? undefined : organization,
        protectData,
        policySettings: config !== undefined && runsPolicyPack(args.operation) ? stageSettings(config) : undefined,
    };
}

/**
 * The environment of an offline run: the pinned CLI (provisioned, built once if need be) and the
 * offline engine's plugins first on PATH, a file backend and a CLI home under out/engine/.
 */
export function offlineEnvironment(repoRoot: string = REPO_ROOT, log: (line: string) => void = console.log): NodeJS.ProcessEnv {
    const provisioned = spawnSync("bash", [path.join(repoRoot, "ops", "pulumi-cli", "provision.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    if (provisioned.status !== 0)
        throw new Error(`ops/pulumi-cli/provision.sh failed (exit ${provisioned.status ?? provisioned.signal}): see its output above`);
    const state = path.join(offlineDir(repoRoot), "state");
    const home = path.join(offlineDir(repoRoot), "home");
    for (const directory of [state, home]) fs.mkdirSync(directory, { recursive: true });
    log(
        `stage: offline: the real Pulumi CLI with the offline engine, state in ${state.startsWith(`${repoRoot}${path.sep}`) ? path.relative(repoRoot, state) : state}`,
    );
    return {
        ...process.env,
        PATH: [path.join(repoRoot, "engine", "bin"), provisioned.stdout.trim(), path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
        PULUMI_BACKEND_URL: `file://${state}`,
        PULUMI_HOME: home,
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "offline",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
}

/**
 * The stage file an offline run hands the CLI: a copy beside the offline state. The passphrase
 * secrets provider writes its encryption salt into the config file it is given, and the CLI rewrites
 * that file whole; the repository's stage file is never written. The salt of an earlier run is kept.
 */
export function offlineConfigFile(stage: string, repoRoot: string = REPO_ROOT): string {
    const copy = path.join(offlineDir(repoRoot), "config", configFileFor(stage));
    const salt = fs.existsSync(copy) ? /^encryptionsalt: .*$/m.exec(fs.readFileSync(copy, "utf8"))?.[0] : undefined;
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.writeFileSync(copy, `${salt === undefined ? "" : `${salt}\n`}${fs.readFileSync(path.join(repoRoot, configFileFor(stage)), "utf8")}`);
    return copy;
}

/** What the engine's event log says about one stack's run: the change counts of its summary event. */
export function summarizeEvents(eventLog: string): { changeSummary?: Record<string, number>; policyViolations: number; errors: number } {
    let changeSummary: Record<string, number> | undefined;
    let policyViolations = 0;
    let errors = 0;
    for (const line of eventLog.split("\n")) {
        if (line.trim() === "") continue;
        let event: { summaryEvent?: { resourceChanges?: Record<string, number> }; policyEvent?: unknown; diagnosticEvent?: { severity?: string } };
        try {
            event = JSON.parse(line) as typeof event;
        } catch {
            continue;
        }
        if (event.summaryEvent !== undefined) changeSummary = event.summaryEvent.resourceChanges ?? {};
        if (event.policyEvent !== undefined) policyViolations++;
        if (event.diagnosticEvent?.severity === "error") errors++;
    }
    return { changeSummary, policyViolations, errors };
}

export interface StackReport {
    stack: string;
    status: "ok" | "failed" | "skipped";
    exitCode?: number;
    reason?: string;
    changeSummary?: Record<string, number>;
    policyViolations?: number;
    output?: string;
}

export interface StageReport {
    operation: Operation;
    stage: string;
    stacks: StackReport[];
}

export async function main(argv: string[]): Promise<number> {
    let args: ParsedArgs | "help";
    let checked: CheckedStage;
    try {
        args = parseStageArgs(argv);
        if (args === "help") {
            console.log(HELP);
            return 0;
        }
        checked = checkStage(args);
    } catch (error) {
        if (error instanceof UsageError) {
            console.error(`stage: ${error.message}\n\nRun npm run stage -- --help for the usage.`);
            return 2;
        }
        throw error;
    }
    const { operation, stage } = args;
    if (args.offline && !args.dryRun) Object.assign(process.env, offlineEnvironment());
    const configCopy = args.offline && !args.dryRun ? offlineConfigFile(stage) : undefined;
    if (checked.policySettings !== undefined) {
        writePackConfig(checked.policySettings, path.join(REPO_ROOT, packConfigPath(stage)));
        console.log(`stage: policy pack config of ${stage}, derived from ${configFileFor(stage)}: ${packConfigPath(stage)}`);
    }
    const workspace = args.dryRun ? undefined : await projectWorkspace();
    let existing: Set<string> | undefined;
    if (operation !== "up" && workspace !== undefined) {
        try {
            existing = await backendStacks(workspace, checked.organization);
        } catch (error) {
            console.error(
                `stage: listing the stacks failed (log in to the backend first: pulumi login): ${error instanceof Error ? error.message : String(error)}`,
            );
            return 1;
        }
    }
    const steps = stageSteps(operation, stage, {
        pulumi: args.pulumi,
        organization: checked.organization,
        existing,
        savePlanDir: args.savePlanDir,
        planDir: args.planDir,
        planEachDir: args.planEachDir,
        reportDir: args.reportDir,
    });
    for (const directory of [args.savePlanDir, args.planEachDir, args.reportDir]) {
        if (directory !== undefined && !args.dryRun) fs.mkdirSync(path.resolve(REPO_ROOT, directory), { recursive: true });
    }
    const reports: StackReport[] = [];
    let firstFailure = 0;
    for (const step of steps) {
        if (step.skipped !== undefined || step.operation === undefined) {
            console.log(`stage: ${step.skipped}`);
            reports.push({ stack: step.stack, status: "skipped", reason: step.skipped });
            continue;
        }
        if (firstFailure !== 0 && !args.keepGoing) {
            reports.push({ stack: step.stack, status: "skipped", reason: "an earlier stack failed" });
            continue;
        }
        const shown = step.commands[step.commands.length - 1];
        for (const command of step.commands) console.log(`$ ${command.join(" ")}`);
        if (workspace === undefined) {
            reports.push({ stack: step.stack, status: "ok" });
            continue;
        }
        if (step.prepare !== undefined) {
            // The plan is taken now, after the stacks below applied: it reads their new outputs.
            const planned = await runOperation(workspace, { ...step.prepare, configFile: configCopy ?? step.prepare.configFile });
            if (planned.code !== 0) {
                console.error(
                    `stage: planning ${step.qualified} failed with exit code ${planned.code}${args.keepGoing ? "" : "; it and later stacks were not touched"}.`,
                );
                reports.push({ stack: step.stack, status: "failed", exitCode: planned.code, output: planned.output });
                if (firstFailure === 0) firstFailure = planned.code;
                continue;
            }
        }
        const result = await runOperation(workspace, { ...step.operation, configFile: configCopy ?? step.operation.configFile });
        let report: StackReport = { stack: step.stack, status: "ok", output: result.output };
        if (result.code !== 0) {
            console.error(`stage: "${shown.join(" ")}" failed with exit code ${result.code}${args.keepGoing ? "" : "; later stacks were not touched"}.`);
            report = { ...report, status: "failed", exitCode: result.code };
            if (firstFailure === 0) firstFailure = result.code;
        }
        if (args.reportDir !== undefined) {
            const events = result.events.map((event) => JSON.stringify(event)).join("\n");
            fs.writeFileSync(path.resolve(REPO_ROOT, args.reportDir, `${step.stack}.events.jsonl`), events === "" ? "" : `${events}\n`);
            const summary = summarizeEvents(events);
            report.changeSummary = summary.changeSummary;
            report.policyViolations = summary.policyViolations;
            fs.writeFileSync(path.resolve(REPO_ROOT, args.reportDir, `${step.stack}.txt`), report.output ?? "");
        }
        reports.push(report);
    }
    if (args.reportDir !== undefined && !args.dryRun) {
        const stageReport: StageReport = { operation, stage, stacks: reports.map(({ output: _output, ...rest }) => rest) };
        fs.writeFileSync(path.resolve(REPO_ROOT, args.reportDir, "summary.json"), JSON.stringify(stageReport, null, 2) + "\n");
    }
    return firstFailure;
}
