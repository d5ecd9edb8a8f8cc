import type { Policies } from "@pulumi/policy";
import { resourceGuardrail } from "../support/guardrail";
import { glueIdentifierGuardrail } from "../support/scope";
import { at, isUnknown, nonEmptyString, shown } from "../support/values";

/** Athena workgroups: where every query of the pipeline runs, and what it may cost and reveal. */

export const WORKGROUP_TYPES = ["aws:athena/workgroup:Workgroup"] as const;

/** The smallest per-query cutoff Athena accepts: 10 MiB. */
const MINIMUM_BYTES_SCANNED_CUTOFF = 10 * 1024 * 1024;
const ENCRYPTION_OPTIONS = ["SSE_KMS", "CSE_KMS"];
const ENGINE_VERSION = "Athena engine version 3";

const setting = (props: Record<string, unknown>, ...path: string[]) => at(props, "configuration", ...path);

export const athenaPolicies: Policies = [
    resourceGuardrail({
        name: "athena-workgroup-enforced",
        description: "Workgroups enforce their own configuration, so clients cannot override result location, encryption or the scan cutoff.",
        severity: "high",
        remediation: "Set configuration.enforceWorkgroupConfiguration: true on the aws.athena.Workgroup (absent means true).",
        appliesTo: WORKGROUP_TYPES,
        check: (workgroup, report) => {
            if (setting(workgroup.props, "enforceWorkgroupConfiguration") === false) {
                report("Athena workgroup lets clients override its settings (enforceWorkgroupConfiguration is false).");
            }
        },
    }),
    resourceGuardrail({
        name: "athena-results-encrypted",
        description: "Workgroups encrypt query results with KMS (SSE_KMS or CSE_KMS) and a named key.",
        severity: "critical",
        remediation:
            'Set configuration.resultConfiguration.encryptionConfiguration to {encryptionOption: "SSE_KMS", kmsKeyArn: <the stage\'s data key ARN>} on the aws.athena.Workgroup.',
        appliesTo: WORKGROUP_TYPES,
        check: (workgroup, report) => {
            const option = setting(workgroup.props, "resultConfiguration", "encryptionConfiguration", "encryptionOption");
            if (isUnknown(option)) return;
            if (typeof option !== "string" || !ENCRYPTION_OPTIONS.includes(option)) {
                report(`Athena workgroup encrypts query results with ${shown(option ?? "nothing")}, not ${ENCRYPTION_OPTIONS.join(" or ")}.`);
            } else if (nonEmptyString(setting(workgroup.props, "resultConfiguration", "encryptionConfiguration", "kmsKeyArn")) === undefined) {
                report(`Athena workgroup encrypts query results with ${option} but names no kmsKeyArn.`);
            }
        },
    }),
    resourceGuardrail({
        name: "athena-bytes-scanned-cutoff",
        description: "Workgroups cancel any query that scans more than a set number of bytes.",
        severity: "medium",
        remediation: `Set configuration.bytesScannedCutoffPerQuery (at least ${MINIMUM_BYTES_SCANNED_CUTOFF}; spotify:athenaBytesScannedCutoff in Pulumi.<stage>.yaml) on the aws.athena.Workgroup.`,
        appliesTo: WORKGROUP_TYPES,
        check: (workgroup, report) => {
            const cutoff = setting(workgroup.props, "bytesScannedCutoffPerQuery");
            if (isUnknown(cutoff)) return;
            if (typeof cutoff !== "number" || cutoff < MINIMUM_BYTES_SCANNED_CUTOFF) {
                report(`Athena workgroup has no valid bytes-scanned cutoff (bytesScannedCutoffPerQuery is ${shown(cutoff ?? "absent")}).`);
            }
        },
    }),
    resourceGuardrail({
        name: "athena-engine-v3",
        description: `Workgroups run ${ENGINE_VERSION}, the engine the project's SQL is written and tested for.`,
        severity: "low",
        remediation: `Set configuration.engineVersion.selectedEngineVersion: "${ENGINE_VERSION}" on the aws.athena.Workgroup.`,
        appliesTo: WORKGROUP_TYPES,
        check: (workgroup, report) => {
            const version = setting(workgroup.props, "engineVersion", "selectedEngineVersion");
            if (isUnknown(version)) return;
            if (version !== ENGINE_VERSION) report(`Athena workgroup selects engine ${shown(version ?? "absent (AUTO)")}, not "${ENGINE_VERSION}".`);
        },
    }),
    glueIdentifierGuardrail({ name: "athena-workgroup-naming", what: "Athena workgroup", types: WORKGROUP_TYPES }),
];
