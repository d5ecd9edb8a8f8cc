import type { Policies } from "@pulumi/policy";
import { resourceGuardrail } from "../support/guardrail";
import { isUnknown, nonEmptyString } from "../support/values";

/** CloudWatch Logs: Glue writes job and crawler logs that can contain record samples. */

export const LOG_GROUP_TYPES = ["aws:cloudwatch/logGroup:LogGroup"] as const;

export const logsPolicies: Policies = [
    resourceGuardrail({
        name: "logs-retention",
        description: "Every log group expires its events after a set retention period.",
        severity: "medium",
        remediation: "Set retentionInDays on the aws.cloudwatch.LogGroup (spotify:logRetentionDays in Pulumi.<stage>.yaml).",
        appliesTo: LOG_GROUP_TYPES,
        check: (logGroup, report) => {
            const days = logGroup.props.retentionInDays;
            if (isUnknown(days)) return;
            // 0, like absent, means "never expire".
            if (typeof days !== "number" || days <= 0) report(`Log group keeps its events forever (retentionInDays is ${String(days ?? "absent")}).`);
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
