import { asList, at, isRecord, isUnknown, jsonDocument, Unknown, UNKNOWN } from "./values";
import { globMatches, parseArn, resourceWildcard } from "./wildcards";

/**
 * Every policy document the program can carry, read in one place. A resource may carry several:
 * a Role has its trust policy and its inline policies. Rules ask for the kinds they judge:
 *
 * - identity: what a principal may do (aws.iam.Policy, RolePolicy, UserPolicy, GroupPolicy, a Role's
 *   inlinePolicies). Managed-policy attachments carry no document of their own: the attached policy
 *   is read where it is declared (iam-managed-policies makes sure it is).
 * - trust: who may assume a role (a Role's assumeRolePolicy).
 * - resource: who may use a resource (bucket policies, inline or aws.s3.BucketPolicy; KMS key
 *   policies, on the key or aws.kms.KeyPolicy; the Glue catalog's resource policy; CloudWatch Logs
 *   resource policies).
 */

/** One statement of a policy document, with its single-or-list fields as lists. */
export interface Statement {
    sid: string | undefined;
    effect: string;
    /** Action, or NotAction when `notAction` is set. */
    actions: string[];
    notAction: boolean;
    /** Resource, or NotResource when `notResource` is set. */
    resources: string[];
    notResource: boolean;
    /** Principal, or NotPrincipal when `notPrincipal` is set; undefined in identity policies. */
    principal: unknown;
    notPrincipal: boolean;
    condition: Record<string, unknown>;
}

export type DocumentKind = "identity" | "trust" | "resource";

export interface PolicyDocument {
    kind: DocumentKind;
    /** How messages name the document: "policy", 'inline policy "x"', "trust policy", "bucket policy", "key policy", ... */
    where: string;
    /** The service whose resource policy this is (s3, kms, glue, logs); undefined for IAM documents. */
    service?: string;
    /** UNKNOWN when the document is computed from other resources' outputs (preview). */
    statements: Statement[] | Unknown;
}

const strings = (value: unknown): string[] => asList(value).filter((item): item is string => typeof item === "string");

/**
 * The statements of a policy document given as JSON text or as an object; UNKNOWN when the document
 * is computed from other resources' outputs (preview), undefined when absent or not a policy.
 */
export function policyStatements(document: unknown): Statement[] | Unknown | undefined {
    const parsed = jsonDocument(document);
    if (parsed === undefined || isUnknown(parsed)) return parsed;
    if (isUnknown(parsed.Statement)) return UNKNOWN;
    return asList(parsed.Statement)
        .filter(isRecord)
        .map((statement) => ({
            sid: typeof statement.Sid === "string" ? statement.Sid : undefined,
            effect: String(statement.Effect),
            actions: strings(statement.Action ?? statement.NotAction),
            notAction: statement.NotAction !== undefined,
            resources: strings(statement.Resource ?? statement.NotResource),
            notResource: statement.NotResource !== undefined,
            principal: statement.Principal ?? statement.NotPrincipal,
            notPrincipal: statement.NotPrincipal !== undefined,
            condition: isRecord(statement.Condition) ? statement.Condition : {},
        }));
}

interface DocumentSource {
    kind: DocumentKind;
    where: string;
    service?: string;
    document: unknown;
}

const identity = (props: Record<string, unknown>): DocumentSource[] => [{ kind: "identity", where: "policy", document: props.policy }];
const resourcePolicy =
    (service: string, where: string, property: string) =>
    (props: Record<string, unknown>): DocumentSource[] => [{ kind: "resource", service, where, document: props[property] }];

/** Where each resource type keeps its policy documents. */
const SOURCES: Readonly<Record<string, (props: Record<string, unknown>) => DocumentSource[]>> = {
    "aws:iam/policy:Policy": identity,
    "aws:iam/rolePolicy:RolePolicy": identity,
    "aws:iam/userPolicy:UserPolicy": identity,
    "aws:iam/groupPolicy:GroupPolicy": identity,
    "aws:iam/role:Role": (props) => [
        { kind: "trust", where: "trust policy", document: props.assumeRolePolicy },
        ...asList(props.inlinePolicies).map((inline, index): DocumentSource => {
            const name = at(inline, "name");
            return {
                kind: "identity",
                where: `inline policy ${typeof name === "string" ? JSON.stringify(name) : `#${index + 1}`}`,
                document: at(inline, "policy"),
            };
        }),
    ],
    "aws:s3/bucketPolicy:BucketPolicy": resourcePolicy("s3", "bucket policy", "policy"),
    "aws:s3/bucket:Bucket": resourcePolicy("s3", "inline bucket policy", "policy"),
    "aws:s3/bucketV2:BucketV2": resourcePolicy("s3", "inline bucket policy", "policy"),
    "aws:kms/key:Key": resourcePolicy("kms", "key policy", "policy"),
    "aws:kms/keyPolicy:KeyPolicy": resourcePolicy("kms", "key policy", "policy"),
    "aws:glue/resourcePolicy:ResourcePolicy": resourcePolicy("glue", "Glue catalog resource policy", "policy"),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": resourcePolicy("logs", "log resource policy", "policyDocument"),
};

/** Every type that carries a policy document. */
export const POLICY_DOCUMENT_TYPES: readonly string[] = Object.keys(SOURCES);
/** The types that carry identity policies. */
export const IDENTITY_POLICY_TYPES: readonly string[] = [
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws:iam/role:Role",
];
/** The types that carry a document with principals: trust and resource policies. */
export const PRINCIPAL_POLICY_TYPES: readonly string[] = POLICY_DOCUMENT_TYPES.filter(
    (type) => !IDENTITY_POLICY_TYPES.includes(type) || type === "aws:iam/role:Role",
);

/** The policy documents `resource` carries, of the given kinds (all kinds when absent); absent documents are left out. */
export function policyDocuments(resource: { type: string; props: Record<string, unknown> }, kinds?: readonly DocumentKind[]): PolicyDocument[] {
    const sources = SOURCES[resource.type]?.(resource.props) ?? [];
    return sources
        .filter((source) => kinds === undefined || kinds.includes(source.kind))
        .flatMap(({ document, ...source }) => {
            const statements = policyStatements(document);
            return statements === undefined ? [] : [{ ...source, statements }];
        });
}

/** A statement with where it is, for messages: 'policy statement "ReadStaging"', "key policy statement #2". */
export interface LocatedStatement {
    document: PolicyDocument;
    statement: Statement;
    where: string;
}

/** How a statement is named in a violation message. */
export function describeStatement(statement: Statement, index: number): string {
    return statement.sid === undefined ? `statement #${index + 1}` : `statement "${statement.sid}"`;
}

/**
 * The statements of `resource`'s documents of the given kinds and effect, each located. Documents
 * unknown in preview are skipped: `pulumi up` analyzes again with the resolved values.
 */
export function statementsOf(
    resource: { type: string; props: Record<string, unknown> },
    kinds: readonly DocumentKind[],
    effect: "Allow" | "Deny" = "Allow",
): LocatedStatement[] {
    return policyDocuments(resource, kinds).flatMap((document) =>
        isUnknown(document.statements)
            ? []
            : document.statements.flatMap((statement, index) =>
                  statement.effect === effect ? [{ document, statement, where: `${document.where} ${describeStatement(statement, index)}` }] : [],
              ),
    );
}

/** Whether the statement's Action (or NotAction) covers `action`, wildcards in every form included. */
export function coversAction(statement: Statement, action: string): boolean {
    const matched = statement.actions.some((pattern) => globMatches(pattern, action));
    return statement.notAction ? !matched : matched;
}

/**
 * Why the statement applies to everything of a kind, or undefined when every Resource is specific:
 * NotResource, "*", or an ARN pattern such as "arn:aws:s3:::*" or "arn:aws:iam::<account>:role/*".
 */
export function unconstrainedResource(statement: Statement): string | undefined {
    if (statement.notResource) return `every resource but ${statement.resources.join(", ")}`;
    for (const resource of statement.resources) {
        const wildcard = resourceWildcard(resource);
        if (wildcard !== undefined) return `"${resource}" (${wildcard})`;
    }
    return undefined;
}

/** The principals of a statement, by kind; `everyone` when any of them is "*" or every account. */
export interface Principals {
    everyone: boolean;
    aws: string[];
    service: string[];
    federated: string[];
    canonicalUser: string[];
}

/** An AWS principal that stands for every account: "*", or an ARN or account pattern with a wildcard account. */
function isEveryAccount(principal: string): boolean {
    if (/^\*+$/.test(principal)) return true;
    const arn = parseArn(principal);
    return arn !== undefined && arn.account.includes("*");
}

export function principalsOf(statement: Statement): Principals {
    const principal = statement.principal;
    const found: Principals = { everyone: false, aws: [], service: [], federated: [], canonicalUser: [] };
    if (typeof principal === "string") {
        found.everyone = /^\*+$/.test(principal);
        return found;
    }
    if (!isRecord(principal)) return found;
    const kinds = { AWS: "aws", Service: "service", Federated: "federated", CanonicalUser: "canonicalUser" } as const;
    for (const [key, kind] of Object.entries(kinds)) {
        const values = strings(principal[key]);
        found[kind].push(...values);
        if (values.some((value) => (kind === "aws" ? isEveryAccount(value) : /^\*+$/.test(value)))) found.everyone = true;
    }
    return found;
}

/** Condition keys that limit who can use a grant to known accounts, organizations, sources or network paths. */
const LIMITING_KEYS = new Set(
    [
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOwner",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:VpceAccount",
        "aws:VpceOrgID",
        "aws:VpceOrgPaths",
        "aws:userid",
        "kms:CallerAccount",
    ].map((key) => key.toLowerCase()),
);
const ACCOUNT_KEYS = new Set(["aws:principalaccount", "aws:sourceaccount", "aws:sourceowner", "aws:vpceaccount", "kms:calleraccount"]);
/** Positive matching operators; negated ones ("StringNotEquals") and "...IfExists" (absent key passes) limit nothing. */
const LIMITING_OPERATOR = /^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/i;

function limitingValue(key: string, value: unknown): boolean {
    if (isUnknown(value)) return true; // computed from the program's own resources: known after preview
    if (typeof value !== "string" || value === "" || /^\*+$/.test(value)) return false;
    if (ACCOUNT_KEYS.has(key)) return /^\d{12}$/.test(value);
    const arn = parseArn(value);
    return arn === undefined || !arn.account.includes("*");
}

/**
 * The condition key that limits who can use the statement (to an account, an organization, a
 * source ARN or a VPC endpoint), or undefined when nothing does. Only positive matches on such a
 * key, with no wildcard account among the values, count (after checkov CKV_AWS_70).
 */
export function limitingCondition(statement: Statement): string | undefined {
    for (const [operator, block] of Object.entries(statement.condition)) {
        if (!LIMITING_OPERATOR.test(operator) || !isRecord(block)) continue;
        for (const [key, value] of Object.entries(block)) {
            const values = isUnknown(value) ? [value] : asList(value);
            if (LIMITING_KEYS.has(key.toLowerCase()) && values.length > 0 && values.every((item) => limitingValue(key.toLowerCase(), item))) return key;
        }
    }
    return undefined;
}
