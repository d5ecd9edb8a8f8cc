import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { REPO_ROOT } from "../infra/repository";
import { LAYERS } from "../policies/conventions/stacks";
import { COMMENT_MARKER } from "../tools/prComment";
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
            ["secrets.PULUMI_ACCESS_TOKEN", ""],
            ["secrets[format('AWS_ROLE_ARN_{0}', matrix.stage)]", ""],
            ["github.token", "test-token"],
            ["github.event.pull_request.head.sha", head],
            ["github.event.pull_request.base.sha", base],
            ["github.event.pull_request.number", "7"],
            ["needs.test.result", "success"],
            ["needs.policy.result", "success"],
            ["needs.diff.result", "success"],
            ["needs.preview.result", "skipped"],
            ["needs.setup.outputs.stage-list", "dev prod"],
            [
                "needs.setup.outputs.previews == 'true' && 'its job produced no report (see the run)' || 'no cloud credentials are configured for this repository (PULUMI_ACCESS_TOKEN), so only the offline diff is shown'",
                "no cloud credentials are configured for this repository (PULUMI_ACCESS_TOKEN), so only the offline diff is shown",
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
        fs.writeFileSync(path.join(workspace, "Pulumi.dev-storage.yaml"), "encryptionsalt: v1:x\n");
        const stages = await run("ci.yml", "setup", step("ci.yml", "setup", "stages=()"));
        assert.strictEqual(stages.status, 0, stages.output);
        assert.strictEqual(stages.outputs, 'list=dev prod\nstages=["dev","prod"]\n');
        const credentials = step("ci.yml", "setup", "if [[ -n");
        assert.strictEqual((await run("ci.yml", "setup", credentials)).outputs, "previews=false\n");
        assert.strictEqual((await run("ci.yml", "setup", credentials, { PULUMI_ACCESS_TOKEN: "token" })).outputs, "previews=true\n");
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

    it("deploy: dev ups every layer stack in order; prod's plan saves one plan per stack for the approver, and apply applies exactly those", async () => {
        const dev = await run("deploy.yml", "dev", step("deploy.yml", "dev", "npm run stage -- up dev"));
        assert.strictEqual(dev.status, 0, dev.output);
        assert.deepStrictEqual(
            fakePulumiOperations(fake.log)
                .filter((operation) => operation.operation === "up")
                .map((operation) => operation.stack),
            LAYERS.map((layer) => `dev-${layer}`),
        );

        const stacks = JSON.stringify(LAYERS.map((layer) => ({ name: `prod-${layer}` })));
        const plan = await run("deploy.yml", "plan", step("deploy.yml", "plan", "npm run stage -- preview"), { FAKE_PULUMI_STACKS: stacks });
        assert.strictEqual(plan.status, 0, plan.output);
        for (const layer of LAYERS) assert.ok(fs.existsSync(path.join(workspace, `out/plans/prod/prod-${layer}.plan.json`)), `plan of prod-${layer}`);
        const approval = await run("deploy.yml", "plan", step("deploy.yml", "plan", "{"));
        assert.strictEqual(approval.status, 0, approval.output);
        assert.match(approval.summary, /^## Plan for stage prod \(commit 0123456789abcdef/m);
        for (const layer of LAYERS) assert.match(approval.summary, new RegExp(`^### prod-${layer}$`, "m"));

        const apply = await run("deploy.yml", "apply", step("deploy.yml", "apply", "npm run stage -- up"));
        assert.strictEqual(apply.status, 0, apply.output);
        const ups = fakePulumiOperations(fake.log).filter((operation) => operation.operation === "up");
        assert.deepStrictEqual(
            ups.map((operation) => operation.args[operation.args.indexOf("--plan") + 1]),
            LAYERS.map((layer) => `out/plans/prod/prod-${layer}.plan.json`),
        );
    });

    it("drift: lists the stages, refreshes every stack as a preview expecting no changes, and reports each in the job summary", async () => {
        const stages = await run("drift.yml", "stages", step("drift.yml", "stages", "stages=()"));
        assert.strictEqual(stages.outputs, 'stages=["dev","prod"]\n');
        const stacks = JSON.stringify(LAYERS.map((layer) => ({ name: `dev-${layer}` })));
        const refresh = await run("drift.yml", "drift", step("drift.yml", "drift", "npm run stage -- refresh"), { FAKE_PULUMI_STACKS: stacks });
        assert.strictEqual(refresh.status, 0, refresh.output);
        const refreshes = fakePulumiOperations(fake.log).filter((operation) => operation.operation === "refresh");
        assert.strictEqual(refreshes.length, LAYERS.length);
        assert.ok(refreshes.every((operation) => operation.args.includes("--preview-only") && operation.args.includes("--expect-no-changes")));
        const report = await run("drift.yml", "drift", step("drift.yml", "drift", "{"));
        assert.match(report.summary, /^## Drift of stage dev$/m);
        for (const layer of LAYERS) assert.match(report.summary, new RegExp(`^### dev-${layer}$`, "m"));
    });
});
