import { Analyzer, AnalyzerClient, Diagnostic, PackInfo } from "./analyzer";
import { Launcher, PACK_DIR, PACK_ENTRY, RunningPack, startPolicyPack } from "./host";
import { InProcessAnalyzer, PackModule, packVersion } from "./inProcess";
import { Manifest, SYNTH_ORGANIZATION } from "../../model/manifest";
import { parsePolicyConfig, PolicyConfig, PolicyInfo, reconcilePolicyConfig } from "../../ops/policyConfig/packConfig";
import { PolicyReport, StackResult, violationOf } from "./report";
import { stackResources } from "./resources";
import { stagePolicyConfig } from "../../model/guardrails";
import type { CheckSettings } from "../../ops/policyConfig/stageSettings";

/**
 * The pack judging stacks with the calls `pulumi preview` makes to it for each stack:
 * ConfigureStack, Analyze for every registered resource, AnalyzeStack for the whole stack. Either
 * the pack started as the engine starts it and asked over the analyzer protocol, or its rules
 * called in this process (inProcess.ts). The offline check (npm run policy) and the pack's tests use it.
 */

/** A pack and the way to ask it; evaluate any number of manifests, then stop. */
export class PolicyCheck {
    private constructor(
        private readonly analyzer: Analyzer,
        public readonly info: PackInfo,
        /** The pack's process, when it runs in one. */
        private readonly pack?: RunningPack,
    ) {}

    /** The pack of this repository: judged in this process ("in-process"), or started as a process by a launcher. */
    static async start(launcher: Launcher = "engine"): Promise<PolicyCheck> {
        if (launcher === "in-process") {
            const analyzer = InProcessAnalyzer.ofPack(PACK_ENTRY, PACK_DIR);
            return new PolicyCheck(analyzer, await analyzer.info());
        }
        const pack = await startPolicyPack(PACK_DIR, launcher);
        const client = new AnalyzerClient(pack.address);
        try {
            return new PolicyCheck(client, await client.info(), pack);
        } catch (error) {
            client.close();
            await pack.stop();
            throw error;
        }
    }

    /** A pack module's rules, judged in this process: the pack's own tests give it some of the pack's policies. */
    static async inProcess(pack: PackModule): Promise<PolicyCheck> {
        const analyzer = new InProcessAnalyzer(pack, packVersion(PACK_DIR), PACK_ENTRY);
        return new PolicyCheck(analyzer, await analyzer.info());
    }

    async evaluate(manifests: Manifest[], settings: CheckSettings): Promise<PolicyReport> {
        try {
            return await this.analyze(manifests, settings);
        } catch (error) {
            const output = this.pack?.stderr().trim() ?? "";
            throw output === "" ? error : new Error(`${error instanceof Error ? error.message : String(error)}\npolicy pack output:\n${output}`);
        }
    }

    private async analyze(manifests: Manifest[], settings: CheckSettings): Promise<PolicyReport> {
        await this.analyzer.configure(derivedPolicyConfig(settings, this.info.policies));
        const stacks: StackResult[] = [];
        for (const manifest of manifests) {
            await this.analyzer.configureStack({
                stack: manifest.stack,
                project: manifest.project,
                organization: SYNTH_ORGANIZATION,
                config: settings.stageConfig,
            });
            const resources = stackResources(manifest, settings.stageConfig);
            const diagnostics: Diagnostic[] = [];
            for (const resource of resources.registered) {
                // The engine knows which resource it asked about; the pack leaves urn empty here.
                diagnostics.push(...(await this.analyzer.analyze(resource)).map((diagnostic) => ({ ...diagnostic, urn: diagnostic.urn ?? resource.urn })));
            }
            diagnostics.push(...(await this.analyzer.analyzeStack(resources.all)));
            stacks.push({
                stack: manifest.stack,
                resources: manifest.resources.length,
                violations: diagnostics.map((diagnostic) => violationOf(diagnostic, manifest)),
            });
        }
        return {
            stage: settings.settings.stage,
            pack: { name: this.info.name, version: this.info.version },
            target: settings.target ?? "program",
            policyConfig: `derived from ${settings.source}`,
            stacks,
        };
    }

    async stop(): Promise<void> {
        this.analyzer.close();
        await this.pack?.stop();
    }
}

/**
 * The config the engine sends the pack for a stage (Configure): derived from the stage's settings
 * for these policies (model/guardrails.ts), then reconciled with their declarations as the CLI does.
 */
function derivedPolicyConfig(settings: CheckSettings, policies: PolicyInfo[]): Record<string, PolicyConfig> {
    const given = parsePolicyConfig(stagePolicyConfig(settings.settings, policies), `policy config derived from ${settings.source}`);
    return reconcilePolicyConfig(policies, given);
}
