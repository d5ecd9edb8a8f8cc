import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { athenaPolicies } from "./rules/athena";
import { gluePolicies } from "./rules/glue";
import { iamPolicies } from "./rules/iam";
import { kmsPolicies } from "./rules/kms";
import { logsPolicies } from "./rules/logs";
import { networkPolicies } from "./rules/network";
import { protectionPolicies } from "./rules/protection";
import { quicksightPolicies } from "./rules/quicksight";
import { s3Policies } from "./rules/s3";
import { stagePolicies } from "./rules/stage";
import { tagPolicies } from "./rules/tags";

/**
 * The pack's contents, apart from index.ts because constructing a PolicyPack starts its gRPC
 * server: tests and docs import this module, the Pulumi CLI runs index.ts.
 */
export const PACK_NAME = "spotify-guardrails";

/** Every rule is mandatory unless the stage's --policy-pack-config says otherwise (model/guardrails.ts derives it). */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

export const POLICIES: Policies = [
    ...stagePolicies,
    ...s3Policies,
    ...kmsPolicies,
    ...gluePolicies,
    ...networkPolicies,
    ...athenaPolicies,
    ...iamPolicies,
    ...logsPolicies,
    ...quicksightPolicies,
    ...tagPolicies,
    ...protectionPolicies,
];
