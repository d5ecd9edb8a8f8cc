import { PolicyCheck } from "../../../workbench/policyCheck/check";
import type { PolicyReport, Violation } from "../../../workbench/policyCheck/report";
import { FixtureResource, fixtureStack, StackOptions } from "./fixtures";

/**
 * The pack started as the engine starts it and asked over the analyzer protocol: the same driver as
 * `npm run policy`. Starting it takes seconds (ts-node type checks the pack), so every spec that
 * needs it shares one, stopped after the whole run. The rules' own tests run in process
 * (inProcess.ts); tests/engine.spec.ts proves the two agree.
 */

let shared: Promise<PolicyCheck> | undefined;

export function sharedCheck(): Promise<PolicyCheck> {
    shared ??= PolicyCheck.start();
    return shared;
}

// A root-level hook (registered when the first spec imports this module): runs once, after every spec.
after(async () => {
    if (shared !== undefined) await (await shared).stop();
});

/** The report of the pack, as the engine runs it, on one fixture stack. */
export async function evaluateThroughEngine(resources: readonly FixtureResource[], options: StackOptions = {}): Promise<PolicyReport> {
    const { manifest, settings } = fixtureStack(resources, options);
    return (await sharedCheck()).evaluate([manifest], settings);
}

export function violations(report: PolicyReport, policy?: string): Violation[] {
    return report.stacks.flatMap((stack) => stack.violations).filter((violation) => policy === undefined || violation.policy === policy);
}
