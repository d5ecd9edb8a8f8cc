import * as assert from "assert";
import { BUCKET_PURPOSES } from "../model/naming";
import { parseStageConfig } from "../model/stageConfig";
import { DATA_LAYOUT, stagePlan } from "../model/stagePlan";
import { readStageConfigFile } from "../ops/stageFile";

/** Every name a plan spells, with the field it fills. */
function namesOf(plan: ReturnType<typeof stagePlan>): Record<string, string> {
    return {
        ...Object.fromEntries(Object.entries(plan.buckets).map(([purpose, name]) => [`buckets.${purpose}`, name])),
        dataKeyAlias: plan.dataKeyAlias,
        ...Object.fromEntries(Object.entries(plan.etl).map(([field, name]) => [`etl.${field}`, name])),
        "network.flowLogGroup": plan.network.flowLogGroup,
        "network.flowLogsRole": plan.network.flowLogsRole,
        "network.glueConnection(2)": plan.network.glueConnection(2),
        workgroup: plan.workgroup,
        "quicksight.assetId(dashboard)": plan.quicksight.assetId("dashboard"),
        "quicksight.dataAccessPolicy": plan.quicksight.dataAccessPolicy,
        ...Object.fromEntries(Object.entries(plan.externalRoles).map(([field, name]) => [`externalRoles.${field}`, name])),
    };
}

describe("the stage plan (model/stagePlan.ts)", () => {
    it("spells every name of a committed stage from its prefix, stage and suffix, each once", () => {
        const dev = parseStageConfig(readStageConfigFile("dev"), "dev");
        const names = namesOf(stagePlan(dev));
        for (const [field, name] of Object.entries(names)) assert.match(name, /spotify[-_]dev/, field);
        assert.deepStrictEqual(Object.keys(stagePlan(dev).buckets), [...BUCKET_PURPOSES]);
        const repeated = Object.values(names).filter((name, index, all) => all.indexOf(name) !== index);
        assert.deepStrictEqual(repeated, []);
    });

    it("fits every service's limits at the longest prefix and stage a stage file may set", () => {
        // The stage file's longest: a 16-character prefix, a 12-character stage; the suffix short enough for S3.
        const plan = stagePlan({ namePrefix: "p".repeat(16), stage: "s".repeat(12), bucketSuffix: "x" });
        const roles = [plan.etl.jobRole, plan.etl.tableMaintenanceRole, plan.network.flowLogsRole, ...Object.values(plan.externalRoles)];
        for (const role of roles) assert.ok(/^[\w+=,.@-]{1,64}$/.test(role), `IAM role name ${role} (${role.length} characters)`);
        assert.ok(plan.quicksight.dataAccessPolicy.length <= 128, plan.quicksight.dataAccessPolicy);
        for (const name of [plan.etl.database, plan.etl.job, plan.workgroup]) assert.ok(name.length <= 128, name);
    });

    it("refuses a scope whose bucket names S3 would refuse, naming the name", () => {
        assert.throws(
            () => stagePlan({ namePrefix: "spotify", stage: "dev", bucketSuffix: "x".repeat(50) }),
            /Bucket name "spotify-dev-staging-x+" must be 3-63 characters/,
        );
    });

    it("keeps the data layout as key prefixes, each ending in /", () => {
        const prefixes = Object.values(DATA_LAYOUT).flat();
        for (const prefix of prefixes) assert.match(prefix, /^[a-z0-9_]+\/$/);
        assert.strictEqual(new Set(DATA_LAYOUT.stagingSources).size, DATA_LAYOUT.stagingSources.length);
    });
});
