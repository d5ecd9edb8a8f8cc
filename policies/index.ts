import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, POLICIES } from "./pack";

// The entry point the Pulumi CLI runs (`pulumi preview --policy-pack policies`), and the offline check
// too (workbench/policy.ts): it serves the analyzer protocol and prints its port. See README.md.
new PolicyPack(PACK_NAME, {
    policies: POLICIES,
    enforcementLevel: PACK_ENFORCEMENT_LEVEL,
    description:
        "spotify-pipeline guardrails: encryption, naming, tagging and data-platform rules for S3, KMS, Glue, Athena, IAM, CloudWatch Logs and QuickSight.",
});
