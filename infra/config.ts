import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configFileFor, STAGE_PATTERN } from "./stacks";

/**
 * StageConfig: every setting of a stage, read once from Pulumi.<stage>.yaml and validated here.
 * Layers receive the resulting object and never read pulumi.Config themselves.
 */

const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const GLUE_WORKER_TYPES = ["G.1X", "G.2X", "G.4X", "G.8X"] as const;
/** Glue Flex runs only on the smaller workers. */
const FLEX_WORKER_TYPES: readonly string[] = ["G.1X", "G.2X"];

const text = z.string().trim().min(1, "must not be empty");
const flag = z.preprocess(
    (raw) => (raw === "true" ? true : raw === "false" ? false : raw),
    z.boolean({ error: "must be true or false" }),
);
function wholeNumber(min: number, max: number) {
    return z.preprocess(
        (raw) => (typeof raw === "string" && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw),
        z.number({ error: `must be a whole number from ${min} to ${max}` })
            .int(`must be a whole number from ${min} to ${max}`)
            .min(min, `must be a whole number from ${min} to ${max}`)
            .max(max, `must be a whole number from ${min} to ${max}`),
    );
}
const schedule = z
    .string()
    .trim()
    .regex(/^(off|cron\(\S+( \S+){5}\))$/, 'must be "off" or an EventBridge cron expression such as "cron(0 5 * * ? *)"');
const principalArn = z
    .string()
    .regex(/^arn:aws[a-z-]*:quicksight:[a-z]{2}(-[a-z]+)+-\d:\d{12}:(user|group)\/[\w+=,.@/-]+$/, "must be a QuickSight user or group ARN (arn:aws:quicksight:<region>:<account>:user|group/<namespace>/<name>)");
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
    return z.preprocess(
        jsonText,
        z.array(principalArn, { error: "must be a YAML list of QuickSight principal ARNs" }).min(min, `must list at least ${min} QuickSight user or group ARN`),
    );
}

interface KeySpec {
    schema: z.ZodType;
    /** Used when the key is absent; keys without a default are required. */
    default?: string;
    doc: string;
}

/** Every key of the `spotify:` namespace (plus aws:region). README's config reference mirrors this table. */
export const CONFIG_KEYS = {
    "aws:region": { schema: text.regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS region such as "eu-west-1"'), doc: "AWS region of every resource of the stage." },
    stage: { schema: text.regex(STAGE_PATTERN, "must be lowercase letters and digits, 2-12 characters, starting with a letter"), doc: "Stage name; must equal the stack name's stage (dev for dev-storage)." },
    namePrefix: { schema: text.regex(/^[a-z][a-z0-9]{1,15}$/, "must be 2-16 lowercase letters and digits, starting with a letter"), doc: "First part of every bucket, Glue and Athena name." },
    bucketSuffix: { schema: text.regex(/^[a-z0-9]([a-z0-9-]{0,22}[a-z0-9])?$/, "must be 1-24 lowercase letters, digits and inner hyphens"), doc: "Last part of every bucket name, globally unique (for example the account id)." },
    owner: { schema: text, doc: "Team that owns the stage: the owner tag." },
    costCenter: { schema: text, doc: "The cost-center tag." },
    dataClassification: { schema: z.enum(["public", "internal", "confidential", "restricted"], { error: "must be one of public, internal, confidential, restricted" }), doc: "The data-classification tag." },
    protectData: { schema: flag, doc: "protect and retainOnDelete on the data key and the data buckets." },
    allowTeardown: { schema: flag, doc: "forceDestroy on buckets, so `pulumi destroy` can empty them. Never with protectData." },
    kmsDeletionWindowDays: { schema: wholeNumber(7, 30), doc: "Waiting period before a deleted KMS key is gone (7-30)." },
    accessLogging: { schema: flag, doc: "S3 server access logging of the data buckets into the access-logs bucket." },
    accessLogRetentionDays: { schema: wholeNumber(1, 3650), default: "90", doc: "Days before access-log objects expire." },
    athenaResultsRetentionDays: { schema: wholeNumber(1, 3650), default: "7", doc: "Days before Athena query results expire." },
    noncurrentVersionRetentionDays: { schema: wholeNumber(1, 3650), default: "30", doc: "Days before noncurrent object versions expire in versioned buckets." },
    stagingInfrequentAccessDays: { schema: wholeNumber(30, 3650), default: "30", doc: "Days before staging objects move to S3 Standard-IA (S3 requires at least 30)." },
    glueWorkerType: { schema: z.enum(GLUE_WORKER_TYPES, { error: `must be one of ${GLUE_WORKER_TYPES.join(", ")}` }), default: "G.1X", doc: "Glue worker type." },
    glueNumberOfWorkers: { schema: wholeNumber(2, 299), default: "2", doc: "Glue workers per run." },
    glueExecutionClass: { schema: z.enum(["STANDARD", "FLEX"], { error: "must be STANDARD or FLEX" }), default: "FLEX", doc: "FLEX (spare capacity, cheaper) or STANDARD." },
    glueTimeoutMinutes: { schema: wholeNumber(1, 2880), default: "60", doc: "Minutes before a job run is stopped." },
    glueMaxRetries: { schema: wholeNumber(0, 10), default: "0", doc: "Retries of a failed job run." },
    etlSchedule: { schema: schedule, default: "off", doc: 'When the ETL job runs on its own: "off" or cron(...).' },
    crawlerSchedule: { schema: schedule, default: "off", doc: 'When the crawler runs besides after each successful job: "off" or cron(...).' },
    logRetentionDays: { schema: z.preprocess((raw) => Number(raw), z.union(CLOUDWATCH_RETENTION_DAYS.map((days) => z.literal(days)), { error: `must be one of CloudWatch's retention periods: ${CLOUDWATCH_RETENTION_DAYS.join(", ")}` })), default: "30", doc: "CloudWatch Logs retention of the pipeline's log groups." },
    athenaBytesScannedCutoff: { schema: wholeNumber(10_485_760, Number.MAX_SAFE_INTEGER), default: "1073741824", doc: "Bytes one Athena query may scan before it is cancelled (at least 10 MiB)." },
    quicksightOwners: { schema: principalList(1), doc: "QuickSight user/group ARNs that own the data source, datasets, analysis and dashboard (at least one)." },
    quicksightViewers: { schema: principalList(0), default: "[]", doc: "QuickSight user/group ARNs that may view the dashboard (nothing else)." },
    quicksightServiceRoleName: {
        schema: text.regex(/^[\w+=,.@-]{1,64}$/, "must be an IAM role name (1-64 letters, digits and +=,.@_-)"),
        default: "aws-quicksight-service-role-v0",
        doc: "The existing IAM role QuickSight uses for AWS resources; the dashboards layer attaches this stage's data access to it.",
    },
    quicksightImportMode: { schema: z.enum(["SPICE", "DIRECT_QUERY"], { error: "must be SPICE or DIRECT_QUERY" }), default: "DIRECT_QUERY", doc: "SPICE (imported, refreshed daily) or DIRECT_QUERY (every view queries Athena)." },
    quicksightRefreshTime: {
        schema: text.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a UTC time of day as "HH:MM"'),
        default: "05:00",
        doc: "UTC time of the daily SPICE refresh of every dataset (with quicksightImportMode SPICE).",
    },
    stackReferenceOrg: { schema: z.string().trim().regex(/^([A-Za-z0-9][A-Za-z0-9_.-]*)?$/, "must be a Pulumi organization name"), default: "", doc: "Pulumi organization of the layer stacks; empty means the current one." },
} satisfies Record<string, KeySpec>;

type ConfigKey = keyof typeof CONFIG_KEYS;
type Parsed<K extends ConfigKey> = z.output<(typeof CONFIG_KEYS)[K]["schema"]>;

/** The validated settings of one stage. */
export type StageConfig = { region: string } & { [K in Exclude<ConfigKey, "aws:region">]: Parsed<K> };

/** Bad or missing stage config; raised before any resource is registered. */
export class StageConfigError extends pulumi.RunError {}

function qualified(key: ConfigKey): string {
    return key.includes(":") ? key : `spotify:${key}`;
}

/**
 * Validates raw config values (as `pulumi config` stores them: strings, JSON for lists) for `stage`,
 * the stage named by the stack. Reports every problem at once, each with its key and file.
 */
export function parseStageConfig(raw: Readonly<Record<string, string>>, stackStage: string): StageConfig {
    const file = configFileFor(stackStage);
    const ownKeys = Object.keys(raw).filter((key) => key.startsWith("spotify:"));
    if (ownKeys.length === 0) {
        throw new StageConfigError(
            `No stage config found for stage "${stackStage}": the stack has no spotify:* settings.\n` +
                `  Every stack of stage ${stackStage} reads ${file}; pass it explicitly, for example:\n` +
                `    pulumi up -s ${stackStage}-storage --config-file ${file}`,
        );
    }
    const problems: string[] = [];
    const known = new Set<string>(Object.keys(CONFIG_KEYS).map((key) => qualified(key as ConfigKey)));
    for (const key of ownKeys.filter((key) => !known.has(key)).sort()) {
        problems.push(`${key}: unknown key (known keys are listed in README.md, "Stage config reference")`);
    }
    const values: Record<string, unknown> = {};
    for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
        const spec: KeySpec = CONFIG_KEYS[key];
        const value = raw[qualified(key)] ?? spec.default;
        if (value === undefined) {
            problems.push(`${qualified(key)}: required key is missing (${spec.doc})`);
            continue;
        }
        const result = spec.schema.safeParse(value);
        if (result.success) {
            values[key === "aws:region" ? "region" : key] = result.data;
        } else {
            problems.push(`${qualified(key)}: ${result.error.issues[0].message}, got ${JSON.stringify(value)}`);
        }
    }
    if (problems.length === 0) {
        problems.push(...crossFieldProblems(values as StageConfig, stackStage));
    }
    if (problems.length > 0) {
        throw new StageConfigError(`Invalid stage config in ${file}:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    }
    return values as StageConfig;
}

function crossFieldProblems(config: StageConfig, stackStage: string): string[] {
    const problems: string[] = [];
    if (config.stage !== stackStage) {
        problems.push(`spotify:stage: is "${config.stage}" but the stack belongs to stage "${stackStage}": use --config-file ${configFileFor(stackStage)}`);
    }
    if (config.protectData && config.allowTeardown) {
        problems.push("spotify:allowTeardown: must be false when spotify:protectData is true (protected data cannot be force-destroyed)");
    }
    const ownerAndViewer = config.quicksightViewers.filter((principal) => config.quicksightOwners.includes(principal));
    if (ownerAndViewer.length > 0) {
        // QuickSight takes one permission entry per principal; an owner already sees the dashboard.
        problems.push(`spotify:quicksightViewers: ${ownerAndViewer.join(", ")} ${ownerAndViewer.length === 1 ? "is" : "are"} already in spotify:quicksightOwners; list each principal once`);
    }
    if (config.glueExecutionClass === "FLEX" && !FLEX_WORKER_TYPES.includes(config.glueWorkerType)) {
        problems.push(`spotify:glueWorkerType: FLEX runs only on ${FLEX_WORKER_TYPES.join(" or ")}, got "${config.glueWorkerType}"`);
    }
    return problems;
}

/** Reads the running stack's config through the Pulumi runtime and validates it. */
export function loadStageConfig(stackStage: string): StageConfig {
    return parseStageConfig(pulumi.runtime.allConfig(), stackStage);
}
