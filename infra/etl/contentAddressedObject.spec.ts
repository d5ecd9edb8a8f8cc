import * as assert from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../model/repository";
import { synthesizeAlone } from "../../test/support/alone";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { ContentAddressedObject, ContentAddressedObjectArgs, validateContentAddressedObjectArgs } from "./contentAddressedObject";

const OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2";
const SCRIPT = "etl/jobs/spotify_etl_job.py";
const PACKAGE = { package: "etl/spotify_etl", files: ["etl/spotify_etl/__init__.py", "etl/spotify_etl/errors.py"] };

/** The first 16 hex digits of sha256 over each entry's name, NUL, size, NUL and bytes: the documented key hash, computed here on its own. */
function expectedHash(entries: [name: string, file: string][]): string {
    const hash = createHash("sha256");
    for (const [name, file] of entries) {
        const bytes = fs.readFileSync(path.join(REPO_ROOT, file));
        hash.update(`${name}\u0000${bytes.length}\u0000`).update(bytes);
    }
    return hash.digest("hex").slice(0, 16);
}

describe("ContentAddressedObject (alone)", () => {
    it("uploads one file as is, under <prefix><hash of its content>/<its name>, to the given bucket", async () => {
        const template = await synthesizeAlone(() => new ContentAddressedObject("script", { bucket: "assets", prefix: "scripts/", source: SCRIPT }));
        const component = template.resource("spotify:storage:ContentAddressedObject", "script");
        const [object] = template.childrenOf(component);
        assert.deepStrictEqual([object.type, object.name], [OBJECT, "script"]);
        assert.strictEqual(object.inputs.bucket, "assets");
        assert.strictEqual(object.inputs.key, `scripts/${expectedHash([["spotify_etl_job.py", SCRIPT]])}/spotify_etl_job.py`);
        assert.deepStrictEqual(object.inputs.source, { __pulumiAsset: true, path: SCRIPT });
    });

    it("uploads a package's listed files as a zip that imports as the package", async () => {
        const template = await synthesizeAlone(() => new ContentAddressedObject("modules", { bucket: "assets", prefix: "code/", source: PACKAGE }));
        const object = template.resource(OBJECT, "modules");
        const hash = expectedHash([
            ["spotify_etl/__init__.py", "etl/spotify_etl/__init__.py"],
            ["spotify_etl/errors.py", "etl/spotify_etl/errors.py"],
        ]);
        assert.strictEqual(object.inputs.key, `code/${hash}/spotify_etl.zip`);
        const archive = object.inputs.source as { assets: Record<string, { path: string }> };
        assert.deepStrictEqual(
            Object.entries(archive.assets).map(([name, asset]) => [name, asset.path]),
            [
                ["spotify_etl/__init__.py", "etl/spotify_etl/__init__.py"],
                ["spotify_etl/errors.py", "etl/spotify_etl/errors.py"],
            ],
        );
    });

    it("gives other content another key, and the same content the same key", async () => {
        const template = await synthesizeAlone(() => {
            new ContentAddressedObject("a", { bucket: "assets", prefix: "code/", source: PACKAGE });
            new ContentAddressedObject("b", { bucket: "assets", prefix: "code/", source: PACKAGE });
            new ContentAddressedObject("c", { bucket: "assets", prefix: "code/", source: { ...PACKAGE, files: PACKAGE.files.slice(0, 1) } });
        });
        const key = (name: string) => template.resource(OBJECT, name).inputs.key;
        assert.strictEqual(key("a"), key("b"));
        assert.notStrictEqual(key("a"), key("c"));
    });

    describe("bad args", () => {
        const args = (extra: Partial<ContentAddressedObjectArgs>): ContentAddressedObjectArgs => ({ bucket: "assets", prefix: "scripts/", source: SCRIPT, ...extra });
        const refused: [string, Partial<ContentAddressedObjectArgs>, RegExp][] = [
            ["a prefix without its slash", { prefix: "scripts" }, /ContentAddressedObjectArgs\.prefix: must be a key prefix ending in "\/"/],
            ["a prefix with a leading slash", { prefix: "/scripts/" }, /ContentAddressedObjectArgs\.prefix: /],
            ["a file that does not exist", { source: "etl/jobs/gone.py" }, /ContentAddressedObjectArgs\.source: etl\/jobs\/gone\.py is not a file of the repository/],
            ["a directory as a file", { source: "etl/jobs" }, /ContentAddressedObjectArgs\.source: etl\/jobs is not a file/],
            ["an absolute path", { source: path.join(REPO_ROOT, SCRIPT) }, /ContentAddressedObjectArgs\.source: .* must be a path inside the repository/],
            ["a path out of the repository", { source: "../etc/passwd" }, /ContentAddressedObjectArgs\.source: \.\.\/etc\/passwd must be a path inside the repository/],
            ["a package with no files", { source: { package: "etl/spotify_etl", files: [] } }, /ContentAddressedObjectArgs\.source: package etl\/spotify_etl lists no files/],
            ["a package file outside it", { source: { package: "etl/spotify_etl", files: [SCRIPT] } }, /ContentAddressedObjectArgs\.source: etl\/jobs\/spotify_etl_job\.py is not below the package/],
            ["a package file that does not exist", { source: { package: "etl/spotify_etl", files: ["etl/spotify_etl/gone.py"] } }, /source: etl\/spotify_etl\/gone\.py \(uploaded with etl\/spotify_etl\) is not a file/],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateContentAddressedObjectArgs(args(extra)), message));
        }

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeAlone(() => new ContentAddressedObject("script", args({ source: "etl/jobs/gone.py" }))),
                (error: SynthesisError) =>
                    /ContentAddressedObjectArgs\.source/.test(error.message) &&
                    !error.registered.some((resource) => resource.type === "spotify:storage:ContentAddressedObject"),
            );
        });
    });
});
