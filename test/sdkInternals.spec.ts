import * as assert from "assert";
import * as path from "path";
import { REPO_ROOT } from "../model/repository";
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN_VALUE } from "../workbench/policyCheck/analyzer";
import { resolveSdkModule, SDK_MODULES, SdkInternalMissing } from "../workbench/synth/sdkModules";
import { mockMonitor, settledOutput, waitForRPCs } from "../workbench/sdkInternals";
import { synthesizeStack } from "../workbench/synth/synthesize";

/**
 * What the offline tools need from @pulumi/pulumi beyond its public API. After an SDK upgrade these
 * are the tests that say which internal moved (README.md, "Upgrading Pulumi").
 */
describe("SDK internals the offline tools rely on", () => {
    before(async () => {
        // The mock monitor exists once a synthesis has set the mocks up.
        await synthesizeStack({ stackName: "dev", config: {}, program: () => ({}) });
    });

    it("the mock runtime's monitor records registrations and reads", () => {
        const monitor = mockMonitor();
        assert.strictEqual(typeof monitor.registerResource, "function");
        assert.strictEqual(typeof monitor.readResource, "function");
    });

    it("waitForRPCs settles", async () => {
        await waitForRPCs();
    });

    it("an Output can be read with its unknowns and secrecy", async () => {
        const output = settledOutput("value");
        assert.strictEqual(await output.isSecret, false);
        assert.strictEqual(await output.promise(true), "value");
    });

    for (const module of Object.keys(SDK_MODULES) as (keyof typeof SDK_MODULES)[]) {
        it(`${SDK_MODULES[module]} resolves from the policy pack`, () => {
            assert.ok(resolveSdkModule(module, path.join(REPO_ROOT, "policies")));
        });
    }

    it("@pulumi/policy's server decodes properties with deserializeProperties, which the in-process check calls", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- what this checks is the module at the path resolveSdkModule found
        const module = require(resolveSdkModule("policyDeserialize", path.join(REPO_ROOT, "policies"))) as { deserializeProperties?: unknown };
        assert.strictEqual(typeof module.deserializeProperties, "function");
    });

    it("the analyzer protocol stubs define the service the engine calls", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- what this checks is the module at the path resolveSdkModule found
        const stubs = require(resolveSdkModule("analyzerGrpc", REPO_ROOT)) as { AnalyzerService?: Record<string, unknown> };
        for (const call of ["analyze", "analyzeStack", "getAnalyzerInfo", "configure"]) {
            assert.ok(stubs.AnalyzerService?.[call] !== undefined, `pulumirpc.Analyzer.${call} is missing from ${SDK_MODULES.analyzerGrpc}`);
        }
    });

    it("the driver's unknown sentinel is the SDK's", () => {
        assert.strictEqual(UNKNOWN_VALUE, pulumi.runtime.unknownValue);
    });

    it("a moved module is reported by name", () => {
        assert.throws(
            () => resolveSdkModule("runPolicyPack", "/"),
            (error: unknown) => error instanceof SdkInternalMissing && /cmd\/run-policy-pack/.test(error.message),
        );
    });
});
