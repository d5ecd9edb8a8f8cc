import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Manifest, ManifestResource } from "../tools/synth/manifest";
import { stageStacks, synthesizeStage } from "../tools/synth/stage";
import { stageManifests } from "./support/synth";

/** A resource with the stack name taken out of every URN, so two stacks' resources compare. */
function stackIndependent(resource: ManifestResource, stack: string): string {
    return JSON.stringify(resource).split(`urn:pulumi:${stack}::`).join("urn:pulumi:<stack>::");
}

function resourcesOf(manifests: Manifest[]): string[] {
    return manifests
        .flatMap((manifest) => manifest.resources.filter((resource) => resource.type !== "pulumi:pulumi:StackReference").map((resource) => stackIndependent(resource, manifest.stack)))
        .sort();
}

describe("offline synthesis", () => {
    it("writes byte-identical manifests on every run", async () => {
        const [first, second] = [fs.mkdtempSync(path.join(os.tmpdir(), "synth-")), fs.mkdtempSync(path.join(os.tmpdir(), "synth-"))];
        await synthesizeStage({ stage: "prod", outDir: first });
        await synthesizeStage({ stage: "prod", outDir: second });
        const files = stageStacks("prod", false).map((stack) => `prod/${stack}.json`);
        for (const file of files) {
            const bytes = fs.readFileSync(path.join(first, file));
            assert.ok(bytes.length > 0);
            assert.ok(bytes.equals(fs.readFileSync(path.join(second, file))), `${file} differs between runs`);
        }
    });

    for (const stage of ["dev", "prod"]) {
        it(`gives the same resources in layer stacks and in the all-in-one stack (${stage})`, async () => {
            const layered = await stageManifests(stage);
            const allInOne = await stageManifests(stage, true);
            assert.ok(layered.length >= 1);
            assert.deepStrictEqual(resourcesOf(layered), resourcesOf(allInOne));
        });

        it(`exports the same outputs from both topologies (${stage})`, async () => {
            const layered = Object.assign({}, ...(await stageManifests(stage)).map((manifest) => manifest.outputs));
            const [allInOne] = await stageManifests(stage, true);
            assert.deepStrictEqual(layered, allInOne.outputs);
        });
    }

    it("feeds each layer's StackReferences from the upstream layer it names", async () => {
        const manifests = await stageManifests("dev");
        for (const [index, manifest] of manifests.entries()) {
            for (const reference of manifest.resources.filter((resource) => resource.type === "pulumi:pulumi:StackReference")) {
                const upstream = manifests.slice(0, index).map((candidate) => `organization/spotify-pipeline/${candidate.stack}`);
                assert.ok(upstream.includes(String(reference.inputs.name)), `${manifest.stack} references ${String(reference.inputs.name)}`);
            }
        }
    });
});
