import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SECRET_MASK, type Manifest, type ManifestResource } from "../workbench/synth/manifestFile";
import { readStageConfigFile } from "../ops/stageFile";
import { synthesizeStack } from "../workbench/synth/synthesize";
import { stageStacks } from "../model/stacks";
import { synthesizeStage } from "../workbench/synth/stageSynthesis";
import { stageManifests } from "./support/synth";

const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** The layer a resource belongs to: the `spotify:layers:*` component (or layer provider) above it. */
function layerOf(manifest: Manifest, resource: ManifestResource): string {
    const byUrn = new Map(manifest.resources.map((candidate) => [candidate.urn, candidate]));
    let current: ManifestResource | undefined = resource;
    while (current !== undefined) {
        if (current.type.startsWith("spotify:layers:")) return current.name;
        // Layer providers are named <layer>-<package>.
        if (current.type.startsWith("pulumi:providers:")) return current.name.slice(0, current.name.indexOf("-"));
        current = current.parent === null ? undefined : byUrn.get(current.parent);
    }
    throw new Error(`${resource.urn} belongs to no layer`);
}

/**
 * A resource in a form both topologies share: URNs without the stack name, and every dependency on
 * another layer written as "upstream:<layer>", whether it crosses stacks through a StackReference
 * (layer stacks) or points at the upstream resource itself (all-in-one).
 */
function comparable(manifest: Manifest, resource: ManifestResource): string {
    const byUrn = new Map(manifest.resources.map((candidate) => [candidate.urn, candidate]));
    const ownLayer = layerOf(manifest, resource);
    const dependency = (urn: string): string => {
        const target = byUrn.get(urn);
        if (target === undefined) throw new Error(`${resource.urn} depends on unknown ${urn}`);
        if (target.type === STACK_REFERENCE) return `upstream:${String(target.inputs.name).split("-").pop()}`;
        const targetLayer = layerOf(manifest, target);
        return targetLayer === ownLayer ? urn : `upstream:${targetLayer}`;
    };
    const dependencies = (urns: string[]) => [...new Set(urns.map(dependency))].sort();
    const normalized = {
        ...resource,
        dependencies: dependencies(resource.dependencies),
        propertyDependencies: Object.fromEntries(Object.entries(resource.propertyDependencies).map(([key, urns]) => [key, dependencies(urns)])),
    };
    return JSON.stringify(normalized).split(`urn:pulumi:${manifest.stack}::`).join("urn:pulumi:<stack>::");
}

function resourcesOf(manifests: Manifest[]): string[] {
    return manifests
        .flatMap((manifest) => manifest.resources.filter((resource) => resource.type !== STACK_REFERENCE).map((resource) => comparable(manifest, resource)))
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
            const layered = Object.assign({}, ...(await stageManifests(stage)).map((manifest) => manifest.outputs)) as Record<string, unknown>;
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

    it("masks secret inputs and outputs in the manifest", async () => {
        const secret = "not-for-reviewers-eyes";
        const manifest = await synthesizeStack({
            stackName: "dev-storage",
            config: readStageConfigFile("dev"),
            program: () => {
                const object = new aws.s3.BucketObjectv2("secret-object", { bucket: "some-bucket", key: "token", content: pulumi.secret(secret) });
                return { token: pulumi.secret(secret), key: object.key };
            },
        });
        const text = JSON.stringify(manifest);
        assert.ok(!text.includes(secret), "the secret leaked into the manifest");
        assert.strictEqual(manifest.resources.find((resource) => resource.name === "secret-object")?.inputs.content, SECRET_MASK);
        assert.strictEqual(manifest.outputs.token, SECRET_MASK);
        assert.strictEqual(manifest.outputs.key, "token");
    });
});
