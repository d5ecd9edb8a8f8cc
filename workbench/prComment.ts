import * as fs from "fs";
import * as path from "path";
import { parseArgs, stripVTControlCharacters } from "util";
import type { DiffRun } from "./diff";
import { renderMarkdown, code, fenced, MARKDOWN_LEVEL, sharedDiffs } from "./diff/render";
import { rankedStages, rankedWarnings, StageDiff, WARNING_LEVELS } from "./diff/manifestDiff";
import { countByLevel, passed, PolicyReport } from "./policyCheck/report";
import type { StageReport } from "../ops/stage";

/**
 * The one pull-request comment reviewers read: per stage, the offline diff (workbench/diff.ts), its dress
 * rehearsal on the real engine (--rehearse), the offline policy results (workbench/policy.ts) and, when
 * the run had cloud credentials, the real
 * `pulumi preview --diff` of every layer stack (ops/stage.ts --report). Built from the CI jobs'
 * artifacts, fitted under GitHub's comment size limit (long blocks are shortened first, with a
 * pointer to the run's artifacts), then created once and updated in place on every push.
 */

/** Hidden marker that identifies the comment to update. */
export const COMMENT_MARKER = "<!-- spotify-pipeline:review -->";
/** GitHub rejects comment bodies over 65,536 characters; keep a margin. */
export const COMMENT_BUDGET = 60_000;

export interface CommentInputs {
    stages: string[];
    /** The offline diff (npm run diff -- ... --json), or undefined when its job produced none. */
    diff?: DiffRun;
    /** The dress rehearsal of each stage (npm run diff -- <stage> --rehearse --json DIR/<stage>.json). */
    rehearsals: Map<string, StageDiff>;
    /** Policy reports by stage (out/policy/<stage>.json). */
    policy: Map<string, PolicyReport>;
    /** Real previews by stage (npm run stage -- preview <stage> --report DIR). */
    previews: Map<string, { report: StageReport; outputs: Map<string, string> }>;
    /** Why there is no real preview, when there is none. */
    previewNote?: string;
    /** CI job results, shown at the top: name → success | failure | cancelled | skipped. */
    jobs: [string, string][];
    runUrl?: string;
    commit?: string;
}

const JOB_ICON: Record<string, string> = { success: "✅", failure: "❌", cancelled: "⏹️", skipped: "⏭️" };

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\n/g, "<br>");
}

interface Detail {
    /** Longest block (diff hunk, preview output, violation list) before it is cut. */
    maxBlockLines?: number;
    showCreatedInputs: boolean;
    /** Include the per-resource details at all. */
    details: boolean;
}

function policySection(stage: string, report: PolicyReport | undefined, detail: Detail): string[] {
    if (report === undefined) return [`**Policy pack:** no report for ${code(stage)}: the policy job failed before writing one (see the run).`, ""];
    const mandatory = countByLevel(report, "mandatory");
    const advisory = countByLevel(report, "advisory");
    const lines = [
        `**Policy pack** ${code(`${report.pack.name} ${report.pack.version}`)} (policy config ${report.policyConfig}): ${passed(report) ? "✅ passed" : "❌ failed"}, ${mandatory} mandatory and ${advisory} advisory violation(s).`,
        "",
    ];
    const violations = report.stacks.flatMap((stack) => stack.violations.map((violation) => ({ stack: stack.stack, violation })));
    if (violations.length === 0 || !detail.details) return lines;
    const limit = detail.maxBlockLines ?? violations.length;
    lines.push("| stack | resource | enforcement | rule | message |", "| --- | --- | --- | --- | --- |");
    for (const { stack, violation } of violations.slice(0, limit)) {
        const resource = violation.resourceName === undefined ? "(stack)" : `${violation.resourceName} (${violation.resourceType})`;
        lines.push(`| ${cell(stack)} | ${cell(resource)} | ${violation.enforcement} | ${cell(violation.policy)} | ${cell(violation.message)} |`);
    }
    if (violations.length > limit) lines.push("", `… ${violations.length - limit} more violation(s) in the run's policy artifact.`);
    lines.push("");
    return lines;
}

function rehearsalSection(stage: string, inputs: CommentInputs, detail: Detail): string[] {
    const rehearsal = inputs.rehearsals.get(stage);
    if (rehearsal === undefined)
        return [`**Dress rehearsal:** no report for ${code(stage)}: its job did not run or failed before writing one (see the run).`, ""];
    const markdown = renderMarkdown([rehearsal], { maxBlockLines: detail.maxBlockLines, showCreatedInputs: false, listWarnings: false });
    const body = markdown
        .split("\n")
        .map((line) =>
            line.startsWith("### Stage ")
                ? `**Dress rehearsal** (the real engine, offline: the base deployed, then this change applied stack by stack): ${line.slice(line.indexOf(": ") + 2)}`
                : line,
        );
    return [...(detail.details ? body : body.filter((line) => line.startsWith("|") || line.startsWith("**Dress rehearsal**"))), ""];
}

function previewSection(stage: string, inputs: CommentInputs, detail: Detail): string[] {
    const preview = inputs.previews.get(stage);
    if (preview === undefined) {
        return [`**\`pulumi preview\`:** not run for ${code(stage)}${inputs.previewNote === undefined ? "" : `: ${inputs.previewNote}`}.`, ""];
    }
    const lines = [
        "**`pulumi preview --diff`** (the real CLI against the deployed stacks):",
        "",
        "| stack | result | create | update | replace | delete | policy events |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ];
    for (const stack of preview.report.stacks) {
        const changes = stack.changeSummary ?? {};
        const count = (...ops: string[]) => String(ops.reduce((sum, op) => sum + (changes[op] ?? 0), 0));
        const result = stack.status === "ok" ? "✅" : stack.status === "failed" ? `❌ exit ${stack.exitCode ?? "?"}` : `⏭️ ${stack.reason ?? "skipped"}`;
        const known = stack.changeSummary !== undefined;
        lines.push(
            `| ${code(stack.stack)} | ${cell(result)} | ${known ? count("create") : "–"} | ${known ? count("update") : "–"} | ${known ? count("replace", "create-replacement", "delete-replaced") : "–"} | ${known ? count("delete") : "–"} | ${stack.policyViolations ?? "–"} |`,
        );
    }
    lines.push("");
    if (!detail.details) return lines;
    for (const stack of preview.report.stacks) {
        const output = preview.outputs.get(stack.stack);
        if (output === undefined || output.trim() === "") continue;
        let body = stripVTControlCharacters(output).replace(/\s+$/, "").split("\n");
        if (detail.maxBlockLines !== undefined && body.length > detail.maxBlockLines) {
            body = [...body.slice(0, detail.maxBlockLines), `… ${body.length - detail.maxBlockLines} more line(s) in the run's preview artifact`];
        }
        lines.push(`<details><summary>${code(stack.stack)} preview output</summary>`, "", ...fenced("", body), "", "</details>", "");
    }
    return lines;
}

/** The stages in the order a reviewer reads them: prod first when it carries warnings (rankedStages). */
function readingOrder(inputs: CommentInputs): string[] {
    const ranked = rankedStages(inputs.diff?.stages ?? []).map((stageDiff) => stageDiff.stage);
    const position = (stage: string) => (ranked.includes(stage) ? ranked.indexOf(stage) : ranked.length);
    return [...inputs.stages].sort((a, b) => position(a) - position(b));
}

/** The comment body, each stage at its own level of detail. */
function render(inputs: CommentInputs, detailOf: (stage: string) => Detail): string {
    const lines = [COMMENT_MARKER, "## Review: what this pull request changes", ""];
    const meta = [
        inputs.commit === undefined ? undefined : `commit ${code(inputs.commit.slice(0, 12))}`,
        inputs.runUrl === undefined ? undefined : `[workflow run](${inputs.runUrl})`,
    ].filter(Boolean);
    if (meta.length > 0) lines.push(`${meta.join(" · ")} — updated on every push.`, "");
    if (inputs.jobs.length > 0) {
        lines.push(inputs.jobs.map(([job, result]) => `${JOB_ICON[result] ?? "❔"} ${job}: ${result}`).join(" · "), "");
    }
    // Every warning first, whatever the size: these are what must not be missed. The rehearsal's
    // failures count with the diff's, ranked the same way (stages that protect data first, then level).
    const stageOrder = rankedStages([...(inputs.diff?.stages ?? []), ...inputs.rehearsals.values()]).map((stageDiff) => stageDiff.stage);
    const warnings = [
        ...rankedWarnings(inputs.diff?.stages ?? []),
        ...rankedWarnings([...inputs.rehearsals.values()]).map((entry) => ({ ...entry, stack: `${entry.stack} (dress rehearsal)` })),
    ].sort(
        (a, b) =>
            stageOrder.indexOf(a.stage) - stageOrder.indexOf(b.stage) || WARNING_LEVELS.indexOf(a.warning.level) - WARNING_LEVELS.indexOf(b.warning.level),
    );
    if (warnings.length > 0) {
        lines.push(`### ⚠️ ${warnings.length} warning(s)`, "");
        for (const { stage, stack, resource, warning } of warnings) {
            lines.push(
                `- ${MARKDOWN_LEVEL[warning.level]} ${code(stage)} ${code(stack)}${resource === undefined ? "" : ` **${resource.name}** ${code(resource.type)} (${resource.kind})`}: ${warning.message}`,
            );
        }
        lines.push("");
    }
    if (inputs.diff === undefined) lines.push("**Offline diff:** not available: its job failed before writing it (see the run).", "");
    else lines.push(`Offline diff: ${inputs.diff.title}.`, "");
    // A definition diff identical in several places (analysis and dashboard, dev and prod) is shown once.
    const shared = sharedDiffs(inputs.diff?.stages ?? []);
    let shortened = false;
    for (const stage of readingOrder(inputs)) {
        const detail = detailOf(stage);
        shortened ||= !detail.details || detail.maxBlockLines !== undefined;
        lines.push(`---`, "", `## Stage ${code(stage)}`, "");
        const stageDiff = inputs.diff?.stages.find((candidate) => candidate.stage === stage);
        if (stageDiff !== undefined) {
            const markdown = renderMarkdown([stageDiff], {
                maxBlockLines: detail.maxBlockLines,
                showCreatedInputs: detail.showCreatedInputs,
                fullDiffHint: "full diff in the run's review artifact",
                // Listed once for every stage at the top.
                listWarnings: false,
                shared,
            });
            // The stage heading is this comment's own; the diff's summary line goes under it.
            const body = markdown.split("\n").map((line) => (line.startsWith("### Stage ") ? `**Offline diff:** ${line.slice(line.indexOf(": ") + 2)}` : line));
            lines.push(...(detail.details ? body : body.filter((line) => line.startsWith("|") || line.startsWith("**Offline diff:**"))), "");
        } else if (inputs.diff !== undefined) {
            lines.push(`No offline diff for ${code(stage)}.`, "");
        }
        lines.push(...rehearsalSection(stage, inputs, detail));
        lines.push(...policySection(stage, inputs.policy.get(stage), detail));
        lines.push(...previewSection(stage, inputs, detail));
    }
    if (shortened) {
        lines.push(
            "---",
            "",
            `_Shortened to fit a comment: the full diff, policy reports and previews are in the run's artifacts${inputs.runUrl === undefined ? "" : ` ([run](${inputs.runUrl}))`}._`,
            "",
        );
    }
    return lines.join("\n");
}

/** Levels of detail, most detailed first. */
const LEVELS: readonly Detail[] = [
    { details: true, showCreatedInputs: true },
    ...[400, 120, 40, 12].map((maxBlockLines) => ({ details: true, showCreatedInputs: true, maxBlockLines })),
    ...[40, 12, 3].map((maxBlockLines) => ({ details: true, showCreatedInputs: false, maxBlockLines })),
    { details: false, showCreatedInputs: false, maxBlockLines: 0 },
];

/**
 * The comment body, as detailed as fits in `budget` characters. Stages are given detail in reading
 * order: each gets the most detailed level that fits with the later ones at their shortest, so the
 * budget a short stage leaves goes to the next instead of every stage being cut alike.
 */
export function buildComment(inputs: CommentInputs, budget = COMMENT_BUDGET): string {
    const level = new Map(inputs.stages.map((stage) => [stage, LEVELS.length - 1]));
    const body = () => render(inputs, (stage) => LEVELS[level.get(stage) ?? LEVELS.length - 1]);
    for (const stage of readingOrder(inputs)) {
        const fitting = LEVELS.findIndex((_, index) => {
            level.set(stage, index);
            return body().length <= budget;
        });
        level.set(stage, fitting < 0 ? LEVELS.length - 1 : fitting);
    }
    const rendered = body();
    if (rendered.length <= budget) return rendered;
    const note = `\n\n_Cut at ${budget} characters: see the run's artifacts._\n`;
    return rendered.slice(0, budget - note.length) + note;
}

/** Reads what the CI jobs left behind; anything missing stays missing and is said so in the comment. */
export function readInputs(options: {
    stages: string[];
    diff?: string;
    rehearsal?: string;
    policy?: string;
    preview?: string;
    previewNote?: string;
    jobs?: string;
    runUrl?: string;
    commit?: string;
}): CommentInputs {
    const readJson = <T>(file: string): T | undefined => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as T) : undefined);
    const policy = new Map<string, PolicyReport>();
    const rehearsals = new Map<string, StageDiff>();
    const previews = new Map<string, { report: StageReport; outputs: Map<string, string> }>();
    for (const stage of options.stages) {
        const rehearsal = options.rehearsal === undefined ? undefined : readJson<DiffRun>(path.join(options.rehearsal, `${stage}.json`));
        const rehearsed = rehearsal?.rehearsals?.find((candidate) => candidate.stage === stage);
        if (rehearsed !== undefined) rehearsals.set(stage, rehearsed);
        const report = options.policy === undefined ? undefined : readJson<PolicyReport>(path.join(options.policy, `${stage}.json`));
        if (report !== undefined) policy.set(stage, report);
        const previewDir = options.preview === undefined ? undefined : path.join(options.preview, stage);
        const summary = previewDir === undefined ? undefined : readJson<StageReport>(path.join(previewDir, "summary.json"));
        if (summary !== undefined && previewDir !== undefined) {
            const outputs = new Map(
                summary.stacks.map((stack) => [
                    stack.stack,
                    fs.existsSync(path.join(previewDir, `${stack.stack}.txt`)) ? fs.readFileSync(path.join(previewDir, `${stack.stack}.txt`), "utf8") : "",
                ]),
            );
            previews.set(stage, { report: summary, outputs });
        }
    }
    const jobs = (options.jobs ?? "")
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry !== "")
        .map((entry) => {
            const [name, ...result] = entry.split("=");
            return [name, result.join("=") || "unknown"] as [string, string];
        });
    return {
        stages: options.stages,
        diff: options.diff === undefined ? undefined : readJson<DiffRun>(options.diff),
        rehearsals,
        policy,
        previews,
        previewNote: options.previewNote,
        jobs,
        runUrl: options.runUrl,
        commit: options.commit,
    };
}

export interface GitHubTarget {
    /** https://api.github.com, or GITHUB_API_URL on GitHub Enterprise. */
    api: string;
    /** owner/name */
    repository: string;
    pullRequest: number;
    token: string;
}

async function github(target: GitHubTarget, method: string, route: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${target.api.replace(/\/$/, "")}${route}`, {
        method,
        headers: {
            accept: "application/vnd.github+json",
            authorization: `Bearer ${target.token}`,
            "x-github-api-version": "2022-11-28",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`GitHub ${method} ${route}: ${response.status} ${(await response.text()).slice(0, 500)}`);
    return response.status === 204 ? undefined : response.json();
}

/** Creates the review comment, or updates the one that carries the marker. Returns what it did. */
export async function postComment(target: GitHubTarget, body: string): Promise<{ action: "created" | "updated"; id: number }> {
    const base = `/repos/${target.repository}/issues`;
    for (let page = 1; ; page++) {
        const comments = (await github(target, "GET", `${base}/${target.pullRequest}/comments?per_page=100&page=${page}`)) as { id: number; body?: string }[];
        const existing = comments.find((comment) => comment.body?.includes(COMMENT_MARKER));
        if (existing !== undefined) {
            await github(target, "PATCH", `${base}/comments/${existing.id}`, { body });
            return { action: "updated", id: existing.id };
        }
        if (comments.length < 100) break;
    }
    const created = (await github(target, "POST", `${base}/${target.pullRequest}/comments`, { body })) as { id: number };
    return { action: "created", id: created.id };
}

const HELP = `Usage: npm run pr-comment -- --stages dev,prod [--diff FILE] [--rehearsal DIR] [--policy DIR] [--preview DIR]
         [--preview-note TEXT] [--jobs name=result,...] [--run-url URL] [--commit SHA] [--out FILE]
         [--post --pr NUMBER]

Builds the pull request's review comment from the CI jobs' artifacts: the offline diff JSON
(npm run diff -- <stages> --base <ref> --json FILE), the dress rehearsals (DIR/<stage>.json from npm
run diff -- <stage> --base <ref> --rehearse --json), the policy reports (DIR/<stage>.json from npm
run policy) and the real previews (DIR/<stage>/summary.json from npm run stage -- preview <stage>
--report DIR/<stage>). What is missing is said so. With --post, creates the comment or updates the
one it created before (found by a hidden marker), using GITHUB_TOKEN, GITHUB_REPOSITORY and
GITHUB_API_URL from the environment.`;

export async function main(argv: string[]): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: {
            stages: { type: "string" },
            diff: { type: "string" },
            rehearsal: { type: "string" },
            policy: { type: "string" },
            preview: { type: "string" },
            "preview-note": { type: "string" },
            jobs: { type: "string" },
            "run-url": { type: "string" },
            commit: { type: "string" },
            out: { type: "string" },
            post: { type: "boolean", default: false },
            pr: { type: "string" },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(HELP);
        return 0;
    }
    if (values.stages === undefined) {
        console.error(`prComment: --stages is required\n\n${HELP}`);
        return 2;
    }
    const inputs = readInputs({
        stages: values.stages
            .split(",")
            .map((stage) => stage.trim())
            .filter(Boolean),
        diff: values.diff,
        rehearsal: values.rehearsal,
        policy: values.policy,
        preview: values.preview,
        previewNote: values["preview-note"],
        jobs: values.jobs,
        runUrl: values["run-url"],
        commit: values.commit,
    });
    const body = buildComment(inputs);
    if (values.out !== undefined) fs.writeFileSync(values.out, body);
    if (!values.post) {
        if (values.out === undefined) console.log(body);
        return 0;
    }
    const { GITHUB_TOKEN: token, GITHUB_REPOSITORY: repository } = process.env;
    const pullRequest = Number(values.pr);
    if (token === undefined || repository === undefined || !Number.isInteger(pullRequest) || pullRequest <= 0) {
        console.error("prComment: --post needs --pr NUMBER and GITHUB_TOKEN and GITHUB_REPOSITORY in the environment");
        return 2;
    }
    const result = await postComment({ api: process.env.GITHUB_API_URL ?? "https://api.github.com", repository, pullRequest, token }, body);
    console.log(`prComment: ${result.action} comment ${result.id} on ${repository}#${pullRequest} (${body.length} characters)`);
    return 0;
}
