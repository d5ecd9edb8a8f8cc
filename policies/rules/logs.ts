import type { Policies } from "@pulumi/policy";
import { resourceGuardrail } from "../support/guardrail";
import { isUnknown, nonEmptyString, shown } from "../support/values";

/** CloudWatch Logs: Glue writes job and crawler logs that can contain record samples. */

export const LOG_GROUP_TYPES = ["aws:cloudwatch/logGroup:LogGroup"] as const;

export interface RetentionConfig {
    minimumDays: number;
}

export const logsPolicies: Policies = [
    resourceGuardrail<RetentionConfig>({
        name: "logs-retention",
        description:
            "Every log group expires its events after a set retention period, at least the stage's minimum (365 days in prod, for a year of audit history).",
        severity: "medium",
        remediation: "Set retentionInDays on the aws.cloudwatch.LogGroup to at least the configured minimum (spotify:logRetentionDays in Pulumi.<stage>.yaml).",
        configSchema: {
            properties: {
                minimumDays: { type: "integer", minimum: 1, maximum: 3653, default: 1, description: "Shortest allowed retentionInDays." },
            },
        },
        appliesTo: LOG_GROUP_TYPES,
        check: (logGroup, report, { minimumDays }) => {
            const days = logGroup.props.retentionInDays;
            if (isUnknown(days)) return;
            // 0, like absent, means "never expire": unbounded cost and exposure, so not a way to keep a year.
            if (typeof days !== "number" || days <= 0) report(`Log group keeps its events forever (retentionInDays is ${shown(days ?? "absent")}).`);
            else if (days < minimumDays) report(`Log group keeps its events ${days} days; this stage requires at least ${minimumDays}.`);
        },
    }),
    resourceGuardrail({
        name: "logs-encrypted",
        description: "Every log group is encrypted with a customer-managed KMS key.",
        severity: "high",
        remediation: "Set kmsKeyId on the aws.cloudwatch.LogGroup to the stage's data key ARN (its key policy lets CloudWatch Logs use it).",
        appliesTo: LOG_GROUP_TYPES,
        check: (logGroup, report) => {
            if (nonEmptyString(logGroup.props.kmsKeyId) === undefined) report("Log group is not encrypted with a KMS key (kmsKeyId is not set).");
        },
    }),
];
