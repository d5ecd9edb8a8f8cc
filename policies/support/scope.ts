import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import {
    BUCKET_ROLE_TAG,
    BucketPurpose,
    bucketPurposeOf,
    DATA_BUCKET_PURPOSES,
    followsUnderscoredConvention,
    isBucketPurpose,
    NamingScope,
} from "../model/naming";
import { STAGE_PATTERN } from "../model/stacks";
import { resourceGuardrail } from "./guardrail";
import { at, isUnknown } from "./values";

/**
 * The stage a rule is configured for. CrossGuard gives each policy only its own config, so every
 * rule that needs the stage's naming scope declares these two properties, and the stage's policy
 * config, derived from its Pulumi.<stage>.yaml (model/guardrails.ts), gives them to each;
 * the policy-config-matches-stage rule catches a config run on the wrong stage.
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

/**
 * What the pack knows of a bucket's role. The role is declared by the bucket's own bucket-role tag
 * (SecureBucket sets it; the provider's defaultTags do not count: the role is per bucket). The
 * conventional name's purpose is only a cross-check: a data bucket renamed off the convention keeps
 * its role, and so its requirements.
 */
export interface BucketRole {
    /** The declared role; undefined when the tag is absent or names no role, "unknown" when it is computed (preview). */
    declared: BucketPurpose | "unknown" | undefined;
    /** The raw tag value, for messages. */
    tagValue: unknown;
    /** The purpose the bucket's conventional name states, if it follows the stage's convention. */
    named: BucketPurpose | undefined;
    /**
     * Whether the data-bucket requirements apply: the declared or named role is a data role, or the
     * role cannot be told (fail closed: an unknown bucket is held to everything a data bucket is).
     */
    isData: boolean;
}

const isDataPurpose = (purpose: BucketPurpose | undefined) => purpose !== undefined && DATA_BUCKET_PURPOSES.includes(purpose);

export function bucketRole(bucket: { props: Record<string, unknown> }, scope: NamingScope): BucketRole {
    const tags = bucket.props.tags;
    const tagValue = isUnknown(tags) ? tags : at(tags, BUCKET_ROLE_TAG);
    const declared = isUnknown(tagValue) ? "unknown" : isBucketPurpose(tagValue) ? tagValue : undefined;
    const named = bucketPurpose(bucket.props.bucket, scope);
    const known = declared === "unknown" ? named : declared;
    return { declared, tagValue, named, isData: known === undefined || isDataPurpose(known) || isDataPurpose(named) };
}

/** How messages name a data bucket: by name, with the reason it is held to the data-bucket rules when that is not its declared role. */
export function dataBucketLabel(bucket: { name: string; props: Record<string, unknown> }, role: BucketRole): string {
    const name = typeof bucket.props.bucket === "string" ? `"${bucket.props.bucket}"` : bucket.name;
    return isDataPurpose(role.declared === "unknown" ? undefined : role.declared) ? `Data bucket ${name}` : `Bucket ${name} (${roleReason(role)})`;
}

function roleReason(role: BucketRole): string {
    if (role.declared === undefined) return `no valid ${BUCKET_ROLE_TAG} tag: held to the data-bucket rules`;
    if (role.declared === "unknown")
        return role.named === undefined ? `${BUCKET_ROLE_TAG} known only after preview: held to the data-bucket rules` : `named as a ${role.named} bucket`;
    return `tagged ${role.declared} but named as a ${String(role.named)} bucket`;
}

/** Why `name` is not a Glue/Athena identifier of the stage (`<prefix>_<stage>_<purpose>`), or undefined when it is or is unknown. */
export function glueNameProblem(what: string, name: unknown, scope: NamingScope): string | undefined {
    if (isUnknown(name) || (typeof name === "string" && followsUnderscoredConvention(name, scope))) return undefined;
    return `${what} name ${JSON.stringify(name ?? "(generated)")} does not follow ${scope.namePrefix}_${scope.stage}_<purpose>.`;
}

/** A naming rule: resources of `types` have a `name` that is a Glue/Athena identifier of the stage. */
export function glueIdentifierGuardrail(rule: { name: string; what: string; types: readonly string[] }): ResourceValidationPolicy {
    return resourceGuardrail<ScopeConfig>({
        name: rule.name,
        description: `${rule.what} names follow <prefix>_<stage>_<purpose> (model/naming.ts).`,
        severity: "medium",
        remediation: `Name the ${rule.what} with underscoredName(config, purpose) from model/naming.ts.`,
        configSchema: scopedSchema(),
        appliesTo: rule.types,
        check: (resource, report, scope) => {
            const problem = glueNameProblem(rule.what, resource.props.name, scope);
            if (problem !== undefined) report(problem);
        },
    });
}
