import type { Policies } from "@pulumi/policy";
import { resourceGuardrail, stackGuardrail } from "../support/guardrail";
import { isUnknown, nonEmptyString, shown } from "../support/values";

/**
 * KMS keys. Key policies are read with every other policy document (rules/iam.ts): no public
 * principal, no wildcard actions except the account root's "kms:*" (how a key is administered
 * through IAM; in a key policy, Resource "*" means the key itself).
 */

export const KMS_KEY_TYPES = ["aws:kms/key:Key"] as const;
const KEY_POLICY_TYPES = ["aws:kms/keyPolicy:KeyPolicy"] as const;

/** AWS rotates only symmetric encryption keys; the rotation rule does not apply to other key specs. */
function isSymmetric(props: Record<string, unknown>): boolean {
    const spec = props.customerMasterKeySpec ?? props.keySpec;
    return spec === undefined || spec === "SYMMETRIC_DEFAULT" || isUnknown(spec);
}

export interface DeletionWindowConfig {
    minimumDays: number;
}

export const kmsPolicies: Policies = [
    stackGuardrail({
        name: "kms-key-policy",
        description:
            "Every KMS key declares its key policy in the program (its policy input or an aws.kms.KeyPolicy), so who may use it is reviewed rather than AWS's default, and never bypasses the policy lockout safety check.",
        severity: "high",
        remediation:
            "Set policy on the aws.kms.Key (as the storage layer does: the account root statement plus one statement per service that uses the key), and leave bypassPolicyLockoutSafetyCheck unset.",
        check: (stack, report) => {
            for (const key of stack.ofType(KMS_KEY_TYPES)) {
                const keyPolicies = stack.referencing(key, KEY_POLICY_TYPES, "keyId", "keyId");
                if (nonEmptyString(key.props.policy) === undefined && keyPolicies.length === 0) {
                    report(key.urn, `KMS key ${key.name} declares no key policy, so AWS's default applies and the program does not say who may use the key.`);
                }
                for (const declared of [key, ...keyPolicies]) {
                    if (declared.props.bypassPolicyLockoutSafetyCheck === true) {
                        report(
                            declared.urn,
                            `${declared.type.split(":").pop()} ${declared.name} bypasses the policy lockout safety check: a policy that locks everyone out of the key would be accepted.`,
                        );
                    }
                }
            }
        },
    }),
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
                report(`KMS key deletion window is ${shown(days)} days; this stage requires at least ${minimumDays}.`);
            }
        },
    }),
];
