/**
 * The modules inside @pulumi/pulumi and @pulumi/policy that the driver resolves by path, which the
 * SDKs do not promise to keep: the policy runner the CLI starts, the analyzer protocol stubs, and the
 * function @pulumi/policy's server decodes properties with (the in-process check uses it too). They
 * resolve from the pack's folder, so the driver speaks the protocol of the SDK the pack runs on. The repository's
 * test/sdkInternals.spec.ts checks each by name (README.md at the repository root, "Upgrading
 * Pulumi", says what to do when one moves).
 */

/** An internal of @pulumi/pulumi that the offline tools or this driver rely on is missing. */
export class SdkInternalMissing extends Error {
    constructor(internal: string) {
        super(
            `@pulumi/pulumi ${pulumiVersion()} no longer provides ${internal}, which the offline tools rely on. See README.md, "Upgrading Pulumi", for what depends on it.`,
        );
    }
}

function pulumiVersion(): string {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- read only for this message, and the SDK may be missing too
        return (require("@pulumi/pulumi/package.json") as { version: string }).version;
    } catch {
        return "(not installed)";
    }
}

export const SDK_MODULES = {
    runPolicyPack: "@pulumi/pulumi/cmd/run-policy-pack",
    analyzerGrpc: "@pulumi/pulumi/proto/analyzer_grpc_pb",
    analyzerMessages: "@pulumi/pulumi/proto/analyzer_pb",
    policyDeserialize: "@pulumi/policy/deserialize",
} as const;

/** Resolves one of SDK_MODULES from `directory`, or fails naming it. */
export function resolveSdkModule(module: keyof typeof SDK_MODULES, directory: string): string {
    try {
        return require.resolve(SDK_MODULES[module], { paths: [directory] });
    } catch {
        throw new SdkInternalMissing(`the module ${SDK_MODULES[module]} (resolved from ${directory})`);
    }
}
