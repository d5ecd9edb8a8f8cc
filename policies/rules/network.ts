import type { Policies, PolicyConfigSchema } from "@pulumi/policy";
import { followsUnderscoredConvention } from "../model/naming";
import { resourceGuardrail, stackGuardrail, StackResourceView } from "../support/guardrail";
import { limitingCondition, policyStatements, principalsOf, unconstrainedResource } from "../support/policyDocument";
import { ScopeConfig, scopedSchema } from "../support/scope";
import { asList, at, isUnknown, shown } from "../support/values";
import { isBroadAction } from "../support/wildcards";
import { GLUE_CRAWLER_TYPES, GLUE_JOB_TYPES } from "./glue";

/**
 * Network isolation (spotify:network "isolated", README.md "Network isolation"): Glue runs in the
 * network layer's isolated subnets, which have no way out of the VPC, and reaches AWS only through
 * VPC endpoints whose policies admit no one and nothing at large. The first two rules apply only to
 * stages whose policy config says "isolated", the endpoint rule to every endpoint.
 */

export interface NetworkConfig extends ScopeConfig {
    network: "none" | "isolated";
}

export function networkSchema(): PolicyConfigSchema {
    return scopedSchema({
        properties: {
            network: { type: "string", enum: ["none", "isolated"], default: "none", description: "spotify:network of Pulumi.<stage>.yaml." },
        },
        required: ["network"],
    });
}

const ROUTE_TYPES = ["aws:ec2/route:Route"] as const;
const ROUTE_TABLE_TYPES = ["aws:ec2/routeTable:RouteTable"] as const;
const INTERNET_GATEWAY_TYPES = ["aws:ec2/internetGateway:InternetGateway"] as const;
const AWSX_VPC_TYPES = ["awsx:ec2:Vpc"] as const;
export const VPC_ENDPOINT_TYPES = ["aws:ec2/vpcEndpoint:VpcEndpoint"] as const;
const SECURITY_GROUP_TYPES = ["aws:ec2/securityGroup:SecurityGroup"] as const;
const VPC_TYPES = ["aws:ec2/vpc:Vpc"] as const;
const FLOW_LOG_TYPES = ["aws:ec2/flowLog:FlowLog"] as const;
const SECURITY_GROUP_RULE_TYPES = [
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
] as const;
const WORLD = ["0.0.0.0/0", "::/0"];

/** The world-open CIDR blocks among a rule's (inline or standalone) address properties. */
function worldBlocks(rule: unknown): string[] {
    const blocks = [...asList(at(rule, "cidrBlocks")), ...asList(at(rule, "ipv6CidrBlocks")), at(rule, "cidrIpv4"), at(rule, "cidrIpv6")];
    return blocks.filter((block): block is string => typeof block === "string" && WORLD.includes(block));
}

/** Which way a standalone rule goes: its type says so, or (aws.ec2.SecurityGroupRule) its `type` input. */
function directionOf(type: string, props: Record<string, unknown>): string {
    if (type.endsWith("IngressRule")) return "ingress";
    if (type.endsWith("EgressRule")) return "egress";
    return typeof props.type === "string" ? props.type : "ingress";
}

/** Why a route leads out of the VPC (to an internet or NAT gateway), or undefined when it does not. */
function exitOf(route: unknown, gatewayIsInternetGateway: boolean): string | undefined {
    const gateway = at(route, "gatewayId");
    if (gatewayIsInternetGateway || (typeof gateway === "string" && gateway.startsWith("igw-"))) return "an internet gateway";
    const nat = at(route, "natGatewayId");
    if (nat !== undefined && nat !== null && nat !== "") return "a NAT gateway";
    return undefined;
}

/** What of an awsx.ec2.Vpc's inputs gives its subnets a way out: awsx routes public subnets to its internet gateway and private ones through NAT. */
function awsxVpcExits(vpc: StackResourceView): string[] {
    const specs = vpc.props.subnetSpecs;
    if (isUnknown(specs)) return [];
    const problems: string[] = [];
    const types = specs === undefined ? ["Public", "Private"] : asList(specs).map((spec) => at(spec, "type"));
    const open = [...new Set(types.filter((type) => type === "Public" || type === "Private"))];
    if (open.length > 0) {
        const how = specs === undefined ? "declares no subnetSpecs, so awsx creates public and private subnets" : `declares ${open.join(" and ")} subnets`;
        problems.push(`${how}: awsx routes public subnets to its internet gateway and private ones through NAT gateways; declare only Isolated subnets`);
    }
    const strategy = at(vpc.props, "natGateways", "strategy");
    if (!isUnknown(strategy) && strategy !== "None") {
        problems.push(`has NAT gateway strategy ${shown(strategy ?? "absent (awsx's default OnePerAz)")}; set natGateways: {strategy: "None"}`);
    }
    return problems;
}

/** Why an endpoint's policy lets anyone do anything, or nothing when every statement is bounded. */
function openEndpointProblems(endpoint: { props: Record<string, unknown> }): string[] {
    const policy = endpoint.props.policy;
    if (isUnknown(policy)) return [];
    const statements = policyStatements(policy);
    if (statements === undefined) return ["has no policy, so AWS's default full-access policy applies (every principal, every action, every resource)"];
    if (isUnknown(statements)) return [];
    return statements.flatMap((statement, index) => {
        if (statement.effect !== "Allow") return [];
        const where = statement.sid === undefined ? `statement #${index + 1}` : `statement "${statement.sid}"`;
        if (statement.notPrincipal) return [`${where} allows everyone but ${JSON.stringify(statement.principal)} (Allow with NotPrincipal)`];
        if (!principalsOf(statement).everyone || limitingCondition(statement) !== undefined) return [];
        const broad = statement.notAction ? [`every action but ${statement.actions.join(", ")}`] : statement.actions.filter(isBroadAction);
        const anywhere = unconstrainedResource(statement);
        if (broad.length === 0 && anywhere === undefined) return [];
        const what = [...(broad.length > 0 ? [`actions ${broad.join(", ")}`] : []), ...(anywhere !== undefined ? [`resource ${anywhere}`] : [])].join(" on ");
        return [`${where} allows ${what} to everyone ("*") with no condition limiting it to known accounts, organizations or sources`];
    });
}

export const networkPolicies: Policies = [
    stackGuardrail<NetworkConfig>({
        name: "glue-network-connection",
        description:
            "With spotify:network \"isolated\", every Glue job and crawler runs in the stage's network: a job lists the stage's Glue NETWORK connections, a crawler names one on its targets.",
        severity: "high",
        remediation:
            'Pass the network layer\'s glueNetworkAccess to the job (connections: its jobConnectionNames), as the etl layer does when spotify:network is "isolated"; a crawler names one of those connections on its targets (catalogTargets[].connectionName).',
        configSchema: networkSchema(),
        check: (stack, report, config) => {
            if (config.network !== "isolated") return;
            const stageConnection = (name: unknown) => isUnknown(name) || (typeof name === "string" && followsUnderscoredConvention(name, config));
            const expected = `a connection of stage ${config.stage} (${config.namePrefix}_${config.stage}_<purpose>)`;
            for (const job of stack.ofType(GLUE_JOB_TYPES)) {
                const connections = job.props.connections;
                if (isUnknown(connections)) continue;
                const names = asList(connections);
                if (names.length === 0)
                    report(job.urn, `Glue job ${job.name} has no connections, so it runs outside the stage's VPC with AWS's own network access.`);
                else if (!names.some(stageConnection))
                    report(job.urn, `Glue job ${job.name} runs only in connections ${JSON.stringify(names)}, none of them ${expected}.`);
            }
            for (const crawler of stack.ofType(GLUE_CRAWLER_TYPES)) {
                const targets = [
                    ...asList(crawler.props.catalogTargets),
                    ...asList(crawler.props.s3Targets),
                    ...asList(crawler.props.jdbcTargets),
                    ...asList(crawler.props.deltaTargets),
                ];
                const names = targets.map((target) => at(target, "connectionName")).filter((name) => name !== undefined);
                if (names.some(isUnknown)) continue;
                if (names.length === 0)
                    report(crawler.urn, `Glue crawler ${crawler.name} names no connection on its targets, so it crawls outside the stage's VPC.`);
                else if (!names.some(stageConnection))
                    report(crawler.urn, `Glue crawler ${crawler.name} crawls through ${JSON.stringify(names)}, none of them ${expected}.`);
            }
        },
    }),
    stackGuardrail<NetworkConfig>({
        name: "network-no-internet-route",
        description:
            'With spotify:network "isolated", nothing routes out of the VPC: no route to an internet gateway (gatewayId igw-*, or computed from an aws.ec2.InternetGateway) or a NAT gateway, and the awsx VPC declares only Isolated subnets and no NAT gateways (judged by its arguments only where its children are not registered).',
        severity: "critical",
        remediation:
            'Remove the route; declare the awsx.ec2.Vpc with subnetSpecs of type "Isolated" only and natGateways: {strategy: "None"}, and reach AWS services through VPC endpoints (infra/network/).',
        configSchema: networkSchema(),
        check: (stack, report, config) => {
            if (config.network !== "isolated") return;
            const gateways = new Set(stack.ofType(INTERNET_GATEWAY_TYPES).map((gateway) => gateway.urn));
            for (const route of stack.ofType(ROUTE_TYPES)) {
                const exit = exitOf(
                    route.props,
                    (route.propertyDependencies.gatewayId ?? []).some((urn) => gateways.has(urn)),
                );
                if (exit !== undefined) report(route.urn, `Route ${route.name} leads to ${exit}: the job subnets would reach the internet.`);
            }
            for (const table of stack.ofType(ROUTE_TABLE_TYPES)) {
                const fromGateway = (table.propertyDependencies.routes ?? []).some((urn) => gateways.has(urn));
                asList(table.props.routes).forEach((route, index) => {
                    const exit = exitOf(route, fromGateway && at(route, "gatewayId") !== undefined);
                    if (exit !== undefined)
                        report(table.urn, `Route table ${table.name}'s route #${index + 1} leads to ${exit}: the job subnets would reach the internet.`);
                });
            }
            for (const vpc of stack.ofType(AWSX_VPC_TYPES)) {
                // A remote component: the engine registers its children (judged above as routes) and
                // hands the pack the component without its arguments. Only where no child is
                // registered (preview under mocks) do its arguments tell what awsx will build.
                if (stack.resources.some((resource) => resource.parent === vpc.urn)) continue;
                for (const problem of awsxVpcExits(vpc)) report(vpc.urn, `awsx VPC ${vpc.name} ${problem}.`);
            }
        },
    }),
    stackGuardrail<NetworkConfig>({
        name: "network-flow-logs",
        description:
            'With spotify:network "isolated", every VPC has a flow log of all its traffic: an aws.ec2.FlowLog whose vpcId comes from the VPC (an awsx VPC counts for the aws VPC it creates; checkov CKV2_AWS_11).',
        severity: "high",
        remediation: "Give the VPC an aws.ec2.FlowLog with vpcId from it and trafficType ALL, as infra/network/vpcFlowLogs.ts does.",
        configSchema: networkSchema(),
        check: (stack, report, config) => {
            if (config.network !== "isolated") return;
            const byUrn = new Map(stack.resources.map((resource) => [resource.urn, resource]));
            const insideAwsxVpc = (resource: StackResourceView): boolean => {
                const parent = resource.parent === undefined ? undefined : byUrn.get(resource.parent);
                return parent !== undefined && ((AWSX_VPC_TYPES as readonly string[]).includes(parent.type) || insideAwsxVpc(parent));
            };
            const logged = new Set(
                stack
                    .ofType(FLOW_LOG_TYPES)
                    .filter((flowLog) => isUnknown(flowLog.props.trafficType) || flowLog.props.trafficType === "ALL")
                    .flatMap((flowLog) => flowLog.propertyDependencies.vpcId ?? []),
            );
            const vpcs = [...stack.ofType(AWSX_VPC_TYPES), ...stack.ofType(VPC_TYPES).filter((vpc) => !insideAwsxVpc(vpc))];
            for (const vpc of vpcs) {
                if (!logged.has(vpc.urn))
                    report(vpc.urn, `VPC ${vpc.name} has no flow log of all its traffic: what crosses the isolated network goes unrecorded.`);
            }
        },
    }),
    resourceGuardrail<NetworkConfig>({
        name: "network-security-group-not-open",
        description:
            'With spotify:network "isolated", no security group lets traffic in from or out to the whole internet: no ingress or egress rule, inline or standalone, with 0.0.0.0/0 or ::/0 (tfsec aws-vpc-no-public-ingress-sgr and aws-vpc-no-public-egress-sgr; checkov CKV_AWS_24 and CKV_AWS_260 for ports 22 and 80).',
        severity: "critical",
        remediation:
            "Open the group only to other security groups (referencedSecurityGroupId) or to the S3 prefix list (prefixListId), as infra/network/glueNetwork.ts does; the isolated VPC has no route out anyway.",
        configSchema: networkSchema(),
        appliesTo: [...SECURITY_GROUP_TYPES, ...SECURITY_GROUP_RULE_TYPES],
        check: (resource, report, config) => {
            if (config.network !== "isolated") return;
            if ((SECURITY_GROUP_TYPES as readonly string[]).includes(resource.type)) {
                for (const direction of ["ingress", "egress"] as const) {
                    asList(resource.props[direction]).forEach((rule, index) => {
                        for (const block of worldBlocks(rule))
                            report(`Security group ${resource.name}'s ${direction} rule #${index + 1} is open to ${block}: the whole internet.`);
                    });
                }
                return;
            }
            for (const block of worldBlocks(resource.props))
                report(`Security group rule ${resource.name} opens ${directionOf(resource.type, resource.props)} to ${block}: the whole internet.`);
        },
    }),
    resourceGuardrail({
        name: "vpc-endpoint-policy-not-open",
        description:
            'Every VPC endpoint has a policy, and none of its statements allows every action (or every action of a service) or every resource to everyone ("*") without a condition limiting it to known accounts, organizations or sources.',
        severity: "high",
        remediation:
            'Set policy on the aws.ec2.VpcEndpoint with the actions and resources the workload needs, and a Condition such as {StringEquals: {"aws:PrincipalAccount": <account>}} (infra/network/vpcEndpoints.ts does).',
        appliesTo: VPC_ENDPOINT_TYPES,
        check: (endpoint, report) => {
            for (const problem of openEndpointProblems(endpoint)) report(`VPC endpoint ${endpoint.name} ${problem}.`);
        },
    }),
];
