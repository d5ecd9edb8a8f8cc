import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../model/repository";
import { fakePulumiCalls, fakePulumiDir, fakePulumiOperations, RecordedOperation } from "./support/fakePulumi";
import { npmRun } from "./support/npmRun";
import { LAYERS } from "../model/stacks";
import { checkStage, parseStageArgs, ParsedArgs, stageCommands, summarizeEvents, UsageError } from "../ops/stage";
import { shortStackNames } from "../ops/stage/operation";
import { readStageConfigFile, readStageEnvironments } from "../ops/stageFile";

const POLICY = (stage: string) => ["--policy-pack", "policies", "--policy-pack-config", `out/policy-config/${stage}.json`];
const ALL_STACKS = (stage: string) => JSON.stringify(LAYERS.map((layer) => ({ name: `${stage}-${layer}`, current: false })));

interface Run {
    status: number | null;
    stdout: string;
    stderr: string;
    /** Every call, as recorded. */
    calls: string[][];
    /** The engine operations among them, without the Automation API's plumbing. */
    operations: RecordedOperation[];
}

/** The calls that create or select a stack, and those that list stacks. */
const selects = (run: Run) => run.calls.filter((call) => call[0] === "stack" && (call[1] === "select" || call[1] === "init"));
const listings = (run: Run) => run.calls.filter((call) => call[0] === "stack" && call[1] === "ls");

describe("stage driver", () => {
    let fakeDir: string;
    let log: string;

    before(() => {
        ({ dir: fakeDir, log } = fakePulumiDir());
    });
    after(() => fs.rmSync(fakeDir, { recursive: true, force: true }));

    /** npm run stage -- <args>, with the fake pulumi first on PATH. */
    function stage(args: string[], env: Record<string, string> = {}): Run {
        fs.rmSync(log, { force: true });
        const result = npmRun("stage", args, { PATH: `${fakeDir}${path.delimiter}${process.env.PATH}`, FAKE_PULUMI_LOG: log, ...env });
        return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: fakePulumiCalls(log), operations: fakePulumiOperations(log) };
    }

    describe("through a fake pulumi on PATH", () => {
        it("up prod: creates or selects each layer stack, then ups it with the stage file and the policy pack, in order", () => {
            const run = stage(["up", "prod", "--", "--yes"]);
            assert.strictEqual(run.status, 0, run.stderr);
            assert.deepStrictEqual(
                selects(run).map((call) => call[call.indexOf("--stack") + 1]),
                LAYERS.map((layer) => `prod-${layer}`),
            );
            assert.deepStrictEqual(
                run.operations,
                LAYERS.map((layer) => ({ operation: "up", stack: `prod-${layer}`, args: [...POLICY("prod"), "--config-file", "Pulumi.prod.yaml"] })),
            );
            // The policy config it passed, derived from Pulumi.prod.yaml (test/policyConfig.spec.ts checks the derivation).
            const written = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, POLICY("prod")[3]), "utf8")) as Record<
                string,
                { enforcementLevel: string; stage?: string }
            >;
            assert.deepStrictEqual([written["data-protection"].enforcementLevel, written["s3-bucket-naming"].stage], ["mandatory", "prod"]);
        });

        it("preview never creates a stack, and lists the stacks first", () => {
            const run = stage(["preview", "dev", "--", "--diff"], { FAKE_PULUMI_STACKS: ALL_STACKS("dev") });
            assert.strictEqual(run.status, 0, run.stderr);
            assert.ok(run.calls.findIndex((call) => call[1] === "ls") < run.calls.findIndex((call) => call[0] === "preview"), "lists the stacks first");
            assert.ok(!run.calls.some((call) => call[1] === "init" || call.includes("--create")), "never creates a stack");
            assert.deepStrictEqual(
                run.operations,
                LAYERS.map((layer) => ({
                    operation: "preview",
                    stack: `dev-${layer}`,
                    args: ["--diff", ...POLICY("dev"), "--config-file", "Pulumi.dev.yaml"],
                })),
            );
        });

        it("previews a new stage as not deployed yet, skipping the layers above a missing stack", () => {
            const none = stage(["preview", "dev"]);
            assert.strictEqual(none.status, 0, none.stderr);
            assert.strictEqual(listings(none).length, 1);
            assert.deepStrictEqual(none.operations, []);
            assert.match(none.stdout, /dev-network does not exist yet: `npm run stage -- up dev` creates it/);
            const partial = stage(["preview", "dev"], {
                FAKE_PULUMI_STACKS: JSON.stringify([{ name: "dev-network" }, { name: "acme/dev-storage" }, { name: "dev-queries" }]),
            });
            assert.strictEqual(partial.status, 0, partial.stderr);
            assert.deepStrictEqual(
                partial.operations.map((operation) => `${operation.operation} ${operation.stack}`),
                ["preview dev-network", "preview dev-storage"],
            );
            assert.match(partial.stdout, /dev-etl does not exist yet/);
            assert.match(partial.stdout, /dev-queries reads the outputs of dev-etl, which does not exist yet: skipped until it is deployed/);
        });

        it("refresh and destroy never create stacks; destroy goes in reverse order without the policy pack", () => {
            const refresh = stage(["refresh", "dev", "--", "--preview-only", "--expect-no-changes"], { FAKE_PULUMI_STACKS: ALL_STACKS("dev") });
            assert.strictEqual(refresh.status, 0, refresh.stderr);
            assert.deepStrictEqual(
                refresh.operations,
                LAYERS.map((layer) => ({
                    operation: "refresh",
                    stack: `dev-${layer}`,
                    args: ["--preview-only", "--expect-no-changes", "--config-file", "Pulumi.dev.yaml"],
                })),
            );
            const destroy = stage(["destroy", "dev", "--", "--yes"], { FAKE_PULUMI_STACKS: ALL_STACKS("dev") });
            assert.strictEqual(destroy.status, 0, destroy.stderr);
            assert.deepStrictEqual(
                destroy.operations,
                [...LAYERS].reverse().map((layer) => ({ operation: "destroy", stack: `dev-${layer}`, args: ["--config-file", "Pulumi.dev.yaml"] })),
            );
            for (const run of [refresh, destroy])
                assert.ok(!run.calls.some((call) => call.includes("--create") || call[1] === "init"), "never creates a stack");
        });

        it("destroy of a protected stage refuses without --confirm-destroy <stage>", () => {
            const refused = stage(["destroy", "prod"], { FAKE_PULUMI_STACKS: ALL_STACKS("prod") });
            assert.strictEqual(refused.status, 2);
            assert.deepStrictEqual(refused.calls, []);
            assert.match(
                refused.stderr,
                /stage prod protects its data \(spotify:protectData: true in Pulumi\.prod\.yaml\): destroying it needs --confirm-destroy prod/,
            );
            const wrong = stage(["destroy", "prod", "--confirm-destroy", "dev"], { FAKE_PULUMI_STACKS: ALL_STACKS("prod") });
            assert.strictEqual(wrong.status, 2);
            assert.deepStrictEqual(wrong.calls, []);
            const confirmed = stage(["destroy", "prod", "--confirm-destroy", "prod"], { FAKE_PULUMI_STACKS: ALL_STACKS("prod") });
            assert.strictEqual(confirmed.status, 0, confirmed.stderr);
            assert.deepStrictEqual(
                confirmed.operations.map((operation) => operation.stack),
                ["prod-dashboards", "prod-queries", "prod-etl", "prod-storage", "prod-network"],
            );
        });

        it("stops at the first failing stack with its exit code, or runs them all with --keep-going", () => {
            const env = { FAKE_PULUMI_STACKS: ALL_STACKS("dev"), FAKE_PULUMI_FAIL: "dev-etl" };
            const stopped = stage(["preview", "dev"], env);
            assert.strictEqual(stopped.status, 3);
            assert.deepStrictEqual(
                stopped.operations.map((operation) => operation.stack),
                ["dev-network", "dev-storage", "dev-etl"],
            );
            assert.match(stopped.stderr, /failed with exit code 3; later stacks were not touched/);
            const all = stage(["preview", "dev", "--keep-going"], env);
            assert.strictEqual(all.status, 3);
            assert.deepStrictEqual(
                all.operations.map((operation) => operation.stack),
                ["dev-network", "dev-storage", "dev-etl", "dev-queries", "dev-dashboards"],
            );
        });

        it("saves and applies update plans per stack", () => {
            const plans = fs.mkdtempSync(path.join(os.tmpdir(), "plans-"));
            try {
                const preview = stage(["preview", "prod", "--save-plan", plans], { FAKE_PULUMI_STACKS: ALL_STACKS("prod") });
                assert.strictEqual(preview.status, 0, preview.stderr);
                assert.deepStrictEqual(
                    preview.operations.map((operation) =>
                        operation.args.slice(operation.args.indexOf("--save-plan"), operation.args.indexOf("--save-plan") + 2),
                    ),
                    LAYERS.map((layer) => ["--save-plan", path.join(plans, `prod-${layer}.plan.json`)]),
                );
                // Without the plans (the fake wrote them), up refuses before running pulumi.
                for (const layer of LAYERS) fs.rmSync(path.join(plans, `prod-${layer}.plan.json`));
                const missing = stage(["up", "prod", "--plan", plans]);
                assert.strictEqual(missing.status, 2);
                assert.match(missing.stderr, /no plan for prod-network, prod-storage, prod-etl, prod-queries, prod-dashboards/);
                for (const layer of LAYERS) fs.writeFileSync(path.join(plans, `prod-${layer}.plan.json`), "{}");
                const up = stage(["up", "prod", "--plan", plans, "--", "--yes"]);
                assert.strictEqual(up.status, 0, up.stderr);
                assert.deepStrictEqual(up.operations[0], {
                    operation: "up",
                    stack: "prod-network",
                    args: [...POLICY("prod"), "--plan", path.join(plans, "prod-network.plan.json"), "--config-file", "Pulumi.prod.yaml"],
                });
            } finally {
                fs.rmSync(plans, { recursive: true, force: true });
            }
        });

        it("--plan-each plans every stack right before applying exactly that plan, in deploy order, and stops at a stack whose plan fails", () => {
            const plans = fs.mkdtempSync(path.join(os.tmpdir(), "plan-each-"));
            try {
                const up = stage(["up", "prod", "--plan-each", plans, "--", "--yes", "--refresh"]);
                assert.strictEqual(up.status, 0, up.stderr);
                assert.deepStrictEqual(
                    up.operations.map((operation) => `${operation.operation} ${operation.stack} ${operation.args.includes("--refresh") ? "refresh" : ""}`),
                    LAYERS.flatMap((layer) => [`preview prod-${layer} refresh`, `up prod-${layer} refresh`]),
                );
                for (const [index, layer] of LAYERS.entries()) {
                    const [preview, apply] = up.operations.slice(2 * index, 2 * index + 2);
                    const planFile = path.join(plans, `prod-${layer}.plan.json`);
                    assert.strictEqual(preview.args[preview.args.indexOf("--save-plan") + 1], planFile);
                    assert.strictEqual(apply.args[apply.args.indexOf("--plan") + 1], planFile);
                }
                const failing = stage(["up", "prod", "--plan-each", plans, "--", "--yes"], { FAKE_PULUMI_FAIL: "prod-etl" });
                assert.strictEqual(failing.status, 3);
                assert.deepStrictEqual(
                    failing.operations.map((operation) => `${operation.operation} ${operation.stack}`),
                    ["preview prod-network", "up prod-network", "preview prod-storage", "up prod-storage", "preview prod-etl"],
                );
                assert.match(failing.stderr, /planning prod-etl failed with exit code 3; it and later stacks were not touched/);
                assert.match(stage(["up", "prod", "--plan-each", plans, "--plan", plans]).stderr, /choose one/);
            } finally {
                fs.rmSync(plans, { recursive: true, force: true });
            }
        });

        it("writes a report of each stack's preview: its output and the change summary of its engine events", () => {
            const report = fs.mkdtempSync(path.join(os.tmpdir(), "report-"));
            try {
                const run = stage(["preview", "dev", "--report", report], { FAKE_PULUMI_STACKS: JSON.stringify([{ name: "dev-network" }]) });
                assert.strictEqual(run.status, 0, run.stderr);
                assert.ok(
                    fs.readFileSync(path.join(report, "dev-network.events.jsonl"), "utf8").includes('"summaryEvent"'),
                    "the engine's events, as the driver received them",
                );
                const summary = JSON.parse(fs.readFileSync(path.join(report, "summary.json"), "utf8")) as { stacks: { status: string }[] };
                assert.deepStrictEqual(summary.stacks[0], {
                    stack: "dev-network",
                    status: "ok",
                    changeSummary: { same: 40, update: 2, replace: 1 },
                    policyViolations: 0,
                });
                assert.deepStrictEqual(
                    summary.stacks.slice(1).map((stack) => stack.status),
                    ["skipped", "skipped", "skipped", "skipped"],
                );
                assert.strictEqual(fs.readFileSync(path.join(report, "dev-network.txt"), "utf8"), "fake pulumi: dev-network\n");
            } finally {
                fs.rmSync(report, { recursive: true, force: true });
            }
        });

        it("turns mistakes into usage errors, not stack traces, and never forwards --dry-run", () => {
            for (const [args, message] of [
                [["preview", "dev", "--diff"], /unknown option --diff \(an option for pulumi goes after "--"/],
                [["preview", "dev", "--", "--dry-run"], /--dry-run after "--" would reach pulumi: it is a driver option, put it before "--"/],
                [["preview", "dev", "--", "--stack", "other"], /--stack is set by the driver/],
                [
                    ["preview", "dev", "--", "--show-sames"],
                    /pulumi option --show-sames is not one the driver passes on .* it takes --diff, --expect-no-changes/,
                ],
                [["refresh", "dev", "--", "--diff"], /--diff is not an option of pulumi refresh/],
                [["deploy", "dev"], /expected an operation \(preview, up, destroy, refresh\), got "deploy"/],
                [["up", "dev", "--save-plan", "x"], /--save-plan belongs to preview/],
                [["up", "dev", "extra"], /unexpected argument\(s\) extra/],
            ] as [string[], RegExp][]) {
                assert.throws(
                    () => parseStageArgs(args),
                    (error: unknown) => error instanceof UsageError && message.test(error.message),
                    args.join(" "),
                );
            }
            assert.throws(() => checkStage(parseStageArgs(["up", "nosuchstage"]) as ParsedArgs), /Pulumi\.nosuchstage\.yaml not found/);
            // The command line: exit status 2, the message, no stack trace, pulumi never run.
            for (const args of [
                ["preview", "dev", "--diff"],
                ["preview", "dev", "--", "--dry-run"],
            ]) {
                const run = stage(args);
                assert.strictEqual(run.status, 2, args.join(" "));
                assert.match(run.stderr, /^stage: .*\n\nRun npm run stage -- --help for the usage\.\n$/);
                assert.doesNotMatch(run.stderr, /^\s+at /m, "no stack trace");
                assert.deepStrictEqual(run.calls, [], "pulumi was not run");
            }
            const dryRun = stage(["up", "dev", "--dry-run", "--", "--yes"]);
            assert.strictEqual(dryRun.status, 0);
            assert.deepStrictEqual(dryRun.calls, []);
            assert.match(
                dryRun.stdout,
                /^\$ pulumi up --stack dev-storage --config-file Pulumi\.dev\.yaml --policy-pack policies --policy-pack-config out\/policy-config\/dev\.json$/m,
            );
        });
    });

    describe("stage checks", () => {
        let root: string;
        beforeEach(() => {
            root = fs.mkdtempSync(path.join(os.tmpdir(), "stage-root-"));
        });
        afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
        const args = (operation: ParsedArgs["operation"], stageName: string): ParsedArgs => parseStageArgs([operation, stageName]) as ParsedArgs;

        /** Pulumi.dev.yaml as stage qa, with `extra` lines added to its config. */
        const qaStage = (extra = "") =>
            fs.writeFileSync(
                path.join(root, "Pulumi.qa.yaml"),
                fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8").replace("spotify:stage: dev", "spotify:stage: qa") + extra,
            );

        it("refuses to preview or up a stage whose file the program rejects (its policy config derives from it), naming file and key", () => {
            qaStage("  spotify:network: open\n");
            for (const operation of ["preview", "up"] as const) {
                assert.throws(
                    () => checkStage(args(operation, "qa"), root),
                    (error: unknown) => error instanceof UsageError && /Pulumi\.qa\.yaml[\s\S]*spotify:network/.test(error.message),
                );
            }
            assert.doesNotThrow(() => checkStage(args("refresh", "qa"), root));
        });

        it("honours spotify:stackReferenceOrg in every stack name and in the stack listing", () => {
            qaStage("  spotify:stackReferenceOrg: acme\n");
            const { organization } = checkStage(args("up", "qa"), root);
            assert.strictEqual(organization, "acme");
            assert.deepStrictEqual(stageCommands("up", "qa", [], { organization }).slice(0, 2), [
                ["pulumi", "stack", "select", "--create", "acme/qa-network"],
                ["pulumi", "up", "--stack", "acme/qa-network", "--config-file", "Pulumi.qa.yaml", ...POLICY("qa")],
            ]);
            assert.deepStrictEqual(
                [...shortStackNames(["acme/qa-storage", "acme/spotify-pipeline/qa-etl", "other/qa-queries"], organization)],
                ["qa-storage", "qa-etl"],
            );
        });

        it("reads the change summary and policy events of an engine event log", () => {
            const events = ['{"policyEvent":{"policyName":"x"}}', "not json", '{"summaryEvent":{"resourceChanges":{"create":2}}}'].join("\n");
            assert.deepStrictEqual(summarizeEvents(events), { changeSummary: { create: 2 }, policyViolations: 1, errors: 0 });
        });
    });

    describe("shared secrets: a Pulumi ESC environment in the stage file", () => {
        let root: string;
        beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), "stage-env-"))));
        afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

        it("accepts a top-level environment list, which is not config", () => {
            const committed = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");
            fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), `environment:\n  - spotify-pipeline/dev\n  - spotify-pipeline/shared\n${committed}`);
            assert.deepStrictEqual(readStageEnvironments("dev", root), ["spotify-pipeline/dev", "spotify-pipeline/shared"]);
            assert.deepStrictEqual(readStageConfigFile("dev", root), readStageConfigFile("dev"), "the environment adds no config offline");
            assert.deepStrictEqual(readStageEnvironments("dev"), [], "the committed stage file imports none");
        });

        it("rejects a malformed environment entry, naming the file", () => {
            fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), "environment: spotify-pipeline/dev\nconfig:\n  spotify:stage: dev\n");
            assert.throws(() => readStageConfigFile("dev", root), /Pulumi\.dev\.yaml: "environment" must be a list of Pulumi ESC environments/);
            fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), "environment:\n  - not a name\nconfig:\n  spotify:stage: dev\n");
            assert.throws(() => readStageEnvironments("dev", root), /environment entry "not a name" is not an ESC environment name/);
        });
    });
});
