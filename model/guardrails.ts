/** The enforcement levels and severities of CrossGuard, as the analyzer protocol names them. */
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export type Severity = "low" | "medium" | "high" | "critical";

/** A --policy-pack-config file's content: `{"<policy>|all": "<level>" | {"enforcementLevel"?: "<level>", ...properties}}`. */
export type PolicyConfigFile = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/**
 * A stage's --policy-pack-config, derived from the stage's own settings (Pulumi.<stage>.yaml, read by
 * the program's config reader: ops/policyConfig/stageSettings.ts), so a stage is one file and its policy
 * config can never disagree with it. Written for the Pulumi CLI by `npm run stage -- preview|up`
 * (or `npm run policy -- <stage> --write-pack-config FILE`); the offline check derives the same.
 */

/** What the pack's config takes from a stage. */
export interface StageSettings {
    /** spotify:stage. */
    stage: string;
    /** spotify:namePrefix. */
    namePrefix: string;
    /** spotify:network. */
    network: "none" | "isolated";
    /** spotify:protectData: chooses the guardrail profile (GUARDRAIL_PROFILES). */
    protectData: boolean;
    /** spotify:accessLogging. */
    accessLogging: boolean;
    /** spotify:tableMaintenance. */
    tableMaintenance: boolean;
    /** spotify:quicksightOwners. */
    quicksightOwners: string[];
    /** spotify:quicksightViewers. */
    quicksightViewers: string[];
    /** The queries layer's Athena workgroup, the one QuickSight data sources may use. */
    athenaWorkgroup: string;
    /** spotify:dataClassification. */
    dataClassification: string;
}

/** A policy as the pack declares it: from the analyzer protocol (PolicyInfo) or the pack's POLICIES. */
export interface DeclaredPolicy {
    name: string;
    severity?: Severity;
    configSchema?: { properties: Record<string, unknown> };
}

/**
 * Config properties whose value is a stage setting: every policy whose schema declares one of these
 * properties receives the stage's value (the schemas' descriptions name the setting).
 */
const STAGE_PROPERTIES: Record<string, (settings: StageSettings) => unknown> = {
    stage: (settings) => settings.stage,
    namePrefix: (settings) => settings.namePrefix,
    network: (settings) => settings.network,
    owners: (settings) => settings.quicksightOwners,
    viewers: (settings) => settings.quicksightViewers,
    workgroup: (settings) => settings.athenaWorkgroup,
    dataClassification: (settings) => settings.dataClassification,
};

interface GuardrailProfile {
    /** minimumDays of the policies that take one, by policy. */
    minimumDays: Record<string, number>;
    /** Policies disabled while the stage has a setting off: they check what that setting turns on. */
    off: Record<string, (settings: StageSettings) => boolean>;
}

/**
 * The two guardrail profiles, chosen by spotify:protectData. A stage that protects its data is a
 * production stage: every rule is mandatory, deleted keys stay recoverable 30 days and logs are kept
 * a year (checkov CKV_AWS_338). Any other stage is a sandbox: critical rules are mandatory, the
 * others advisory, and a rule that checks a setting the sandbox turned off is disabled (`off`).
 */
export const GUARDRAIL_PROFILES: Record<"protected" | "sandbox", GuardrailProfile> = {
    protected: {
        minimumDays: { "kms-deletion-window": 30, "logs-retention": 365 },
        off: {},
    },
    sandbox: {
        minimumDays: { "kms-deletion-window": 7, "logs-retention": 1 },
        off: {
            "data-protection": (settings) => !settings.protectData,
            "s3-access-logging": (settings) => !settings.accessLogging,
            "glue-iceberg-table-maintenance": (settings) => !settings.tableMaintenance,
        },
    },
};

const profileOf = (settings: StageSettings) => GUARDRAIL_PROFILES[settings.protectData ? "protected" : "sandbox"];

function enforcementLevel(policy: DeclaredPolicy, settings: StageSettings): EnforcementLevel {
    const { off } = profileOf(settings);
    if (Object.hasOwn(off, policy.name) && off[policy.name](settings)) return "disabled";
    return settings.protectData || policy.severity === "critical" ? "mandatory" : "advisory";
}

/** The --policy-pack-config of a stage for these policies: every policy, with its level and settings, in the pack's order. */
export function stagePolicyConfig(settings: StageSettings, policies: readonly DeclaredPolicy[]): PolicyConfigFile {
    const { minimumDays } = profileOf(settings);
    return Object.fromEntries(
        policies.map((policy) => {
            const declared = Object.keys(policy.configSchema?.properties ?? {});
            const properties = Object.fromEntries(
                declared.flatMap((property) => (Object.hasOwn(STAGE_PROPERTIES, property) ? [[property, STAGE_PROPERTIES[property](settings)]] : [])),
            );
            if (declared.includes("minimumDays") && Object.hasOwn(minimumDays, policy.name)) properties.minimumDays = minimumDays[policy.name];
            return [policy.name, { enforcementLevel: enforcementLevel(policy, settings), ...properties }];
        }),
    );
}
