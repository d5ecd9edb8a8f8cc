import { AnalyzerClient, Diagnostic, PackInfo } from "./analyzer";
import { Launcher, PACK_DIR, RunningPack, startPolicyPack } from "./host";
import { Manifest, SYNTH_ORGANIZATION } from "../../model/manifest";
import { parsePolicyConfig, reconcilePolicyConfig } from "../../ops/policyConfig/packConfig";
import { PolicyReport, StackResult, Violation } from "./report";
import { stackResources } from "./resources";
import { stagePolicyConfig } from "../../model/guardrails";
import type { CheckSettings } from "../../ops/policyConfig/stageSettings";

/**
 * The pack, started as the engine starts it, judging stacks through the analyzer protocol, the calls
 * `pulumi preview` makes for each stack: ConfigureStack, Analyze for every registered resource,
 * AnalyzeStack for the whole stack. The offline check (npm run policy) and the pack's tests use it.
 */

/** A running pack and a client of it; evaluate any number of manifests, then stop. */
export class PolicyCheck {
    private constructor(
        private readonly pack: RunningPack,
        private readonly client: AnalyzerClient,
        public readonly info: PackInfo,
    ) {}

    static async start(launcher: Launcher = "engine"): Promise<PolicyCheck> {
        const pack = await startPolicyPack(PACK_DIR, launcher);
        const client = new AnalyzerClient(pack.address);
        try {
            return new PolicyCheck(pack, client, await client.info());
        } catch (error) {
            client.close();
            await pack.stop();
            throw error;
        }
    }

    async evaluate(manifests: Manifest[], settings: CheckSettings): Promise<PolicyReport> {
        try {
            return await this.analyze(manifests, settings);
        } catch (error) {
            const output = this.pack.stderr().trim();
            throw output === "" ? error : new Error(`${error instanceof Error ? error.message : String(error)}\npolicy pack output:\n${output}`);
        }
    }

    private async analyze(manifests: Manifest[], settings: CheckSettings): Promise<PolicyReport> {
        const source = `derived from ${settings.source}`;
        const given = parsePolicyConfig(stagePolicyConfig(settings.settings, this.info.policies), `policy config ${source}`);
        await this.client.configure(reconcilePolicyConfig(this.info.policies, given));
        const stacks: StackResult[] = [];
        for (const manifest of manifests) {
            await this.client.configureStack({
                stack: manifest.stack,
                project: manifest.project,
                organization: SYNTH_ORGANIZATION,
                config: settings.stageConfig,
            });
            const resources = stackResources(manifest, settings.stageConfig);
            const diagnostics: Diagnostic[] = [];
            for (const resource of resources.registered) {
                // The engine knows which resource it asked about; the pack leaves urn empty here.
                diagnostics.push(...(await this.client.analyze(resource)).map((diagnostic) => ({ ...diagnostic, urn: diagnostic.urn ?? resource.urn })));
            }
            diagnostics.push(...(await this.client.analyzeStack(resources.all)));
            stacks.push({
                stack: manifest.stack,
                resources: manifest.resources.length,
                violations: diagnostics.map((diagnostic) => violation(diagnostic, manifest)),
            });
        }
        return {
            stage: settings.settings.stage,
            pack: { name: this.info.name, version: this.info.version },
            target: settings.target ?? "program",
            policyConfig: source,
            stacks,
        };
    }

    async stop(): Promise<void> {
        this.client.close();
        await this.pack.stop();
    }
}

function violation(diagnostic: Diagnostic, manifest: Manifest): Violation {
    const resource = manifest.resources.find((candidate) => candidate.urn === diagnostic.urn);
    // URNs end in <type>::<name>; a URN outside the manifest (a default provider) still names both.
    const [type, name] = diagnostic.urn === undefined ? [] : diagnostic.urn.split("::").slice(-2);
    return {
        policy: diagnostic.policyName,
        severity: diagnostic.severity,
        enforcement: diagnostic.enforcementLevel,
        message: diagnostic.message,
        urn: diagnostic.urn,
        resourceType: resource?.type ?? type?.split("$").pop(),
        resourceName: resource?.name ?? name,
    };
}
