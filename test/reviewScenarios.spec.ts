import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../model/repository";
import { npmRun } from "./support/npmRun";
import type { DiffRun } from "../workbench/diff";
import { countKinds, rankedWarnings, ResourceChange } from "../workbench/diff/manifestDiff";

/**
 * The reviewer's pull requests of the review issue, each a commit on a clone of this repository,
 * diffed against its parent exactly as a reviewer runs it: npm run diff -- prod --base HEAD~1.
 */

function git(cwd: string, ...args: string[]): string {
    const result = spawnSync("git", args, { cwd, encoding: "utf8" });
    assert.strictEqual(result.status, 0, `git ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
}

/** A clone whose HEAD is the code under test: this commit plus whatever the working tree changes. */
function cloneUnderTest(): string {
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), "review-scenarios-"));
    git(REPO_ROOT, "clone", "--quiet", REPO_ROOT, clone);
    const patch = spawnSync("git", ["diff", "HEAD", "--binary"], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).stdout;
    if (patch.trim() !== "") assert.strictEqual(spawnSync("git", ["apply"], { cwd: clone, input: patch }).status, 0, "the working tree's changes apply");
    for (const file of git(REPO_ROOT, "ls-files", "--others", "--exclude-standard").split("\n").filter(Boolean)) {
        if (fs.lstatSync(path.join(REPO_ROOT, file)).isSymbolicLink()) continue;
        fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
        fs.copyFileSync(path.join(REPO_ROOT, file), path.join(clone, file));
    }
    git(clone, "-c", "user.name=review", "-c", "user.email=review@example.com", "commit", "--quiet", "--allow-empty", "-am", "code under test");
    git(clone, "add", "-A");
    git(clone, "-c", "user.name=review", "-c", "user.email=review@example.com", "commit", "--quiet", "--allow-empty", "-m", "untracked files under test");
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
    return clone;
}

interface Scenario {
    pr: string;
    file: string;
    from: string;
    to: string;
    /** Also --rehearse: the dress rehearsal on the real engine, offline. */
    rehearse?: boolean;
}

const SCENARIOS: Record<string, Scenario> = {
    cidr: {
        pr: "prod VPC CIDR 10.0.0.0/16 → 10.42.0.0/16",
        file: "infra/network/isolatedVpc.ts",
        from: '"10.0.0.0/16"',
        to: '"10.42.0.0/16"',
        rehearse: true,
    },
    multiRegion: {
        pr: "the data key made multi-Region",
        file: "infra/storage/dataKey.ts",
        from: "enableKeyRotation: true,",
        to: "enableKeyRotation: true,\n                multiRegion: true,",
        rehearse: true,
    },
    defaults: {
        pr: "the data key stating its provider defaults",
        file: "infra/storage/dataKey.ts",
        from: "enableKeyRotation: true,",
        to: 'enableKeyRotation: true,\n                customerMasterKeySpec: "SYMMETRIC_DEFAULT",\n                keyUsage: "ENCRYPT_DECRYPT",',
    },
    workgroup: {
        pr: "prod's Athena workgroup renamed",
        file: "model/stagePlan.ts",
        from: 'workgroup: underscored("analytics"),',
        to: 'workgroup: underscored("insights"),',
    },
};

describe("review scenarios: each PR a commit, npm run diff -- prod --base HEAD~1", function () {
    this.timeout(20 * 60_000);
    let clone: string;
    const diffs = new Map<string, DiffRun>();
    const statuses = new Map<string, number | null>();

    before(() => {
        clone = cloneUnderTest();
        const base = git(clone, "rev-parse", "HEAD").trim();
        for (const [name, scenario] of Object.entries(SCENARIOS)) {
            git(clone, "checkout", "--quiet", "-B", name, base);
            const file = path.join(clone, scenario.file);
            const source = fs.readFileSync(file, "utf8");
            assert.ok(source.includes(scenario.from), `${scenario.file} still has ${scenario.from}`);
            fs.writeFileSync(file, source.replace(scenario.from, scenario.to));
            git(clone, "-c", "user.name=review", "-c", "user.email=review@example.com", "commit", "--quiet", "-am", scenario.pr);
            const json = path.join(clone, `${name}.json`);
            const run = npmRun("diff", ["prod", "--base", "HEAD~1", "--json", json, ...(scenario.rehearse === true ? ["--rehearse"] : [])], {}, clone);
            assert.ok(run.status === 0 || (scenario.rehearse === true && run.status === 1), `${scenario.pr}: exit ${run.status}\n${run.stderr}`);
            statuses.set(name, run.status);
            diffs.set(name, JSON.parse(fs.readFileSync(json, "utf8")) as DiffRun);
        }
    });
    after(() => {
        if (clone !== undefined) fs.rmSync(clone, { recursive: true, force: true });
    });

    const changes = (name: string): (ResourceChange & { stack: string })[] =>
        diffs.get(name)!.stages[0].stacks.flatMap((stack) => stack.changes.map((change) => ({ ...change, stack: stack.stack })));
    const kindsOf = (name: string, type: string) =>
        changes(name)
            .filter((change) => change.type === type)
            .map((change) => change.kind);

    it("the VPC CIDR change: the VPC's replacement, and the replacement of every endpoint, security group and the flow log it carries", () => {
        const vpc = changes("cidr").find((change) => change.type === "awsx:ec2:Vpc");
        assert.strictEqual(vpc?.kind, "replace");
        assert.match(vpc.replaceReasons.join(), /cidrBlock changed: replaces the VPC/);
        assert.deepStrictEqual(kindsOf("cidr", "aws:ec2/vpcEndpoint:VpcEndpoint"), Array(6).fill("replace"));
        assert.deepStrictEqual(kindsOf("cidr", "aws:ec2/securityGroup:SecurityGroup"), ["replace", "replace"]);
        assert.deepStrictEqual(kindsOf("cidr", "aws:ec2/flowLog:FlowLog"), ["replace"]);
        // Across stacks: the Glue connections move subnets, and storage's bucket policies name the new S3 endpoint.
        assert.deepStrictEqual(kindsOf("cidr", "aws:glue/connection:Connection"), ["update", "update"]);
        const policies = changes("cidr").filter((change) => change.type === "aws:s3/bucketPolicy:BucketPolicy");
        assert.deepStrictEqual(policies.map((policy) => `${policy.stack} ${policy.name} ${policy.kind}`).sort(), [
            "prod-storage storage-staging-policy update",
            "prod-storage storage-warehouse-policy update",
        ]);
    });

    it("multiRegion: the key's replacement reaches etl, queries and dashboards, and replaces the Glue security configuration", () => {
        const touched = new Set(changes("multiRegion").map((change) => change.stack));
        for (const stack of ["prod-storage", "prod-etl", "prod-queries", "prod-dashboards"]) assert.ok(touched.has(stack), `${stack} changes`);
        assert.deepStrictEqual(kindsOf("multiRegion", "aws:glue/securityConfiguration:SecurityConfiguration"), ["replace"]);
        assert.deepStrictEqual(kindsOf("multiRegion", "aws:kms/key:Key"), ["replace"]);
        const counts = countKinds(changes("multiRegion"));
        assert.ok(counts.update >= 14, `${counts.update} updates`);
    });

    const rehearsed = (name: string) =>
        diffs.get(name)!.rehearsals![0].stacks.flatMap((stack) => stack.changes.map((change) => `${stack.stack} ${change.kind} ${change.type} ${change.name}`));

    it("--rehearse on the VPC change: the engine replaces the VPC and what hangs off it, and the stacks above follow the new ids", () => {
        assert.strictEqual(statuses.get("cidr"), 0);
        const steps = rehearsed("cidr");
        for (const expected of [
            "prod-network replace aws:ec2/vpc:Vpc network-vpc",
            "prod-network replace aws:ec2/subnet:Subnet network-vpc-jobs-1",
            "prod-network replace aws:ec2/vpcEndpoint:VpcEndpoint network-s3",
            "prod-network replace aws:ec2/securityGroup:SecurityGroup network-glue",
            "prod-network replace aws:ec2/flowLog:FlowLog network-flow-log",
            "prod-storage update aws:s3/bucketPolicy:BucketPolicy storage-staging-policy",
            "prod-storage update aws:s3/bucketPolicy:BucketPolicy storage-warehouse-policy",
            "prod-etl update aws:iam/rolePolicy:RolePolicy etl-job-role-permissions",
        ]) {
            assert.ok(steps.includes(expected), `${expected} in:\n${steps.join("\n")}`);
        }
        assert.strictEqual(steps.filter((step) => step.startsWith("prod-network replace aws:ec2/vpcEndpoint:VpcEndpoint")).length, 6);
    });

    it("--rehearse on the multi-Region key: the engine refuses to replace the protected key, and the rollout stops there", () => {
        assert.strictEqual(statuses.get("multiRegion"), 1, "the rehearsal fails, so the diff exits 1");
        const stacks = diffs.get("multiRegion")!.rehearsals![0].stacks;
        const storage = stacks.find((stack) => stack.stack === "prod-storage")!;
        assert.ok(
            storage.warnings.some((warning) => warning.level === "blocking" && /protect/.test(warning.message)),
            JSON.stringify(storage.warnings),
        );
        for (const later of ["prod-etl", "prod-queries", "prod-dashboards"]) {
            assert.match(stacks.find((stack) => stack.stack === later)!.warnings[0].message, /not applied: an earlier stack of the rollout failed/);
        }
    });

    it("stating the key's provider defaults is no change at all", () => {
        assert.deepStrictEqual(changes("defaults"), []);
        assert.deepStrictEqual(rankedWarnings(diffs.get("defaults")!.stages), []);
    });

    it("renaming prod's workgroup carries a warning that the deploy will fail, listed first", () => {
        const [first] = rankedWarnings(diffs.get("workgroup")!.stages);
        assert.strictEqual(first?.warning.level, "blocking");
        assert.strictEqual(first.resource?.type, "aws:athena/workgroup:Workgroup");
        assert.match(first.warning.message, /`up` fails at the end/);
    });
});
