import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import { PolicyCheck } from "../../workbench/policyCheck/check";
import { passed, PolicyReport, Violation } from "../../workbench/policyCheck/report";
import { BUCKET_ROLE_TAG } from "../model/naming";
import { layerTags } from "../model/tags";
import { PACK_NAME, POLICIES } from "../pack";
import { FixtureResource, PROJECT, StackOptions, typed, UNKNOWN } from "./support/fixtures";
import { evaluateThroughEngine, sharedCheck, violations } from "./support/harness";
import { declaredPolicies, evaluatePolicies } from "./support/inProcess";

/**
 * The pack's one test through the engine's way of running it: started as `pulumi preview
 * --policy-pack` starts it (run-policy-pack, ts-node type checking the pack) and asked over the
 * analyzer protocol. It proves that the in-process harness every rule's spec uses sees what a real
 * run sees: the same policies and config, and the same violations, unknown values included.
 */

const PROD_STORAGE: StackOptions = { stage: "prod", stack: "prod-storage" };
const TAGS = layerTags({ project: PROJECT, stage: "prod", owner: "data-platform", costCenter: "cc-1234", dataClassification: "confidential" }, "storage");
const KEY_POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
        { Sid: "AccountAdministersKeyThroughIam", Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "kms:*", Resource: "*" },
    ],
});

/** prod's storage layer, cut down to its provider and data key: what every rule accepts. */
const compliant = (): FixtureResource[] => [
    typed(aws.Provider, "storage-aws", { region: "eu-west-1", defaultTags: { tags: TAGS } }),
    typed(aws.kms.Key, "data-key", { enableKeyRotation: true, deletionWindowInDays: 30, policy: KEY_POLICY }, { provider: "storage-aws", protect: true }),
];

/**
 * Data buckets preview cannot fully know (one's tags, the other's encryption key and its sidecars'
 * bucket), missing most of what the rules ask, and a role policy allowing everything.
 */
const failing = (): FixtureResource[] => [
    ...compliant(),
    typed(aws.s3.Bucket, "staging", { bucket: "spotify-prod-staging-222222222222", tags: { [BUCKET_ROLE_TAG]: "staging" } }, { provider: "storage-aws" }),
    typed(aws.s3.Bucket, "warehouse", { bucket: "spotify-prod-warehouse-222222222222", tags: UNKNOWN }, { provider: "storage-aws" }),
    typed(
        aws.s3.BucketServerSideEncryptionConfiguration,
        "staging-encryption",
        { bucket: UNKNOWN, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: UNKNOWN } }] },
        { provider: "storage-aws", from: { bucket: ["staging"], rules: ["data-key"] } },
    ),
    typed(
        aws.iam.RolePolicy,
        "loader-permissions",
        { role: "loader", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) },
        { provider: "storage-aws" },
    ),
];

/** Violations in a stable order (the engine reports resource by resource, the harness policy by policy). */
const sorted = (found: Violation[]) => found.map((violation) => JSON.stringify(violation)).sort();

/** The engine's report on the fixture stack, once asserted to hold what every policy reports in process. */
async function assertSameThroughEngine(resources: FixtureResource[], options: StackOptions): Promise<PolicyReport> {
    const report = await evaluateThroughEngine(resources, options);
    const inProcess = await evaluatePolicies(
        POLICIES.map((policy) => policy.name),
        resources,
        options,
    );
    assert.deepStrictEqual(sorted(violations(report)), sorted(inProcess));
    return report;
}

describe("policies: the pack as the engine runs it", function () {
    it("declares, over the analyzer protocol, the policies and config schemas the in-process harness runs", async () => {
        const { info } = await sharedCheck();
        const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { version: string };
        assert.deepStrictEqual(info, { name: PACK_NAME, version, policies: await declaredPolicies() });
    });

    it("fails a stack with mandatory violations, unknown values included, exactly as the rules report in process", async () => {
        const report = await assertSameThroughEngine(failing(), PROD_STORAGE);
        const mandatory = new Set(
            violations(report)
                .filter((violation) => violation.enforcement === "mandatory")
                .map((violation) => violation.policy),
        );
        for (const policy of ["s3-public-access-block", "s3-bucket-encryption", "iam-no-wildcard-actions", "data-protection"]) {
            assert.ok(mandatory.has(policy), `${policy} in ${[...mandatory].join(", ")}`);
        }
        assert.ok(!passed(report));
    });

    it("passes a stack every rule accepts, as in process", async () => {
        const report = await assertSameThroughEngine(compliant(), PROD_STORAGE);
        assert.deepStrictEqual(violations(report), []);
        assert.ok(passed(report));
    });

    it("the tsx launcher serves the same pack as the engine's way", async () => {
        const tsx = await PolicyCheck.start("tsx");
        try {
            assert.deepStrictEqual(tsx.info, (await sharedCheck()).info);
        } finally {
            await tsx.stop();
        }
    });
});
