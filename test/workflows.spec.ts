import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { parse } from "yaml";
import { REPO_ROOT } from "../model/repository";
import { diffStage } from "../workbench/diff/manifestDiff";
import type { DiffRun } from "../workbench/diff";
import type { PolicyReport } from "../workbench/policyCheck/report";
import { buildComment, COMMENT_MARKER, CommentInputs, postComment } from "../workbench/prComment";
import { readStageConfigFile } from "../ops/stageFile";
import { synthesizeStage } from "../workbench/synth/stageSynthesis";
import { stageManifests } from "./support/synth";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string };
type Job = { permissions?: Record<string, string>; steps?: Step[]; if?: string; environment?: string; needs?: string | string[]; strategy?: unknown };
type Workflow = {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": unknown };
    jobs: Record<string, Job>;
};

function workflows(): Map<string, Workflow> {
    return new Map(
        fs
            .readdirSync(WORKFLOWS)
            .filter((file) => /\.ya?ml$/.test(file))
            .sort()
            .map((file) => [file, parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow]),
    );
}

function steps(workflow: Workflow): { job: string; step: Step }[] {
    return Object.entries(workflow.jobs).flatMap(([job, definition]) => (definition.steps ?? []).map((step) => ({ job, step })));
}

describe("workflows", () => {
    it("pass actionlint (pinned, with shellcheck on every run: script; installed when missing)", function () {
        this.timeout(600_000);
        const run = spawnSync("bash", [path.join(REPO_ROOT, "tools", "actionlint.sh")], { cwd: REPO_ROOT, encoding: "utf8" });
        assert.strictEqual(run.status, 0, `actionlint found problems:\n${run.stdout}${run.stderr}`);
        assert.match(run.stderr, /actionlint v\d+\.\d+\.\d+ with shellcheck \S+ on \.github\/workflows/);
    });

    it("pin the Pulumi CLI to the SDK's version", () => {
        const sdk = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies[
            "@pulumi/pulumi"
        ];
        const installs = [...workflows()].flatMap(([file, workflow]) =>
            steps(workflow)
                .filter(({ step }) => step.uses?.startsWith("pulumi/actions@"))
                .map((entry) => ({ file, ...entry })),
        );
        assert.ok(installs.length >= 4);
        for (const { file, job, step } of installs) {
            assert.strictEqual(String(step.with?.["pulumi-version"]), sdk, `${file} ${job}: pulumi-version must be ${sdk}`);
            assert.strictEqual(step.with?.command, undefined, `${file} ${job}: the stage driver runs pulumi, the action only installs it`);
        }
    });

    it("grant read-only contents by default, and write or OIDC permissions only to the jobs that need them", () => {
        for (const [file, workflow] of workflows()) {
            assert.deepStrictEqual(workflow.permissions, { contents: "read" }, `${file}: top-level permissions`);
            for (const [name, job] of Object.entries(workflow.jobs)) {
                const oidc = (job.steps ?? []).some((step) => /^(aws-actions\/configure-aws-credentials|pulumi\/auth-actions)@/.test(step.uses ?? ""));
                const comments = (job.steps ?? []).some((step) => step.run?.includes("npm run pr-comment --") && step.run.includes("--post"));
                const expected = { contents: "read", ...(oidc ? { "id-token": "write" } : {}), ...(comments ? { "pull-requests": "write" } : {}) };
                if (!oidc && !comments) assert.strictEqual(job.permissions, undefined, `${file} ${name}: needs no extra permission`);
                else assert.deepStrictEqual(job.permissions, expected, `${file} ${name}`);
            }
        }
    });

    it("pin every action by commit SHA, with the release it is as a comment", () => {
        for (const file of fs.readdirSync(WORKFLOWS)) {
            const uses = fs
                .readFileSync(path.join(WORKFLOWS, file), "utf8")
                .split("\n")
                .filter((line) => /^\s*(-\s+)?uses:/.test(line));
            assert.ok(uses.length > 0, file);
            for (const line of uses) assert.match(line, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${file}: ${line.trim()}`);
        }
    });

    it("Pulumi Cloud only through OIDC (pulumi/auth-actions), scoped per environment; no deploy credential reaches pull-request code", () => {
        for (const [file, workflow] of workflows()) {
            assert.doesNotMatch(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"), /PULUMI_ACCESS_TOKEN/, `${file}: no long-lived Pulumi token`);
            for (const { job, step } of steps(workflow)) {
                if (!step.uses?.startsWith("pulumi/auth-actions@")) continue;
                assert.strictEqual(step.with?.organization, "${{ vars.PULUMI_ORGANIZATION }}", `${file} ${job}`);
                assert.strictEqual(step.with?.["requested-token-type"], "urn:pulumi:token-type:access_token:team", `${file} ${job}`);
                const deploys = workflow.jobs[job].environment !== undefined;
                // Deploy jobs run in the stage's environment and get its deploy team; every other job the read-only team.
                assert.match(
                    String(step.with?.scope),
                    deploys ? /^team:spotify-pipeline-(dev|\$\{\{ inputs\.stage \}\})-deploy$/ : /^team:spotify-pipeline-preview$/,
                    `${file} ${job}`,
                );
                if (deploys) assert.match(String(workflow.jobs[job].environment), /^(dev|\$\{\{ inputs\.stage \}\})$/, `${file} ${job}`);
            }
        }
        const ci = workflows().get("ci.yml")!;
        for (const [name, job] of Object.entries(ci.jobs))
            assert.strictEqual(job.environment, undefined, `ci.yml ${name} runs pull-request code: no deploy environment`);
    });

    it("take each stage's AWS region from its stage file", () => {
        for (const [file, workflow] of workflows()) {
            for (const [name, job] of Object.entries(workflow.jobs)) {
                const aws = (job.steps ?? []).filter((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
                if (aws.length === 0) continue;
                const stage = (job.steps ?? []).find((step) => (step as { id?: string }).id === "stage");
                assert.match(stage?.run ?? "", /region=\$\(npm run -s stage-value -- "\$STAGE" aws:region\)/, `${file} ${name}`);
                for (const step of aws) assert.strictEqual(step.with?.["aws-region"], "${{ steps.stage.outputs.region }}", `${file} ${name}`);
            }
        }
    });

    it("ci: separate jobs, superseded pull-request runs cancelled, npm and Python cached, one review comment after every job", () => {
        const ci = workflows().get("ci.yml")!;
        assert.strictEqual(ci.concurrency?.["cancel-in-progress"], "${{ github.event_name == 'pull_request' }}");
        assert.deepStrictEqual(Object.keys(ci.jobs).sort(), ["comment", "diff", "policy", "preview", "rehearse", "setup", "test"]);
        const comment = ci.jobs.comment;
        assert.match(comment.if!, /^always\(\) && github\.event_name == 'pull_request'/);
        assert.deepStrictEqual([...(comment.needs as string[])].sort(), ["diff", "policy", "preview", "rehearse", "setup", "test"]);
        for (const { job, step } of steps(ci)) {
            if (step.uses?.startsWith("actions/setup-node@")) assert.strictEqual(step.with?.cache, "npm", `${job}: npm cache`);
        }
        const test = ci.jobs.test.steps!;
        assert.ok(test.some((step) => step.uses?.startsWith("actions/setup-python@") && step.with?.cache === "pip"));
        assert.ok(test.some((step) => step.uses?.startsWith("actions/cache@") && step.with?.path === ".venv"));
        const diff = ci.jobs.diff.steps!.map((step) => step.run ?? "").join("\n");
        assert.match(diff, /npm run diff -- \$STAGES --base "\$BASE_SHA" --json out\/review\/diff\.json/);
        const rehearse = ci.jobs.rehearse;
        assert.deepStrictEqual(rehearse.strategy, { "fail-fast": false, matrix: { stage: "${{ fromJSON(needs.setup.outputs.stages) }}" } }, "every stage");
        assert.match(rehearse.steps!.map((step) => step.run ?? "").join("\n"), /npm run diff -- "\$STAGE" --base "\$BASE_SHA" --rehearse/);
        const preview = ci.jobs.preview.steps!.map((step) => step.run ?? "").join("\n");
        assert.match(preview, /npm run stage -- preview "\$STAGE" --report \S+ -- --refresh --diff/);
        assert.doesNotMatch(preview, /--create|stack select|stack init/);
    });

    it("deploy: dev only after ci passed, never backwards; dispatch from the default branch or a release tag; each stack planned after the ones below it applied, behind the environment", () => {
        const deploy = workflows().get("deploy.yml")!;
        assert.deepStrictEqual(deploy.on.workflow_run, { workflows: ["ci"], types: ["completed"], branches: ["main"] });
        assert.ok(!("push" in deploy.on), "a push alone never deploys");
        assert.match(deploy.jobs.dev.if!, /github\.event\.workflow_run\.conclusion == 'success'/);
        assert.strictEqual(deploy.jobs.dev.steps![0].with?.ref, "${{ github.event.workflow_run.head_sha }}");
        assert.strictEqual(deploy.jobs.dev.steps![0].with?.["fetch-depth"], 0, "history, to compare commits");
        const up = deploy.jobs.dev.steps!.find((step) => step.run?.startsWith("npm run stage -- up dev"))!;
        assert.strictEqual(up.if, "steps.order.outputs.deploy == 'true'");
        assert.match(up.run!, /--plan-each out\/plans\/dev -- --yes --refresh/);
        assert.deepStrictEqual(deploy.jobs.review.needs, "guard");
        assert.strictEqual(deploy.jobs.review.environment, undefined, "the review is made before any approval");
        assert.match(deploy.jobs.review.steps!.map((step) => step.run ?? "").join("\n"), /npm run diff -- "\$STAGE" --base "\$deployed" --rehearse/);
        const apply = deploy.jobs.apply;
        assert.strictEqual(apply.environment, "${{ inputs.stage }}");
        assert.strictEqual(apply.needs, "review");
        assert.match(
            apply.steps!.map((step) => step.run ?? "").join("\n"),
            /npm run stage -- up "\$STAGE" --plan-each "out\/plans\/\$STAGE" .*-- --yes --refresh/,
        );
    });

    it("drift: in each stage's deploy lane, a preview with --refresh --expect-no-changes of every stack", () => {
        const drift = workflows().get("drift.yml")!;
        const deploy = workflows().get("deploy.yml")!;
        assert.ok(Array.isArray((drift.on.schedule as unknown[] | undefined) ?? null));
        const job = drift.jobs.drift as Job & { concurrency?: { group: string } };
        assert.strictEqual(job.concurrency?.group, "deploy-${{ matrix.stage }}");
        assert.match(deploy.concurrency!.group, /^deploy-\$\{\{ .* \}\}$/, "deploy's lane is deploy-<stage> too");
        const run = job.steps!.map((step) => step.run ?? "").join("\n");
        assert.match(run, /npm run stage -- preview "\$STAGE" --keep-going .* -- --refresh --expect-no-changes/);
    });
});

describe("review comment", () => {
    async function inputs(): Promise<CommentInputs> {
        const base = await stageManifests("dev");
        const head = await synthesizeStage({ stage: "dev", config: { ...readStageConfigFile("dev"), "spotify:bucketSuffix": "333333333333" } });
        const diff: DiffRun = {
            title: "main (0123456789ab) → working tree",
            stages: [diffStage("dev", new Map(base.map((m) => [m.stack, m])), new Map(head.map((m) => [m.stack, m])))],
        };
        const policy: PolicyReport = {
            stage: "dev",
            pack: { name: "spotify-guardrails", version: "0.1.0" },
            target: "program",
            policyConfig: "derived from Pulumi.dev.yaml",
            stacks: [
                {
                    stack: "dev-storage",
                    resources: 40,
                    violations: [
                        {
                            policy: "s3-access-logging",
                            severity: "medium",
                            enforcement: "advisory",
                            message: "no access logging",
                            urn: "urn:x",
                            resourceType: "aws:s3/bucket:Bucket",
                            resourceName: "storage-staging",
                        },
                    ],
                },
            ],
        };
        return {
            stages: ["dev", "prod"],
            diff,
            rehearsals: new Map(),
            policy: new Map([["dev", policy]]),
            previews: new Map([
                [
                    "dev",
                    {
                        report: {
                            operation: "preview",
                            stage: "dev",
                            stacks: [
                                { stack: "dev-storage", status: "ok", changeSummary: { same: 3, replace: 32 } },
                                { stack: "dev-etl", status: "skipped", reason: "dev-etl does not exist yet" },
                            ],
                        },
                        outputs: new Map([["dev-storage", "\u001b[1m+-aws:s3/bucket:Bucket storage-staging replace\u001b[0m\n"]]),
                    },
                ],
            ]),
            jobs: [
                ["tests", "success"],
                ["policy", "failure"],
            ],
            runUrl: "https://github.example/runs/1",
            commit: "0123456789abcdef",
        };
    }

    it("gathers the diff's warnings first, then each stage's diff, policy results and real preview", async () => {
        const body = buildComment(await inputs());
        assert.ok(body.startsWith(COMMENT_MARKER));
        assert.match(body, /✅ tests: success · ❌ policy: failure/);
        assert.match(
            body,
            /### ⚠️ \d+ warning\(s\)\n\n- 🛑 \*\*loses data\*\* `dev` `dev-storage` \*\*storage-access-logs\*\* `aws:s3\/bucket:Bucket` \(replace\): replacing it: its objects are deleted/,
        );
        assert.match(
            body,
            /## Stage `dev`\n\n\*\*Offline diff:\*\* \d+ to update, \d+ to replace in 4 of 5 stack\(s\)[\s\S]*\| 2 \| `dev-storage` \| 0 \| 0 \| 32 \| 0 \| 13 \| ⚠️ 5 \|/,
        );
        assert.match(
            body,
            /\*\*Policy pack\*\* `spotify-guardrails 0\.1\.0` \(policy config derived from Pulumi\.dev\.yaml\): ✅ passed, 0 mandatory and 1 advisory violation\(s\)\./,
        );
        assert.match(body, /\| `dev-storage` \| ✅ \| 0 \| 0 \| 32 \| 0 \| – \|/);
        assert.match(body, /\+-aws:s3\/bucket:Bucket storage-staging replace/, "preview output, colours stripped");
        assert.match(body, /## Stage `prod`[\s\S]*No offline diff for `prod`[\s\S]*no report for `prod`: the policy job failed before writing one/);
    });

    it("shows a definition diff that is identical in several places once, naming the others, and puts prod first when it carries warnings", async () => {
        const renamed = async (stage: string) => {
            const base = await stageManifests(stage);
            const head = JSON.parse(JSON.stringify(base)) as typeof base;
            for (const resource of head.flatMap((manifest) => manifest.resources)) {
                if (!/^aws-native:quicksight:(Analysis|Dashboard)$/.test(resource.type)) continue;
                // The Genres sheet removed: a document diff, not a one-line change.
                const sheets = (resource.inputs.definition as { sheets: { name: string }[] }).sheets;
                sheets.splice(
                    sheets.findIndex((sheet) => sheet.name === "Genres"),
                    1,
                );
            }
            return diffStage(stage, new Map(base.map((m) => [m.stack, m])), new Map(head.map((m) => [m.stack, m])));
        };
        const [dev, prod] = [await renamed("dev"), await renamed("prod")];
        const storage = prod.stacks.find((stack) => stack.stack === "prod-storage")!;
        // A prod warning, so prod comes first.
        storage.warnings.push({ level: "blocking", message: "a prod failure" });
        const body = buildComment({ ...(await inputs()), diff: { title: "t", stages: [dev, prod] } });
        const changedLine = /^- +"name": "Genres",?$/gm;
        assert.strictEqual(body.match(changedLine)?.length, 1, "the definition diff is shown once");
        assert.match(
            body,
            /line\(s\) changed, identically in (`(dev|prod)` `\w+-dashboards` \*\*dashboards-spotify-hits(-analysis)?\*\* `definition`(, )?){3}/,
        );
        assert.strictEqual(body.match(/the same \d+-line change as `prod` `prod-dashboards`/g)?.length, 3);
        assert.ok(body.indexOf("## Stage `prod`") < body.indexOf("## Stage `dev`"), "prod first");
        assert.match(body, /### ⚠️ 1 warning\(s\)\n\n- ⛔ \*\*fails\*\* `prod` `prod-storage`: a prod failure/);
    });

    it("shows each stage's dress rehearsal, and the rehearsal's failures among the warnings", async () => {
        const base = await inputs();
        const rehearsal = diffStage("dev", new Map(), new Map());
        rehearsal.stacks = [
            {
                stack: "dev-storage",
                order: 1,
                changes: [],
                outputChanges: [],
                warnings: [{ level: "blocking", message: "unable to replace a protected resource" }],
            },
        ];
        const body = buildComment({ ...base, rehearsals: new Map([["dev", rehearsal]]) });
        assert.match(body, /- ⛔ \*\*fails\*\* `dev` `dev-storage \(dress rehearsal\)`: unable to replace a protected resource/);
        assert.match(
            body,
            /## Stage `dev`[\s\S]*\*\*Dress rehearsal\*\* \(the real engine, offline: the base deployed, then this change applied stack by stack\): no changes in 1 stack/,
        );
        assert.match(body, /## Stage `prod`[\s\S]*\*\*Dress rehearsal:\*\* no report for `prod`/);
    });

    it("spends the budget in reading order: a stage that must be shortened leaves the rest to the next, shown in full", async () => {
        const diffOf = async (stage: string, overrides: Record<string, string>) => {
            const base = await stageManifests(stage);
            const head = await synthesizeStage({ stage, config: { ...readStageConfigFile(stage), ...overrides } });
            return diffStage(stage, new Map(base.map((m) => [m.stack, m])), new Map(head.map((m) => [m.stack, m])));
        };
        const dev = await diffOf("dev", { "spotify:stagingInfrequentAccessDays": "45" });
        const prod = await diffOf("prod", { "spotify:bucketSuffix": "333333333333" });
        const comment = { ...(await inputs()), policy: new Map(), previews: new Map(), diff: { title: "t", stages: [dev, prod] } };
        assert.ok(buildComment(comment, 1e9).length > 20_000, "the whole comment does not fit the budget below");
        const body = buildComment(comment, 20_000);
        assert.ok(body.length <= 20_000, `${body.length}`);
        const [prodPart, devPart] = [body.slice(body.indexOf("## Stage `prod`"), body.indexOf("## Stage `dev`")), body.slice(body.indexOf("## Stage `dev`"))];
        assert.ok(body.indexOf("## Stage `prod`") < body.indexOf("## Stage `dev`"), "prod, with its warnings, first");
        assert.match(prodPart, /more line\(s\) not shown/, "prod's long blocks are shortened");
        assert.match(devPart, /`rules\[\d+\]\.transitions\[0\]\.days`: `30` → `45`/, "dev's one change is shown in full");
    });

    it("fits GitHub's size limit by shortening blocks, never dropping the warnings", async () => {
        const full = buildComment(await inputs());
        const small = buildComment(await inputs(), 8_000);
        assert.ok(small.length <= 8_000, `${small.length}`);
        assert.ok(full.length > small.length);
        assert.match(small, /### ⚠️ \d+ warning\(s\)/);
        assert.match(small, /Shortened to fit a comment/);
    });

    it("is created once, then updated in place", async () => {
        const comments: { id: number; body: string }[] = [{ id: 7, body: "an unrelated comment" }];
        const requests: string[] = [];
        const server = http.createServer((request, response) => {
            let data = "";
            request.on("data", (chunk) => (data += chunk));
            request.on("end", () => {
                requests.push(`${request.method} ${request.url} ${request.headers.authorization}`);
                response.setHeader("content-type", "application/json");
                if (request.method === "GET" && request.url?.startsWith("/repos/acme/pipeline/issues/42/comments")) {
                    response.end(JSON.stringify(comments));
                } else if (request.method === "POST" && request.url === "/repos/acme/pipeline/issues/42/comments") {
                    const created = { id: 99, body: (JSON.parse(data) as { body: string }).body };
                    comments.push(created);
                    response.statusCode = 201;
                    response.end(JSON.stringify(created));
                } else if (request.method === "PATCH" && request.url === "/repos/acme/pipeline/issues/comments/99") {
                    comments.find((comment) => comment.id === 99)!.body = (JSON.parse(data) as { body: string }).body;
                    response.end(JSON.stringify({ id: 99 }));
                } else {
                    response.statusCode = 404;
                    response.end("{}");
                }
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            const target = { api: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, repository: "acme/pipeline", pullRequest: 42, token: "t0ken" };
            assert.deepStrictEqual(await postComment(target, `${COMMENT_MARKER}\nfirst`), { action: "created", id: 99 });
            assert.deepStrictEqual(await postComment(target, `${COMMENT_MARKER}\nsecond`), { action: "updated", id: 99 });
            assert.deepStrictEqual(
                comments.map((comment) => comment.body),
                ["an unrelated comment", `${COMMENT_MARKER}\nsecond`],
            );
            assert.deepStrictEqual(requests, [
                "GET /repos/acme/pipeline/issues/42/comments?per_page=100&page=1 Bearer t0ken",
                "POST /repos/acme/pipeline/issues/42/comments Bearer t0ken",
                "GET /repos/acme/pipeline/issues/42/comments?per_page=100&page=1 Bearer t0ken",
                "PATCH /repos/acme/pipeline/issues/comments/99 Bearer t0ken",
            ]);
        } finally {
            server.close();
        }
    });
});
