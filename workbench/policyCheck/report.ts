import type { Diagnostic } from "./analyzer";
import type { EnforcementLevel, Severity } from "../../model/guardrails";
import type { Manifest } from "../../model/manifest";

/** The outcome of a policy check: what CI prints, archives (JSON) and shows reviewers (Markdown). */

export interface Violation {
    policy: string;
    severity: Severity | undefined;
    enforcement: EnforcementLevel;
    message: string;
    /** The resource the violation is about; absent for stack-wide violations. */
    urn: string | undefined;
    resourceType: string | undefined;
    resourceName: string | undefined;
}

export interface StackResult {
    stack: string;
    resources: number;
    violations: Violation[];
}

export interface PolicyReport {
    stage: string;
    pack: { name: string; version: string };
    /** "program" for the real program, "fixture <name>" for a fixture program. */
    target: string;
    /** Where the policy config came from: "derived from Pulumi.<stage>.yaml". */
    policyConfig: string;
    stacks: StackResult[];
}

/** A diagnostic of the pack as the report shows it: the resource it is about named from the stack's manifest. */
export function violationOf(diagnostic: Diagnostic, manifest: Manifest): Violation {
    const resource = manifest.resources.find((candidate) => candidate.urn === diagnostic.urn);
    // URNs end in <type>::<name>; a URN outside the manifest (a default provider) still names both.
    const [type, name] = diagnostic.urn === undefined ? [] : diagnostic.urn.split("::").slice(-2);
    return {
        policy: diagnostic.policyName,
        severity: diagnostic.severity,
        enforcement: diagnostic.enforcementLevel,
        message: diagnostic.message,
        urn: diagnostic.urn,
        resourceType: resource?.type ?? type?.split("$").pop(),
        resourceName: resource?.name ?? name,
    };
}

export function countByLevel(report: PolicyReport, level: EnforcementLevel): number {
    return report.stacks.reduce((sum, stack) => sum + stack.violations.filter((violation) => violation.enforcement === level).length, 0);
}

export function passed(report: PolicyReport): boolean {
    return countByLevel(report, "mandatory") === 0;
}

/** Violations of a stack grouped by resource, stack-wide ones first, in a stable order. */
function byResource(violations: Violation[]): [string, Violation[]][] {
    const groups = new Map<string, Violation[]>();
    for (const violation of violations) {
        const key = violation.urn === undefined ? "" : `${violation.resourceType} ${violation.resourceName}`;
        groups.set(key, [...(groups.get(key) ?? []), violation]);
    }
    return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

function summary(report: PolicyReport): string {
    const mandatory = countByLevel(report, "mandatory");
    const advisory = countByLevel(report, "advisory");
    const failing = report.stacks.filter((stack) => stack.violations.some((violation) => violation.enforcement === "mandatory")).length;
    const verdict = passed(report)
        ? "PASSED"
        : `FAILED: ${failing} of ${report.stacks.length} stack(s) have mandatory violations, which block pulumi preview and up`;
    return `${mandatory} mandatory and ${advisory} advisory violation(s). ${verdict}.`;
}

function heading(report: PolicyReport): string {
    return `Policy pack ${report.pack.name} ${report.pack.version} on stage ${report.stage} (${report.target}), policy config ${report.policyConfig}`;
}

function rule(violation: Violation): string {
    return `${violation.policy}${violation.severity === undefined ? "" : ` (${violation.severity})`}`;
}

export function renderText(report: PolicyReport): string {
    const lines = [heading(report), ""];
    for (const stack of report.stacks) {
        if (stack.violations.length === 0) {
            lines.push(`${stack.stack}: ${stack.resources} resources, no violations`);
            continue;
        }
        lines.push(`${stack.stack}: ${stack.resources} resources, ${stack.violations.length} violation(s)`);
        for (const [resource, violations] of byResource(stack.violations)) {
            lines.push(`  ${resource || "(stack)"}`);
            for (const violation of violations) {
                lines.push(`    ${violation.enforcement.padEnd(9)} ${rule(violation)}`);
                lines.push(...violation.message.split("\n").map((line) => `      ${line}`));
            }
        }
    }
    lines.push("", summary(report));
    return lines.join("\n");
}

/** A table cell: pipes escaped, "<" as an entity (or "<prefix>" vanishes as an HTML tag), lines as <br>. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\n/g, "<br>");

export function renderMarkdown(report: PolicyReport): string {
    const lines = [`# ${heading(report)}`, "", `**${summary(report)}**`, ""];
    for (const stack of report.stacks) {
        lines.push(`## ${stack.stack}`, "", `${stack.resources} resources, ${stack.violations.length} violation(s).`, "");
        if (stack.violations.length === 0) continue;
        lines.push("| Resource | Enforcement | Rule | Message |", "| --- | --- | --- | --- |");
        for (const [resource, violations] of byResource(stack.violations)) {
            for (const violation of violations) {
                lines.push(`| ${cell(resource || "(stack)")} | ${violation.enforcement} | ${cell(rule(violation))} | ${cell(violation.message)} |`);
            }
        }
        lines.push("");
    }
    return lines.join("\n");
}
