import * as assert from "assert";
import { PolicyCheck } from "../../../workbench/policyCheck/check";
import type { PolicyInfo } from "../../../ops/policyConfig/packConfig";
import type { Violation } from "../../../workbench/policyCheck/report";
import * as pack from "../../pack";
import { FixtureResource, fixtureStack, StackOptions } from "./fixtures";

/**
 * The pack's rules run in this process (workbench/policyCheck/inProcess.ts): each policy's
 * validateResource or validateStack called directly, with the arguments @pulumi/policy's analyzer
 * server builds from what the engine sends during preview (unknown values behind its
 * unknown-checking proxy), the policy config the engine would send for the fixture stage
 * (model/guardrails.ts, reconciled as the CLI does), and its violations reported as the server
 * reports them. tests/engine.spec.ts proves the pack started as the engine starts it reports the same.
 */

/** A check of some of the pack's policies, made once per set of policies. */
const checks = new Map<string, Promise<PolicyCheck>>();

function checkOf(policies: readonly string[]): Promise<PolicyCheck> {
    const key = policies.join(" ");
    let check = checks.get(key);
    if (check === undefined) {
        const unknown = policies.filter((name) => !pack.POLICIES.some((policy) => policy.name === name));
        if (unknown.length > 0)
            throw new Error(`the pack has no policy ${unknown.join(", ")} (it has: ${pack.POLICIES.map((policy) => policy.name).join(", ")})`);
        check = PolicyCheck.inProcess({ ...pack, POLICIES: pack.POLICIES.filter((policy) => policies.includes(policy.name)) });
        checks.set(key, check);
    }
    return check;
}

/** The pack's policies as its analyzer server declares them to the engine (GetAnalyzerInfo). */
export async function declaredPolicies(): Promise<PolicyInfo[]> {
    return (await checkOf(pack.POLICIES.map((policy) => policy.name))).info.policies;
}

/** What the named policies report on a fixture stack, as the engine's calls would: resource by resource, then the stack. */
export async function evaluatePolicies(policies: readonly string[], resources: readonly FixtureResource[], options: StackOptions = {}): Promise<Violation[]> {
    const { manifest, settings } = fixtureStack(resources, options);
    const report = await (await checkOf(policies)).evaluate([manifest], settings);
    return report.stacks.flatMap((stack) => stack.violations);
}

/** What one policy reports on a fixture stack. */
export function evaluate(policy: string, resources: readonly FixtureResource[], options: StackOptions = {}): Promise<Violation[]> {
    return evaluatePolicies([policy], resources, options);
}

/** Asserts `policy` reports nothing on the fixture. */
export async function assertCompliant(policy: string, resources: readonly FixtureResource[], options?: StackOptions): Promise<void> {
    const found = await evaluate(policy, resources, options);
    assert.deepStrictEqual(
        found.map((violation) => violation.message),
        [],
        `${policy} should accept the fixture`,
    );
}

/**
 * Asserts `policy` reports exactly `expected.length` violations whose messages match, in order, the
 * expected patterns, on the named resources (when given). Returns them for further checks.
 */
export async function assertViolations(
    policy: string,
    resources: readonly FixtureResource[],
    expected: { resource?: string; message: RegExp }[],
    options?: StackOptions,
): Promise<Violation[]> {
    const found = await evaluate(policy, resources, options);
    const describe = () =>
        JSON.stringify(
            found.map(({ resourceName, message }) => ({ resourceName, message })),
            null,
            2,
        );
    assert.strictEqual(found.length, expected.length, `${policy}: expected ${expected.length} violation(s), got ${describe()}`);
    expected.forEach((want, index) => {
        assert.match(found[index].message, want.message, `${policy}: violation ${index} ${describe()}`);
        if (want.resource !== undefined) assert.strictEqual(found[index].resourceName, want.resource, `${policy}: violation ${index} ${describe()}`);
    });
    // Every violation tells how to fix it.
    for (const violation of found) assert.match(violation.message, /\nRemediation: \S/);
    return found;
}
