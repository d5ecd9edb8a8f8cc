import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../model/repository";
import { LAYERS } from "../model/stacks";
import { spawnSync } from "child_process";
import { offlineConfigFile, offlineEnvironment } from "../ops/stage";
import { synthesizeStage } from "../workbench/synth/stageSynthesis";
import { npmRun } from "./support/npmRun";

/** What `npm run stage -- <args> --offline` printed, with the CLI's one warning a run about our plugins left out. */
interface EngineRun {
    status: number | null;
    output: string;
}

/** Per stack (each after its "$ pulumi <operation> --stack" line), the change counts of its last "Resources:" block. */
function summaries(output: string): string[][] {
    return output
        .split(/^\$ pulumi (?:up|preview|destroy|refresh) --stack /m)
        .slice(1)
        .map((segment) => {
            const blocks = segment.split(/^Resources:\n/m);
            const last = blocks.length > 1 ? blocks[blocks.length - 1] : "";
            return last
                .split("\n")
                .map((line) => line.trim())
                .filter((line) => /^(?:[+~-] )?\d+ (?:created|unchanged|deleted|updated|replaced|to \w+)$/.test(line));
        });
}

/**
 * The URNs the engine holds for a stack (`pulumi stack export`), without what the engine makes itself:
 * the root stack, and the default provider of each package no resource names a provider for.
 */
function engineUrns(stack: string, env: NodeJS.ProcessEnv): string[] {
    // A dashboards stack's state holds its definition twice (inputs and outputs): megabytes.
    const exported = spawnSync("pulumi", ["stack", "export", "--stack", stack], { cwd: REPO_ROOT, encoding: "utf8", env, maxBuffer: 256 * 2 ** 20 });
    assert.strictEqual(exported.status, 0, exported.error?.message ?? exported.stderr);
    const deployment = (JSON.parse(exported.stdout) as { deployment: { resources?: { urn: string; type: string }[] } }).deployment;
    return (deployment.resources ?? [])
        .filter((resource) => resource.type !== "pulumi:pulumi:Stack" && !/::pulumi:providers:[\w-]+::default(?:_[\d_]+)?$/.test(resource.urn))
        .map((resource) => resource.urn)
        .sort();
}

/**
 * The offline synthesis's URNs are the engine's: every stack's manifest names exactly the resources
 * the engine deployed, but for the children awsx's remote VPC registers, which the mock runtime
 * cannot see (they are the engine's alone, under the component's URN).
 */
async function assertManifestUrnsAreTheEngines(stage: string, scratch: string): Promise<void> {
    const env = inScratch(scratch, () => offlineEnvironment());
    for (const manifest of await synthesizeStage({ stage })) {
        const components = manifest.resources.filter((resource) => resource.type === "awsx:ec2:Vpc").map((resource) => resource.urn);
        const engine = engineUrns(manifest.stack, env).filter(
            (urn) => !components.some((component) => urn.startsWith(`${component.split("::").slice(0, 3).join("::")}$`) && urn !== component),
        );
        assert.deepStrictEqual(manifest.resources.map((resource) => resource.urn).sort(), engine, manifest.stack);
    }
}

/** Runs `fn` with SPOTIFY_OFFLINE_DIR set to `scratch`, as the driver would see it. */
function inScratch<T>(scratch: string, fn: () => T): T {
    const previous = process.env.SPOTIFY_OFFLINE_DIR;
    process.env.SPOTIFY_OFFLINE_DIR = scratch;
    try {
        return fn();
    } finally {
        if (previous === undefined) delete process.env.SPOTIFY_OFFLINE_DIR;
        else process.env.SPOTIFY_OFFLINE_DIR = previous;
    }
}

// The real Pulumi CLI (ops/pulumi-cli, built offline from the Go module proxy), the offline engine's
// language host and providers (engine/), and the policy pack through the CLI, on a scratch file backend:
// every acceptance of the real-engine issue run exactly as a user types it.
describe("the real Pulumi engine, offline (npm run stage -- <operation> <stage> --offline)", function () {
    this.timeout(30 * 60_000);
    let scratch: string;
    const stage = (args: string[]): EngineRun => {
        const run = npmRun("stage", [...args.slice(0, 2), "--offline", ...args.slice(2)], { SPOTIFY_OFFLINE_DIR: scratch });
        return { status: run.status, output: `${run.stdout}${run.stderr}` };
    };

    before(() => {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "offline-engine-"));
    });
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it("up dev deploys every layer stack in order with the pack, with the synthesis's URNs; preview then reports no changes; destroy dev empties every stack", async () => {
        const stageFile = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");
        const up = stage(["up", "dev", "--", "--yes", "--non-interactive", "--color", "never"]);
        assert.strictEqual(up.status, 0, up.output);
        // The passphrase provider's salt goes to the offline copy: the stage file is never rewritten.
        assert.strictEqual(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8"), stageFile);
        const order = [...up.output.matchAll(/^\$ pulumi up --stack (\S+)/gm)].map((match) => match[1]);
        assert.deepStrictEqual(
            order,
            LAYERS.map((layer) => `dev-${layer}`),
        );
        assert.match(up.output, /Policies:\n\s+✅ spotify-guardrails@v0\.1\.0 \(local: policies\)/);
        const created = summaries(up.output).map((lines) => Number(/^\+ (\d+) created$/.exec(lines[0])?.[1] ?? 0));
        assert.strictEqual(created.length, LAYERS.length, up.output);
        assert.ok(
            created.slice(1).every((count) => count > 10),
            `every layer but the empty dev network creates resources: ${created.join(", ")}`,
        );

        await assertManifestUrnsAreTheEngines("dev", scratch);

        const preview = stage(["preview", "dev", "--", "--expect-no-changes", "--non-interactive", "--color", "never"]);
        assert.strictEqual(preview.status, 0, preview.output);
        assert.deepStrictEqual(
            summaries(preview.output).map((lines) => lines.join("; ")),
            created.map((count) => `${count} unchanged`),
        );

        const destroy = stage(["destroy", "dev", "--", "--yes", "--non-interactive", "--color", "never"]);
        assert.strictEqual(destroy.status, 0, destroy.output);
        const order2 = [...destroy.output.matchAll(/^\$ pulumi destroy --stack (\S+)/gm)].map((match) => match[1]);
        assert.deepStrictEqual(
            order2,
            [...LAYERS].reverse().map((layer) => `dev-${layer}`),
        );
        assert.deepStrictEqual(
            summaries(destroy.output).map((lines) => lines[0]),
            [...created].reverse().map((count) => `- ${count} deleted`),
        );
    });

    it("up prod passes prod's derived pack config (every rule mandatory), with the synthesis's URNs, and a preview then reports no changes; destroy is refused without --confirm-destroy, and by the engine for protected resources", async () => {
        const up = stage(["up", "prod", "--", "--yes", "--non-interactive", "--color", "never"]);
        assert.strictEqual(up.status, 0, up.output);
        const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "out", "policy-config", "prod.json"), "utf8")) as Record<
            string,
            { enforcementLevel: string }
        >;
        assert.ok(Object.values(config).every((rule) => rule.enforcementLevel === "mandatory"));
        // The awsx VPC is constructed: its children reach the engine and the pack with aws types.
        assert.match(up.output, /\+ {2}aws:ec2:Subnet network-vpc-jobs-1 created/);
        await assertManifestUrnsAreTheEngines("prod", scratch);
        const preview = stage(["preview", "prod", "--", "--expect-no-changes", "--non-interactive", "--color", "never"]);
        assert.strictEqual(preview.status, 0, preview.output);

        const unconfirmed = stage(["destroy", "prod", "--", "--yes", "--non-interactive", "--color", "never"]);
        assert.strictEqual(unconfirmed.status, 2);
        assert.match(unconfirmed.output, /destroying it needs --confirm-destroy prod/);
        assert.doesNotMatch(unconfirmed.output, /^\$ pulumi destroy/m);

        const confirmed = stage(["destroy", "prod", "--confirm-destroy", "prod", "--", "--yes", "--non-interactive", "--color", "never"]);
        assert.notStrictEqual(confirmed.status, 0);
        assert.match(
            confirmed.output,
            /resource "urn:pulumi:prod-dashboards::spotify-pipeline::spotify:layers:Dashboards\$aws-native:quicksight:Dashboard::dashboards-spotify-hits" cannot be deleted\s+because it is protected/,
        );
    });

    it("the etl split's aliases, proven by the engine: dev deployed at the commit before it (f94acad^), then deployed at HEAD, moves every etl resource without a create, delete or replace", () => {
        const layersBefore = ["storage", "etl", "queries", "dashboards"];
        // That commit imports @aws-sdk/util-endpoints without declaring it (445e9ba; declared since), so its
        // own lockfile cannot run it: it runs on this tree's node_modules, whose runtime dependencies are
        // its own plus that one (and @pulumi/awsx, which it does not import).
        const worktree = path.join(scratch, "f94acad-parent");
        const git = (...args: string[]) => assert.strictEqual(spawnSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" }).status, 0, `git ${args.join(" ")}`);
        git("worktree", "add", "--detach", "--quiet", worktree, "f94acad^");
        try {
            fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(worktree, "node_modules"), "dir");
            const env = {
                ...inScratch(scratch, () => offlineEnvironment()),
                // That tree predates Pulumi.yaml's tsconfig: its program compiles with its root tsconfig as ours does.
                PULUMI_NODEJS_TSCONFIG_PATH: "../tsconfig.json",
            };
            const configFile = inScratch(scratch, () => offlineConfigFile("dev", worktree));
            for (const layer of layersBefore) {
                for (const args of [
                    ["stack", "select", "--create", `dev-${layer}`],
                    ["up", "--stack", `dev-${layer}`, "--config-file", configFile, "--yes", "--non-interactive", "--color", "never"],
                ]) {
                    const run = spawnSync("pulumi", args, { cwd: worktree, encoding: "utf8", env });
                    assert.strictEqual(run.status, 0, `${args.join(" ")} at f94acad^:\n${run.stdout}${run.stderr}`);
                }
            }
        } finally {
            git("worktree", "remove", "--force", worktree);
        }
        const up = stage(["up", "dev", "--", "--yes", "--non-interactive", "--color", "never"]);
        assert.strictEqual(up.status, 0, up.output);
        const etl = up.output.split(/^\$ pulumi up --stack /m).find((segment) => segment.startsWith("dev-etl "));
        assert.ok(etl !== undefined, up.output);
        // The engine's steps on cloud resources as it took them (before "Resources:"): "<op> <type> <name> created|replaced|deleted";
        // the split's new components (no cloud resource of their own) print no step line.
        const taken = etl.slice(0, etl.indexOf("Resources:"));
        const steps = [...taken.matchAll(/^ (\+\+|\+-|--|\+|-) +(\S+) (\S+) (create|replace|delete)d\b/gm)].map(
            (match) => `${match[4]} ${match[2]} ${match[3]}`,
        );
        // On purpose, by later commits (a replacement shows as create, replace and delete):
        // - the job package's and the entry script's keys are their content hashes, and the ETL code changed since;
        // - issue 25: the warehouse table became an Iceberg table, which replaces it (openTableFormatInput is
        //   replace-on-change, delete first), and with it the ruleset whose target table it is; Glue's table
        //   optimizers and their role are new; the crawler, its trigger, role and log group are gone.
        assert.deepStrictEqual([...new Set(steps)].sort(), [
            "create aws:glue:CatalogTable etl-tracks",
            "create aws:glue:CatalogTableOptimizer etl-orphan-file-deletion",
            "create aws:glue:CatalogTableOptimizer etl-snapshot-retention",
            "create aws:glue:DataQualityRuleset etl-quality",
            "create aws:iam:Role etl-maintenance-role",
            "create aws:iam:RolePolicy etl-maintenance-role-permissions",
            "create aws:s3:BucketObjectv2 etl-entry-script",
            "create aws:s3:BucketObjectv2 etl-package",
            "delete aws:cloudwatch:LogGroup etl-crawler-logs",
            "delete aws:glue:CatalogTable etl-tracks",
            "delete aws:glue:Crawler etl-crawler",
            "delete aws:glue:DataQualityRuleset etl-quality",
            "delete aws:glue:Trigger etl-crawl-after-job",
            "delete aws:iam:Role etl-crawler-role",
            "delete aws:iam:RolePolicy etl-crawler-role-permissions",
            "delete aws:s3:BucketObjectv2 etl-entry-script",
            "delete aws:s3:BucketObjectv2 etl-package",
            "replace aws:glue:CatalogTable etl-tracks",
            "replace aws:glue:DataQualityRuleset etl-quality",
            "replace aws:s3:BucketObjectv2 etl-entry-script",
            "replace aws:s3:BucketObjectv2 etl-package",
        ]);
        assert.match(etl, /\d+ unchanged/);
    });

    it("the single-stack pulumi CLI path reports user errors in one line each, never with a stack trace", () => {
        const env = inScratch(path.join(scratch, "single-stack"), () => offlineEnvironment());
        const pulumi = (...args: string[]) => {
            const run = spawnSync("pulumi", args, { cwd: REPO_ROOT, encoding: "utf8", env });
            return { status: run.status, output: `${run.stdout}${run.stderr}` };
        };
        // Upstream stacks that exist but were never deployed export nothing.
        for (const layer of LAYERS) assert.strictEqual(pulumi("stack", "init", `dev-${layer}`).status, 0);
        const configFile = inScratch(path.join(scratch, "single-stack"), () => offlineConfigFile("dev"));
        const up = pulumi("up", "--yes", "--non-interactive", "--color", "never", "--stack", "dev-dashboards", "--config-file", configFile);
        assert.notStrictEqual(up.status, 0, up.output);
        assert.match(up.output, /Stack (dev-\w+) exports no \w+: it has not been deployed yet.*pulumi up -s \1\)/);
        assert.doesNotMatch(up.output, /^\s+at .*\(.*:\d+:\d+\)$/m);
        // A broken stage file on the same path: the program's own error, naming file and key.
        const broken = path.join(scratch, "single-stack", "Pulumi.dev.yaml");
        fs.writeFileSync(broken, fs.readFileSync(configFile, "utf8").replace(/^ {2}spotify:owner: .*$/m, "  spotify:owner: null"));
        const preview = pulumi("preview", "--non-interactive", "--color", "never", "--stack", "dev-storage", "--config-file", broken);
        assert.notStrictEqual(preview.status, 0, preview.output);
        assert.match(preview.output, /Invalid stage config in Pulumi\.dev\.yaml for stage dev:\s+- spotify:owner: has no value/);
        assert.doesNotMatch(preview.output, /^\s+at .*\(.*:\d+:\d+\)$/m);
    });

    it("a violation injected into the program fails up prod through the real CLI, naming the rule", () => {
        // The program of this commit in a clone, with the network layer's flow-log key no longer rotating.
        const clone = path.join(scratch, "injected");
        assert.strictEqual(spawnSync("git", ["clone", "-q", REPO_ROOT, clone]).status, 0);
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
        const flowLogs = path.join(clone, "infra", "network", "vpcFlowLogs.ts");
        const program = fs.readFileSync(flowLogs, "utf8");
        assert.ok(program.includes("enableKeyRotation: true"), "the injection point is still there");
        fs.writeFileSync(flowLogs, program.replace("enableKeyRotation: true", "enableKeyRotation: false"));
        const run = spawnSync("npm", ["run", "--silent", "stage", "--", "up", "prod", "--offline", "--", "--yes", "--color", "never"], {
            cwd: clone,
            encoding: "utf8",
            env: { ...process.env, SPOTIFY_OFFLINE_DIR: path.join(scratch, "injected-state") },
        });
        const output = `${run.stdout}${run.stderr}`;
        assert.notStrictEqual(run.status, 0, output);
        assert.match(output, /\[mandatory\] \[severity: \w+\] +kms-key-rotation +\(aws:kms:Key: network-key\)/);
        assert.match(output, /stage: "pulumi up --stack prod-network .*" failed with exit code \d+; later stacks were not touched\./);
    });
});
