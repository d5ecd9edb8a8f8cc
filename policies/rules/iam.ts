import type { Policies } from "@pulumi/policy";
import { resourceGuardrail, ResourceView } from "../support/guardrail";
import { describeStatement, policyStatements, Statement } from "../support/policyDocument";
import { asList, at, isUnknown } from "../support/values";

/**
 * IAM identity policies: what the pipeline's roles may do. Trust policies (a Role's assumeRolePolicy)
 * and resource policies (bucket policies, KMS key policies, whose account-root statement needs
 * "kms:*" on "*") answer other questions and are not read here.
 */

/**
 * Actions AWS authorizes only against Resource "*", because they have no resource-level
 * permissions. An Allow on "*" is fine for these and for nothing else; each entry says why it is here.
 * Add to this list only with that reason (and a condition key in the policy where one exists).
 */
export const RESOURCE_WILDCARD_ALLOWED: Readonly<Record<string, string>> = {
    "cloudwatch:PutMetricData": "No resource-level permissions; scope it with the cloudwatch:namespace condition key (Glue job metrics).",
    "logs:DescribeLogGroups": "A list call without resource-level permissions (Glue's and the console's log views).",
    "glue:GetSecurityConfiguration": "Glue security configurations have no ARN, so no resource-level permissions.",
    "glue:GetSecurityConfigurations": "Glue security configurations have no ARN, so no resource-level permissions.",
    "s3:ListAllMyBuckets": "Lists the account's buckets; no resource-level permissions.",
    "athena:ListWorkGroups": "A list call without resource-level permissions.",
    "athena:ListEngineVersions": "A list call without resource-level permissions.",
    "kms:ListAliases": "A list call without resource-level permissions.",
    "ec2:DescribeVpcs": "EC2 Describe calls have no resource-level permissions; a Glue connection in a VPC needs them.",
    "ec2:DescribeSubnets": "EC2 Describe calls have no resource-level permissions; a Glue connection in a VPC needs them.",
    "ec2:DescribeSecurityGroups": "EC2 Describe calls have no resource-level permissions; a Glue connection in a VPC needs them.",
    "ec2:DescribeNetworkInterfaces": "EC2 Describe calls have no resource-level permissions; a Glue connection in a VPC needs them.",
    "ec2:DescribeVpcEndpoints": "EC2 Describe calls have no resource-level permissions; a Glue connection in a VPC needs them.",
    "ec2:DescribeRouteTables": "EC2 Describe calls have no resource-level permissions; a Glue connection in a VPC needs them.",
};
const allowedOnAnyResource = new Set(Object.keys(RESOURCE_WILDCARD_ALLOWED).map((action) => action.toLowerCase()));

/** Where each identity-policy type keeps its documents. */
const DOCUMENTS: Readonly<Record<string, (props: Record<string, unknown>) => { where: string; document: unknown }[]>> = {
    "aws:iam/policy:Policy": (props) => [{ where: "policy", document: props.policy }],
    "aws:iam/rolePolicy:RolePolicy": (props) => [{ where: "policy", document: props.policy }],
    "aws:iam/userPolicy:UserPolicy": (props) => [{ where: "policy", document: props.policy }],
    "aws:iam/groupPolicy:GroupPolicy": (props) => [{ where: "policy", document: props.policy }],
    "aws:iam/role:Role": (props) =>
        asList(props.inlinePolicies).map((inline, index) => {
            const name = at(inline, "name");
            return { where: `inline policy ${typeof name === "string" ? JSON.stringify(name) : `#${index + 1}`}`, document: at(inline, "policy") };
        }),
};
export const IDENTITY_POLICY_TYPES = Object.keys(DOCUMENTS);

/** The Allow statements of a resource's identity policies, each with where it is for messages. */
function allowStatements(resource: ResourceView): { where: string; statement: Statement }[] {
    return DOCUMENTS[resource.type](resource.props).flatMap(({ where, document }) => {
        const statements = policyStatements(document);
        // A document computed from other resources' ARNs is unknown in preview; `up` checks it.
        if (statements === undefined || isUnknown(statements)) return [];
        return statements.flatMap((statement, index) => (statement.effect === "Allow" ? [{ where: `${where} ${describeStatement(statement, index)}`, statement }] : []));
    });
}

export const iamPolicies: Policies = [
    resourceGuardrail({
        name: "iam-no-wildcard-actions",
        description: 'Identity policies never allow every action: no "*" or "*:*" Action, and no Allow with NotAction.',
        severity: "critical",
        remediation: "List the exact actions the principal needs (service:Action), one statement per concern with a Sid.",
        appliesTo: IDENTITY_POLICY_TYPES,
        check: (resource, report) => {
            for (const { where, statement } of allowStatements(resource)) {
                if (statement.notAction) {
                    report(`${where} allows every action except ${statement.actions.join(", ")} (Allow with NotAction).`);
                } else if (statement.actions.some((action) => action === "*" || action === "*:*")) {
                    report(`${where} allows every action ("${statement.actions.find((action) => action === "*" || action === "*:*")}").`);
                }
            }
        },
    }),
    resourceGuardrail({
        name: "iam-no-wildcard-resources",
        description:
            'Identity policies allow Resource "*" (or NotResource) only for actions without resource-level permissions, listed with their reason in RESOURCE_WILDCARD_ALLOWED (policies/rules/iam.ts).',
        severity: "high",
        remediation: "Scope the statement's Resource to the ARNs it needs (buckets, prefixes, the data key, the stage's catalog); for an action that truly has no resource-level permissions, add it to RESOURCE_WILDCARD_ALLOWED with the reason.",
        appliesTo: IDENTITY_POLICY_TYPES,
        check: (resource, report) => {
            for (const { where, statement } of allowStatements(resource)) {
                if (!statement.notResource && !statement.resources.includes("*")) continue;
                const scopable = statement.notAction ? ["every action but " + statement.actions.join(", ")] : statement.actions.filter((action) => !allowedOnAnyResource.has(action.toLowerCase()));
                if (scopable.length > 0) {
                    const on = statement.notResource ? `every resource but ${statement.resources.join(", ")}` : '"*"';
                    report(`${where} allows ${scopable.join(", ")} on ${on}; only actions without resource-level permissions may use that.`);
                }
            }
        },
    }),
];
