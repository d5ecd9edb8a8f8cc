import type { Policies } from "@pulumi/policy";
import { resourceGuardrail } from "../support/guardrail";
import { isUnknown } from "../support/values";

/**
 * KMS keys. Key *policies* legitimately grant "kms:*" on Resource "*" to the account root (that is how
 * a key is administered through IAM); they are resource policies, not identity policies, so the IAM
 * wildcard rules do not read them.
 */

export const KMS_KEY_TYPES = ["aws:kms/key:Key"] as const;

/** AWS rotates only symmetric encryption keys; the rotation rule does not apply to other key specs. */
function isSymmetric(props: Record<string, unknown>): boolean {
    const spec = props.customerMasterKeySpec ?? props.keySpec;
    return spec === undefined || spec === "SYMMETRIC_DEFAULT" || isUnknown(spec);
}

export interface DeletionWindowConfig {
    minimumDays: number;
}

export const kmsPolicies: Policies = [
    resourceGuardrail({
        name: "kms-key-rotation",
        description: "Symmetric customer-managed KMS keys rotate their key material automatically.",
        severity: "high",
        remediation: "Set enableKeyRotation: true on the aws.kms.Key.",
        appliesTo: KMS_KEY_TYPES,
        check: (key, report) => {
            if (!isSymmetric(key.props) || isUnknown(key.props.enableKeyRotation)) return;
            if (key.props.enableKeyRotation !== true) report("KMS key does not rotate (enableKeyRotation is not true).");
        },
    }),
    resourceGuardrail<DeletionWindowConfig>({
        name: "kms-deletion-window",
        description: "A deleted KMS key stays recoverable for at least the stage's minimum deletion window (7 days, 30 in prod).",
        severity: "high",
        remediation: "Set deletionWindowInDays on the aws.kms.Key to at least the configured minimum (spotify:kmsDeletionWindowDays in Pulumi.<stage>.yaml).",
        configSchema: {
            properties: {
                minimumDays: { type: "integer", minimum: 7, maximum: 30, default: 7, description: "Shortest allowed deletionWindowInDays." },
            },
        },
        appliesTo: KMS_KEY_TYPES,
        check: (key, report, { minimumDays }) => {
            const days = key.props.deletionWindowInDays;
            // Absent means AWS's default, 30 days, the longest window there is.
            if (days === undefined || isUnknown(days)) return;
            if (typeof days !== "number" || days < minimumDays) {
                report(`KMS key deletion window is ${String(days)} days; this stage requires at least ${minimumDays}.`);
            }
        },
    }),
];
