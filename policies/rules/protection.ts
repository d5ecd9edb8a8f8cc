import type { Policies } from "@pulumi/policy";
import { resourceGuardrail } from "../support/guardrail";
import { BUCKET_ROLE_TAG, DATA_BUCKET_PURPOSES } from "../model/naming";
import { bucketRole, dataBucketLabel, ScopeConfig, scopedSchema } from "../support/scope";
import { KMS_KEY_TYPES } from "./kms";
import { BUCKET_TYPES } from "./s3";

/**
 * Data protection (prod): the records, the key that decrypts them and the dashboards people rely on
 * must survive a mistaken `pulumi destroy` or a replacement. The program sets protect and
 * retainOnDelete together (spotify:protectData); the analyzer protocol only carries `protect`
 * (AnalyzerResourceOptions has no retainOnDelete in @pulumi/pulumi 3.276 / @pulumi/policy 1.21), so
 * that is what this rule can check. retainOnDelete is asserted on the synthesized manifests by
 * test/storage.spec.ts and test/dashboards.spec.ts instead.
 */

/** QuickSight assets whose loss viewers would notice: the dashboard and what it reads. */
const QUICKSIGHT_KEPT_TYPES = ["DataSource", "DataSet", "Dashboard"].flatMap((kind) => [
    `aws:quicksight/${kind[0].toLowerCase()}${kind.slice(1)}:${kind}`,
    `aws-native:quicksight:${kind}`,
]);
/** Deleting it writes empty settings: Data Catalog encryption off for the whole account and region. */
const CATALOG_ENCRYPTION_TYPES = ["aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings"];
export const protectionPolicies: Policies = [
    resourceGuardrail<ScopeConfig>({
        name: "data-protection",
        description: `Data buckets (${BUCKET_ROLE_TAG} ${DATA_BUCKET_PURPOSES.join(" or ")}, or role unknown), KMS keys, the Glue Data Catalog encryption settings and QuickSight data sources, datasets and dashboards are protected from deletion (required in prod).`,
        severity: "high",
        remediation: "Create the resource with { protect: true, retainOnDelete: true } (spotify:protectData: true in Pulumi.<stage>.yaml).",
        configSchema: scopedSchema(),
        appliesTo: [...BUCKET_TYPES, ...KMS_KEY_TYPES, ...QUICKSIGHT_KEPT_TYPES, ...CATALOG_ENCRYPTION_TYPES],
        check: (resource, report, scope) => {
            const role = (BUCKET_TYPES as readonly string[]).includes(resource.type) ? bucketRole(resource, scope) : undefined;
            const kind = (KMS_KEY_TYPES as readonly string[]).includes(resource.type)
                ? "KMS key"
                : CATALOG_ENCRYPTION_TYPES.includes(resource.type)
                  ? "Data Catalog encryption (deleting it turns encryption off for the account's whole catalog)"
                  : QUICKSIGHT_KEPT_TYPES.includes(resource.type)
                    ? `QuickSight ${resource.type.split(/[:/]/).pop()}`
                    : role?.isData === true
                      ? dataBucketLabel(resource, role)
                      : undefined;
            if (kind !== undefined && !resource.protect) {
                report(`${kind} is not protected: a destroy or replacement would delete it.`);
            }
        },
    }),
];
