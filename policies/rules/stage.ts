import type { Policies } from "@pulumi/policy";
import { resolveStack } from "../model/stacks";
import { stackGuardrail } from "../support/guardrail";
import { ScopeConfig, scopedSchema } from "../support/scope";

/**
 * The stage-specific rules are only as right as their config: run with another stage's config (say
 * dev's advisory levels on a prod stack), they would judge the wrong names with the wrong levels.
 */
export const stagePolicies: Policies = [
    stackGuardrail<ScopeConfig>({
        name: "policy-config-matches-stage",
        description: "The policy config passed with --policy-pack-config is the one for the stack's stage.",
        severity: "critical",
        remediation:
            "Run with the --policy-pack-config derived from the stack's own Pulumi.<stage>.yaml (npm run stage -- preview <stage> writes and passes it; npm run policy -- <stage> --write-pack-config FILE writes it).",
        configSchema: scopedSchema(),
        check: (stack, report, { stage }) => {
            const stackName = stack.stackName;
            if (stackName === undefined) return;
            let stackStage: string;
            try {
                stackStage = resolveStack(stackName).stage;
            } catch {
                return; // not a stack of this project's naming; the program itself refuses to run there
            }
            if (stackStage !== stage) {
                report(undefined, `Stack ${stackName} belongs to stage ${stackStage}, but the policy config is for stage ${stage}.`);
            }
        },
    }),
];
