import type { Policies } from "@pulumi/policy";
import { resourceGuardrail, ResourceView, stackGuardrail, StackResourceView } from "../support/guardrail";
import {
    coversAction,
    IDENTITY_POLICY_TYPES,
    LocatedStatement,
    limitingCondition,
    POLICY_DOCUMENT_TYPES,
    policyStatements,
    principalsOf,
    PRINCIPAL_POLICY_TYPES,
    Statement,
    statementsOf,
    unconstrainedResource,
} from "../support/policyDocument";
import { asList, isUnknown } from "../support/values";
import { VPC_ENDPOINT_TYPES } from "./network";
import { actionWildcard, isBroadAction, parseArn, resourceWildcard } from "../support/wildcards";

/**
 * IAM and the policy language wherever it appears: identity policies (what the pipeline's roles
 * may do), trust policies (who may become them), managed-policy attachments, and the resource
 * policies of buckets, keys, the Glue catalog and log groups (who may use them). Every document is
 * read through support/policyDocument.ts and every wildcard recognised by support/wildcards.ts.
 */

/**
 * Actions AWS authorizes only against Resource "*", because they have no resource-level
 * permissions. An Allow on "*" (or any other wildcard resource) is fine for these and for nothing
 * else; each entry says why it is here. Add to this list only with that reason (and a condition key
 * in the policy where one exists).
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

/** A VPC endpoint policy's Allow statements, located for messages (an endpoint policy is neither identity nor resource policy here). */
function endpointStatements(policy: unknown): { statement: Statement; where: string }[] {
    const statements = policyStatements(policy);
    if (statements === undefined || isUnknown(statements)) return [];
    return statements.map((statement, index) => ({
        statement,
        where: `endpoint policy ${statement.sid === undefined ? `statement #${index + 1}` : `statement "${statement.sid}"`}`,
    }));
}

/**
 * Actions whose only resource is every resource of one kind in the account and region: the ARN
 * pattern allowed for each (the resource part after the account), and why. Like
 * RESOURCE_WILDCARD_ALLOWED, but for a kind-wide ARN, never for "*".
 */
export const RESOURCE_KIND_WILDCARD_ALLOWED: Readonly<Record<string, { resource: string; reason: string }>> = {
    "glue:PublishDataQuality": {
        resource: "dataQualityRuleset/*",
        reason: "A ruleset given inline to a job has no ARN; Glue authorizes its results against dataQualityRuleset/* of this account and region.",
    },
    ...Object.fromEntries(
        ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags"].map((action) => [
            action,
            {
                resource: "network-interface/*",
                reason: "Glue creates a run's network interfaces as the run's role, so their ids are unknown beforehand; scope them with an ec2:Vpc condition (the network layer's glueNetworkAccess does).",
            },
        ]),
    ),
};

/** Whether `action` may use the wildcard `resource` (one already known to be a wildcard). */
function wildcardAllowed(action: string, resource: string): boolean {
    if (allowedOnAnyResource.has(action.toLowerCase())) return true;
    const kind = Object.entries(RESOURCE_KIND_WILDCARD_ALLOWED).find(([allowed]) => allowed.toLowerCase() === action.toLowerCase())?.[1];
    const arn = parseArn(resource);
    return kind !== undefined && arn !== undefined && !/[*?]/.test(arn.account + arn.region) && arn.account !== "" && arn.resource === kind.resource;
}

/**
 * In a KMS key policy, "kms:*" granted to an account's root principal is how the account
 * administers the key through IAM (AWS's default key policy); without it nobody could. That one
 * statement shape is the exception to iam-no-wildcard-actions.
 */
function isKeyAdministration(located: LocatedStatement): boolean {
    const { statement, document } = located;
    if (document.service !== "kms" || statement.notAction || statement.notPrincipal) return false;
    const principals = principalsOf(statement);
    const accountRoots =
        principals.aws.length > 0 && principals.aws.every((principal) => /^arn:[^:]+:iam::\d{12}:root$/.test(principal) || /^\d{12}$/.test(principal));
    const others = principals.service.length + principals.federated.length + principals.canonicalUser.length;
    return accountRoots && others === 0 && !principals.everyone && statement.actions.every((action) => action.toLowerCase() === "kms:*");
}

/** A list of actions for a message: the first few, then how many more. */
function listActions(actions: readonly string[]): string {
    return actions.length <= 5 ? actions.join(", ") : `${actions.slice(0, 5).join(", ")} and ${actions.length - 5} more`;
}

const describeActions = (statement: Statement) => (statement.notAction ? `every action but ${statement.actions.join(", ")}` : statement.actions.join(", "));

/** The Allow statements of `resource`'s identity policies that cover `action`, with the resource scope each grants it on. */
function grantsOf(statements: LocatedStatement[], action: string, unconstrainedOnly: boolean): LocatedStatement[] {
    return statements.filter(({ statement }) => coversAction(statement, action) && (!unconstrainedOnly || unconstrainedResource(statement) !== undefined));
}

/**
 * Privilege-escalation paths (Rhino Security Labs' published methods, and Glue's own): each is a
 * set of actions that together let a principal give itself more permissions. Every action counts
 * whatever its Resource, except iam:PassRole, which escalates only when it can pass any role
 * (an unconstrained Resource): passing the named roles of a service is how services get their roles.
 */
export const PRIVILEGE_ESCALATION_METHODS: Readonly<Record<string, readonly string[]>> = {
    "create access keys for another user": ["iam:CreateAccessKey"],
    "give another user a console password": ["iam:CreateLoginProfile"],
    "change another user's console password": ["iam:UpdateLoginProfile"],
    "join a more privileged group": ["iam:AddUserToGroup"],
    "rewrite a managed policy as a new default version": ["iam:CreatePolicyVersion"],
    "switch a managed policy to another version": ["iam:SetDefaultPolicyVersion"],
    "attach any managed policy to a user": ["iam:AttachUserPolicy"],
    "attach any managed policy to a group": ["iam:AttachGroupPolicy"],
    "attach any managed policy to a role": ["iam:AttachRolePolicy"],
    "write an inline policy on a user": ["iam:PutUserPolicy"],
    "write an inline policy on a group": ["iam:PutGroupPolicy"],
    "write an inline policy on a role": ["iam:PutRolePolicy"],
    "rewrite a role's trust policy to assume it": ["iam:UpdateAssumeRolePolicy"],
    "remove a role's permissions boundary": ["iam:DeleteRolePermissionsBoundary"],
    "remove a user's permissions boundary": ["iam:DeleteUserPermissionsBoundary"],
    "pass any role to a new EC2 instance": ["iam:PassRole", "ec2:RunInstances"],
    "pass any role to a new Lambda function and invoke it": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
    "pass any role to a new Lambda function triggered by an event source": ["iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
    "pass any role to a new Glue development endpoint": ["iam:PassRole", "glue:CreateDevEndpoint"],
    "pass any role to a new Glue job and run it": ["iam:PassRole", "glue:CreateJob", "glue:StartJobRun"],
    "pass any role to a new Glue job and trigger it": ["iam:PassRole", "glue:CreateJob", "glue:CreateTrigger"],
    "pass any role to an existing Glue job and run it": ["iam:PassRole", "glue:UpdateJob", "glue:StartJobRun"],
    "pass any role to a Glue interactive session": ["iam:PassRole", "glue:CreateSession", "glue:RunStatement"],
    "pass any role to a CloudFormation stack": ["iam:PassRole", "cloudformation:CreateStack"],
    "pass any role to a Data Pipeline": ["iam:PassRole", "datapipeline:CreatePipeline"],
    "pass any role to a CodeBuild project and build it": ["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"],
    "take over a Glue development endpoint's role": ["glue:UpdateDevEndpoint"],
    "take over a Lambda function's role": ["lambda:UpdateFunctionCode"],
};

/** Actions whose response carries credentials (after cloudsplaining's list; ecr:GetAuthorizationToken left out as checkov does). */
export const CREDENTIALS_EXPOSURE_ACTIONS: readonly string[] = [
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:GetFederationToken",
    "sts:GetSessionToken",
    "sso:GetRoleCredentials",
    "codeartifact:GetAuthorizationToken",
    "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM",
    "redshift-serverless:GetCredentials",
    "rds-db:connect",
    "cognito-identity:GetCredentialsForIdentity",
    "ec2:GetPasswordData",
    "lightsail:GetInstanceAccessDetails",
    "emr-containers:GetManagedEndpointSessionCredentials",
];

/** Read actions that hand out stored data or secrets (cloudsplaining's data-exfiltration list, and object versions). */
export const DATA_EXFILTRATION_ACTIONS: readonly string[] = [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue",
];

/**
 * "Permissions management" actions of the services this program uses or could easily grow into:
 * actions that change who may do what (resource policies, ACLs, grants, permissions). Exact action
 * names outside the list are also recognised by their shape (PERMISSIONS_MANAGEMENT_SHAPES).
 */
export const PERMISSIONS_MANAGEMENT_ACTIONS: readonly string[] = [
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:AddUserToGroup",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutAccountPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
    "s3:PutAccessPointPolicy",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "kms:RevokeGrant",
    "kms:RetireGrant",
    "glue:PutResourcePolicy",
    "glue:DeleteResourcePolicy",
    "lakeformation:GrantPermissions",
    "lakeformation:RevokePermissions",
    "lakeformation:BatchGrantPermissions",
    "lakeformation:BatchRevokePermissions",
    "lakeformation:PutDataLakeSettings",
    "logs:PutResourcePolicy",
    "logs:DeleteResourcePolicy",
    "quicksight:UpdateDashboardPermissions",
    "quicksight:UpdateDataSetPermissions",
    "quicksight:UpdateDataSourcePermissions",
    "quicksight:UpdateAnalysisPermissions",
    "quicksight:UpdatePublicSharingSettings",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "sns:AddPermission",
    "sqs:AddPermission",
    "lambda:AddPermission",
    "ram:CreateResourceShare",
];
const PERMISSIONS_MANAGEMENT_SHAPES = [
    /^[\w-]+:(Put|Delete|Set|Update)\w*(Policy|Permissions|Acl)$/i,
    /^[\w-]+:(Attach|Detach)\w*Policy$/i,
    /^[\w-]+:(Create|Revoke|Retire)Grant$/i,
    /^[\w-]+:(Add|Remove)Permission$/i,
    /^[\w-]+:(Batch)?(Grant|Revoke)Permissions$/i,
];
/** Policy-named actions that change no permission. */
const NOT_PERMISSIONS = /(Retention|Scaling|Lifecycle|Deletion|Backup|Replication|Scan)Policy$/i;

function permissionsManagementActions(statement: Statement): string[] {
    const listed = PERMISSIONS_MANAGEMENT_ACTIONS.filter((action) => coversAction(statement, action));
    const shaped = statement.notAction
        ? []
        : statement.actions.filter(
              (action) =>
                  actionWildcard(action) === undefined && !NOT_PERMISSIONS.test(action) && PERMISSIONS_MANAGEMENT_SHAPES.some((shape) => shape.test(action)),
          );
    return [...new Set([...listed, ...shaped.filter((action) => !listed.some((known) => known.toLowerCase() === action.toLowerCase()))])];
}

/** A rule over identity policies: for each Allow statement on an unconstrained resource, the listed actions it grants there. */
function unconstrainedActionsRule(rule: {
    name: string;
    description: string;
    severity: "high" | "critical";
    remediation: string;
    actions: (statement: Statement) => string[];
    consequence: string;
}) {
    return resourceGuardrail({
        name: rule.name,
        description: rule.description,
        severity: rule.severity,
        remediation: rule.remediation,
        appliesTo: IDENTITY_POLICY_TYPES,
        check: (resource, report) => {
            for (const { statement, where } of statementsOf(resource, ["identity"])) {
                const on = unconstrainedResource(statement);
                if (on === undefined) continue;
                const actions = rule.actions(statement);
                if (actions.length === 0) continue;
                const through = statement.notAction
                    ? ` (through NotAction ${statement.actions.join(", ")})`
                    : statement.actions.some((action) => actionWildcard(action) !== undefined)
                      ? ` (through ${statement.actions.filter((action) => actionWildcard(action) !== undefined).join(", ")})`
                      : "";
                report(`${where} allows ${listActions(actions)}${through} on ${on}: ${rule.consequence}`);
            }
        },
    });
}

/** Managed policies AWS maintains, by name, that no role, user or group of the program may have. */
export const FORBIDDEN_AWS_MANAGED_POLICIES: Readonly<Record<string, string>> = {
    AdministratorAccess: "every action on every resource (checkov CKV_AWS_274)",
    IAMFullAccess: "every IAM action, and through it every other permission (checkov CKV2_AWS_56)",
    PowerUserAccess: "every action outside IAM and Organizations",
};

/**
 * AWS-managed policies the program may attach, by name, each with why. The pack cannot read an
 * AWS-managed policy's document (it is not in the program), so attaching one is allowed only when
 * listed here; prefer a customer-managed policy declared in the same stack, which the pack reads.
 */
export const APPROVED_AWS_MANAGED_POLICIES: Readonly<Record<string, string>> = {};

/** Where each attachment type keeps the ARNs of the managed policies it attaches. */
const ATTACHMENT_PROPERTIES: Readonly<Record<string, string>> = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/role:Role": "managedPolicyArns",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
};
const MANAGED_POLICY_TYPES = ["aws:iam/policy:Policy"];

/** What is wrong with attaching `arn`; undefined when the pack can read it or it is approved. */
function attachmentProblem(arn: string, attachment: StackResourceView, property: string, policies: StackResourceView[]): string | undefined {
    const awsManaged = /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
    if (awsManaged !== null) {
        const name = awsManaged[1];
        if (FORBIDDEN_AWS_MANAGED_POLICIES[name] !== undefined) return `attaches AWS's ${name}, which grants ${FORBIDDEN_AWS_MANAGED_POLICIES[name]}.`;
        if (APPROVED_AWS_MANAGED_POLICIES[name] !== undefined) return undefined;
        return `attaches the AWS-managed policy ${name}, whose document is not in the program and so cannot be checked; it is not in APPROVED_AWS_MANAGED_POLICIES (policies/rules/iam.ts).`;
    }
    const linked = (attachment.propertyDependencies[property] ?? []).some((urn) => policies.some((policy) => policy.urn === urn));
    const name = /:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
    const named = name !== undefined && policies.some((policy) => policy.props.name === name);
    return linked || named ? undefined : `attaches ${arn}, a policy this stack does not declare, so its document cannot be checked.`;
}

/** Principals a trust policy may name for an account as a whole: only with a condition on aws:PrincipalArn. */
const WHOLE_ACCOUNT = /^(\d{12}|arn:[^:]+:iam::\d{12}:root)$/;
/** What a trust policy may allow: assuming the role, and the session details that go with it. */
const TRUST_ACTIONS = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
].map((action) => action.toLowerCase());

function trustProblems({ statement }: LocatedStatement): string[] {
    const problems: string[] = [];
    const principals = principalsOf(statement);
    if (statement.notPrincipal) problems.push(`lets everyone but ${JSON.stringify(statement.principal)} assume the role (NotPrincipal)`);
    else if (principals.everyone) problems.push('lets any principal ("*") assume the role, whatever its conditions');
    const condition = limitingCondition(statement);
    for (const principal of principals.aws.filter((value) => WHOLE_ACCOUNT.test(value))) {
        if (condition?.toLowerCase() !== "aws:principalarn")
            problems.push(`lets every principal of account ${principal} assume the role, with no aws:PrincipalArn condition naming which`);
    }
    if (principals.federated.length > 0 && Object.keys(statement.condition).length === 0) {
        problems.push(`lets every identity of ${principals.federated.join(", ")} assume the role, with no condition on its audience or subject`);
    }
    if (statement.notAction) problems.push(`allows every action but ${statement.actions.join(", ")} (NotAction)`);
    else {
        const other = statement.actions.filter((action) => !TRUST_ACTIONS.includes(action.toLowerCase()));
        if (other.length > 0) problems.push(`allows ${other.join(", ")}, not only sts:AssumeRole* and session tagging`);
    }
    return problems;
}

/** IAM user resources and what each is. */
const USER_TYPES: Readonly<Record<string, string>> = {
    "aws:iam/user:User": "an IAM user",
    "aws:iam/userPolicy:UserPolicy": "an inline policy on an IAM user",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "a managed policy attached to an IAM user",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "managed policies attached to an IAM user",
    "aws:iam/userPoliciesExclusive:UserPoliciesExclusive": "inline policies of an IAM user",
    "aws:iam/accessKey:AccessKey": "a long-lived access key of an IAM user",
    "aws:iam/userLoginProfile:UserLoginProfile": "a console password of an IAM user",
};

export const iamPolicies: Policies = [
    resourceGuardrail({
        name: "iam-no-wildcard-actions",
        description:
            'Identity and resource policies (bucket, KMS key, Glue catalog, log resource policies) never allow every action or every action of a service: no "*", "*:*" or "<service>:*" Action, and no Allow with NotAction; only a key policy\'s "kms:*" for its account root is exempt.',
        severity: "critical",
        remediation: "List the exact actions the principal needs (service:Action), one statement per concern with a Sid.",
        appliesTo: POLICY_DOCUMENT_TYPES,
        check: (resource, report) => {
            for (const located of statementsOf(resource, ["identity", "resource"])) {
                const { statement, where } = located;
                if (statement.notAction) {
                    report(`${where} allows every action except ${statement.actions.join(", ")} (Allow with NotAction).`);
                    continue;
                }
                if (isKeyAdministration(located)) continue;
                for (const action of statement.actions.filter(isBroadAction)) {
                    const wildcard = actionWildcard(action);
                    report(`${where} allows every ${wildcard?.kind === "service" ? `${wildcard.service} ` : ""}action ("${action}").`);
                }
            }
        },
    }),
    resourceGuardrail({
        name: "iam-no-wildcard-resources",
        description:
            'Identity policies allow a wildcard Resource ("*", an ARN pattern matching everything of a kind such as "arn:aws:s3:::*" or "arn:aws:iam::<account>:role/*", or NotResource) only for actions without resource-level permissions, listed with their reason in RESOURCE_WILDCARD_ALLOWED or RESOURCE_KIND_WILDCARD_ALLOWED (policies/rules/iam.ts).',
        severity: "high",
        remediation:
            "Scope the statement's Resource to the ARNs it needs (buckets, prefixes, the data key, the stage's catalog); for an action that truly has no resource-level permissions, add it to RESOURCE_WILDCARD_ALLOWED (or RESOURCE_KIND_WILDCARD_ALLOWED) with the reason.",
        appliesTo: IDENTITY_POLICY_TYPES,
        check: (resource, report) => {
            for (const { statement, where } of statementsOf(resource, ["identity"])) {
                if (statement.notResource) {
                    report(
                        `${where} allows ${describeActions(statement)} on every resource but ${statement.resources.join(", ")}; only actions without resource-level permissions may use a wildcard resource.`,
                    );
                    continue;
                }
                for (const wildcard of statement.resources.filter((candidate) => resourceWildcard(candidate) !== undefined)) {
                    const scopable = statement.notAction
                        ? [describeActions(statement)]
                        : statement.actions.filter((action) => !wildcardAllowed(action, wildcard));
                    if (scopable.length > 0) {
                        const on = wildcard === "*" ? '"*"' : `"${wildcard}" (${resourceWildcard(wildcard)})`;
                        report(`${where} allows ${scopable.join(", ")} on ${on}; only actions without resource-level permissions may use a wildcard resource.`);
                    }
                }
            }
        },
    }),
    resourceGuardrail({
        name: "iam-no-dead-grants",
        description:
            'An Allow of an action without resource-level permissions (RESOURCE_WILDCARD_ALLOWED in policies/rules/iam.ts) lists Resource "*": AWS authorizes such an action only against "*", so a statement naming only specific ARNs grants it nothing. Checked in identity policies and VPC endpoint policies (Service Authorization Reference: actions with no resource types).',
        severity: "medium",
        remediation: 'Give the action its own statement with Resource "*" (and its condition key where one exists), or drop it when nothing needs it.',
        appliesTo: [...IDENTITY_POLICY_TYPES, ...VPC_ENDPOINT_TYPES],
        check: (resource, report) => {
            const located = (VPC_ENDPOINT_TYPES as readonly string[]).includes(resource.type)
                ? endpointStatements(resource.props.policy)
                : statementsOf(resource, ["identity"]);
            for (const { statement, where } of located) {
                if (statement.effect !== "Allow" || statement.notAction || statement.notResource) continue;
                if (statement.resources.some((candidate) => candidate === "*" || isUnknown(candidate))) continue;
                const dead = statement.actions.filter((action) => allowedOnAnyResource.has(action.toLowerCase()));
                if (dead.length > 0) {
                    report(
                        `${where} allows ${dead.join(", ")} on ${statement.resources.join(", ")} only: AWS authorizes ${dead.length === 1 ? "it" : "them"} against "*" alone, so this grants nothing.`,
                    );
                }
            }
        },
    }),
    resourceGuardrail({
        name: "iam-no-privilege-escalation",
        description:
            "Identity policies allow no privilege-escalation path (PRIVILEGE_ESCALATION_METHODS in policies/rules/iam.ts): no IAM write that changes permissions, and no iam:PassRole of any role together with a service that runs it (EC2, Lambda, Glue, CloudFormation, ...).",
        severity: "critical",
        remediation:
            "Remove the IAM permission-writing actions; scope iam:PassRole to the exact role ARNs a service needs (with an iam:PassedToService condition), never a wildcard.",
        appliesTo: IDENTITY_POLICY_TYPES,
        check: (resource, report) => {
            const statements = statementsOf(resource, ["identity"]);
            const found: { method: string; actions: readonly string[] }[] = [];
            const where = new Set<string>();
            for (const [method, actions] of Object.entries(PRIVILEGE_ESCALATION_METHODS)) {
                const grants = actions.map((action) => grantsOf(statements, action, action.toLowerCase() === "iam:passrole"));
                if (grants.every((granted) => granted.length > 0)) {
                    found.push({ method, actions });
                    for (const located of grants.flat()) where.add(located.where);
                }
            }
            if (found.length === 0) return;
            const shown = found.slice(0, 4).map(({ method, actions }) => `${method} (${actions.join(" + ")})`);
            const more = found.length > shown.length ? `, and ${found.length - shown.length} more` : "";
            report(`Privilege escalation through ${[...where].join(", ")}: a principal could ${shown.join("; ")}${more}.`);
        },
    }),
    unconstrainedActionsRule({
        name: "iam-no-credentials-exposure",
        description: `Identity policies allow no action that returns credentials (${CREDENTIALS_EXPOSURE_ACTIONS.slice(0, 6).join(", ")}, ...) on a wildcard resource.`,
        severity: "high",
        remediation:
            "Scope the statement's Resource to the exact roles (sts:AssumeRole) or resources whose credentials the principal needs, or remove the action.",
        actions: (statement) => CREDENTIALS_EXPOSURE_ACTIONS.filter((action) => coversAction(statement, action)),
        consequence: "the principal could obtain credentials of whatever matches.",
    }),
    unconstrainedActionsRule({
        name: "iam-no-data-exfiltration",
        description: `Identity policies allow no action that reads stored data or secrets (${DATA_EXFILTRATION_ACTIONS.join(", ")}) on a wildcard resource.`,
        severity: "high",
        remediation: "Scope the statement's Resource to the buckets and prefixes (or parameters and secrets) the principal reads, as the ETL roles do.",
        actions: (statement) => DATA_EXFILTRATION_ACTIONS.filter((action) => coversAction(statement, action)),
        consequence: "the principal could read every object, parameter or secret that matches, in this account or any other that trusts it.",
    }),
    unconstrainedActionsRule({
        name: "iam-no-permissions-management",
        description:
            "Identity policies allow no permissions-management action (resource policies, ACLs, grants, IAM policies: PERMISSIONS_MANAGEMENT_ACTIONS in policies/rules/iam.ts, and actions of that shape) on a wildcard resource.",
        severity: "high",
        remediation:
            "Remove the action: the program manages permissions through Pulumi, not the pipeline's roles; if a role truly needs it, scope Resource to the exact ARNs.",
        actions: permissionsManagementActions,
        consequence: "the principal could change who may access whatever matches, or expose it.",
    }),
    stackGuardrail({
        name: "iam-managed-policies",
        description: `Roles, users and groups get only managed policies the pack can read: customer-managed policies declared in the same stack, or AWS-managed ones listed in APPROVED_AWS_MANAGED_POLICIES (policies/rules/iam.ts); never ${Object.keys(FORBIDDEN_AWS_MANAGED_POLICIES).join(", ")}.`,
        severity: "critical",
        remediation:
            "Declare the permissions as an aws.iam.Policy (or a RolePolicy) in the same stack and attach that; an AWS-managed policy that is truly needed goes into APPROVED_AWS_MANAGED_POLICIES with the reason.",
        check: (stack, report) => {
            const policies = stack.ofType(MANAGED_POLICY_TYPES);
            for (const [type, property] of Object.entries(ATTACHMENT_PROPERTIES)) {
                for (const attachment of stack.ofType([type])) {
                    const value = attachment.props[property];
                    if (isUnknown(value)) continue;
                    for (const arn of asList(value)) {
                        if (typeof arn !== "string") continue;
                        const problem = attachmentProblem(arn, attachment, property, policies);
                        if (problem !== undefined) report(attachment.urn, `${type.split(":").pop()} ${attachment.name} ${problem}`);
                    }
                }
            }
        },
    }),
    resourceGuardrail({
        name: "iam-role-trust-scoped",
        description:
            'Role trust policies name who may assume the role: AWS services or specific roles, never "*", a whole account without an aws:PrincipalArn condition, NotPrincipal or an unconditioned federated provider, and allow only sts:AssumeRole* and session tagging.',
        severity: "high",
        remediation:
            'Set assumeRolePolicy to {Effect: "Allow", Principal: {Service: "<service>.amazonaws.com"} (or {AWS: <role ARN>}), Action: "sts:AssumeRole"}, as GlueServiceRole does; for cross-account trust add Condition {ArnEquals: {"aws:PrincipalArn": <role ARN>}}.',
        appliesTo: ["aws:iam/role:Role"],
        check: (role, report) => {
            for (const located of statementsOf(role, ["trust"])) {
                for (const problem of trustProblems(located)) report(`${located.where} ${problem}.`);
            }
        },
    }),
    resourceGuardrail({
        name: "iam-no-users",
        description: "The program grants permissions to roles only: no IAM users, user policies or attachments, access keys or console passwords.",
        severity: "medium",
        remediation:
            "Give the permissions to a role that people or services assume (through SSO or a service principal) instead of an IAM user with long-lived credentials.",
        appliesTo: (resource: ResourceView) =>
            USER_TYPES[resource.type] !== undefined ||
            (resource.type === "aws:iam/policyAttachment:PolicyAttachment" && asList(resource.props.users).length > 0),
        check: (resource, report) => {
            report(`${resource.name} is ${USER_TYPES[resource.type] ?? "a managed policy attached to IAM users"}.`);
        },
    }),
    resourceGuardrail({
        name: "policy-no-public-principal",
        description:
            'No trust or resource policy (role trust, bucket, KMS key, Glue catalog, log resource policies) allows anyone: no Principal "*" (or every account) without a condition limiting it to known accounts, organizations, source ARNs or VPC endpoints, and no Allow with NotPrincipal.',
        severity: "critical",
        remediation:
            'Name the principals (service principals, role ARNs), or add a Condition such as {StringEquals: {"aws:SourceAccount": <account>}} or {StringEquals: {"aws:PrincipalOrgID": <org>}}; public sharing is never how this pipeline shares data.',
        appliesTo: PRINCIPAL_POLICY_TYPES,
        check: (resource, report) => {
            for (const { statement, where } of statementsOf(resource, ["trust", "resource"])) {
                if (statement.notPrincipal) {
                    report(`${where} allows ${describeActions(statement)} to everyone but ${JSON.stringify(statement.principal)} (Allow with NotPrincipal).`);
                } else if (principalsOf(statement).everyone && limitingCondition(statement) === undefined) {
                    report(
                        `${where} allows ${describeActions(statement)} to everyone ("*") with no condition limiting it to known accounts, organizations, source ARNs or VPC endpoints.`,
                    );
                }
            }
        },
    }),
];
