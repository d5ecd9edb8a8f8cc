import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseStageConfig, PROTECTED_STAGE_REQUIREMENTS } from "../model/stageConfig";
import { GUARDRAIL_PROFILES } from "../model/guardrails";
import { AWS_REGIONS } from "../model/awsRegions";
import { cronProblem } from "../model/eventbridgeCron";
import { REPO_ROOT } from "../model/repository";
import { npmRun } from "./support/npmRun";
import { readStageConfigFile } from "../ops/stageFile";
import { synthesizeStage } from "../workbench/synth/stageSynthesis";
import { SynthesisError, synthesizeStack } from "../workbench/synth/synthesize";

/**
 * Broken stage files, each the committed Pulumi.dev.yaml (Pulumi.prod.yaml for cases of stage prod) with one mutation, run through the real
 * reader and the real program (the all-in-one stack, so every layer would run) under mocks.
 */
const DEV_FILE = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");
const PROD_FILE = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8");

type Mutation = (text: string) => string;

/** `key: value` in place of the key's line, or appended to `config:` when the file has none. */
function set(key: string, value: string): Mutation {
    return (text) => {
        // The key's line and the list items under it.
        const entry = new RegExp(`^  ${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:.*\\n(    - .*\\n)*`, "m");
        return entry.test(text) ? text.replace(entry, `  ${key}: ${value}\n`) : `${text.trimEnd()}\n  ${key}: ${value}\n`;
    };
}
function remove(key: string): Mutation {
    return (text) => text.replace(new RegExp(`^  ${key}:.*\\n(    - .*\\n)*`, "m"), "");
}
function both(...mutations: Mutation[]): Mutation {
    return (text) => mutations.reduce((current, mutation) => mutation(current), text);
}

interface Case {
    what: string;
    mutate: Mutation;
    /** The key the message must name. */
    key: string;
    /** The rule the message must state. */
    rule: RegExp;
    /** The stage the file is for (default dev); a prod case mutates Pulumi.prod.yaml. */
    stage?: string;
}

const mutated = (testCase: Case) => testCase.mutate(testCase.stage === "prod" ? PROD_FILE : DEV_FILE);

const cron = (expression: string): Mutation => set("spotify:etlSchedule", `"${expression}"`);

const CASES: Case[] = [
    // 1. Bucket names that do not fit S3, found before any resource.
    {
        what: "bucket names over 63 characters",
        stage: "sandbox12345",
        mutate: both(
            set("spotify:stage", "sandbox12345"),
            set("spotify:namePrefix", "spotifyanalytics"),
            set("spotify:bucketSuffix", '"111111111111-eu-west-1"'),
        ),
        key: "spotify:bucketSuffix",
        rule: /athena-results bucket: .*must be 3-63 characters long, is 67.*spotify:namePrefix "spotifyanalytics" 16 \+ spotify:stage "sandbox12345" 12 \+ purpose "athena-results" 14 \+ spotify:bucketSuffix "111111111111-eu-west-1" 22 \+ 3 hyphens; shorten .* by 4 characters/,
    },
    { what: "a bucket suffix S3 reserves", mutate: set("spotify:bucketSuffix", "data-s3alias"), key: "spotify:bucketSuffix", rule: /reserves/ },
    // 3. Numbers: decimal digits only, quoted or not.
    { what: "a hex number", mutate: set("spotify:kmsDeletionWindowDays", "0x0e"), key: "spotify:kmsDeletionWindowDays", rule: /in decimal digits, got "0x0e"/ },
    { what: "an octal-looking number", mutate: set("spotify:kmsDeletionWindowDays", "014"), key: "spotify:kmsDeletionWindowDays", rule: /in decimal digits/ },
    { what: "an exponent", mutate: set("spotify:glueTimeoutMinutes", "1e1"), key: "spotify:glueTimeoutMinutes", rule: /in decimal digits, got "1e1"/ },
    { what: "a fraction of zero", mutate: set("spotify:glueTimeoutMinutes", "30.0"), key: "spotify:glueTimeoutMinutes", rule: /in decimal digits/ },
    { what: "a quoted number with spaces", mutate: set("spotify:glueTimeoutMinutes", '" 30 "'), key: "spotify:glueTimeoutMinutes", rule: /in decimal digits/ },
    { what: "a signed number", mutate: set("spotify:glueMaxRetries", "+1"), key: "spotify:glueMaxRetries", rule: /in decimal digits/ },
    { what: "a negative number", mutate: set("spotify:glueMaxRetries", "-1"), key: "spotify:glueMaxRetries", rule: /from 0 to 10/ },
    { what: "a boolean as a number", mutate: set("spotify:glueMaxRetries", "true"), key: "spotify:glueMaxRetries", rule: /whole number/ },
    { what: "retries over the limit", mutate: set("spotify:glueMaxRetries", "11"), key: "spotify:glueMaxRetries", rule: /from 0 to 10/ },
    { what: "a deletion window too short", mutate: set("spotify:kmsDeletionWindowDays", "6"), key: "spotify:kmsDeletionWindowDays", rule: /from 7 to 30/ },
    { what: "a deletion window too long", mutate: set("spotify:kmsDeletionWindowDays", '"31"'), key: "spotify:kmsDeletionWindowDays", rule: /from 7 to 30/ },
    { what: "one Glue worker", mutate: set("spotify:glueNumberOfWorkers", "1"), key: "spotify:glueNumberOfWorkers", rule: /from 2 to 299/ },
    { what: "a hex worker count", mutate: set("spotify:glueNumberOfWorkers", "0x2"), key: "spotify:glueNumberOfWorkers", rule: /decimal digits/ },
    { what: "a timeout over two days", mutate: set("spotify:glueTimeoutMinutes", "2881"), key: "spotify:glueTimeoutMinutes", rule: /from 1 to 2880/ },
    { what: "a zero retention", mutate: set("spotify:accessLogRetentionDays", "0"), key: "spotify:accessLogRetentionDays", rule: /from 1 to 3650/ },
    {
        what: "a transition S3 refuses",
        mutate: set("spotify:stagingInfrequentAccessDays", "29"),
        key: "spotify:stagingInfrequentAccessDays",
        rule: /from 30 to 3650/,
    },
    {
        what: "a scan cutoff in exponent form",
        mutate: set("spotify:athenaBytesScannedCutoff", "1e10"),
        key: "spotify:athenaBytesScannedCutoff",
        rule: /decimal digits/,
    },
    {
        what: "a scan cutoff under 10 MiB",
        mutate: set("spotify:athenaBytesScannedCutoff", "10485759"),
        key: "spotify:athenaBytesScannedCutoff",
        rule: /from 10485760/,
    },
    {
        what: "a scan cutoff past safe integers",
        mutate: set("spotify:athenaBytesScannedCutoff", "99999999999999999999"),
        key: "spotify:athenaBytesScannedCutoff",
        rule: /to 9007199254740991/,
    },
    {
        what: "a retention CloudWatch lacks",
        mutate: set("spotify:logRetentionDays", "45"),
        key: "spotify:logRetentionDays",
        rule: /CloudWatch Logs' retention periods/,
    },
    { what: "a hex log retention", mutate: set("spotify:logRetentionDays", "0x0e"), key: "spotify:logRetentionDays", rule: /retention periods.*got "0x0e"/ },
    { what: "a fractional log retention", mutate: set("spotify:logRetentionDays", "14.0"), key: "spotify:logRetentionDays", rule: /retention periods/ },
    // Flags.
    { what: "a YAML 1.1 yes", mutate: set("spotify:protectData", "yes"), key: "spotify:protectData", rule: /true or false/ },
    { what: "a capitalised boolean", mutate: set("spotify:accessLogging", "True"), key: "spotify:accessLogging", rule: /true or false/ },
    { what: "a number as a flag", mutate: set("spotify:allowTeardown", "1"), key: "spotify:allowTeardown", rule: /true or false/ },
    // Cron, field by field.
    { what: "minute 60", mutate: cron("cron(60 2 * * ? *)"), key: "spotify:etlSchedule", rule: /minutes: 60 is out of range \(0-59\)/ },
    { what: "hour 24", mutate: cron("cron(0 24 * * ? *)"), key: "spotify:etlSchedule", rule: /hours: 24 is out of range \(0-23\)/ },
    { what: "day of month 32", mutate: cron("cron(0 2 32 * ? *)"), key: "spotify:etlSchedule", rule: /day-of-month: 32 is out of range/ },
    { what: "day of month 0", mutate: cron("cron(0 2 0 * ? *)"), key: "spotify:etlSchedule", rule: /day-of-month: 0 is out of range/ },
    { what: "month 13", mutate: cron("cron(0 2 1 13 ? *)"), key: "spotify:etlSchedule", rule: /month: 13 is out of range \(1-12 or JAN-DEC\)/ },
    { what: "an unknown month name", mutate: cron("cron(0 2 1 JUNE ? *)"), key: "spotify:etlSchedule", rule: /month: "JUNE" is not a month value/ },
    { what: "day of week 8", mutate: cron("cron(0 2 ? * 8 *)"), key: "spotify:etlSchedule", rule: /day-of-week: 8 is out of range \(1-7 or SUN-SAT\)/ },
    { what: "a day of week range past SAT", mutate: cron("cron(0 2 ? * 2-9 *)"), key: "spotify:etlSchedule", rule: /day-of-week: 9 is out of range/ },
    { what: "year 1969", mutate: cron("cron(0 2 * * ? 1969)"), key: "spotify:etlSchedule", rule: /year: 1969 is out of range \(1970-2199\)/ },
    { what: "year 2200", mutate: cron("cron(0 2 * * ? 2200)"), key: "spotify:etlSchedule", rule: /year: 2200 is out of range/ },
    {
        what: "no ? at all",
        mutate: cron("cron(0 2 * * * *)"),
        key: "spotify:etlSchedule",
        rule: /exactly one of day-of-month and day-of-week must be \?, neither is/,
    },
    { what: "a day of week with a * day of month", mutate: cron("cron(0 2 * * MON *)"), key: "spotify:etlSchedule", rule: /neither is/ },
    { what: "? in both day fields", mutate: cron("cron(0 2 ? * ? *)"), key: "spotify:etlSchedule", rule: /both are/ },
    {
        what: "? in the hours",
        mutate: cron("cron(0 ? * * ? *)"),
        key: "spotify:etlSchedule",
        rule: /hours: \? is allowed only in day-of-month and day-of-week/,
    },
    { what: "five fields", mutate: cron("cron(0 2 * * ?)"), key: "spotify:etlSchedule", rule: /exactly 6 fields/ },
    { what: "a step of zero", mutate: cron("cron(0/0 2 * * ? *)"), key: "spotify:etlSchedule", rule: /step after \/ must be a whole number from 1 to 59/ },
    { what: "a backwards range", mutate: cron("cron(0 5-2 * * ? *)"), key: "spotify:etlSchedule", rule: /range "5-2" runs backwards/ },
    { what: "a sixth week", mutate: cron("cron(0 2 ? * MON#6 *)"), key: "spotify:etlSchedule", rule: /week after # must be 1-5/ },
    { what: "W on a day past 31", mutate: cron("cron(0 2 32W * ? *)"), key: "spotify:etlSchedule", rule: /day-of-month: 32 is out of range/ },
    { what: "an empty list item", mutate: cron("cron(0 2,,4 * * ? *)"), key: "spotify:etlSchedule", rule: /hours: empty list item/ },
    { what: "a rate expression", mutate: cron("rate(1 day)"), key: "spotify:etlSchedule", rule: /must be written cron\(\.\.\.\)/ },
    {
        what: "the crawler schedule the program no longer reads",
        mutate: set("spotify:crawlerSchedule", '"cron(0 4 ? * SUN *)"'),
        key: "spotify:crawlerSchedule",
        rule: /removed together with the crawler.*Iceberg table, whose partitions live in its own metadata.*Delete the line/,
    },
    // Table maintenance.
    {
        what: "a maintenance interval under Glue's 3 hours",
        mutate: set("spotify:tableMaintenanceEveryHours", "2"),
        key: "spotify:tableMaintenanceEveryHours",
        rule: /whole number from 3 to 168/,
    },
    { what: "no snapshot kept", mutate: set("spotify:snapshotsToKeep", "0"), key: "spotify:snapshotsToKeep", rule: /whole number from 1 to 100/ },
    {
        what: "orphan files deleted before the job's worst case ends",
        stage: "prod",
        mutate: both(
            set("spotify:glueTimeoutMinutes", "1440"),
            set("spotify:orphanFileRetentionDays", "1"),
            set("spotify:quicksightImportMode", "DIRECT_QUERY"),
        ),
        key: "spotify:orphanFileRetentionDays",
        rule: /1 day\(s\) is no longer than the ETL's worst case \(spotify:glueTimeoutMinutes 1440 × 2 run\(s\) = 2880 minutes\).*set more than 2/,
    },
    // Region, against the regions the AWS SDK knows.
    { what: "a region that does not exist", mutate: set("aws:region", "eu-west-9"), key: "aws:region", rule: /AWS region the AWS SDK knows/ },
    { what: "a region by its name", mutate: set("aws:region", "Europe"), key: "aws:region", rule: /AWS region the AWS SDK knows/ },
    { what: "a partition's global pseudo region", mutate: set("aws:region", "aws-global"), key: "aws:region", rule: /AWS region the AWS SDK knows/ },
    { what: "a region with a trailing space", mutate: set("aws:region", '"eu-west-1 "'), key: "aws:region", rule: /AWS region the AWS SDK knows/ },
    // Tag values, as AWS checks them.
    { what: "an owner over 256 characters", mutate: set("spotify:owner", "a".repeat(257)), key: "spotify:owner", rule: /AWS tag value: .*1-256/ },
    { what: "an owner with a character AWS refuses", mutate: set("spotify:owner", "data-platform!"), key: "spotify:owner", rule: /AWS tag value/ },
    { what: "an owner as a list", mutate: set("spotify:owner", "[data, platform]"), key: "spotify:owner", rule: /a single string/ },
    { what: "an owner as a map", mutate: set("spotify:owner", "{team: data}"), key: "spotify:owner", rule: /a single string/ },
    { what: "an empty owner", mutate: set("spotify:owner", '""'), key: "spotify:owner", rule: /AWS tag value/ },
    {
        what: "an owner with a leading space",
        mutate: set("spotify:owner", '" data-platform"'),
        key: "spotify:owner",
        rule: /without leading or trailing spaces/,
    },
    { what: "a cost center with #", mutate: set("spotify:costCenter", '"cc#1234"'), key: "spotify:costCenter", rule: /AWS tag value/ },
    { what: "a cost center with a comma", mutate: set("spotify:costCenter", '"cc,1234"'), key: "spotify:costCenter", rule: /AWS tag value/ },
    {
        what: "an unknown data classification",
        mutate: set("spotify:dataClassification", "secret"),
        key: "spotify:dataClassification",
        rule: /one of public, internal, confidential, restricted/,
    },
    // 4. Namespaces and keys.
    {
        what: "a misspelled namespace",
        mutate: set("spotfy:glueNumberOfWorkers", "4"),
        key: "spotfy:glueNumberOfWorkers",
        rule: /unknown namespace "spotfy".*did you mean spotify:glueNumberOfWorkers\?/,
    },
    {
        what: "a capitalised namespace",
        mutate: set("Spotify:owner", "x"),
        key: "Spotify:owner",
        rule: /unknown namespace "Spotify".*did you mean spotify:owner\?/,
    },
    {
        what: "an unrelated namespace",
        mutate: set("acme:owner", "x"),
        key: "acme:owner",
        rule: /unknown namespace "acme" \(this program reads spotify, aws, aws-native, pulumi\); did you mean spotify:owner\?/,
    },
    {
        what: "a misspelled key",
        mutate: set("spotify:kmsDeletionWindow", "7"),
        key: "spotify:kmsDeletionWindow",
        rule: /unknown key .*did you mean spotify:kmsDeletionWindowDays\?/,
    },
    {
        what: "a misspelled provider key",
        mutate: set("aws:regoin", "eu-west-1"),
        key: "aws:regoin",
        rule: /unknown aws provider key; did you mean aws:region\?/,
    },
    { what: "a key without a namespace", mutate: set("owner", "x"), key: "owner", rule: /needs a namespace, such as spotify:owner/ },
    // 5. YAML syntax, with file, line and column.
    {
        what: "an unclosed quote",
        mutate: set("spotify:owner", '"data-platform'),
        key: "Pulumi.dev.yaml:",
        rule: /Pulumi\.dev\.yaml:\d+:\d+: Missing closing "quote/,
    },
    {
        what: "a tab as indentation",
        mutate: (text) => text.replace("  spotify:owner:", "\tspotify:owner:"),
        key: "spotify:owner",
        rule: /Pulumi\.dev\.yaml:10:1: Tabs are not allowed as indentation \(TAB_AS_INDENT\), in: "\\tspotify:owner: data-platform" \(and \d+ more errors after it\)$/,
    },
    {
        what: "a duplicate key",
        mutate: (text) => `${text.trimEnd()}\n  spotify:owner: someone-else\n`,
        key: "spotify:owner",
        rule: /Pulumi\.dev\.yaml:\d+:3: Map keys must be unique \(DUPLICATE_KEY\), in: " {2}spotify:owner: someone-else"/,
    },
    {
        what: "an unclosed flow list",
        mutate: set("spotify:quicksightViewers", "[arn:aws:quicksight:eu-west-1:111111111111:group/default/x"),
        key: "Pulumi.dev.yaml:",
        rule: /Pulumi\.dev\.yaml:\d+:\d+: .*(flow|collection)/i,
    },
    { what: "two documents", mutate: (text) => `${text}---\nconfig: {}\n`, key: "Pulumi.dev.yaml:", rule: /Pulumi\.dev\.yaml:\d+:\d+: .*MULTIPLE_DOCS/ },
    // 6. Messages that used to mislead.
    { what: "an empty file", mutate: () => "", key: "config:", rule: /Pulumi\.dev\.yaml is empty: .*under a top-level "config:" map/ },
    {
        what: "a file of comments only",
        mutate: (text) =>
            text
                .split("\n")
                .filter((line) => line.startsWith("#"))
                .join("\n"),
        key: "config:",
        rule: /is empty/,
    },
    {
        what: "keys without config:",
        mutate: (text) => text.replace("config:\n", "").replace(/^ {2}/gm, ""),
        key: "spotify:owner",
        rule: /has no "config:" map: .*spotify:owner.* are at the top level; indent them under "config:"/,
    },
    {
        what: "config: written as a list",
        mutate: (text) => text.replace(/^ {2}(\w+:\w+:)/gm, "  - $1"),
        key: "config:",
        rule: /"config:" is written as a list/,
    },
    { what: "config: with nothing under it", mutate: () => "config:\n", key: "config:", rule: /"config:" must be a map/ },
    {
        what: "config: with only a provider key",
        mutate: () => "config:\n  aws:region: eu-west-1\n",
        key: "config:",
        rule: /gives stage dev no spotify:\* settings/,
    },
    {
        what: "a stage with a hyphen",
        mutate: set("spotify:stage", "my-dev"),
        key: "spotify:stage",
        rule: /without hyphens \(a hyphen separates stage and layer/,
    },
    {
        what: "another stage's name",
        mutate: set("spotify:stage", "prod"),
        key: "spotify:stage",
        rule: /is "prod" but Pulumi\.dev\.yaml belongs to stage "dev".*set spotify:stage: dev/,
    },
    {
        what: "environment as a single name",
        mutate: (text) => `environment: spotify-pipeline/dev\n${text}`,
        key: "environment",
        rule: /must be a list of Pulumi ESC environments/,
    },
    // Other keys and cross-key rules.
    { what: "a missing owner", mutate: remove("spotify:owner"), key: "spotify:owner", rule: /required key is missing/ },
    { what: "a missing region", mutate: remove("aws:region"), key: "aws:region", rule: /required key is missing/ },
    { what: "missing dashboard owners", mutate: remove("spotify:quicksightOwners"), key: "spotify:quicksightOwners", rule: /required key is missing/ },
    { what: "a prefix with a hyphen", mutate: set("spotify:namePrefix", "spot-ify"), key: "spotify:namePrefix", rule: /2-16 lowercase letters and digits/ },
    { what: "an uppercase bucket suffix", mutate: set("spotify:bucketSuffix", "Acme"), key: "spotify:bucketSuffix", rule: /1-24 lowercase letters/ },
    {
        what: "protected data with teardown",
        mutate: set("spotify:protectData", "true"),
        key: "spotify:allowTeardown",
        rule: /must be false when spotify:protectData is true/,
    },
    { what: "FLEX on a large worker", mutate: set("spotify:glueWorkerType", "G.8X"), key: "spotify:glueWorkerType", rule: /FLEX runs only on G\.1X or G\.2X/ },
    {
        what: "an owner ARN that is no ARN",
        mutate: set("spotify:quicksightOwners", "[alice]"),
        key: "spotify:quicksightOwners",
        rule: /entry 1, "alice", is not an ARN \(arn:<partition>:quicksight:<region>:<account>:user\|group\/<namespace>\/<name>\)/,
    },
    { what: "a refresh time past midnight", mutate: set("spotify:quicksightRefreshTime", '"24:00"'), key: "spotify:quicksightRefreshTime", rule: /HH:MM/ },
    {
        what: "an unknown import mode",
        mutate: set("spotify:quicksightImportMode", "CACHED"),
        key: "spotify:quicksightImportMode",
        rule: /one of SPICE, DIRECT_QUERY/,
    },
    {
        what: "an organization starting with a hyphen",
        mutate: set("spotify:stackReferenceOrg", "-acme"),
        key: "spotify:stackReferenceOrg",
        rule: /Pulumi organization name/,
    },
    {
        what: "a service role name over 64 characters",
        mutate: set("spotify:quicksightServiceRoleName", "r".repeat(65)),
        key: "spotify:quicksightServiceRoleName",
        rule: /IAM role name: 1-64/,
    },
    // 7. Credentials, in any namespace: never in a stage file, plain or encrypted.
    ...(
        [
            ["aws:secretKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
            ["aws:accessKey", "AKIAIOSFODNN7EXAMPLE"],
            ["aws:token", "FwoGZXIvYXdzEXAMPLE"],
            ["aws-native:secretKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
            ["aws-native:accessKey", "AKIAIOSFODNN7EXAMPLE"],
            ["aws-native:token", "FwoGZXIvYXdzEXAMPLE"],
            ["spotify:quicksightPassword", "hunter2"],
            ["acme:apiKey", "0123456789abcdef"],
        ] as const
    ).map(([key, value]) => ({
        what: `a credential in ${key}`,
        mutate: set(key, value),
        key,
        rule: /a credential in the stage file, which is committed to the repository: remove it .*pulumi config set --secret .*ESC environment/,
    })),
    {
        what: "an encrypted credential the providers never read",
        mutate: set("aws:secretKey", "\n    secure: v1:c2VjcmV0:ZW5jcnlwdGVk"),
        key: "aws:secretKey",
        rule: /a credential in the stage file.*Nothing here reads credentials from config/,
    },
    // 8. Provider keys the program's explicit providers never read, each naming what it does read.
    {
        what: "a region for aws-native only",
        mutate: set("aws-native:region", "us-east-1"),
        key: "aws-native:region",
        rule: /never read aws-native:region .*takes its region from aws:region: set that/,
    },
    {
        what: "default tags through the aws provider",
        mutate: set("aws:defaultTags", "{tags: {team: data}}"),
        key: "aws:defaultTags",
        rule: /never read aws:defaultTags.*from spotify:owner, spotify:costCenter and spotify:dataClassification/,
    },
    {
        what: "an AWS profile",
        mutate: set("aws:profile", "data-platform"),
        key: "aws:profile",
        rule: /never read aws:profile.*AWS_PROFILE or a Pulumi ESC environment/,
    },
    {
        what: "a role to assume",
        mutate: set("aws-native:roleArn", "arn:aws:iam::111111111111:role/deploy"),
        key: "aws-native:roleArn",
        rule: /never read aws-native:roleArn.*from the environment/,
    },
    {
        what: "allowed account ids",
        mutate: set("aws:allowedAccountIds", '["111111111111"]'),
        key: "aws:allowedAccountIds",
        rule: /never read aws:allowedAccountIds/,
    },
    {
        what: "a skipped validation",
        mutate: set("aws:skipCredentialsValidation", "true"),
        key: "aws:skipCredentialsValidation",
        rule: /never read aws:skipCredentialsValidation.*: remove it/,
    },
    { what: "an aws-native retry count", mutate: set("aws-native:maxRetries", "5"), key: "aws-native:maxRetries", rule: /never read aws-native:maxRetries/ },
    // 9. QuickSight principals, as AWS documents their ARNs.
    ...(
        [
            [
                "a group without its namespace",
                "arn:aws:quicksight:eu-west-1:111111111111:group/data-platform",
                /lacks the <namespace>\/<name> part: write group\/<namespace>\/<name>, such as group\/default\/data-platform/,
            ],
            ["a group with an empty name", "arn:aws:quicksight:eu-west-1:111111111111:group/default/", /has an empty group name after group\/default\//],
            ["a namespace instead of a principal", "arn:aws:quicksight:eu-west-1:111111111111:namespace/default", /names a namespace, not a user or group/],
            ["an IAM role's ARN", "arn:aws:iam::111111111111:role/analysts", /is an iam ARN, not a QuickSight one/],
            [
                "a partition that does not exist",
                "arn:aws-mars:quicksight:eu-west-1:111111111111:group/default/x",
                /partition "aws-mars" is not an AWS partition \(aws, aws-cn/,
            ],
            [
                "a region of another partition",
                "arn:aws-cn:quicksight:eu-west-1:111111111111:group/default/x",
                /region eu-west-1 belongs to partition aws, not aws-cn/,
            ],
            ["a region that does not exist", "arn:aws:quicksight:eu-west-9:111111111111:group/default/x", /region "eu-west-9" is not an AWS region/],
            ["an 11-digit account", "arn:aws:quicksight:eu-west-1:11111111111:group/default/x", /account "11111111111" is not a 12-digit AWS account id/],
            ["a namespace with a space", "arn:aws:quicksight:eu-west-1:111111111111:group/data team/x", /namespace "data team" is not 1-64 letters/],
            [
                "a user name QuickSight cannot hold",
                "arn:aws:quicksight:eu-west-1:111111111111:user/default/al\u0100ce",
                /user name "al.ce" has characters QuickSight names cannot hold/,
            ],
        ] as const
    ).map(([what, arn, rule]) => ({
        what: `an owner that is ${what}`,
        mutate: set("spotify:quicksightOwners", `["${arn}"]`),
        key: "spotify:quicksightOwners",
        rule: new RegExp(`entry 1, ${JSON.stringify(arn).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, ${rule.source}`),
    })),
    {
        what: "the same owner listed twice",
        mutate: set(
            "spotify:quicksightOwners",
            '["arn:aws:quicksight:eu-west-1:111111111111:group/default/data-platform", "arn:aws:quicksight:eu-west-1:111111111111:group/default/data-platform"]',
        ),
        key: "spotify:quicksightOwners",
        rule: /group\/default\/data-platform" is listed twice \(entries 1 and 2\): QuickSight takes one permission entry per principal/,
    },
    {
        what: "the same viewer listed twice",
        mutate: set(
            "spotify:quicksightViewers",
            '["arn:aws:quicksight:us-east-1:111111111111:user/default/analyst", "arn:aws:quicksight:us-east-1:111111111111:user/default/analyst"]',
        ),
        key: "spotify:quicksightViewers",
        rule: /user\/default\/analyst" is listed twice/,
    },
    // 10. YAML's null where a value is required: the Pulumi CLI passes it as "".
    {
        what: "a null owner",
        mutate: set("spotify:owner", "null"),
        key: "spotify:owner",
        rule: /spotify:owner: has no value \(YAML reads null, ~ and an empty value as none\): write an AWS tag value/,
    },
    { what: "a ~ cost center", mutate: set("spotify:costCenter", "~"), key: "spotify:costCenter", rule: /spotify:costCenter: has no value/ },
    { what: "an empty region", mutate: set("aws:region", ""), key: "aws:region", rule: /aws:region: has no value.*write an AWS region/ },
    {
        what: "null dashboard owners",
        mutate: set("spotify:quicksightOwners", "null"),
        key: "spotify:quicksightOwners",
        rule: /spotify:quicksightOwners: has no value.*write a YAML list of at least 1/,
    },
    {
        what: "a NULL schedule, which has a default",
        mutate: set("spotify:etlSchedule", "NULL"),
        key: "spotify:etlSchedule",
        rule: /has no value.*or remove the key for its default \(off\)/,
    },
    {
        what: "a null flag",
        mutate: set("spotify:protectData", "Null"),
        key: "spotify:protectData",
        rule: /spotify:protectData: has no value.*write true or false$/,
    },
    // 11. Merge keys and aliases that YAML itself refuses, with file, line and column.
    {
        what: "an alias without its anchor",
        mutate: set("spotify:costCenter", "*nowhere"),
        key: "Pulumi.dev.yaml:",
        rule: /Pulumi\.dev\.yaml:11:\d+: alias \*nowhere names no anchor \(&nowhere\) written before it/,
    },
    {
        what: "a merge key naming a scalar",
        mutate: (text) => `${set("spotify:owner", "&team data-platform")(text).trimEnd()}\n  <<: *team\n`,
        key: '"<<"',
        rule: /the merge key "<<" under "config:" must name a map/,
    },
    // 13. A SPICE refresh before the nightly ETL's worst case ends shows yesterday's data for a day.
    {
        what: "prod's SPICE refresh inside the ETL's retry window",
        stage: "prod",
        mutate: set("spotify:quicksightRefreshTime", '"05:00"'),
        key: "spotify:quicksightRefreshTime",
        rule: /"05:00" comes 180 minutes after the nightly ETL starts \(spotify:etlSchedule, 02:00 UTC\), before its worst case ends \(spotify:glueTimeoutMinutes 120 × 2 run\(s\) \(spotify:glueMaxRetries 1\) = 240 minutes, at 06:00\).*set "06:00" or later/,
    },
    {
        what: "a refresh just after midnight for an ETL starting late the evening before",
        stage: "prod",
        mutate: both(set("spotify:etlSchedule", '"cron(30 22 * * ? *)"'), set("spotify:quicksightRefreshTime", '"01:00"')),
        key: "spotify:quicksightRefreshTime",
        rule: /"01:00" comes 150 minutes after the nightly ETL starts \(spotify:etlSchedule, 22:30 UTC\).*set "02:30" or later/,
    },
    {
        what: "an ETL whose worst case lasts a day",
        stage: "prod",
        mutate: both(set("spotify:glueTimeoutMinutes", "720"), set("spotify:glueMaxRetries", "1")),
        key: "spotify:quicksightRefreshTime",
        rule: /worst case \(spotify:glueTimeoutMinutes 720 × 2 run\(s\).*lasts a day or more/,
    },
    // 12. A protected stage refuses up front what its policy pack would refuse, naming the rule.
    ...(
        [
            [
                "spotify:kmsDeletionWindowDays",
                "7",
                /spotify:kmsDeletionWindowDays: is 7, under the 30 a protected stage needs.*kms-deletion-window rule is mandatory/,
            ],
            ["spotify:logRetentionDays", "30", /spotify:logRetentionDays: is 30, under the 365 a protected stage needs.*logs-retention rule/],
            [
                "spotify:accessLogging",
                "false",
                /spotify:accessLogging: is false, but the data buckets of a protected stage must log every access.*s3-access-logging rule/,
            ],
            [
                "spotify:tableMaintenance",
                "false",
                /spotify:tableMaintenance: is false, but a protected stage must expire the warehouse table's snapshots.*glue-iceberg-table-maintenance rule/,
            ],
        ] as const
    ).map(([key, value, rule]) => ({
        what: `a protected stage with ${key} ${value}`,
        stage: "prod",
        mutate: set(key, value),
        key,
        rule,
    })),
];

/** Writes `text` as the stage's file into a fresh repository root. */
function stageRoot(stage: string, text: string): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "stage-config-"));
    fs.writeFileSync(path.join(root, `Pulumi.${stage}.yaml`), text);
    return root;
}

/**
 * Synthesizes the stage's all-in-one stack (every layer) from `root` and returns the failure with
 * the resources registered by then: none when the reader refused the file, else the mock
 * runtime's own record.
 */
async function failureOf(stage: string, root: string): Promise<{ message: string; registered: number }> {
    try {
        await synthesizeStage({ stage, allInOne: true, repoRoot: root });
    } catch (error) {
        if (error instanceof SynthesisError) return { message: error.message, registered: error.registered.length };
        assert.ok(error instanceof Error);
        return { message: error.message, registered: 0 };
    }
    assert.fail("the stage synthesized although its file is broken");
}

describe("broken stage files", () => {
    it(`tests at least 60 distinct broken files (${CASES.length})`, () => {
        const files = new Set(CASES.map(mutated));
        assert.ok(files.size === CASES.length && CASES.length >= 60, `${files.size} distinct files of ${CASES.length} cases`);
        assert.ok(!files.has(DEV_FILE) && !files.has(PROD_FILE));
    });

    it("synthesizes the unmutated file, registering resources (the control)", async () => {
        const [manifest] = await synthesizeStage({ stage: "dev", allInOne: true, repoRoot: stageRoot("dev", DEV_FILE) });
        assert.ok(manifest.resources.length > 50, `only ${manifest.resources.length} resources`);
    });

    it("counts what a failing program had registered (the counter can see registrations)", async () => {
        await assert.rejects(
            synthesizeStack({
                stackName: "dev",
                config: readStageConfigFile("dev"),
                program: () => {
                    new aws.s3.Bucket("registered-first", { bucket: "registered-first" });
                    throw new Error("fails after one resource");
                },
            }),
            (error: unknown) => error instanceof SynthesisError && error.registered.length === 1,
        );
    });

    it("fails a program whose resource's inputs fail to resolve, as Pulumi's runtime fails the run, naming the error", async () => {
        // Such a resource never reaches the monitor: only the rejection it leaves unhandled tells.
        await assert.rejects(
            synthesizeStack({
                stackName: "dev",
                config: readStageConfigFile("dev"),
                program: () => {
                    new aws.s3.Bucket("registered", { bucket: "registered" });
                    const failing = pulumi.output("logs").apply((): string => {
                        throw new Error("no bucket name for logs");
                    });
                    new aws.s3.Bucket("never-registered", { bucket: failing });
                    return {};
                },
            }),
            (error: unknown) =>
                error instanceof SynthesisError &&
                error.message.includes('error serializing property "bucket": no bucket name for logs') &&
                error.registered.map((resource) => resource.name).join() === "registered",
        );
    });

    for (const testCase of CASES) {
        it(`rejects ${testCase.what}, naming the file and ${testCase.key}, before any resource`, async () => {
            const stage = testCase.stage ?? "dev";
            const failure = await failureOf(stage, stageRoot(stage, mutated(testCase)));
            assert.ok(failure.message.includes(`Pulumi.${stage}.yaml`), `the file is not named in:\n${failure.message}`);
            assert.ok(failure.message.includes(testCase.key), `${testCase.key} is not named in:\n${failure.message}`);
            assert.match(failure.message.replace(/\n\s*/g, " "), testCase.rule);
            assert.strictEqual(failure.registered, 0, `${failure.registered} resources were registered before the failure`);
        });
    }
});

describe("stage config values read as written", () => {
    it("resolves anchors, aliases and merge keys as YAML defines them, as the Pulumi CLI does: the same stage as the plain file", async () => {
        const owners = /^ {2}spotify:quicksightOwners:\n((?: {4}- .*\n)+)/m.exec(DEV_FILE)?.[1];
        assert.ok(owners !== undefined, "dev lists its owners");
        const anchored = [
            "x-tags: &tags",
            "  spotify:costCenter: cc-1234",
            "  spotify:owner: someone-else # the config map's own key wins over a merged one",
            "x-owners: &owners",
            owners.trimEnd(),
            both(remove("spotify:costCenter"), set("spotify:quicksightOwners", "*owners"))(DEV_FILE).replace("config:\n", "config:\n  <<: *tags\n"),
        ].join("\n");
        const sorted = (raw: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : 1))));
        assert.strictEqual(sorted(readStageConfigFile("dev", stageRoot("dev", anchored))), sorted(readStageConfigFile("dev", stageRoot("dev", DEV_FILE))));
        const [fromAnchors] = await synthesizeStage({ stage: "dev", allInOne: true, repoRoot: stageRoot("dev", anchored) });
        const [plain] = await synthesizeStage({ stage: "dev", allInOne: true, repoRoot: stageRoot("dev", DEV_FILE) });
        assert.strictEqual(JSON.stringify(fromAnchors), JSON.stringify(plain));
    });

    it("every minimum of the pack's protected profile is refused up front by the stage config", () => {
        const checked = new Set(PROTECTED_STAGE_REQUIREMENTS.map((requirement) => requirement.rule));
        for (const rule of Object.keys(GUARDRAIL_PROFILES.protected.minimumDays)) assert.ok(checked.has(rule), `${rule} has no up-front check`);
        for (const rule of Object.keys(GUARDRAIL_PROFILES.sandbox.off)) {
            if (rule !== "data-protection") assert.ok(checked.has(rule), `${rule}, off in a sandbox, is not required of a protected stage up front`);
        }
    });

    it("reads a YAML number and the same number quoted the same way", () => {
        const quoted = readStageConfigFile("dev", stageRoot("dev", set("spotify:glueNumberOfWorkers", '"4"')(DEV_FILE)));
        const plain = readStageConfigFile("dev", stageRoot("dev", set("spotify:glueNumberOfWorkers", "4")(DEV_FILE)));
        assert.strictEqual(quoted["spotify:glueNumberOfWorkers"], "4");
        assert.strictEqual(parseStageConfig(quoted, "dev").glueNumberOfWorkers, 4);
        assert.strictEqual(parseStageConfig(plain, "dev").glueNumberOfWorkers, 4);
    });

    it("passes a plain scalar's source text, not the number YAML makes of it", () => {
        const raw = readStageConfigFile("dev", stageRoot("dev", set("spotify:kmsDeletionWindowDays", "0x0e")(DEV_FILE)));
        assert.strictEqual(raw["spotify:kmsDeletionWindowDays"], "0x0e");
    });

    for (const expression of [
        "cron(0 2 * * ? *)",
        "cron(0 4 ? * SUN *)",
        "cron(0/15 * ? * MON-FRI *)",
        "cron(0 12 L * ? *)",
        "cron(0 12 LW * ? *)",
        "cron(0 10 15W * ? 2025-2030)",
        "cron(0 8 ? * 6#3 *)",
        "cron(0 18 ? * 6L *)",
        "cron(5,35 14 * JAN-MAR,DEC ? *)",
        "cron(*/10 0-23/2 1-15 * ? *)",
        "cron(0 0 ? * L 2199)",
    ]) {
        it(`accepts the EventBridge cron expression ${expression}`, () => {
            assert.strictEqual(cronProblem(expression), undefined);
        });
    }

    it("knows the regions of every partition of the AWS SDK's metadata, and no pseudo region", () => {
        for (const region of ["eu-west-1", "us-east-1", "cn-north-1", "us-gov-west-1", "ap-southeast-5"]) assert.ok(AWS_REGIONS.includes(region), region);
        assert.ok(!AWS_REGIONS.some((region) => region.endsWith("-global")));
        for (const region of AWS_REGIONS) assert.match(region, /^[a-z]{2,4}(-[a-z]+)+-\d+$/);
    });
});

describe("synthesis with a Pulumi organization set", () => {
    it("synthesizes every layer stack, each StackReference naming the organization", async () => {
        const root = stageRoot("dev", set("spotify:stackReferenceOrg", "acme")(DEV_FILE));
        const manifests = await synthesizeStage({ stage: "dev", repoRoot: root });
        const references = manifests.flatMap((manifest) => manifest.resources.filter((resource) => resource.type === "pulumi:pulumi:StackReference"));
        assert.ok(references.length >= 3);
        for (const reference of references) assert.match(String(reference.inputs.name), /^acme\/spotify-pipeline\/dev-[a-z]+$/);
        const plain = await synthesizeStage({ stage: "dev", repoRoot: stageRoot("dev", DEV_FILE) });
        const withoutReferences = (list: typeof manifests) =>
            JSON.stringify(
                list.map((manifest) =>
                    manifest.resources
                        .filter((resource) => resource.type !== "pulumi:pulumi:StackReference")
                        .map((resource) => ({ ...resource, dependencies: [], propertyDependencies: {} })),
                ),
            );
        assert.strictEqual(withoutReferences(manifests), withoutReferences(plain));
    });
});

describe("npm run synth arguments", () => {
    function synth(...args: string[]): { status: number | null; stderr: string } {
        const result = npmRun("synth", [...args, "--out", fs.mkdtempSync(path.join(os.tmpdir(), "synth-args-"))]);
        return { status: result.status, stderr: result.stderr };
    }

    it("given a stack name, says it takes the stack's stage", () => {
        const { status, stderr } = synth("dev-storage");
        assert.strictEqual(status, 1);
        assert.match(stderr, /"dev-storage" is a stack name; synth takes a stage .*\n\s+npm run synth -- dev\n/);
    });

    it("given a hyphenated stage, says stage names have no hyphens", () => {
        const { status, stderr } = synth("my-dev");
        assert.strictEqual(status, 1);
        assert.match(stderr, /"my-dev" is not a stage name.*Stage names have no hyphens.*"mydev"\?/);
    });
});
