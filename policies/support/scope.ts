import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { BUCKET_PURPOSES, bucketName, BucketPurpose, DATA_BUCKET_PURPOSES, followsBucketConvention, followsGlueConvention, NamingScope } from "../../infra/naming";
import { STAGE_PATTERN } from "../../infra/stacks";
import { resourceGuardrail } from "./guardrail";
import { isUnknown } from "./values";

/**
 * The stage a rule is configured for. CrossGuard gives each policy only its own config, so every
 * rule that needs the stage's naming scope declares these two properties, and each
 * policies/config/<stage>.json repeats them per rule (a test keeps the copies equal to
 * Pulumi.<stage>.yaml, and the policy-config-matches-stage rule catches a config run on the wrong stage).
 */
export type ScopeConfig = NamingScope;

export function scopedSchema(extra: PolicyConfigSchema = { properties: {} }): PolicyConfigSchema {
    return {
        properties: {
            stage: { type: "string", pattern: STAGE_PATTERN.source, description: "The stage this config is for: spotify:stage of Pulumi.<stage>.yaml." },
            namePrefix: { type: "string", description: "spotify:namePrefix of Pulumi.<stage>.yaml." },
            ...extra.properties,
        },
        required: ["stage", "namePrefix", ...(extra.required ?? [])],
    };
}

/** `<prefix>-<stage>-<purpose>-`: what every bucket name of that purpose starts with. */
function purposeHead(scope: NamingScope, purpose: BucketPurpose): string | undefined {
    // infra/naming.ts owns the format; naming a bucket with a placeholder suffix and cutting the
    // suffix off again gives the head without restating the format here.
    const placeholder = "0";
    try {
        return bucketName({ ...scope, bucketSuffix: placeholder }, purpose).slice(0, -placeholder.length);
    } catch {
        return undefined; // a scope that cannot name buckets names none of these
    }
}

/** The purpose of a conventionally named bucket of the stage; undefined for any other name. */
export function bucketPurpose(name: unknown, scope: NamingScope): BucketPurpose | undefined {
    if (typeof name !== "string" || !followsBucketConvention(name, scope)) return undefined;
    const matches = BUCKET_PURPOSES.filter((purpose) => name.startsWith(purposeHead(scope, purpose) ?? "\u0000"));
    // The longest head wins, should one purpose ever be a prefix of another.
    return matches.sort((a, b) => b.length - a.length)[0];
}

/** Whether `name` is one of the stage's data buckets (staging, warehouse): the pipeline's records. */
export function isDataBucketName(name: unknown, scope: NamingScope): boolean {
    const purpose = bucketPurpose(name, scope);
    return purpose !== undefined && DATA_BUCKET_PURPOSES.includes(purpose);
}

/** Why `name` is not a Glue/Athena identifier of the stage (`<prefix>_<stage>_<purpose>`), or undefined when it is or is unknown. */
export function glueNameProblem(what: string, name: unknown, scope: NamingScope): string | undefined {
    if (isUnknown(name) || (typeof name === "string" && followsGlueConvention(name, scope))) return undefined;
    return `${what} name ${JSON.stringify(name ?? "(generated)")} does not follow ${scope.namePrefix}_${scope.stage}_<purpose>.`;
}

/** A naming rule: resources of `types` have a `name` that is a Glue/Athena identifier of the stage. */
export function glueIdentifierGuardrail(rule: { name: string; what: string; types: readonly string[] }): ResourceValidationPolicy {
    return resourceGuardrail<ScopeConfig>({
        name: rule.name,
        description: `${rule.what} names follow <prefix>_<stage>_<purpose> (infra/naming.ts).`,
        severity: "medium",
        remediation: `Name the ${rule.what} with glueName(config, purpose) from infra/naming.ts.`,
        configSchema: scopedSchema(),
        appliesTo: rule.types,
        check: (resource, report, scope) => {
            const problem = glueNameProblem(rule.what, resource.props.name, scope);
            if (problem !== undefined) report(problem);
        },
    });
}
