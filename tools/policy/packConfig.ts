import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../infra/repository";
import type { EnforcementLevel, PolicyConfig, PolicyInfo } from "./analyzer";

/**
 * Policy pack config as the Pulumi CLI handles --policy-pack-config: parse the file, fill in each
 * policy's schema defaults and pack enforcement level, apply "all" and then the per-policy entries,
 * and validate each policy's properties against its schema. Stricter than the CLI in one way: an
 * entry naming no policy of the pack is an error here (the CLI ignores it), so typos surface.
 */

export const PACK_DIR = path.join(REPO_ROOT, "policies");

export function policyConfigFile(stage: string): string {
    return path.join(PACK_DIR, "config", `${stage}.json`);
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

interface GivenConfig {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

/** Reads a --policy-pack-config file: `{"<policy>|all": "<level>" | {"enforcementLevel"?: "<level>", ...properties}}`. */
export function readPolicyConfigFile(file: string): Record<string, GivenConfig> {
    if (!fs.existsSync(file)) {
        throw new Error(`${path.relative(REPO_ROOT, file)} not found: every stage needs its policy config (see policies/README.md).`);
    }
    const raw: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${file}: must be a JSON object keyed by policy name`);
    return Object.fromEntries(
        Object.entries(raw).map(([policy, value]) => {
            if (typeof value !== "string" && (value === null || typeof value !== "object" || Array.isArray(value))) {
                throw new Error(`${file}: ${policy}: must be an enforcement level or an object of settings, got ${JSON.stringify(value)}`);
            }
            const { enforcementLevel, ...properties } = typeof value === "string" ? { enforcementLevel: value } : (value as Record<string, unknown>);
            if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel as EnforcementLevel)) {
                throw new Error(`${file}: ${policy}: ${JSON.stringify(enforcementLevel)} is not an enforcement level (${LEVELS.join(", ")})`);
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
            Object.entries(policy.configSchema?.properties ?? {}).flatMap(([key, schema]) => (isSchema(schema) && schema.default !== undefined ? [[key, schema.default]] : [])),
        );
        const own = given[policy.name];
        const properties = { ...defaults, ...own?.properties };
        result[policy.name] = { enforcementLevel: own?.enforcementLevel ?? all ?? policy.enforcementLevel, properties };
        if (policy.configSchema !== undefined) {
            problems.push(...validate({ type: "object", properties: policy.configSchema.properties, required: policy.configSchema.required }, properties, policy.name));
        }
    }
    if (problems.length > 0) throw new Error(`invalid policy config:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    return result;
}

interface JsonSchema {
    type?: string;
    properties?: Record<string, unknown>;
    required?: string[];
    items?: unknown;
    pattern?: string;
    minimum?: number;
    maximum?: number;
    enum?: unknown[];
    default?: unknown;
    description?: string;
}
const SUPPORTED_KEYWORDS = new Set(["type", "properties", "required", "items", "pattern", "minimum", "maximum", "enum", "default", "description"]);

function isSchema(value: unknown): value is JsonSchema {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function typeOf(value: unknown): string {
    if (Array.isArray(value)) return "array";
    if (value === null) return "null";
    if (Number.isInteger(value)) return "integer";
    return typeof value;
}

/** The JSON Schema keywords the pack's config schemas use; any other keyword is refused rather than ignored. */
function validate(schema: JsonSchema, value: unknown, at: string): string[] {
    const unsupported = Object.keys(schema).filter((keyword) => !SUPPORTED_KEYWORDS.has(keyword));
    if (unsupported.length > 0) return [`${at}: schema keyword(s) ${unsupported.join(", ")} not supported by tools/policy/packConfig.ts`];
    const actual = typeOf(value);
    if (schema.type !== undefined && actual !== schema.type && !(schema.type === "number" && actual === "integer")) {
        return [`${at}: must be ${schema.type}, got ${JSON.stringify(value)}`];
    }
    const problems: string[] = [];
    if (schema.enum !== undefined && !schema.enum.includes(value)) problems.push(`${at}: must be one of ${JSON.stringify(schema.enum)}`);
    if (schema.pattern !== undefined && typeof value === "string" && !new RegExp(schema.pattern).test(value)) problems.push(`${at}: must match ${schema.pattern}`);
    if (schema.minimum !== undefined && typeof value === "number" && value < schema.minimum) problems.push(`${at}: must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && typeof value === "number" && value > schema.maximum) problems.push(`${at}: must be at most ${schema.maximum}`);
    if (Array.isArray(value) && isSchema(schema.items)) {
        value.forEach((item, index) => problems.push(...validate(schema.items as JsonSchema, item, `${at}[${index}]`)));
    }
    if (actual === "object") {
        const record = value as Record<string, unknown>;
        for (const key of schema.required ?? []) if (record[key] === undefined) problems.push(`${at}: ${key} is required`);
        for (const [key, inner] of Object.entries(schema.properties ?? {})) {
            if (record[key] !== undefined && isSchema(inner)) problems.push(...validate(inner, record[key], `${at}.${key}`));
        }
    }
    return problems;
}
