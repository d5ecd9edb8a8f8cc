import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { BucketPurpose, bucketPurposeOf, DATA_BUCKET_PURPOSES, followsGlueConvention, NamingScope } from "../../infra/naming";
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

/** The purpose of a conventionally named bucket of the stage; undefined for any other name. */
export function bucketPurpose(name: unknown, scope: NamingScope): BucketPurpose | undefined {
    return typeof name === "string" ? bucketPurposeOf(name, scope) : undefined;
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
