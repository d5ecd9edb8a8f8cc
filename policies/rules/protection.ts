import type { Policies } from "@pulumi/policy";
import { resourceGuardrail } from "../support/guardrail";
import { isDataBucketName, ScopeConfig, scopedSchema } from "../support/scope";
import { KMS_KEY_TYPES } from "./kms";
import { BUCKET_TYPES } from "./s3";

/**
 * Data protection (prod): the records and the key that decrypts them must survive a mistaken
 * `pulumi destroy` or a replacement. The program sets protect and retainOnDelete together
 * (spotify:protectData); the analyzer protocol only carries `protect` (AnalyzerResourceOptions has
 * no retainOnDelete in @pulumi/pulumi 3.248 / @pulumi/policy 1.21), so that is what this rule can
 * check. retainOnDelete is asserted on the synthesized manifests by test/storage.spec.ts instead.
 */
export const protectionPolicies: Policies = [
    resourceGuardrail<ScopeConfig>({
        name: "data-protection",
        description: "Data buckets (staging, warehouse) and KMS keys are protected from deletion (required in prod).",
        severity: "high",
        remediation: "Create the resource with { protect: true, retainOnDelete: true } (spotify:protectData: true in Pulumi.<stage>.yaml).",
        configSchema: scopedSchema(),
        appliesTo: [...BUCKET_TYPES, ...KMS_KEY_TYPES],
        check: (resource, report, scope) => {
            const isKey = KMS_KEY_TYPES.some((type) => type === resource.type);
            if (!isKey && !isDataBucketName(resource.props.bucket, scope)) return;
            if (!resource.protect) {
                report(`${isKey ? "KMS key" : `Data bucket "${String(resource.props.bucket)}"`} is not protected: a destroy or replacement would delete it.`);
            }
        },
    }),
];
