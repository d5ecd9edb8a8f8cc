import type {
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { plainRecord } from "./values";

/**
 * How every rule of the pack is declared: a name, what it requires, how bad a violation is, and how
 * to fix one. The helpers below turn a declaration into a CrossGuard policy whose violation messages
 * end with that remediation, so every channel (pulumi preview, the offline check, CI reports) shows it.
 */
export interface Guardrail {
    /** The CrossGuard policy name: what --policy-pack-config keys and reports use. */
    name: string;
    /** What the rule requires, one sentence. */
    description: string;
    /** How bad a violation is. Enforcement (advisory/mandatory) is per stage, in its policy config (model/guardrails.ts). */
    severity: Severity;
    /** How to fix a violation; appended to every violation message. */
    remediation: string;
    configSchema?: PolicyConfigSchema;
}

/** A resource as rules see it: plain properties (unknown values marked, see values.ts) and the options they check. */
export interface ResourceView {
    urn: string;
    type: string;
    name: string;
    props: Record<string, unknown>;
    protect: boolean;
    /** The resource's provider (its inputs), when it has one: explicit, or the engine's default provider. */
    provider?: { type: string; urn: string; props: Record<string, unknown> };
}

export type ReportProblem = (problem: string) => void;

export interface ResourceGuardrail<C> extends Guardrail {
    /** The type tokens the rule checks, or a test for resources whose type alone does not decide it. */
    appliesTo: readonly string[] | ((resource: ResourceView) => boolean);
    check(resource: ResourceView, report: ReportProblem, config: C): void;
}

function withRemediation(rule: Guardrail, problem: string): string {
    return `${problem}\nRemediation: ${rule.remediation}`;
}

function policyInfo(rule: Guardrail) {
    return {
        name: rule.name,
        description: rule.description,
        severity: rule.severity,
        remediationSteps: rule.remediation,
        ...(rule.configSchema === undefined ? {} : { configSchema: rule.configSchema }),
    };
}

function viewOf(args: ResourceValidationArgs | PolicyResource): ResourceView {
    return {
        urn: args.urn,
        type: args.type,
        name: args.name,
        props: plainRecord(args.props),
        protect: args.opts.protect,
        ...(args.provider === undefined ? {} : { provider: { type: args.provider.type, urn: args.provider.urn, props: plainRecord(args.provider.props) } }),
    };
}

/** A rule checked on each resource as the engine registers it (`pulumi preview` and `up`). */
export function resourceGuardrail<C extends object = Record<string, never>>(rule: ResourceGuardrail<C>): ResourceValidationPolicy {
    const { appliesTo } = rule;
    return {
        ...policyInfo(rule),
        validateResource: (args, reportViolation) => {
            // Filter by type before copying the properties: most rules concern a few types.
            if (typeof appliesTo !== "function" && !appliesTo.includes(args.type)) return;
            const resource = viewOf(args);
            if (typeof appliesTo === "function" && !appliesTo(resource)) return;
            rule.check(resource, (problem) => reportViolation(withRemediation(rule, problem)), args.getConfig<C>());
        },
    };
}

/** A resource of the stack, with the URNs each of its properties was computed from. */
export interface StackResourceView extends ResourceView {
    propertyDependencies: Record<string, string[]>;
    /** The URN of the resource's parent, when it has one. */
    parent?: string;
}

/** Every resource of a stack, and the links between them that preview already knows. */
export class StackView {
    public readonly resources: StackResourceView[];

    constructor(resources: PolicyResource[]) {
        this.resources = resources.map((resource) => ({
            ...viewOf(resource),
            ...(resource.parent === undefined ? {} : { parent: resource.parent.urn }),
            propertyDependencies: Object.fromEntries(
                Object.entries(resource.propertyDependencies).map(([property, dependencies]) => [property, dependencies.map((dependency) => dependency.urn)]),
            ),
        }));
    }

    ofType(types: readonly string[]): StackResourceView[] {
        return this.resources.filter((resource) => types.includes(resource.type));
    }

    /** The stack's urn prefix names the stack: `urn:pulumi:<stack>::<project>::...`. */
    get stackName(): string | undefined {
        const urn = this.resources[0]?.urn;
        return urn === undefined ? undefined : urn.slice("urn:pulumi:".length).split("::")[0];
    }

    /**
     * The resources of `types` whose `property` refers to `target`. Preview does not know ids (a
     * sidecar's `bucket` is computed from the bucket's id), but it knows which resources a property
     * was computed from, so that link comes first; a property that holds `target`'s `key` as a
     * literal value (a bucket name typed out) links too.
     */
    referencing(target: StackResourceView, types: readonly string[], property: string, key: string): StackResourceView[] {
        const targetKey = target.props[key];
        return this.ofType(types).filter(
            (resource) =>
                (resource.propertyDependencies[property] ?? []).includes(target.urn) ||
                (typeof targetKey === "string" && resource.props[property] === targetKey),
        );
    }

    /** The resources of `types` that `resource`'s `property` refers to: the reverse of `referencing`. */
    referencedBy(resource: StackResourceView, property: string, types: readonly string[], key: string): StackResourceView[] {
        const value = resource.props[property];
        const linked = resource.propertyDependencies[property] ?? [];
        return this.ofType(types).filter((candidate) => linked.includes(candidate.urn) || (typeof value === "string" && candidate.props[key] === value));
    }
}

export type ReportStackProblem = (urn: string | undefined, problem: string) => void;

export interface StackGuardrail<C> extends Guardrail {
    check(stack: StackView, report: ReportStackProblem, config: C): void;
}

/** A rule checked once per stack, over all its resources: for properties that live on other resources. */
export function stackGuardrail<C extends object = Record<string, never>>(rule: StackGuardrail<C>): StackValidationPolicy {
    return {
        ...policyInfo(rule),
        validateStack: (args: StackValidationArgs, reportViolation) => {
            rule.check(new StackView(args.resources), (urn, problem) => reportViolation(withRemediation(rule, problem), urn), args.getConfig<C>());
        },
    };
}
