import * as fs from "fs";
import * as path from "path";
import type { Manifest } from "../synth/manifest";
import { DEFAULT_OUT_DIR, synthesizeStage } from "../synth/stage";
import { REPO_ROOT } from "../../infra/repository";
import { readStageConfigFile } from "../synth/stageConfig";
import { SYNTH_ORGANIZATION, synthesizeStack } from "../synth/synthesize";
import { AnalyzerClient, Diagnostic, PackInfo } from "./analyzer";
import { Launcher, RunningPack, startPolicyPack } from "./host";
import { PACK_DIR, policyConfigFile, readPolicyConfigFile, reconcilePolicyConfig } from "./packConfig";
import { PolicyReport, StackResult, Violation } from "./report";
import { stackResources } from "./resources";

/**
 * The offline policy check: the pack, started as the engine starts it, judging synthesized stacks
 * through the analyzer protocol, the calls `pulumi preview` makes for each stack: ConfigureStack,
 * Analyze for every registered resource, AnalyzeStack for the whole stack.
 */

export const FIXTURES_DIR = path.join(PACK_DIR, "fixtures");

/** What a stack is checked against: the stage's config and the policy config to use. */
export interface CheckSettings {
    stage: string;
    /** Raw stage config (Pulumi.<stage>.yaml), for ConfigureStack and default providers. */
    stageConfig: Record<string, string>;
    /** Policy config file to apply (policies/config/<stage>.json by default). */
    configFile?: string;
    /** "program", or "fixture <name>", for the report. */
    target?: string;
}

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
        const configFile = settings.configFile ?? policyConfigFile(settings.stage);
        await this.client.configure(reconcilePolicyConfig(this.info.policies, readPolicyConfigFile(configFile)));
        const stacks: StackResult[] = [];
        for (const manifest of manifests) {
            await this.client.configureStack({ stack: manifest.stack, project: manifest.project, organization: SYNTH_ORGANIZATION, config: settings.stageConfig });
            const resources = stackResources(manifest, settings.stageConfig);
            const diagnostics: Diagnostic[] = [];
            for (const resource of resources.registered) {
                // The engine knows which resource it asked about; the pack leaves urn empty here.
                diagnostics.push(...(await this.client.analyze(resource)).map((diagnostic) => ({ ...diagnostic, urn: diagnostic.urn ?? resource.urn })));
            }
            diagnostics.push(...(await this.client.analyzeStack(resources.all)));
            stacks.push({ stack: manifest.stack, resources: manifest.resources.length, violations: diagnostics.map((diagnostic) => violation(diagnostic, manifest)) });
        }
        return {
            stage: settings.stage,
            pack: { name: this.info.name, version: this.info.version },
            target: settings.target ?? "program",
            configFile: path.relative(REPO_ROOT, configFile),
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

/** The names of the fixture programs under policies/fixtures/. */
export function fixtureNames(): string[] {
    return fs
        .readdirSync(FIXTURES_DIR)
        .filter((file) => file.endsWith(".ts"))
        .map((file) => file.slice(0, -".ts".length))
        .sort();
}

type Program = (stackName: string) => Record<string, unknown>;

/**
 * The stacks to check: every layer stack of the stage and its all-in-one stack (written to
 * out/synth/<stage>/ like `npm run synth`), or the single stack `<stage>` of a fixture program.
 * Always synthesized afresh, in process, so the check never reads stale manifests.
 */
export async function stageManifestsToCheck(stage: string, fixture?: string): Promise<Manifest[]> {
    const config = readStageConfigFile(stage);
    if (fixture === undefined) {
        return [...(await synthesizeStage({ stage, config, outDir: DEFAULT_OUT_DIR })), ...(await synthesizeStage({ stage, config, allInOne: true, outDir: DEFAULT_OUT_DIR }))];
    }
    if (!fixtureNames().includes(fixture)) {
        throw new Error(`no fixture "${fixture}" in ${path.relative(REPO_ROOT, FIXTURES_DIR)} (there are: ${fixtureNames().join(", ")})`);
    }
    // Relative to this module, so the compiled tools (build/tools/) load the compiled fixture.
    const program = (require(path.join(__dirname, "..", "..", "policies", "fixtures", fixture)) as { program?: Program }).program;
    if (typeof program !== "function") throw new Error(`fixture ${fixture} exports no program(stackName) function`);
    return [await synthesizeStack({ stackName: stage, config, program })];
}
