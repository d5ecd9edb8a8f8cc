import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { REPO_ROOT } from "../model/repository";
import { LAYERS } from "../model/stacks";
import { COMMENT_MARKER } from "../workbench/prComment";
import { fakePulumiCalls, fakePulumiDir, fakePulumiOperations } from "./support/fakePulumi";

type Step = { name?: string; run?: string; env?: Record<string, string>; "working-directory"?: string };
type Workflow = { env?: Record<string, string>; jobs: Record<string, { env?: Record<string, string>; steps?: Step[] }> };

/** The one install line every job runs; `.ci/run` runs it, as written, on every CI run. */
const INSTALL = "npm ci --no-audit --no-fund";

function workflow(file: string): Workflow {
    return parse(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", file), "utf8")) as Workflow;
}

/** A step of a job, found by the start of its script (names are optional in the workflows). */
function step(file: string, job: string, scriptStart: string): Step {
    const found = (workflow(file).jobs[job]?.steps ?? []).filter((candidate) => candidate.run?.trimStart().startsWith(scriptStart));
    assert.strictEqual(found.length, 1, `${file} ${job}: one run step starting with ${JSON.stringify(scriptStart)}, found ${found.length}`);
    return found[0];
}

interface StepRun {
    status: number | null;
    output: string;
    outputs: string;
    summary: string;
}

/**
 * Runs every `run:` script of the workflows as GitHub runs it (bash -eo pipefail, the step's
 * env with its expressions given values, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files) in a fresh
 * clone of the repository, with a fake `pulumi` where a cloud would be needed, and checks what
 * each one leaves behind.
 */
describe("workflow run: lines, executed as written", function () {
    this.timeout(20 * 60_000);
    let workspace: string;
    let fake: { dir: string; log: string };
    let expressions: Map<string, string>;

    /** The step's env with each `${{ expression }}` replaced by its value in `expressions` (an unknown one fails). */
    function environment(file: string, job: string, target: Step): Record<string, string> {
        const definition = workflow(file);
        const scopes = { ...definition.env, ...definition.jobs[job].env, ...target.env };
        return Object.fromEntries(
            Object.entries(scopes).map(([key, value]) => [
                key,
                String(value).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
                    const known = expressions.get(expression);
                    if (known === undefined) throw new Error(`${file} ${job} ${key}: no test value for the expression \${{ ${expression} }}`);
                    return known;
                }),
            ]),
        );
    }

    /** Runs one step's script as GitHub's default bash shell does; async, so a local server can answer it. */
    function run(file: string, job: string, target: Step, extraEnv: Record<string, string> = {}): Promise<StepRun> {
        const outputs = path.join(workspace, "..", "github-output");
        const summary = path.join(workspace, "..", "github-summary");
        for (const file of [outputs, summary]) fs.writeFileSync(file, "");
        const env = {
            ...process.env,
            PATH: `${fake.dir}${path.delimiter}${process.env.PATH}`,
            FAKE_PULUMI_LOG: fake.log,
            GITHUB_OUTPUT: outputs,
            GITHUB_STEP_SUMMARY: summary,
            GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
            ...environment(file, job, target),
            ...extraEnv,
        };
        fs.rmSync(fake.log, { force: true });
        return new Promise((resolve) => {
            const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", target.run ?? ""], {
                cwd: path.join(workspace, target["working-directory"] ?? "."),
                env,
            });
            const chunks: Buffer[] = [];
            child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
            child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
            child.on("close", (status) =>
                resolve({
                    status,
                    output: Buffer.concat(chunks).toString("utf8"),
                    outputs: fs.readFileSync(outputs, "utf8"),
                    summary: fs.readFileSync(summary, "utf8"),
                }),
            );
        });
    }

    const read = (file: string) => fs.readFileSync(path.join(workspace, file), "utf8");

    before(() => {
        // A checkout as actions/checkout leaves it, with an origin to fetch the base from; its install
        // is this tree's node_modules (the install line itself is checked below).
        const parent = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-runs-"));
        workspace = path.join(parent, "checkout");
        assert.strictEqual(spawnSync("git", ["clone", "-q", REPO_ROOT, workspace]).status, 0);
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(workspace, "node_modules"), "dir");
        fake = fakePulumiDir();
        const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: workspace, encoding: "utf8" }).stdout.trim();
        const base = spawnSync("git", ["rev-parse", "HEAD~1"], { cwd: workspace, encoding: "utf8" }).stdout.trim();
        expressions = new Map([
            ["vars.PULUMI_ORGANIZATION", ""],
            ["github.event.workflow_run.head_sha", head],
            ["github.ref", "refs/heads/main"],
            ["github.event.repository.default_branch", "main"],
            ["secrets[format('AWS_ROLE_ARN_{0}', matrix.stage)]", ""],
            ["github.token", "test-token"],
            ["github.event.pull_request.head.sha", head],
            ["github.event.pull_request.base.sha", base],
            ["github.event.pull_request.number", "7"],
            ["needs.test.result", "success"],
            ["needs.policy.result", "success"],
            ["needs.diff.result", "success"],
            ["needs.preview.result", "skipped"],
            ["needs.rehearse.result", "success"],
            ["needs.setup.outputs.stage-list", "dev prod"],
            [
                "needs.setup.outputs.previews == 'true' && 'its job produced no report (see the run)' || 'no cloud access is configured for this repository (vars.PULUMI_ORGANIZATION), so only the offline diff is shown'",
                "no cloud access is configured for this repository (vars.PULUMI_ORGANIZATION), so only the offline diff is shown",
            ],
            ["github.server_url", "https://github.example"],
            ["github.repository", "owner/spotify-pipeline"],
            ["github.run_id", "42"],
            ["matrix.stage", "dev"],
            ["inputs.stage", "prod"],
        ]);
    });
    after(() => {
        fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
        fs.rmSync(fake.dir, { recursive: true, force: true });
    });

    it("every job installs with the one line .ci/run executes, and CI runs .ci/run", () => {
        const ciRun = fs.readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8");
        assert.ok(ciRun.split("\n").includes(INSTALL), `.ci/run runs ${INSTALL}`);
        for (const file of ["ci.yml", "deploy.yml", "drift.yml"]) {
            for (const [job, definition] of Object.entries(workflow(file).jobs)) {
                for (const candidate of definition.steps ?? []) {
                    const first = candidate.run?.trim().split("\n")[0] ?? "";
                    if (first.startsWith("npm ci") && candidate["working-directory"] === undefined)
                        assert.strictEqual(candidate.run?.trim(), INSTALL, `${file} ${job}`);
                }
            }
        }
        assert.strictEqual(step("ci.yml", "test", "bash .ci/run").run?.trim(), "bash .ci/run");
    });

    it("ci setup: lists the stages from their files (not the per-stack files the CLI writes) and says whether previews can run", async () => {
        // A per-stack file as the CLI writes it, removed after: later steps run the real CLI here.
        fs.writeFileSync(path.join(workspace, "Pulumi.dev-storage.yaml"), "encryptionsalt: v1:x\n");
        const stages = await run("ci.yml", "setup", step("ci.yml", "setup", "stages=()"));
        fs.rmSync(path.join(workspace, "Pulumi.dev-storage.yaml"));
        assert.strictEqual(stages.status, 0, stages.output);
        assert.strictEqual(stages.outputs, 'list=dev prod\nstages=["dev","prod"]\n');
        const credentials = step("ci.yml", "setup", "if [[ -n");
        assert.strictEqual((await run("ci.yml", "setup", credentials)).outputs, "previews=false\n");
        assert.strictEqual((await run("ci.yml", "setup", credentials, { PULUMI_ORGANIZATION: "acme" })).outputs, "previews=true\n");
    });

    it("ci policy: the pack's own install, typecheck and tests from its folder; then the offline check of every stage, with reports", async () => {
        const own = await run("ci.yml", "policy", step("ci.yml", "policy", "npm ci --no-audit --no-fund\nnpm run typecheck"));
        assert.strictEqual(own.status, 0, own.output);
        assert.match(own.output, /\d+ passing/);
        assert.doesNotMatch(own.output, /\d+ failing/);
        const check = await run("ci.yml", "policy", step("ci.yml", "policy", "status=0"));
        assert.strictEqual(check.status, 0, check.output);
        for (const stage of ["dev", "prod"]) assert.match(read(`out/policy/${stage}.md`), new RegExp(`${stage}`));
        assert.match(check.summary, /dev/);
        assert.match(check.summary, /prod/);
    });

    it("ci diff: fetches the base and diffs every stage against it, into the review artifact and the job summary", async () => {
        const diff = await run("ci.yml", "diff", step("ci.yml", "diff", "git fetch"));
        assert.strictEqual(diff.status, 0, diff.output);
        const json = JSON.parse(read("out/review/diff.json")) as { stages: { stage: string }[] };
        assert.deepStrictEqual(
            json.stages.map((stage) => stage.stage),
            ["dev", "prod"],
        );
        assert.match(diff.summary, /^### Stage `dev`: /m);
        assert.ok(fs.existsSync(path.join(workspace, "out/review/manifests/head/prod/prod-storage.json")));
    });

    it("ci rehearse: deploys the base offline, applies the head over it stack by stack, and reports in the job summary and its artifact", async () => {
        const rehearse = await run("ci.yml", "rehearse", step("ci.yml", "rehearse", "git fetch"), { PATH: process.env.PATH ?? "" });
        assert.strictEqual(rehearse.status, 0, rehearse.output);
        const report = JSON.parse(read("out/rehearsal/dev.json")) as { rehearsals: { stage: string; stacks: { stack: string }[] }[] };
        assert.deepStrictEqual(
            report.rehearsals[0].stacks.map((stack) => stack.stack),
            LAYERS.map((layer) => `dev-${layer}`),
        );
        assert.match(rehearse.summary, /## Dress rehearsal\n\n### Stage `dev`: /);
    });

    it("every job that reaches AWS reads the stage's region from its stage file", async () => {
        for (const [file, job, stage] of [
            ["ci.yml", "preview", "dev"],
            ["deploy.yml", "dev", "dev"],
            ["deploy.yml", "apply", "prod"],
            ["drift.yml", "drift", "dev"],
        ]) {
            const region = await run(file, job, step(file, job, "region=$("));
            assert.strictEqual(region.status, 0, `${file} ${job}: ${region.output}`);
            assert.strictEqual(region.outputs, "region=eu-west-1\n", `${file} ${job} (${stage})`);
        }
        fs.writeFileSync(path.join(workspace, "Pulumi.dev.yaml"), read("Pulumi.dev.yaml").replace("aws:region: eu-west-1", "aws:region: eu-west-9"));
        try {
            const broken = await run("deploy.yml", "dev", step("deploy.yml", "dev", "region=$("));
            assert.notStrictEqual(broken.status, 0, "a stage file the program rejects fails the step");
            assert.match(broken.output, /aws:region: must be an AWS region/);
        } finally {
            spawnSync("git", ["checkout", "--", "Pulumi.dev.yaml"], { cwd: workspace });
        }
    });

    it("ci preview: previews every layer stack of the stage through the driver, never creating one, with its report", async () => {
        const stacks = JSON.stringify(LAYERS.map((layer) => ({ name: `dev-${layer}` })));
        const preview = await run("ci.yml", "preview", step("ci.yml", "preview", "npm run stage -- preview"), { FAKE_PULUMI_STACKS: stacks });
        assert.strictEqual(preview.status, 0, preview.output);
        const calls = fakePulumiCalls(fake.log);
        assert.deepStrictEqual(
            fakePulumiOperations(fake.log).map((operation) => `${operation.operation} ${operation.stack}`),
            LAYERS.map((layer) => `preview dev-${layer}`),
        );
        assert.ok(!calls.some((call) => call.includes("--create") || call[1] === "init"), "preview never creates a stack");
        const report = JSON.parse(read("out/preview/dev/summary.json")) as { stacks: { changeSummary?: unknown }[] };
        assert.strictEqual(report.stacks.length, LAYERS.length);
        assert.ok(report.stacks.every((stack) => stack.changeSummary !== undefined));
    });

    it("ci comment: builds the review comment from the artifacts and posts it to the pull request", async () => {
        // What the download steps lay out: the review, policy and preview artifacts of the jobs above.
        for (const [from, to] of [
            ["out/review", "out/artifacts/review"],
            ["out/policy", "out/artifacts/policy"],
            ["out/preview", "out/artifacts/preview"],
        ]) {
            fs.cpSync(path.join(workspace, from), path.join(workspace, to), { recursive: true });
        }
        const received: { method: string; url: string; body: string }[] = [];
        const server = http.createServer((request, response) => {
            let body = "";
            request.on("data", (chunk: Buffer) => (body += chunk.toString()));
            request.on("end", () => {
                received.push({ method: request.method ?? "", url: request.url ?? "", body });
                response.setHeader("content-type", "application/json");
                response.end(request.method === "GET" ? "[]" : JSON.stringify({ id: 99 }));
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            const comment = await run("ci.yml", "comment", step("ci.yml", "comment", "npm run pr-comment"), {
                GITHUB_API_URL: api,
                GITHUB_REPOSITORY: "owner/spotify-pipeline",
            });
            assert.strictEqual(comment.status, 0, comment.output);
            const posted = received.find((request) => request.method === "POST");
            assert.ok(posted !== undefined, JSON.stringify(received));
            assert.strictEqual(posted.url, "/repos/owner/spotify-pipeline/issues/7/comments");
            const body = (JSON.parse(posted.body) as { body: string }).body;
            assert.ok(body.includes(COMMENT_MARKER));
            assert.match(body, /`dev`/);
            assert.strictEqual(read("out/review-comment.md"), body);
            assert.ok(comment.summary.includes(COMMENT_MARKER));
        } finally {
            server.close();
        }
    });

    it("deploy dev: deploys only a commit that contains the one dev runs, planning each stack after the ones below it applied", async () => {
        const git = (...args: string[]) => spawnSync("git", args, { cwd: workspace, encoding: "utf8" }).stdout.trim();
        const [head, parent] = [git("rev-parse", "HEAD"), git("rev-parse", "HEAD~1")];
        const history = (commit: string) => JSON.stringify([{ version: 3, kind: "update", result: "succeeded", environment: { "git.head": commit } }]);
        const order = step("deploy.yml", "dev", "# The commit of dev's last");
        for (const [deployed, expected] of [
            ["", "deploy=true"],
            [parent, "deploy=true"],
            [head, "deploy=true"],
            ["1111111111111111111111111111111111111111", "deploy=true"],
        ]) {
            const checked = await run("deploy.yml", "dev", order, { FAKE_PULUMI_HISTORY: deployed === "" ? "[]" : history(deployed) });
            assert.strictEqual(checked.status, 0, checked.output);
            assert.strictEqual(checked.outputs, `${expected}\n`, `dev at ${deployed || "nothing"}`);
        }
        // A ci run of the parent finishing after the head was deployed: not deployed over it.
        const older = await run("deploy.yml", "dev", order, { FAKE_PULUMI_HISTORY: history(head), HEAD_SHA: parent });
        assert.strictEqual(older.outputs, "deploy=false\n");
        assert.match(older.output, /::notice::dev runs [0-9a-f]{40}, which [0-9a-f]{40} does not contain/);

        const dev = await run("deploy.yml", "dev", step("deploy.yml", "dev", "npm run stage -- up dev"));
        assert.strictEqual(dev.status, 0, dev.output);
        assert.deepStrictEqual(
            fakePulumiOperations(fake.log).map((operation) => `${operation.operation} ${operation.stack}`),
            LAYERS.flatMap((layer) => [`preview dev-${layer}`, `up dev-${layer}`]),
        );
        assert.ok(fakePulumiOperations(fake.log).every((operation) => operation.args.includes("--refresh")));
    });

    it("deploy dispatch: refused from any ref but the default branch or a release tag; the review shows the approver the diff's warnings and the rehearsal; apply rolls out stack by stack", async () => {
        const guard = step("deploy.yml", "guard", "if [[");
        for (const [ref, status] of [
            ["refs/heads/main", 0],
            ["refs/tags/v1.4.0", 0],
            ["refs/heads/feature", 1],
            ["refs/pull/7/merge", 1],
        ] as const) {
            const checked = await run("deploy.yml", "guard", guard, { REF: ref });
            assert.strictEqual(checked.status, status, `${ref}: ${checked.output}`);
            if (status !== 0) assert.match(checked.output, /::error::deploys run from main or a release tag \(v\*\), not /);
        }

        const review = step("deploy.yml", "review", "mkdir -p");
        const first = await run("deploy.yml", "review", review);
        assert.strictEqual(first.status, 0, first.output);
        assert.match(first.summary, /^## Rollout of stage prod \(commit 0123456789abcdef/m);
        assert.match(first.summary, /Stage prod runs no known commit yet: every resource is created\./);
        const parent = spawnSync("git", ["rev-parse", "HEAD~1"], { cwd: workspace, encoding: "utf8" }).stdout.trim();
        const deployed = JSON.stringify([{ kind: "update", result: "succeeded", environment: { "git.head": parent } }]);
        const reviewed = await run("deploy.yml", "review", review, {
            FAKE_PULUMI_HISTORY: deployed,
            STAGE: "dev",
            PATH: `${fake.dir}${path.delimiter}${process.env.PATH}`,
        });
        assert.strictEqual(reviewed.status, 0, reviewed.output);
        // The diff's Markdown, warnings first, then the dress rehearsal: what the approver reads.
        assert.ok(reviewed.summary.includes(read("out/review/dev/diff.md")));
        assert.match(reviewed.summary, /### Stage `dev`: [\s\S]*## Dress rehearsal\n\n### Stage `dev`: /);

        const stacks = JSON.stringify(LAYERS.map((layer) => ({ name: `prod-${layer}` })));
        const apply = await run("deploy.yml", "apply", step("deploy.yml", "apply", "npm run stage -- up"), { FAKE_PULUMI_STACKS: stacks });
        assert.strictEqual(apply.status, 0, apply.output);
        const operations = fakePulumiOperations(fake.log);
        assert.deepStrictEqual(
            operations.map((operation) => `${operation.operation} ${operation.stack}`),
            LAYERS.flatMap((layer) => [`preview prod-${layer}`, `up prod-${layer}`]),
        );
        for (const [index, layer] of LAYERS.entries()) {
            const [plan, up] = operations.slice(2 * index, 2 * index + 2);
            assert.strictEqual(plan.args[plan.args.indexOf("--save-plan") + 1], `out/plans/prod/prod-${layer}.plan.json`);
            assert.strictEqual(up.args[up.args.indexOf("--plan") + 1], `out/plans/prod/prod-${layer}.plan.json`);
            assert.ok(up.args.includes("--refresh"));
        }
    });

    it("drift: lists the stages, previews every stack after a refresh expecting no changes, and reports each in the job summary", async () => {
        const stages = await run("drift.yml", "stages", step("drift.yml", "stages", "stages=()"));
        assert.strictEqual(stages.outputs, 'stages=["dev","prod"]\n');
        const stacks = JSON.stringify(LAYERS.map((layer) => ({ name: `dev-${layer}` })));
        const drift = await run("drift.yml", "drift", step("drift.yml", "drift", "npm run stage -- preview"), { FAKE_PULUMI_STACKS: stacks });
        assert.strictEqual(drift.status, 0, drift.output);
        const previews = fakePulumiOperations(fake.log);
        assert.deepStrictEqual(
            previews.map((operation) => `${operation.operation} ${operation.stack}`),
            LAYERS.map((layer) => `preview dev-${layer}`),
        );
        assert.ok(previews.every((operation) => operation.args.includes("--refresh") && operation.args.includes("--expect-no-changes")));
        const report = await run("drift.yml", "drift", step("drift.yml", "drift", "{"));
        assert.match(report.summary, /^## Drift of stage dev$/m);
        for (const layer of LAYERS) assert.match(report.summary, new RegExp(`^### dev-${layer}$`, "m"));
    });
});
