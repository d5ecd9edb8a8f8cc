import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AWS_REGIONS, AWS_REGIONS_SOURCE } from "./awsRegions";
import { cronProblem, CRON_RULE, fixedMinuteOfDay } from "./eventbridgeCron";
import { principalArnProblem, PRINCIPAL_ARN_FORMAT } from "./quicksightPrincipals";
import { BUCKET_PURPOSES, bucketName, conventionalBucketName } from "./naming";
import { configFileFor, STAGE_PATTERN } from "./stacks";
import { GUARDRAIL_PROFILES } from "./guardrails";
import { UserError } from "./userError";

/**
 * StageConfig: every setting of a stage, read once from Pulumi.<stage>.yaml and validated here.
 * Layers receive the resulting object and never read pulumi.Config themselves.
 *
 * Values arrive as the Pulumi runtime holds them: strings, lists as JSON text. The offline reader
 * (ops/stageFile.ts) passes a YAML scalar's source text, as the Pulumi CLI does, so
 * `14`, `"14"` and `0x0e` reach these checks as written and are judged the same way.
 */

const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const GLUE_WORKER_TYPES = ["G.1X", "G.2X", "G.4X", "G.8X"] as const;
/** Glue Flex runs only on the smaller workers (AWS Glue developer guide, "Glue Flex"). */
export const FLEX_WORKER_TYPES: readonly string[] = ["G.1X", "G.2X"];

/** A schema and the rule it enforces, in words: error messages and README's table both show `rule`. */
interface Check {
    schema: z.ZodType;
    rule?: string;
}

function checked<T extends z.ZodType>(rule: string, build: (message: string) => T): { schema: T; rule: string } {
    return { schema: build(`must be ${rule}`), rule };
}

/** Decimal digits only: no sign, exponent, fraction, hex, spaces or leading zeros. */
const DECIMAL = /^(0|[1-9]\d*)$/;

function wholeNumber(min: number, max: number) {
    return checked(`a whole number from ${min} to ${max}, in decimal digits`, (message) =>
        z.string({ error: message }).regex(DECIMAL, message).transform(Number).pipe(z.number().min(min, message).max(max, message)),
    );
}
const flag = checked("true or false", (message) => z.enum(["true", "false"], { error: message }).transform((value) => value === "true"));
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return checked(`one of ${values.join(", ")}`, (message) => z.enum(values, { error: message }));
}
function pattern(regex: RegExp, rule: string) {
    return checked(rule, (message) => z.string({ error: message }).regex(regex, message));
}
/** AWS tag values: at most 256 Unicode letters, digits, spaces and _ . : / = + - @ (IAM user guide, "Tagging AWS resources"). */
const AWS_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
const tagValue = checked(
    "an AWS tag value: a single string of 1-256 letters, digits, spaces and _ . : / = + - @, without leading or trailing spaces",
    (message) =>
        z
            .string({ error: message })
            .regex(AWS_TAG_VALUE, message)
            .refine((value) => value.trim() === value, message),
);
const schedule = checked(`"off" or an EventBridge ${CRON_RULE}`, (message) =>
    z.string({ error: message }).superRefine((value, context) => {
        const problem = value === "off" ? undefined : cronProblem(value);
        if (problem !== undefined) context.addIssue({ code: "custom", message: `${problem}; ${message}` });
    }),
);
/** Lists arrive as JSON text, the way `pulumi config` stores structured values. */
function jsonText(raw: unknown): unknown {
    if (typeof raw !== "string") return raw;
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}
function principalList(min: number) {
    const size = min === 0 ? "a YAML list, possibly empty, of" : `a YAML list of at least ${min}`;
    return checked(`${size} QuickSight user or group ARN${min === 1 ? "" : "s"} (${PRINCIPAL_ARN_FORMAT}), each listed once`, (message) =>
        z.preprocess(
            jsonText,
            z
                .array(z.string({ error: message }), { error: message })
                .min(min, message)
                .superRefine((arns, context) => {
                    arns.forEach((arn, index) => {
                        const problem = principalArnProblem(arn);
                        if (problem !== undefined) context.addIssue({ code: "custom", message: `entry ${index + 1}, ${JSON.stringify(arn)}, ${problem}` });
                        else if (arns.indexOf(arn) < index)
                            context.addIssue({
                                code: "custom",
                                message: `${JSON.stringify(arn)} is listed twice (entries ${arns.indexOf(arn) + 1} and ${index + 1}): QuickSight takes one permission entry per principal`,
                            });
                    });
                }),
        ),
    );
}
const region = checked(`an AWS region the AWS SDK knows (${AWS_REGIONS_SOURCE}), such as eu-west-1`, (message) =>
    z.string({ error: message }).refine((value) => AWS_REGIONS.includes(value), message),
);
const stageName = checked(
    "2-12 lowercase letters and digits, starting with a letter, without hyphens (a hyphen separates stage and layer in stack names such as dev-storage)",
    (message) => z.string({ error: message }).regex(STAGE_PATTERN, message),
);
const retentionPeriod = checked(`one of CloudWatch Logs' retention periods in days (${CLOUDWATCH_RETENTION_DAYS.join(", ")})`, (message) =>
    z
        .string({ error: message })
        .regex(DECIMAL, message)
        .transform(Number)
        .pipe(
            z.union(
                CLOUDWATCH_RETENTION_DAYS.map((days) => z.literal(days)),
                { error: message },
            ),
        ),
);

interface KeySpec extends Check {
    /** Used when the key is absent; keys without a default are required. */
    default?: string;
    doc: string;
}

/** Every key of the `spotify:` namespace (plus aws:region). README's config reference is rendered from this table (workbench/configReference.ts). */
export const CONFIG_KEYS = {
    "aws:region": { ...region, doc: "AWS region of every resource of the stage." },
    stage: { ...stageName, doc: "Stage name; must equal the stack name's stage (dev for dev-storage). Also the `stage` tag." },
    namePrefix: {
        ...pattern(/^[a-z][a-z0-9]{1,15}$/, "2-16 lowercase letters and digits, starting with a letter"),
        doc: "First part of every bucket, Glue and Athena name.",
    },
    bucketSuffix: {
        ...pattern(/^[a-z0-9]([a-z0-9-]{0,22}[a-z0-9])?$/, "1-24 lowercase letters, digits and inner hyphens"),
        doc: "Last part of every bucket name, globally unique (for example the account id). With namePrefix and stage, every bucket name must fit S3's 63 characters.",
    },
    owner: { ...tagValue, doc: "Team that owns the stage: the `owner` tag." },
    costCenter: { ...tagValue, doc: "The `cost-center` tag." },
    dataClassification: { ...oneOf(["public", "internal", "confidential", "restricted"]), doc: "The `data-classification` tag." },
    protectData: { ...flag, doc: "protect and retainOnDelete on the data key and the data buckets (staging, warehouse)." },
    allowTeardown: { ...flag, doc: "forceDestroy on buckets, so `pulumi destroy` can empty them. Never with protectData." },
    kmsDeletionWindowDays: { ...wholeNumber(7, 30), doc: "Waiting period before a deleted KMS key is gone." },
    accessLogging: { ...flag, doc: "S3 server access logging of the data buckets into the access-logs bucket." },
    accessLogRetentionDays: { ...wholeNumber(1, 3650), default: "90", doc: "Days before access-log objects expire." },
    athenaResultsRetentionDays: { ...wholeNumber(1, 3650), default: "7", doc: "Days before Athena query results expire." },
    noncurrentVersionRetentionDays: { ...wholeNumber(1, 3650), default: "30", doc: "Days before noncurrent object versions expire in versioned buckets." },
    stagingInfrequentAccessDays: {
        ...wholeNumber(30, 3650),
        default: "30",
        doc: "Days before staging objects move to S3 Standard-IA (S3 requires at least 30).",
    },
    glueWorkerType: { ...oneOf(GLUE_WORKER_TYPES), default: "G.1X", doc: "Glue worker type." },
    glueNumberOfWorkers: { ...wholeNumber(2, 299), default: "2", doc: "Glue workers per run." },
    glueExecutionClass: { ...oneOf(["STANDARD", "FLEX"]), default: "FLEX", doc: "FLEX (spare capacity, cheaper; G.1X or G.2X only) or STANDARD." },
    glueTimeoutMinutes: { ...wholeNumber(1, 2880), default: "60", doc: "Minutes before a job run is stopped." },
    glueMaxRetries: { ...wholeNumber(0, 10), default: "0", doc: "Retries of a failed job run." },
    etlSchedule: { ...schedule, default: "off", doc: "When the ETL job runs on its own." },
    tableMaintenance: {
        ...flag,
        default: "true",
        doc: "Glue's table optimizers expire old snapshots of the Iceberg warehouse table and delete its orphan files, so its storage does not grow without bound. false only outside prod: a stage with spotify:protectData true must keep it on.",
    },
    tableMaintenanceEveryHours: {
        ...wholeNumber(3, 168),
        default: "24",
        doc: "Hours between runs of the snapshot expiry and of the orphan-file removal (Glue's runRateInHours: 3 to 168).",
    },
    snapshotRetentionDays: {
        ...wholeNumber(1, 3650),
        default: "5",
        doc: "Days a snapshot of the warehouse table is kept after a newer one replaced it: how far back a rollback can go. Expired snapshots' files are deleted.",
    },
    snapshotsToKeep: {
        ...wholeNumber(1, 100),
        default: "1",
        doc: "Snapshots of the warehouse table kept regardless of age (the current one included): a snapshot is expired only when it is older than spotify:snapshotRetentionDays and not among these.",
    },
    orphanFileRetentionDays: {
        ...wholeNumber(1, 3650),
        default: "3",
        doc: "Days a file under the table's location that no snapshot references is kept before it is deleted (files of failed or killed runs); longer than any job run, so a run's files are never deleted before it commits.",
    },
    logRetentionDays: { ...retentionPeriod, default: "30", doc: "CloudWatch Logs retention of the pipeline's log groups." },
    athenaBytesScannedCutoff: {
        ...wholeNumber(10_485_760, Number.MAX_SAFE_INTEGER),
        default: "1073741824",
        doc: "Bytes one Athena query may scan before it is cancelled (at least 10 MiB).",
    },
    quicksightOwners: { ...principalList(1), doc: "QuickSight user/group ARNs that own the data source, datasets, analysis and dashboard." },
    quicksightViewers: {
        ...principalList(0),
        default: "[]",
        doc: "QuickSight user/group ARNs that may view the dashboard (nothing else); none may also be an owner.",
    },
    quicksightServiceRoleName: {
        ...pattern(/^[\w+=,.@-]{1,64}$/, "an IAM role name: 1-64 letters, digits and + = , . @ _ -"),
        default: "aws-quicksight-service-role-v0",
        doc: "The existing IAM role QuickSight uses for AWS resources; the dashboards layer attaches this stage's data access to it.",
    },
    quicksightImportMode: {
        ...oneOf(["SPICE", "DIRECT_QUERY"]),
        default: "DIRECT_QUERY",
        doc: "SPICE (imported, refreshed daily) or DIRECT_QUERY (every view queries Athena).",
    },
    quicksightRefreshTime: {
        ...pattern(/^([01]\d|2[0-3]):[0-5]\d$/, 'a UTC time of day written "HH:MM" (00:00-23:59)'),
        default: "05:00",
        doc: "UTC time of the daily SPICE refresh of every dataset (with quicksightImportMode SPICE); with a daily etlSchedule, no earlier than the ETL's worst case ends (glueTimeoutMinutes × (glueMaxRetries + 1) after it starts).",
    },
    network: {
        schema: z.enum(["none", "isolated"], { error: 'must be "none" or "isolated"' }),
        default: "none",
        doc: "isolated: the Glue job runs in private subnets of the network layer's VPC and reaches AWS only through VPC endpoints; the data buckets deny access from outside them.",
    },
    stackReferenceOrg: {
        ...pattern(/^([A-Za-z0-9][A-Za-z0-9_.-]*)?$/, "a Pulumi organization name (letters, digits, _ . -), or empty"),
        default: "",
        doc: "Pulumi organization of the layer stacks; empty means the current one.",
    },
} satisfies Record<string, KeySpec>;

type ConfigKey = keyof typeof CONFIG_KEYS;
type Parsed<K extends ConfigKey> = z.output<(typeof CONFIG_KEYS)[K]["schema"]>;

/** The validated settings of one stage. */
export type StageConfig = { region: string } & { [K in Exclude<ConfigKey, "aws:region">]: Parsed<K> };

/** Bad or missing stage config; raised before any resource is registered. */
export class StageConfigError extends UserError {}

/** The stage settings with a default. */
type SettingWithDefault = {
    [K in keyof typeof CONFIG_KEYS]: (typeof CONFIG_KEYS)[K] extends { default: string } ? Exclude<K, "aws:region"> : never;
}[keyof typeof CONFIG_KEYS];

/**
 * The value a stage that does not set `key` gets: the default of a component arg that `key` sets,
 * so a component left to its defaults is sized like such a stage.
 */
export function settingDefault<K extends SettingWithDefault>(key: K): StageConfig[K] {
    const spec: { schema: { parse(value: unknown): unknown }; default: string } = CONFIG_KEYS[key];
    return spec.schema.parse(spec.default) as StageConfig[K];
}

/** `spotify:<key>` for project keys, the key itself for provider keys (aws:region). */
export function qualifiedKey(key: string): string {
    return key.includes(":") ? key : `spotify:${key}`;
}

/** The limits a key's values must keep, in words (README's "Stage config reference" shows them). */
export function ruleOf(spec: Check): string {
    if (spec.rule !== undefined) return spec.rule;
    if (spec.schema instanceof z.ZodEnum) return `one of ${spec.schema.options.join(", ")}`;
    throw new Error("a config key without a rule must have an enum schema, whose options are its rule");
}

/**
 * Namespaces a stage file may use besides `spotify`: the providers the program creates, and
 * `pulumi`, whose keys belong to the engine. The program creates every provider explicitly
 * (infra/program.ts), and explicit providers read no stack config: each provider key is passed to
 * them by the program, and aws:region is the only one it passes. Any other provider key would be
 * accepted by the CLI and silently ignored.
 */
const PROVIDER_CONFIG = { aws: Object.keys(aws.config), "aws-native": Object.keys(awsNative.config) } as const;
const READ_PROVIDER_KEYS: readonly string[] = ["aws:region"];
const ENGINE_NAMESPACE = "pulumi";

/** What the program reads instead of a provider key it ignores. */
const INSTEAD_OF_PROVIDER_KEY: Readonly<Record<string, string>> = {
    region: "every provider of the stage, aws and aws-native alike, takes its region from aws:region: set that",
    defaultTags: "the program sets every provider's defaultTags from spotify:owner, spotify:costCenter and spotify:dataClassification: set those",
};
const CREDENTIAL_SOURCES =
    "the providers take credentials and roles from the environment: AWS_PROFILE or a Pulumi ESC environment listed under the file's environment: (its environmentVariables, or aws-login for OIDC)";

/** Provider keys that choose whose credentials or which role the provider uses. */
const IDENTITY_KEYS: readonly string[] = [
    "profile",
    "sharedCredentialsFile",
    "sharedCredentialsFiles",
    "sharedConfigFiles",
    "assumeRole",
    "assumeRoles",
    "roleArn",
];

/** A key whose name says it holds a credential, in any namespace. */
const CREDENTIAL_NAME = /(secret|password|passwd|token|access_?key|private_?key|api_?key)/i;

/** Why a key that names a credential must not be in a stage file. */
function credentialProblem(key: string): string {
    return (
        `a credential in the stage file, which is committed to the repository: remove it (and rotate it if it was ever pushed). ` +
        `Nothing here reads credentials from config: ${CREDENTIAL_SOURCES}. ` +
        `A secret the program itself must read goes in with pulumi config set --secret ${key}, or in an ESC environment`
    );
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

/** The known key `key` was most likely meant to be: a close spelling, or the same name in another namespace. */
function didYouMean(key: string, known: readonly string[]): string | undefined {
    const name = key.slice(key.indexOf(":") + 1);
    const ranked = known
        .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }))
        .sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : 1));
    const closest = ranked[0];
    if (closest !== undefined && closest.distance <= Math.max(2, Math.floor(key.length / 4))) return closest.candidate;
    return known.find((candidate) => candidate.slice(candidate.indexOf(":") + 1) === name);
}

/**
 * Keys the program read once and no longer does, with why: a stage file that still sets one is
 * refused with that reason instead of the generic "unknown key", so whoever wrote it learns what
 * replaced it.
 */
const REMOVED_KEYS: Readonly<Record<string, string>> = {
    "spotify:crawlerSchedule":
        "removed together with the crawler (issue 25): the warehouse table is an Iceberg table, whose partitions live in its own metadata and which Athena reads through that metadata, so a crawler had nothing left to add (on an Iceberg table it would only re-add Hive partitions). Delete the line; the table's upkeep is set by spotify:tableMaintenance and the keys beside it",
};

/** Why `key` is no key this program or its providers read, or undefined when it is one. */
function unknownKeyProblem(key: string): string | undefined {
    const separator = key.indexOf(":");
    const namespace = separator < 0 ? "" : key.slice(0, separator);
    const name = key.slice(separator + 1);
    const spotifyKeys = Object.keys(CONFIG_KEYS).map(qualifiedKey);
    if (namespace === "spotify" && spotifyKeys.includes(key)) return undefined;
    if (Object.hasOwn(REMOVED_KEYS, key)) return REMOVED_KEYS[key];
    if (namespace === ENGINE_NAMESPACE) return undefined;
    if (CREDENTIAL_NAME.test(name)) return credentialProblem(key);
    if (READ_PROVIDER_KEYS.includes(key)) return undefined;
    const providerNames: readonly string[] | undefined = Object.hasOwn(PROVIDER_CONFIG, namespace)
        ? PROVIDER_CONFIG[namespace as keyof typeof PROVIDER_CONFIG]
        : undefined;
    if (providerNames?.includes(name)) {
        const instead = INSTEAD_OF_PROVIDER_KEY[name] ?? (IDENTITY_KEYS.includes(name) ? CREDENTIAL_SOURCES : "remove it");
        return `the program's providers never read ${key} (they are created by the program, which passes them aws:region only): ${instead}`;
    }
    const suggestion = didYouMean(key, [...spotifyKeys, ...READ_PROVIDER_KEYS]);
    const hint = suggestion === undefined ? "" : `; did you mean ${suggestion}?`;
    if (namespace === "spotify") return `unknown key (the keys are listed in README.md, "Stage config reference")${hint}`;
    if (providerNames !== undefined) return `unknown ${namespace} provider key${hint}`;
    const namespaces = ["spotify", ...Object.keys(PROVIDER_CONFIG), ENGINE_NAMESPACE].join(", ");
    return `unknown namespace "${namespace}" (this program reads ${namespaces})${hint}`;
}

/** How a problem with the file's spotify:stage reads, and which file the heading names. */
function sourceOf(raw: Readonly<Record<string, string>>, stackStage: string, configFile: string | undefined): string {
    if (configFile !== undefined) return configFile;
    // The Pulumi CLI does not tell the program which --config-file it read; a stage name in the
    // config that is not the stack's says whose file it was.
    const configStage = raw["spotify:stage"];
    if (configStage !== undefined && configStage !== stackStage && STAGE_PATTERN.test(configStage)) {
        return `${configFileFor(configStage)} (going by its spotify:stage, ${configStage})`;
    }
    return configFileFor(stackStage);
}

/**
 * Validates raw config values (as `pulumi config` stores them: strings, JSON for lists) for
 * `stackStage`, the stage named by the stack. `configFile` is the file they were read from, when the
 * caller knows it (the offline synthesis does; under the Pulumi CLI it is inferred). Reports every
 * problem at once, each with its key, under a heading that names the file.
 */
export function parseStageConfig(raw: Readonly<Record<string, string>>, stackStage: string, configFile?: string): StageConfig {
    const file = sourceOf(raw, stackStage, configFile);
    const keyProblems = Object.keys(raw)
        .sort()
        .flatMap((key) => {
            const problem = unknownKeyProblem(key);
            return problem === undefined ? [] : [`${key}: ${problem}`];
        });
    if (keyProblems.length === 0 && !Object.keys(raw).some((key) => key.startsWith("spotify:"))) {
        throw new StageConfigError(noSettingsMessage(stackStage, configFile));
    }
    const problems = [...keyProblems];
    const values: Record<string, unknown> = {};
    for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
        const spec: KeySpec = CONFIG_KEYS[key];
        const value = raw[qualifiedKey(key)] ?? spec.default;
        if (value === undefined) {
            problems.push(`${qualifiedKey(key)}: required key is missing (${spec.doc})`);
            continue;
        }
        const result = spec.schema.safeParse(value);
        if (result.success) {
            values[key === "aws:region" ? "region" : key] = result.data;
        } else if (value === "") {
            // The Pulumi CLI passes YAML's null (null, ~ or nothing after the colon) as "".
            const fallback = spec.default === undefined ? "" : `, or remove the key for its default (${spec.default === "" ? "empty" : spec.default})`;
            problems.push(`${qualifiedKey(key)}: has no value (YAML reads null, ~ and an empty value as none): write ${ruleOf(spec)}${fallback}`);
        } else {
            const issues = [...new Set(result.error.issues.map((issue) => issue.message))].join("; ");
            problems.push(`${qualifiedKey(key)}: ${issues}, got ${JSON.stringify(value)}`);
        }
    }
    if (problems.length === 0) {
        problems.push(...crossFieldProblems(values as StageConfig, stackStage, configFile));
    }
    if (problems.length > 0) {
        throw new StageConfigError(`Invalid stage config in ${file} for stage ${stackStage}:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    }
    return values as StageConfig;
}

function noSettingsMessage(stackStage: string, configFile: string | undefined): string {
    const file = configFileFor(stackStage);
    if (configFile !== undefined) {
        return (
            `${configFile} gives stage ${stackStage} no spotify:* settings: they belong under a top-level "config:" map, for example\n` +
            `  config:\n    aws:region: eu-west-1\n    spotify:stage: ${stackStage}`
        );
    }
    return (
        `No spotify:* settings reached stage ${stackStage}'s stack. Either it was run without its stage file, which every stack of\n` +
        `  stage ${stackStage} reads (pulumi up -s ${stackStage}-storage --config-file ${file}), or ${file} has none under its\n` +
        `  top-level "config:" map (an empty file, or keys written at the top level).`
    );
}

/** Every bucket name the stage will create, built by the naming module itself; one problem naming each part's share when one does not fit. */
function bucketNameProblems(config: StageConfig): string[] {
    const failures = BUCKET_PURPOSES.flatMap((purpose) => {
        try {
            bucketName(config, purpose);
            return [];
        } catch (error) {
            return [{ purpose, reason: (error instanceof Error ? error.message : String(error)).replace(/\.$/, "") }];
        }
    });
    if (failures.length === 0) return [];
    const longest = [...failures].sort((a, b) => b.purpose.length - a.purpose.length)[0].purpose;
    const name = conventionalBucketName(config, longest);
    const shares = [
        `spotify:namePrefix "${config.namePrefix}" ${config.namePrefix.length}`,
        `spotify:stage "${config.stage}" ${config.stage.length}`,
        `purpose "${longest}" ${longest.length}`,
        `spotify:bucketSuffix "${config.bucketSuffix}" ${config.bucketSuffix.length}`,
        "3 hyphens",
    ];
    const over = name.length - 63;
    const advice = over > 0 ? `; shorten spotify:namePrefix and spotify:bucketSuffix by ${over} character${over === 1 ? "" : "s"} together` : "";
    return [
        `spotify:namePrefix, spotify:bucketSuffix: ${failures.map((failure) => `the ${failure.purpose} bucket: ${failure.reason}`).join("; ")}. ` +
            `Name "${name}" is ${name.length} characters: ${shares.join(" + ")}${advice}`,
    ];
}

/**
 * What the policy pack refuses in a protected stage (its "protected" guardrail profile, in which every
 * rule is mandatory), checked here so the stage file is refused before a synthesis, naming the rule.
 * Each entry reads one setting a rule of the profile judges; test/stageConfigFiles.spec.ts checks
 * that every minimum of the profile has its entry.
 */
export const PROTECTED_STAGE_REQUIREMENTS: readonly { rule: string; key: ConfigKey; problem: (config: StageConfig) => string | undefined }[] = [
    {
        rule: "kms-deletion-window",
        key: "kmsDeletionWindowDays",
        problem: (config) => atLeast(config.kmsDeletionWindowDays, GUARDRAIL_PROFILES.protected.minimumDays["kms-deletion-window"]),
    },
    {
        rule: "logs-retention",
        key: "logRetentionDays",
        problem: (config) => atLeast(config.logRetentionDays, GUARDRAIL_PROFILES.protected.minimumDays["logs-retention"]),
    },
    {
        rule: "s3-access-logging",
        key: "accessLogging",
        problem: (config) => (config.accessLogging ? undefined : "is false, but the data buckets of a protected stage must log every access: set true"),
    },
    {
        rule: "glue-iceberg-table-maintenance",
        key: "tableMaintenance",
        problem: (config) =>
            config.tableMaintenance
                ? undefined
                : "is false, but a protected stage must expire the warehouse table's snapshots and delete its orphan files: set true",
    },
];

const DAY_MINUTES = 24 * 60;
const clock = (minutes: number) => `${String(Math.floor(minutes / 60) % 24).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/**
 * A SPICE refresh must import what the nightly ETL wrote, even when its last attempt runs to the
 * timeout: a refresh inside that window shows yesterday's data until the next day's refresh.
 */
function refreshTimeProblems(config: StageConfig): string[] {
    if (config.quicksightImportMode !== "SPICE" || config.etlSchedule === "off") return [];
    const start = fixedMinuteOfDay(config.etlSchedule);
    if (start === undefined) return [];
    const runs = config.glueMaxRetries + 1;
    const worstCase = config.glueTimeoutMinutes * runs;
    const [hours, minutes] = config.quicksightRefreshTime.split(":").map(Number);
    const afterStart = (hours * 60 + minutes - start + DAY_MINUTES) % DAY_MINUTES;
    const budget = `spotify:glueTimeoutMinutes ${config.glueTimeoutMinutes} × ${runs} run(s) (spotify:glueMaxRetries ${config.glueMaxRetries}) = ${worstCase} minutes`;
    if (worstCase >= DAY_MINUTES) {
        return [
            `spotify:quicksightRefreshTime: the nightly ETL's worst case (${budget}) lasts a day or more, so no daily refresh time comes after it; shorten the timeout or the retries`,
        ];
    }
    if (afterStart >= worstCase) return [];
    return [
        `spotify:quicksightRefreshTime: "${config.quicksightRefreshTime}" comes ${afterStart} minutes after the nightly ETL starts (spotify:etlSchedule, ${clock(start)} UTC), ` +
            `before its worst case ends (${budget}, at ${clock(start + worstCase)}): a retried run would reach the dashboard a day late; set "${clock(start + worstCase)}" or later`,
    ];
}

/**
 * Orphan-file removal deletes every file under the table's location that no snapshot references
 * and that is older than spotify:orphanFileRetentionDays. A run's data files are such files until
 * it commits, so a run that may last longer (its last attempt running to the timeout) could lose
 * files it is about to commit.
 */
function orphanRetentionProblems(config: StageConfig): string[] {
    if (!config.tableMaintenance) return [];
    const runs = config.glueMaxRetries + 1;
    const worstCase = config.glueTimeoutMinutes * runs;
    if (config.orphanFileRetentionDays * DAY_MINUTES > worstCase) return [];
    return [
        `spotify:orphanFileRetentionDays: ${config.orphanFileRetentionDays} day(s) is no longer than the ETL's worst case ` +
            `(spotify:glueTimeoutMinutes ${config.glueTimeoutMinutes} × ${runs} run(s) = ${worstCase} minutes): orphan-file removal could delete the files of a run before it commits; ` +
            `set more than ${Math.floor(worstCase / DAY_MINUTES)}`,
    ];
}

function atLeast(value: number, minimum: number): string | undefined {
    return value >= minimum ? undefined : `is ${value}, under the ${minimum} a protected stage needs`;
}

function protectedStageProblems(config: StageConfig): string[] {
    return PROTECTED_STAGE_REQUIREMENTS.flatMap(({ rule, key, problem }) => {
        const found = problem(config);
        return found === undefined
            ? []
            : [
                  `${qualifiedKey(key)}: ${found} (spotify:protectData is true, and the policy pack's ${rule} rule is mandatory there and would refuse the deploy)`,
              ];
    });
}

function crossFieldProblems(config: StageConfig, stackStage: string, configFile: string | undefined): string[] {
    const problems: string[] = [];
    if (config.stage !== stackStage) {
        problems.push(
            configFile !== undefined
                ? `spotify:stage: is "${config.stage}" but ${configFile} belongs to stage "${stackStage}" (its stacks are ${stackStage}-<layer>): set spotify:stage: ${stackStage}`
                : `spotify:stage: is "${config.stage}" but the stack belongs to stage "${stackStage}": it was run with stage ${config.stage}'s config; run it with --config-file ${configFileFor(stackStage)}`,
        );
    }
    if (config.protectData && config.allowTeardown) {
        problems.push("spotify:allowTeardown: must be false when spotify:protectData is true (protected data cannot be force-destroyed)");
    }
    const ownerAndViewer = config.quicksightViewers.filter((principal) => config.quicksightOwners.includes(principal));
    if (ownerAndViewer.length > 0) {
        // QuickSight takes one permission entry per principal; an owner already sees the dashboard.
        problems.push(
            `spotify:quicksightViewers: ${ownerAndViewer.join(", ")} ${ownerAndViewer.length === 1 ? "is" : "are"} already in spotify:quicksightOwners; list each principal once`,
        );
    }
    if (config.protectData) problems.push(...protectedStageProblems(config));
    problems.push(...refreshTimeProblems(config));
    problems.push(...orphanRetentionProblems(config));
    if (config.glueExecutionClass === "FLEX" && !FLEX_WORKER_TYPES.includes(config.glueWorkerType)) {
        problems.push(`spotify:glueWorkerType: FLEX runs only on ${FLEX_WORKER_TYPES.join(" or ")}, got "${config.glueWorkerType}"`);
    }
    problems.push(...bucketNameProblems(config));
    return problems;
}

/** Reads the running stack's config through the Pulumi runtime and validates it; `configFile` names its file when the caller knows it. */
export function loadStageConfig(stackStage: string, configFile?: string): StageConfig {
    return parseStageConfig(pulumi.runtime.allConfig(), stackStage, configFile);
}
