import Ajv, { type ValidateFunction } from "ajv";
import type { EnforcementLevel, Severity } from "../../model/guardrails";

/**
 * Policy pack config as the Pulumi CLI handles --policy-pack-config: parse the file's JSON, fill in each
 * policy's schema defaults and pack enforcement level, apply "all" and then the per-policy entries,
 * and validate each policy's properties against its schema (with Ajv, as the CLI does with a JSON
 * Schema validator). Stricter than the CLI in one way: an
 * entry naming no policy of the pack is an error here (the CLI ignores it), so typos surface.
 */

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A policy as the pack declares it over the analyzer protocol (GetAnalyzerInfo). */
export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity | undefined;
    remediation: string;
    type: "resource" | "stack";
    /** JSON schema properties and required list, as the pack declares them. */
    configSchema: { properties: Record<string, unknown>; required: string[] } | undefined;
}

/** A policy's config after reconciliation: what the engine sends the pack (Configure). */
export interface PolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

export interface GivenConfig {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

/** The entries of a --policy-pack-config file's parsed JSON; `source` names it in errors. */
export function parsePolicyConfig(raw: unknown, source: string): Record<string, GivenConfig> {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${source}: must be a JSON object keyed by policy name`);
    return Object.fromEntries(
        Object.entries(raw).map(([policy, value]) => {
            if (typeof value !== "string" && (value === null || typeof value !== "object" || Array.isArray(value))) {
                throw new Error(`${source}: ${policy}: must be an enforcement level or an object of settings, got ${JSON.stringify(value)}`);
            }
            const { enforcementLevel, ...properties } = typeof value === "string" ? { enforcementLevel: value } : (value as Record<string, unknown>);
            if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel as EnforcementLevel)) {
                throw new Error(`${source}: ${policy}: ${JSON.stringify(enforcementLevel)} is not an enforcement level (${LEVELS.join(", ")})`);
            }
            return [policy, { enforcementLevel: enforcementLevel as EnforcementLevel | undefined, properties }];
        }),
    );
}

/** The config the engine would send to Configure for these policies, or the problems with it. */
export function reconcilePolicyConfig(policies: PolicyInfo[], given: Record<string, GivenConfig>): Record<string, PolicyConfig> {
    const known = new Set(policies.map((policy) => policy.name));
    const problems = Object.keys(given)
        .filter((name) => name !== "all" && !known.has(name))
        .map((name) => `${name}: no such policy in the pack`);
    const all = given.all?.enforcementLevel;
    const result: Record<string, PolicyConfig> = {};
    for (const policy of policies) {
        const defaults = Object.fromEntries(
            Object.entries(policy.configSchema?.properties ?? {}).flatMap(([key, schema]) =>
                isSchema(schema) && schema.default !== undefined ? [[key, schema.default]] : [],
            ),
        );
        const own = given[policy.name];
        const properties = { ...defaults, ...own?.properties };
        result[policy.name] = { enforcementLevel: own?.enforcementLevel ?? all ?? policy.enforcementLevel, properties };
        if (policy.configSchema !== undefined) {
            problems.push(
                ...schemaProblems(
                    policy.name,
                    { type: "object", properties: policy.configSchema.properties, required: policy.configSchema.required ?? [] },
                    properties,
                ),
            );
        }
    }
    if (problems.length > 0) throw new Error(`invalid policy config:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    return result;
}

/** The part of a property's JSON schema that fills in defaults; the rest is Ajv's business. */
interface PropertySchema {
    default?: unknown;
}

function isSchema(value: unknown): value is PropertySchema {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

// Strict: a schema keyword Ajv does not know is an error rather than silently ignored.
const ajv = new Ajv({ allErrors: true, strict: true });

/** Why `properties` break a policy's config schema (empty when they conform). */
function schemaProblems(policy: string, schema: object, properties: Record<string, unknown>): string[] {
    let conforms: ValidateFunction;
    try {
        conforms = ajv.compile(schema);
    } catch (error) {
        return [`${policy}: unusable config schema: ${error instanceof Error ? error.message : String(error)}`];
    }
    if (conforms(properties)) return [];
    return (conforms.errors ?? []).map((error) => `${policy}${error.instancePath.replace(/\//g, ".")}: ${error.message ?? "is invalid"}`);
}
