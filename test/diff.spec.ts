import * as assert from "assert";
import { diffManifests, renderDiff } from "../tools/diff/manifestDiff";
import { synthesizeStage } from "../tools/synth/stage";
import { readStageConfigFile } from "../tools/synth/stageConfig";
import { stageManifests } from "./support/synth";

describe("reviewer diff", () => {
    it("shows no change between two syntheses of the same program", async () => {
        const manifests = await stageManifests("prod");
        for (const manifest of manifests) {
            const stackDiff = diffManifests(manifest, JSON.parse(JSON.stringify(manifest)));
            assert.deepStrictEqual(stackDiff.changes, []);
        }
    });

    it("shows exactly the inputs a config change touches, in the stacks it touches", async () => {
        const base = await stageManifests("prod");
        const config = { ...readStageConfigFile("prod"), "spotify:stagingInfrequentAccessDays": "60" };
        const head = await synthesizeStage({ stage: "prod", config });
        const diffs = base.map((manifest, index) => diffManifests(manifest, head[index]));
        const changed = diffs.flatMap((stackDiff) => stackDiff.changes.map((change) => ({ stack: stackDiff.stack, name: change.name, changes: change.changes })));
        assert.deepStrictEqual(changed, [
            { stack: "prod-storage", name: "storage-staging-lifecycle", changes: [{ path: "rules[2].transitions[0].days", before: 30, after: 60 }] },
        ]);
        assert.match(renderDiff(diffs), /rules\[2\]\.transitions\[0\]\.days`: 30 → 60/);
    });

    it("flags deleting a protected resource and dropping protection", async () => {
        const [storage] = await stageManifests("prod");
        const key = storage.resources.find((resource) => resource.type === "aws:kms/key:Key")!;
        const unprotected = { ...storage, resources: storage.resources.map((resource) => (resource === key ? { ...resource, protect: false } : resource)) };
        const removed = { ...storage, resources: storage.resources.filter((resource) => resource !== key) };
        assert.deepStrictEqual(diffManifests(storage, unprotected).changes.map((change) => change.warnings), [["removes protect"]]);
        const deletion = diffManifests(storage, removed).changes;
        assert.strictEqual(deletion.length, 1);
        assert.strictEqual(deletion[0].kind, "delete");
        assert.match(deletion[0].warnings.join(), /protected/);
    });
});
