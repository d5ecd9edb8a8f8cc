import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../infra/repository";
import { LAYERS } from "../policies/conventions/stacks";
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

    it("up dev deploys every layer stack in order with the pack; preview then reports no changes; destroy dev empties every stack", () => {
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

    it("up prod passes prod's derived pack config (every rule mandatory); destroy is refused without --confirm-destroy, and by the engine for protected resources", () => {
        const up = stage(["up", "prod", "--", "--yes", "--non-interactive", "--color", "never"]);
        assert.strictEqual(up.status, 0, up.output);
        const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "out", "policy-config", "prod.json"), "utf8")) as Record<
            string,
            { enforcementLevel: string }
        >;
        assert.ok(Object.values(config).every((rule) => rule.enforcementLevel === "mandatory"));
        // The awsx VPC is constructed: its children reach the engine and the pack with aws types.
        assert.match(up.output, /\+ {2}aws:ec2:Subnet network-vpc-jobs-1 created/);

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

    it("an injected violation fails up through the real CLI, naming the rule", () => {
        // prod's settings with a key deletion window the protected stage's pack refuses.
        const file = path.join(REPO_ROOT, "Pulumi.enginecheck.yaml");
        const prod = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8");
        fs.writeFileSync(file, prod.replace(/^(\s*spotify:kmsDeletionWindowDays:).*$/m, '$1 "7"').replace(/^(\s*spotify:stage:).*$/m, "$1 enginecheck"));
        try {
            const up = stage(["up", "enginecheck", "--", "--yes", "--non-interactive", "--color", "never"]);
            assert.notStrictEqual(up.status, 0, up.output);
            assert.match(up.output, /\[mandatory\] \[severity: \w+\] +kms-deletion-window +\(aws:kms:Key: network-key\)/);
            assert.match(up.output, /stage: "pulumi up --stack enginecheck-network .*" failed with exit code \d+; later stacks were not touched\./);
        } finally {
            fs.rmSync(file, { force: true });
        }
    });
});
