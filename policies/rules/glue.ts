import type { Policies } from "@pulumi/policy";
import { resourceGuardrail, ResourceView, stackGuardrail, StackResourceView, StackView } from "../support/guardrail";
import { glueIdentifierGuardrail } from "../support/scope";
import { at, isUnknown, nonEmptyString, shown } from "../support/values";

export const GLUE_JOB_TYPES = ["aws:glue/job:Job"] as const;
export const GLUE_CRAWLER_TYPES = ["aws:glue/crawler:Crawler"] as const;
const SECURITY_CONFIGURATION_TYPES = ["aws:glue/securityConfiguration:SecurityConfiguration"] as const;
const DATABASE_TYPES = ["aws:glue/catalogDatabase:CatalogDatabase"] as const;
const CATALOG_ENCRYPTION_TYPES = ["aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings"] as const;
const CATALOG_ENCRYPTION_MODES = ["SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"];
const TABLE_TYPES = ["aws:glue/catalogTable:CatalogTable"] as const;
const TABLE_OPTIMIZER_TYPES = ["aws:glue/catalogTableOptimizer:CatalogTableOptimizer"] as const;
/** The maintenance every Iceberg table needs, by optimizer type (the Glue API's TableOptimizerType), and what each does. */
const REQUIRED_OPTIMIZERS = [
    { type: "retention", does: "snapshot expiry" },
    { type: "orphan_file_deletion", does: "orphan-file removal" },
] as const;

/** What is missing from a data table's Iceberg upkeep: its format, then each optimizer that is absent or disabled. */
function tableMaintenanceProblems(stack: StackView, table: StackResourceView): string[] {
    if (isUnknown(at(table.props, "openTableFormatInput"))) return [];
    if (at(table.props, "openTableFormatInput", "icebergInput") === undefined) {
        return ["is not an Iceberg table (no openTableFormatInput.icebergInput), so runs do not commit atomically and nothing expires its old files"];
    }
    const optimizers = stack.referencing(table, TABLE_OPTIMIZER_TYPES, "tableName", "name");
    return REQUIRED_OPTIMIZERS.flatMap(({ type, does }) => {
        const declared = optimizers.filter((optimizer) => optimizer.props.type === type);
        if (declared.length === 0) return [`has no ${type} optimizer (${does}) declared for it`];
        const enabled = declared.some((optimizer) => {
            const value = at(optimizer.props, "configuration", "enabled");
            return value === true || isUnknown(value);
        });
        return enabled ? [] : [`has its ${type} optimizer (${does}) disabled (configuration.enabled is false)`];
    });
}

/** A KMS key reference that names a customer-managed key: not absent, not AWS's own alias/aws/... key. */
function customerKeyProblem(key: unknown, what: string): string | undefined {
    const value = nonEmptyString(key);
    if (value === undefined) return `${what} names no KMS key`;
    if (!isUnknown(value) && /(^|:)alias\/aws\//.test(value)) return `${what} uses the AWS-managed key ${value}, not the stage's data key`;
    return undefined;
}

/** What is wrong with a DataCatalogEncryptionSettings: metadata and connection passwords must both be encrypted with the same customer-managed key. */
function catalogEncryptionProblems(settings: StackResourceView): string[] {
    const problems: string[] = [];
    const atRest = at(settings.props, "dataCatalogEncryptionSettings", "encryptionAtRest");
    const passwords = at(settings.props, "dataCatalogEncryptionSettings", "connectionPasswordEncryption");
    const mode = at(atRest, "catalogEncryptionMode");
    if (!isUnknown(mode) && (typeof mode !== "string" || !CATALOG_ENCRYPTION_MODES.includes(mode))) {
        problems.push(`catalog metadata is not encrypted (catalogEncryptionMode is ${shown(mode ?? "absent")}, not SSE-KMS)`);
    } else {
        const problem = customerKeyProblem(at(atRest, "sseAwsKmsKeyId"), "encryptionAtRest");
        if (problem !== undefined) problems.push(problem);
    }
    const returned = at(passwords, "returnConnectionPasswordEncrypted");
    if (!isUnknown(returned) && returned !== true) {
        problems.push(`connection passwords are returned in clear text (returnConnectionPasswordEncrypted is ${shown(returned ?? "absent")})`);
    } else {
        const problem = customerKeyProblem(at(passwords, "awsKmsKeyId"), "connectionPasswordEncryption");
        if (problem !== undefined) problems.push(problem);
    }
    const catalogKey = at(atRest, "sseAwsKmsKeyId");
    const passwordKey = at(passwords, "awsKmsKeyId");
    // Both keys come from one input, so property dependencies cannot tell them apart: compare known values.
    if (problems.length === 0 && typeof catalogKey === "string" && typeof passwordKey === "string" && catalogKey !== passwordKey) {
        problems.push(`connection passwords use another key (${passwordKey}) than the catalog (${catalogKey}): both use the stage's data key`);
    }
    return problems;
}

/** What each part of a security configuration's encryptionConfiguration must say. */
const REQUIRED_ENCRYPTION = [
    { part: "s3Encryption", mode: "s3EncryptionMode", expected: "SSE-KMS", what: "data Glue writes to S3" },
    { part: "cloudwatchEncryption", mode: "cloudwatchEncryptionMode", expected: "SSE-KMS", what: "CloudWatch logs" },
    { part: "jobBookmarksEncryption", mode: "jobBookmarksEncryptionMode", expected: "CSE-KMS", what: "job bookmarks" },
] as const;

function encryptionProblems(securityConfiguration: StackResourceView): string[] {
    const problems: string[] = [];
    for (const { part, mode, expected, what } of REQUIRED_ENCRYPTION) {
        const actual = at(securityConfiguration.props, "encryptionConfiguration", part, mode);
        if (isUnknown(actual)) continue;
        if (actual !== expected) {
            problems.push(`${what} are not encrypted with ${expected} (${part}.${mode} is ${shown(actual ?? "absent")})`);
        } else if (nonEmptyString(at(securityConfiguration.props, "encryptionConfiguration", part, "kmsKeyArn")) === undefined) {
            problems.push(`${part} names no kmsKeyArn`);
        }
    }
    return problems;
}

/** "major.minor" as numbers, or undefined when `version` is not one. */
function parseVersion(version: unknown): [number, number] | undefined {
    const match = typeof version === "string" ? /^(\d+)\.(\d+)$/.exec(version.trim()) : null;
    return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

/** Spark jobs; Python shell and Ray jobs have their own Glue versions. Absent means glueetl. */
function isSparkJob(job: ResourceView): boolean {
    const command = at(job.props, "command", "name");
    return command === undefined || command === "glueetl" || command === "gluestreaming";
}

export interface GlueVersionConfig {
    minimumVersion: string;
}

export const gluePolicies: Policies = [
    stackGuardrail({
        name: "glue-security-configuration",
        description:
            "Every Glue job and crawler runs with a security configuration, declared in the same stack, that encrypts S3 (SSE-KMS), CloudWatch logs (SSE-KMS) and job bookmarks (CSE-KMS).",
        severity: "critical",
        remediation:
            'Declare an aws.glue.SecurityConfiguration with encryptionConfiguration {s3Encryption: {s3EncryptionMode: "SSE-KMS"}, cloudwatchEncryption: {cloudwatchEncryptionMode: "SSE-KMS"}, jobBookmarksEncryption: {jobBookmarksEncryptionMode: "CSE-KMS"}}, each with kmsKeyArn = the stage\'s data key, and set securityConfiguration: <it>.name on the job or crawler.',
        check: (stack, report) => {
            const checked = new Set<string>();
            for (const runner of stack.ofType([...GLUE_JOB_TYPES, ...GLUE_CRAWLER_TYPES])) {
                const kind = GLUE_JOB_TYPES.some((type) => type === runner.type) ? "Glue job" : "Glue crawler";
                const name = runner.props.securityConfiguration;
                if (name === undefined) {
                    report(
                        runner.urn,
                        `${kind} ${runner.name} has no securityConfiguration, so Glue writes its data, logs and bookmarks unencrypted by the stage's key.`,
                    );
                    continue;
                }
                const configurations = stack.referencedBy(runner, "securityConfiguration", SECURITY_CONFIGURATION_TYPES, "name");
                if (configurations.length === 0 && !isUnknown(name)) {
                    report(
                        runner.urn,
                        `${kind} ${runner.name} uses security configuration "${shown(name)}", which this stack does not declare, so its encryption cannot be checked.`,
                    );
                }
                for (const configuration of configurations.filter((candidate) => !checked.has(candidate.urn))) {
                    checked.add(configuration.urn);
                    for (const problem of encryptionProblems(configuration)) {
                        report(configuration.urn, `Security configuration ${configuration.name}: ${problem}.`);
                    }
                }
            }
        },
    }),
    resourceGuardrail<GlueVersionConfig>({
        name: "glue-version",
        description: "Glue Spark jobs run Glue 5.1 or later.",
        severity: "medium",
        remediation: 'Set glueVersion: "5.1" (or later) on the aws.glue.Job.',
        configSchema: {
            properties: { minimumVersion: { type: "string", pattern: "^\\d+\\.\\d+$", default: "5.1", description: "Oldest allowed glueVersion." } },
        },
        appliesTo: (job) => GLUE_JOB_TYPES.some((type) => type === job.type) && isSparkJob(job),
        check: (job, report, { minimumVersion }) => {
            const version = job.props.glueVersion;
            if (isUnknown(version)) return;
            const actual = parseVersion(version);
            const minimum = parseVersion(minimumVersion) ?? [0, 0];
            if (actual === undefined || actual[0] < minimum[0] || (actual[0] === minimum[0] && actual[1] < minimum[1])) {
                report(`Glue job runs glueVersion ${shown(version ?? "absent (AWS picks an old default)")}; at least ${minimumVersion} is required.`);
            }
        },
    }),
    resourceGuardrail({
        name: "glue-job-timeout",
        description: "Every Glue job has an explicit timeout, so a stuck run cannot bill for AWS's default 48 hours.",
        severity: "medium",
        remediation: "Set timeout (minutes) on the aws.glue.Job (spotify:glueTimeoutMinutes in Pulumi.<stage>.yaml).",
        appliesTo: GLUE_JOB_TYPES,
        check: (job, report) => {
            const timeout = job.props.timeout;
            if (isUnknown(timeout)) return;
            if (typeof timeout !== "number" || timeout <= 0) report(`Glue job has no timeout (timeout is ${shown(timeout ?? "absent")}).`);
        },
    }),
    stackGuardrail({
        name: "glue-iceberg-table-maintenance",
        description:
            'Every Glue catalog table that holds data (not a VIRTUAL_VIEW) is an Apache Iceberg table (openTableFormatInput.icebergInput) with both maintenance optimizers declared for it in the same stack and enabled: "retention" (snapshot expiry) and "orphan_file_deletion" (orphan-file removal). Off in a stage whose spotify:tableMaintenance is false, which only a stage without spotify:protectData may set.',
        severity: "high",
        remediation:
            'Declare the table with openTableFormatInput: {icebergInput: {metadataOperation: "CREATE", version: "2", icebergTableInput: {...}}} and, for it, one aws.glue.CatalogTableOptimizer of type "retention" and one of type "orphan_file_deletion", each with configuration.enabled: true and a roleArn the optimizers can assume (the etl layer\'s TableMaintenance does; spotify:tableMaintenance: true in Pulumi.<stage>.yaml).',
        check: (stack, report) => {
            for (const table of stack.ofType(TABLE_TYPES)) {
                if (table.props.tableType === "VIRTUAL_VIEW") continue;
                const database = table.props.databaseName;
                const label = `${typeof database === "string" ? `${database}.` : ""}${shown(table.props.name ?? table.name)}`;
                for (const problem of tableMaintenanceProblems(stack, table)) report(table.urn, `Glue table ${label} ${problem}.`);
            }
        },
    }),
    stackGuardrail({
        name: "glue-data-catalog-encryption",
        description:
            "A stack that declares a Glue catalog database also declares the catalog's encryption (aws.glue.DataCatalogEncryptionSettings): metadata with SSE-KMS and connection passwords returned encrypted, both with the stage's customer-managed data key.",
        severity: "high",
        remediation:
            'Declare an aws.glue.DataCatalogEncryptionSettings with dataCatalogEncryptionSettings {encryptionAtRest: {catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: <data key ARN>}, connectionPasswordEncryption: {returnConnectionPasswordEncrypted: true, awsKmsKeyId: <data key ARN>}} in the stack, and make the database depend on it (the etl layer does).',
        check: (stack, report) => {
            const settings = stack.ofType(CATALOG_ENCRYPTION_TYPES);
            for (const declared of settings) {
                for (const problem of catalogEncryptionProblems(declared)) report(declared.urn, `Data catalog encryption ${declared.name}: ${problem}.`);
            }
            if (settings.length > 0) return;
            for (const database of stack.ofType(DATABASE_TYPES)) {
                report(
                    database.urn,
                    `Glue database ${shown(database.props.name ?? database.name)} is declared in a stack that does not encrypt the Data Catalog (no aws.glue.DataCatalogEncryptionSettings), so its tables, partitions and connection passwords are stored without the data key.`,
                );
            }
        },
    }),
    glueIdentifierGuardrail({ name: "glue-database-naming", what: "Glue catalog database", types: DATABASE_TYPES }),
];
