import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { EnforcementLevel, Severity } from "../../model/guardrails";
import type { PolicyConfig, PolicyInfo } from "../../ops/policyConfig/packConfig";

/**
 * A client of the analyzer protocol that ships in @pulumi/pulumi (pulumi/analyzer.proto): the calls
 * the engine makes to a policy pack, with plain objects in and out.
 */

/**
 * How the analyzer protocol writes a value unknown during preview: the SDK's
 * pulumi.runtime.unknownValue (test/sdkInternals.spec.ts checks they agree), written out here so the
 * driver loads the protocol stubs only, never a second copy of the whole SDK.
 */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const ENFORCEMENT_LEVELS: Record<analyzer.EnforcementLevel, EnforcementLevel> = {
    [analyzer.EnforcementLevel.ADVISORY]: "advisory",
    [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
    [analyzer.EnforcementLevel.DISABLED]: "disabled",
};
const SEVERITIES: Record<analyzer.PolicySeverity, Severity | undefined> = {
    [analyzer.PolicySeverity.POLICY_SEVERITY_UNSPECIFIED]: undefined,
    [analyzer.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
    [analyzer.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
    [analyzer.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
    [analyzer.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};
function enforcementEnum(level: EnforcementLevel): analyzer.EnforcementLevel {
    const entry = Object.entries(ENFORCEMENT_LEVELS).find(([, name]) => name === level);
    if (entry === undefined) throw new Error(`unknown enforcement level ${level}`);
    return Number(entry[0]);
}

export interface PackInfo {
    name: string;
    version: string;
    policies: PolicyInfo[];
}

/** A resource as the engine describes it to analyzers. */
export interface AnalyzedResource {
    type: string;
    urn: string;
    name: string;
    properties: Record<string, unknown>;
    protect: boolean;
    parent: string | undefined;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    provider: { type: string; urn: string; name: string; properties: Record<string, unknown> } | undefined;
}

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity | undefined;
    /** The resource the violation is about; absent for stack-wide violations. */
    urn: string | undefined;
}

/** The stack the engine names before analyzing it (ConfigureStack). */
export interface StackIdentity {
    stack: string;
    project: string;
    organization: string;
    config: Record<string, string>;
}

/** The calls the engine makes to a policy pack, whoever answers them: a pack over the protocol, or the pack's rules in this process (inProcess.ts). */
export interface Analyzer {
    info(): Promise<PackInfo>;
    /** The reconciled config of every policy (see packConfig.ts). */
    configure(config: Record<string, PolicyConfig>): Promise<void>;
    /** What the engine sends once per stack before analyzing it. */
    configureStack(stack: StackIdentity): Promise<void>;
    /** The violations of one resource as the engine registers it. */
    analyze(resource: AnalyzedResource): Promise<Diagnostic[]>;
    /** The violations of a whole stack. */
    analyzeStack(resources: AnalyzedResource[]): Promise<Diagnostic[]>;
    close(): void;
}

type Unary<Req, Res> = (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown;

export class AnalyzerClient implements Analyzer {
    private readonly client: analyzerRpc.AnalyzerClient;

    constructor(address: string) {
        // The engine raises the message limit the same way: a stack's resources go in one AnalyzeStack.
        this.client = new analyzerRpc.AnalyzerClient(address, grpc.credentials.createInsecure(), { "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    }

    private call<Req, Res>(method: Unary<Req, Res>, request: Req): Promise<Res> {
        return new Promise((resolve, reject) => method(request, (error, response) => (error ? reject(error) : resolve(response))));
    }

    async info(): Promise<PackInfo> {
        const info = await this.call<Empty, analyzer.AnalyzerInfo>(this.client.getAnalyzerInfo.bind(this.client), new Empty());
        return {
            name: info.getName(),
            version: info.getVersion(),
            policies: info.getPoliciesList().map((policy) => {
                const schema = policy.getConfigschema();
                return {
                    name: policy.getName(),
                    description: policy.getDescription(),
                    enforcementLevel: ENFORCEMENT_LEVELS[policy.getEnforcementlevel()],
                    severity: SEVERITIES[policy.getSeverity()],
                    remediation: policy.getRemediationSteps(),
                    type: policy.getPolicyType() === analyzer.PolicyType.POLICY_TYPE_STACK ? "stack" : "resource",
                    configSchema:
                        schema === undefined ? undefined : { properties: schema.getProperties()?.toJavaScript() ?? {}, required: schema.getRequiredList() },
                };
            }),
        };
    }

    async configureStack(stack: StackIdentity): Promise<void> {
        const request = new analyzer.AnalyzerStackConfigureRequest()
            .setStack(stack.stack)
            .setProject(stack.project)
            .setOrganization(stack.organization)
            .setDryRun(true);
        for (const [key, value] of Object.entries(stack.config)) request.getConfigMap().set(key, value);
        await this.call<analyzer.AnalyzerStackConfigureRequest, analyzer.AnalyzerStackConfigureResponse>(this.client.configureStack.bind(this.client), request);
    }

    async configure(config: Record<string, PolicyConfig>): Promise<void> {
        const request = new analyzer.ConfigureAnalyzerRequest();
        for (const [name, policy] of Object.entries(config)) {
            request
                .getPolicyconfigMap()
                .set(
                    name,
                    new analyzer.PolicyConfig()
                        .setEnforcementlevel(enforcementEnum(policy.enforcementLevel))
                        .setProperties(Struct.fromJavaScript(policy.properties as never)),
                );
        }
        await this.call<analyzer.ConfigureAnalyzerRequest, Empty>(this.client.configure.bind(this.client), request);
    }

    async analyze(resource: AnalyzedResource): Promise<Diagnostic[]> {
        const request = new analyzer.AnalyzeRequest()
            .setType(resource.type)
            .setUrn(resource.urn)
            .setName(resource.name)
            .setProperties(Struct.fromJavaScript(resource.properties as never))
            .setOptions(options(resource));
        if (resource.provider !== undefined) request.setProvider(providerMessage(resource.provider));
        return diagnostics(await this.call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(this.client.analyze.bind(this.client), request));
    }

    async analyzeStack(resources: AnalyzedResource[]): Promise<Diagnostic[]> {
        const request = new analyzer.AnalyzeStackRequest().setResourcesList(
            resources.map((resource) => {
                const message = new analyzer.AnalyzerResource()
                    .setType(resource.type)
                    .setUrn(resource.urn)
                    .setName(resource.name)
                    .setProperties(Struct.fromJavaScript(resource.properties as never))
                    .setOptions(options(resource))
                    .setParent(resource.parent ?? "")
                    .setDependenciesList(resource.dependencies);
                if (resource.provider !== undefined) message.setProvider(providerMessage(resource.provider));
                for (const [property, urns] of Object.entries(resource.propertyDependencies)) {
                    message.getPropertydependenciesMap().set(property, new analyzer.AnalyzerPropertyDependencies().setUrnsList(urns));
                }
                return message;
            }),
        );
        return diagnostics(await this.call<analyzer.AnalyzeStackRequest, analyzer.AnalyzeResponse>(this.client.analyzeStack.bind(this.client), request));
    }

    close(): void {
        this.client.close();
    }
}

function options(resource: AnalyzedResource): analyzer.AnalyzerResourceOptions {
    // The protocol has no retainOnDelete: analyzers cannot see it, here or under the engine.
    return new analyzer.AnalyzerResourceOptions()
        .setProtect(resource.protect)
        .setParent(resource.parent ?? "")
        .setCustomtimeouts(new analyzer.AnalyzerResourceOptions.CustomTimeouts());
}

function providerMessage(provider: NonNullable<AnalyzedResource["provider"]>): analyzer.AnalyzerProviderResource {
    return new analyzer.AnalyzerProviderResource()
        .setType(provider.type)
        .setUrn(provider.urn)
        .setName(provider.name)
        .setProperties(Struct.fromJavaScript(provider.properties as never));
}

function diagnostics(response: analyzer.AnalyzeResponse): Diagnostic[] {
    return response.getDiagnosticsList().map((diagnostic) => ({
        policyName: diagnostic.getPolicyname(),
        policyPackName: diagnostic.getPolicypackname(),
        policyPackVersion: diagnostic.getPolicypackversion(),
        description: diagnostic.getDescription(),
        message: diagnostic.getMessage(),
        enforcementLevel: ENFORCEMENT_LEVELS[diagnostic.getEnforcementlevel()],
        severity: SEVERITIES[diagnostic.getSeverity()],
        urn: diagnostic.getUrn() || undefined,
    }));
}
