import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PACK_DIR, startPolicyPack } from "../../workbench/policyCheck/host";

/** How the offline check reports a pack that does not start: with what the pack said. */
describe("policies: starting a pack", function () {
    // Under the pack's out/ (ignored by git, not published) so it resolves the SDK the pack resolves.
    const packDir = path.join(PACK_DIR, "out", "bad-pack");
    const pack = (code: string) => {
        fs.mkdirSync(packDir, { recursive: true });
        fs.writeFileSync(path.join(packDir, "package.json"), JSON.stringify({ name: "bad-pack", version: "0.0.1", main: "index.js" }));
        fs.writeFileSync(path.join(packDir, "index.js"), code);
    };
    after(() => fs.rmSync(packDir, { recursive: true, force: true }));

    it("fails with the pack's stderr when it exits before serving", async () => {
        pack('process.stderr.write("rules failed to load\\n"); process.exit(3);');
        await assert.rejects(startPolicyPack(packDir), /exited \(code 3\) before serving:\n.*rules failed to load/s);
    });

    it("fails when the first line is not a port", async () => {
        pack('console.log("hello"); setInterval(() => undefined, 1000);');
        await assert.rejects(startPolicyPack(packDir), /printed "hello" instead of its port/);
    });
});
