import type { Policies } from "@pulumi/policy";
import { resourceGuardrail, ResourceView } from "../support/guardrail";
import { glueNameProblem, ScopeConfig, scopedSchema } from "../support/scope";
import { asList, at, isUnknown } from "../support/values";
import { DASHBOARD_VIEWER_ACTIONS, NO_CSV_EXPORT_CLASSIFICATIONS } from "../model/quicksightAccess";

/**
 * QuickSight, in both type families the dashboards layer may use: @pulumi/aws (`aws:quicksight/...`)
 * and @pulumi/aws-native (`aws-native:quicksight:...`, needed for dashboard definitions). Both give
 * resources `permissions: [{principal, actions}]`; aws-native dashboards can also share a link with
 * the whole account through linkSharingConfiguration.
 */

const SHAREABLE = ["Analysis", "Dashboard", "DataSet", "DataSource", "Folder", "Template", "Theme"] as const;
const lowerFirst = (name: string) => name[0].toLowerCase() + name.slice(1);
export const QUICKSIGHT_SHAREABLE_TYPES = [
    ...SHAREABLE.map((kind) => `aws:quicksight/${lowerFirst(kind)}:${kind}`),
    ...SHAREABLE.map((kind) => `aws-native:quicksight:${kind}`),
];
const DATA_SOURCE_TYPES = ["aws:quicksight/dataSource:DataSource", "aws-native:quicksight:DataSource"] as const;

interface Grant {
    principal: unknown;
    /** Which property grants it, for messages. */
    via: string;
}

function grants(resource: ResourceView): Grant[] {
    const from = (via: string, permissions: unknown) => asList(permissions).map((permission) => ({ principal: at(permission, "principal"), via }));
    return [
        ...from("permissions", resource.props.permissions),
        ...from("linkSharingConfiguration", at(resource.props, "linkSharingConfiguration", "permissions")),
    ];
}

/** Why a grant reaches more people than named principals, or undefined. */
function publicReach(grant: Grant): string | undefined {
    if (grant.via === "linkSharingConfiguration") return "shares a link with every user of the account (linkSharingConfiguration)";
    if (grant.principal === "*") return 'grants access to principal "*"';
    if (typeof grant.principal === "string" && /:namespace\//.test(grant.principal)) return `grants access to every user of namespace ${grant.principal}`;
    return undefined;
}

/** The work group an Athena data source runs its queries in, per type family; null for other data sources. */
function athenaWorkGroup(dataSource: ResourceView): unknown {
    const props = dataSource.props;
    const parameters = dataSource.type.startsWith("aws-native:") ? at(props, "dataSourceParameters", "athenaParameters") : at(props, "parameters", "athena");
    if (props.type !== "ATHENA" && parameters === undefined) return null;
    return at(parameters, "workGroup");
}

export interface PrincipalsConfig {
    owners: string[];
    viewers: string[];
}

export interface ViewersConfig {
    viewers: string[];
}

export interface ClassificationConfig {
    dataClassification: string;
}

const principalList = (description: string) => ({ type: "array", items: { type: "string" }, description }) as const;

export interface WorkgroupConfig extends ScopeConfig {
    workgroup?: string;
}

export const quicksightPolicies: Policies = [
    resourceGuardrail({
        name: "quicksight-data-source-ssl",
        description: "QuickSight data sources connect with SSL: sslProperties.disableSsl is never true (QuickSight API SslProperties.DisableSsl).",
        severity: "high",
        remediation: "Remove sslProperties.disableSsl from the data source (QuickSight connects with SSL by default).",
        appliesTo: DATA_SOURCE_TYPES,
        check: (dataSource, report) => {
            const disabled = at(dataSource.props, "sslProperties", "disableSsl");
            if (disabled === true) report("QuickSight data source turns SSL off (sslProperties.disableSsl: true): its queries and results travel unencrypted.");
        },
    }),
    resourceGuardrail({
        name: "quicksight-no-public-sharing",
        description:
            'QuickSight assets are shared only with named users and groups: no link sharing with the whole account, no namespace-wide or "*" principals.',
        severity: "critical",
        remediation:
            "Remove linkSharingConfiguration and grant permissions only to the user and group ARNs listed in spotify:quicksightOwners and spotify:quicksightViewers.",
        appliesTo: QUICKSIGHT_SHAREABLE_TYPES,
        check: (resource, report) => {
            for (const grant of grants(resource)) {
                const reach = publicReach(grant);
                if (reach !== undefined) report(`QuickSight ${resource.type.split(/[:/]/).pop()} ${reach}.`);
            }
        },
    }),
    resourceGuardrail<PrincipalsConfig>({
        name: "quicksight-approved-principals",
        description: "QuickSight permissions go only to the principals of the stage's config (spotify:quicksightOwners and spotify:quicksightViewers).",
        severity: "high",
        remediation:
            "Grant permissions only to ARNs listed in spotify:quicksightOwners or spotify:quicksightViewers of Pulumi.<stage>.yaml (the policy config is derived from it), or add the principal there.",
        configSchema: {
            properties: {
                owners: principalList("spotify:quicksightOwners of Pulumi.<stage>.yaml."),
                viewers: principalList("spotify:quicksightViewers of Pulumi.<stage>.yaml."),
            },
            required: ["owners", "viewers"],
        },
        appliesTo: QUICKSIGHT_SHAREABLE_TYPES,
        check: (resource, report, { owners, viewers }) => {
            for (const { principal, via } of grants(resource)) {
                if (isUnknown(principal) || (typeof principal === "string" && (owners.includes(principal) || viewers.includes(principal)))) continue;
                report(`${via} grants access to ${JSON.stringify(principal)}, which is not one of the stage's QuickSight principals.`);
            }
        },
    }),
    resourceGuardrail<ViewersConfig>({
        name: "quicksight-viewers-read-only",
        description: `The stage's viewers (spotify:quicksightViewers) only read dashboards: on a dashboard they get only ${DASHBOARD_VIEWER_ACTIONS.join(", ")}, and nothing on data sources, datasets, analyses or any other QuickSight asset.`,
        severity: "high",
        remediation:
            "Grant viewers the dashboard's viewer actions only (infra/dashboards/permissions.ts assetPermissions does), and everything else to owners; a viewer who must edit belongs in spotify:quicksightOwners.",
        configSchema: { properties: { viewers: principalList("spotify:quicksightViewers of Pulumi.<stage>.yaml.") }, required: ["viewers"] },
        appliesTo: QUICKSIGHT_SHAREABLE_TYPES,
        check: (resource, report, { viewers }) => {
            const kind = resource.type.split(/[:/]/).pop() ?? resource.type;
            const dashboard = kind === "Dashboard";
            const permissions = [...asList(resource.props.permissions), ...asList(at(resource.props, "linkSharingConfiguration", "permissions"))];
            for (const permission of permissions) {
                const principal = at(permission, "principal");
                if (typeof principal !== "string" || !viewers.includes(principal)) continue;
                const actions = at(permission, "actions");
                if (isUnknown(actions)) continue;
                if (!dashboard) {
                    report(`viewer ${principal} is granted ${kind} actions (${asList(actions).map(String).join(", ")}): viewers get dashboards only.`);
                    continue;
                }
                const beyond = asList(actions).filter((action) => !isUnknown(action) && !DASHBOARD_VIEWER_ACTIONS.includes(String(action)));
                if (beyond.length > 0)
                    report(`viewer ${principal} is granted ${beyond.map(String).join(", ")} on the dashboard: owner actions; viewers only read it.`);
            }
        },
    }),
    resourceGuardrail<ClassificationConfig>({
        name: "quicksight-no-csv-export",
        description: `Dashboards of a stage whose data is ${NO_CSV_EXPORT_CLASSIFICATIONS.join(" or ")} (spotify:dataClassification) offer no CSV export: dashboardPublishOptions.exportToCsvOption is DISABLED (QuickSight enables it when it is not set).`,
        severity: "high",
        remediation:
            "Set dashboardPublishOptions.exportToCsvOption.availabilityStatus to DISABLED on the stage's dashboards (infra/layers/dashboards.ts does for these classifications).",
        configSchema: {
            properties: { dataClassification: { type: "string", description: "spotify:dataClassification of Pulumi.<stage>.yaml." } },
            required: ["dataClassification"],
        },
        appliesTo: ["aws:quicksight/dashboard:Dashboard", "aws-native:quicksight:Dashboard"],
        check: (resource, report, { dataClassification }) => {
            if (!NO_CSV_EXPORT_CLASSIFICATIONS.includes(dataClassification)) return;
            const status = at(resource.props, "dashboardPublishOptions", "exportToCsvOption", "availabilityStatus");
            if (isUnknown(status) || status === "DISABLED") return;
            report(
                `the dashboard offers CSV export (exportToCsvOption ${status === undefined ? "not set, so ENABLED" : typeof status === "string" ? status : JSON.stringify(status)}) of ${dataClassification} data: viewers could take its rows out of QuickSight.`,
            );
        },
    }),
    resourceGuardrail<WorkgroupConfig>({
        name: "quicksight-athena-workgroup",
        description:
            'Athena data sources query through the project\'s workgroup (a <prefix>_<stage>_<purpose> workgroup; the configured one when set), never the default "primary".',
        severity: "medium",
        remediation: "Set the data source's Athena workGroup to the queries layer's workgroup name (an output of that layer).",
        configSchema: scopedSchema({ properties: { workgroup: { type: "string", description: "The one workgroup Athena data sources may use." } } }),
        appliesTo: DATA_SOURCE_TYPES,
        check: (dataSource, report, config) => {
            const workGroup = athenaWorkGroup(dataSource);
            if (workGroup === null || isUnknown(workGroup)) return;
            if (workGroup === undefined) {
                report('Athena data source names no workGroup, so its queries run in "primary", without the project\'s encryption and scan cutoff.');
            } else if (config.workgroup !== undefined && workGroup !== config.workgroup) {
                report(`Athena data source uses workgroup ${JSON.stringify(workGroup)}, not the stage's ${JSON.stringify(config.workgroup)}.`);
            } else {
                const problem = glueNameProblem("Athena data source workgroup", workGroup, config);
                if (problem !== undefined) report(problem);
            }
        },
    }),
];
