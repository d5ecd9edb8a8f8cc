import * as fs from "fs";
import * as path from "path";
import type {
    EnforcementLevel,
    Policies,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { AnalyzedResource, Analyzer, Diagnostic, PackInfo } from "./analyzer";
import type { PolicyConfig } from "../../ops/policyConfig/packConfig";
import { resolveSdkModule } from "../synth/sdkModules";

/**
 * The pack's rules judged in this process: each policy's validateResource and validateStack called
 * directly, with the arguments @pulumi/policy's analyzer server builds from what the engine sends
 * (server.js: makeAnalyzeRpcFun, makeAnalyzeStackRpcFun, makeReportViolationFun): properties through
 * the wire's Struct and @pulumi/policy's own deserialization, behind its unknown-checking proxy; the
 * configured enforcement levels and properties; violations as the server reports them, a rule's
 * UnknownValueError as its "can't run during preview" advisory. `npm run policy` runs the pack so by
 * default, and the pack's tests do; policies/tests/engine.spec.ts proves that the pack started as the
 * engine starts it reports the same.
 *
 * Unlike the server, which decodes a resource's properties afresh for every policy, each resource is
 * decoded once per call and shared: every rule copies what it reads (policies/support/values.ts,
 * plain) and changes nothing. Each policy still gets its own proxies and views.
 */

/** What the pack's module (policies/pack.ts) exports. */
export interface PackModule {
    PACK_NAME: string;
    PACK_ENFORCEMENT_LEVEL: EnforcementLevel;
    POLICIES: Policies;
}

type Policy = ResourceValidationPolicy | StackValidationPolicy;

/** The parts of @pulumi/policy this module runs, from the copy the pack's rules load (their UnknownValueError is its). */
interface PolicySdk {
    unknownCheckingProxy<T>(value: T): T;
    UnknownValueError: new (...args: never[]) => Error;
    deserializeProperties(properties: unknown, proxySecrets: boolean): Record<string, unknown>;
    Struct: { fromJavaScript(value: never): unknown };
}

function policySdk(packEntry: string): PolicySdk {
    const resolve = (module: string) => require.resolve(module, { paths: [packEntry] });
    /* eslint-disable @typescript-eslint/no-require-imports -- resolved from the pack's folder, so this is the copy its rules use */
    const policy = require(resolve("@pulumi/policy")) as Pick<PolicySdk, "unknownCheckingProxy" | "UnknownValueError">;
    // Not in @pulumi/policy's typings: the function its server decodes properties with.
    const { deserializeProperties } = require(resolveSdkModule("policyDeserialize", packEntry)) as Pick<PolicySdk, "deserializeProperties">;
    const { Struct } = require(resolve("google-protobuf/google/protobuf/struct_pb")) as Pick<PolicySdk, "Struct">;
    /* eslint-enable @typescript-eslint/no-require-imports */
    return { unknownCheckingProxy: policy.unknownCheckingProxy, UnknownValueError: policy.UnknownValueError, deserializeProperties, Struct };
}

class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason ?? "Policy does not apply");
}

/** The stack's tags: the check sends ConfigureStack none. */
const STACK_TAGS: ReadonlyMap<string, string> = new Map();

const isTypeOf = (type: string) => (resourceClass: unknown) => (resourceClass as { __pulumiType?: unknown }).__pulumiType === type;

function resourceOptions(resource: AnalyzedResource): PolicyResourceOptions {
    // What the engine sends: protect and parent; the other options as the analyzer protocol leaves them.
    return {
        protect: resource.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(resource.parent === undefined ? {} : { parent: resource.parent }),
    };
}

/** A resource's properties and its provider's, decoded once for every policy that reads them. */
interface Decoded {
    resource: AnalyzedResource;
    props: Record<string, unknown>;
    providerProps: Record<string, unknown> | undefined;
}

export class InProcessAnalyzer implements Analyzer {
    private readonly sdk: PolicySdk;
    private config: Record<string, PolicyConfig> = {};

    /** `packEntry`: the folder the pack's modules load @pulumi/policy from. */
    constructor(
        private readonly pack: PackModule,
        private readonly version: string,
        packEntry: string,
    ) {
        this.sdk = policySdk(packEntry);
    }

    /** The pack in `packEntry` (its pack module), with the version its package.json in `packDir` gives. */
    static ofPack(packEntry: string, packDir: string): InProcessAnalyzer {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the pack's module, compiled or source as this module is run
        const pack = require(path.join(packEntry, "pack")) as PackModule;
        return new InProcessAnalyzer(pack, packVersion(packDir), packEntry);
    }

    /** The policies as the pack's server declares them to the engine (GetAnalyzerInfo). */
    info(): Promise<PackInfo> {
        return Promise.resolve({
            name: this.pack.PACK_NAME,
            version: this.version,
            policies: this.pack.POLICIES.map((policy) => ({
                name: policy.name,
                description: policy.description,
                enforcementLevel: policy.enforcementLevel ?? this.pack.PACK_ENFORCEMENT_LEVEL,
                severity: policy.severity,
                remediation: policy.remediationSteps ?? "",
                type: "validateStack" in policy ? "stack" : "resource",
                configSchema:
                    policy.configSchema === undefined
                        ? undefined
                        : { properties: this.overTheWire(policy.configSchema.properties ?? {}), required: policy.configSchema.required ?? [] },
            })),
        });
    }

    configure(config: Record<string, PolicyConfig>): Promise<void> {
        this.config = config;
        return Promise.resolve();
    }

    configureStack(): Promise<void> {
        return Promise.resolve();
    }

    async analyze(resource: AnalyzedResource): Promise<Diagnostic[]> {
        const decoded = this.decode(resource);
        const diagnostics: Diagnostic[] = [];
        for (const policy of this.pack.POLICIES) {
            if (!("validateResource" in policy) || policy.validateResource === undefined) continue;
            for (const validate of [policy.validateResource].flat()) {
                await this.run(policy, diagnostics, () => validate(this.resourceArgs(policy, decoded), this.reporter(policy, diagnostics)));
            }
        }
        return diagnostics;
    }

    async analyzeStack(resources: AnalyzedResource[]): Promise<Diagnostic[]> {
        const decoded = resources.map((resource) => this.decode(resource));
        const diagnostics: Diagnostic[] = [];
        for (const policy of this.pack.POLICIES) {
            if (!("validateStack" in policy)) continue;
            await this.run(policy, diagnostics, () => policy.validateStack(this.stackArgs(policy, decoded), this.reporter(policy, diagnostics)));
        }
        return diagnostics;
    }

    close(): void {}

    /** What the engine sends as a protobuf Struct (properties, config), as the pack decodes it. */
    private overTheWire(properties: Record<string, unknown>): Record<string, unknown> {
        return this.sdk.deserializeProperties(this.sdk.Struct.fromJavaScript(properties as never), false);
    }

    private decode(resource: AnalyzedResource): Decoded {
        return {
            resource,
            props: this.overTheWire(resource.properties),
            providerProps: resource.provider === undefined ? undefined : this.overTheWire(resource.provider.properties),
        };
    }

    private providerOf({ resource, providerProps }: Decoded): { provider?: PolicyProviderResource } {
        const provider = resource.provider;
        if (provider === undefined || providerProps === undefined) return {};
        return { provider: { type: provider.type, urn: provider.urn, name: provider.name, props: this.sdk.unknownCheckingProxy(providerProps) } };
    }

    private configuredLevel(policy: Policy): EnforcementLevel {
        return this.config[policy.name]?.enforcementLevel ?? policy.enforcementLevel ?? this.pack.PACK_ENFORCEMENT_LEVEL;
    }

    /** The level a policy's violations are reported at: "remediate" as mandatory (these policies only validate). */
    private level(policy: Policy): EnforcementLevel {
        const level = this.configuredLevel(policy);
        return level === "remediate" ? "mandatory" : level;
    }

    private getConfig(policy: Policy) {
        const properties = this.config[policy.name]?.properties ?? {};
        return <T extends object>() => this.overTheWire(properties) as T;
    }

    /** What a rule sees of one resource, in a resource policy's arguments and a stack policy's view alike. */
    private resourceView(decoded: Decoded) {
        const { resource } = decoded;
        const props = this.sdk.unknownCheckingProxy(decoded.props);
        return {
            type: resource.type,
            props,
            urn: resource.urn,
            name: resource.name,
            opts: resourceOptions(resource),
            isType: isTypeOf(resource.type),
            asType: ((resourceClass: unknown) => (isTypeOf(resource.type)(resourceClass) ? props : undefined)) as PolicyResource["asType"],
            ...this.providerOf(decoded),
        };
    }

    private resourceArgs(policy: Policy, decoded: Decoded): ResourceValidationArgs {
        const view = this.resourceView(decoded);
        // The same function: the two argument types only spell its result type differently.
        const asType = view.asType as unknown as ResourceValidationArgs["asType"];
        return { ...view, asType, stackTags: STACK_TAGS, getConfig: this.getConfig(policy), notApplicable };
    }

    private stackArgs(policy: Policy, decoded: Decoded[]): StackValidationArgs {
        const views = decoded.map((entry): PolicyResource => ({ ...this.resourceView(entry), dependencies: [], propertyDependencies: {} }));
        // Parents and dependencies point at the other resources of the stack, as the server links them.
        const byUrn = new Map(views.map((view) => [view.urn, view]));
        const linked = (urns: string[]) => urns.flatMap((urn) => byUrn.get(urn) ?? []);
        decoded.forEach(({ resource }, index) => {
            const parent = resource.parent === undefined ? undefined : byUrn.get(resource.parent);
            if (parent !== undefined) views[index].parent = parent;
            views[index].dependencies = linked(resource.dependencies);
            views[index].propertyDependencies = Object.fromEntries(
                Object.entries(resource.propertyDependencies).map(([property, urns]) => [property, linked(urns)]),
            );
        });
        return { resources: views, stackTags: STACK_TAGS, getConfig: this.getConfig(policy), notApplicable };
    }

    private diagnostic(policy: Policy, message: string, urn: string | undefined): Diagnostic {
        return {
            policyName: policy.name,
            policyPackName: this.pack.PACK_NAME,
            policyPackVersion: this.version,
            description: policy.description,
            message,
            enforcementLevel: this.level(policy),
            severity: policy.severity,
            urn,
        };
    }

    private reporter(policy: Policy, diagnostics: Diagnostic[]): ReportViolation {
        return (message, urn) => diagnostics.push(this.diagnostic(policy, message ? `${policy.description}\n${message}` : policy.description, urn));
    }

    /** Runs one validation of an enabled policy, as the server does: an unknown it reads makes it an advisory it cannot run. */
    private async run(policy: Policy, diagnostics: Diagnostic[], validate: () => Promise<void> | void): Promise<void> {
        if (this.configuredLevel(policy) === "disabled") return;
        try {
            await validate();
        } catch (error) {
            if (error instanceof this.sdk.UnknownValueError) {
                const from = `policy '${policy.name}' from policy pack '${this.pack.PACK_NAME}@v${this.version}'`;
                diagnostics.push({ ...this.diagnostic(policy, `can't run ${from} during preview: ${error.message}`, undefined), enforcementLevel: "advisory" });
            } else if (!(error instanceof NotApplicable)) {
                throw new Error(`Error validating resource with policy '${policy.name}': ${String(error)}`, { cause: error });
            }
        }
    }
}

/** The version the pack's server reports: its package.json's. */
export function packVersion(packDir: string): string {
    return (JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")) as { version: string }).version;
}
