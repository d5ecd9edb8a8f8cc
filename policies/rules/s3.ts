import type { Policies } from "@pulumi/policy";
import { BUCKET_PURPOSES, BUCKET_ROLE_TAG, bucketNameProblem, DATA_BUCKET_PURPOSES, followsBucketConvention } from "../model/naming";
import { Guardrail, resourceGuardrail, ResourceView, stackGuardrail, StackResourceView, StackView } from "../support/guardrail";
import { coversAction, policyStatements, principalsOf, Statement, statementsOf } from "../support/policyDocument";
import { bucketRole, dataBucketLabel, ScopeConfig, scopedSchema } from "../support/scope";
import { asList, at, isUnknown, nonEmptyString } from "../support/values";
import { NetworkConfig, networkSchema } from "./network";

/**
 * S3. In aws v7 a bucket's settings are separate "sidecar" resources that name the bucket in their
 * `bucket` input, so most checks are stack policies: they start from each bucket and look for the
 * sidecars that refer to it (see StackView.referencing for how, given that preview does not know
 * bucket ids).
 */

export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"] as const;

/** Sidecar type tokens; the V2 names are aws v7's deprecated aliases of the same resources. */
const SIDECARS = {
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    ownership: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    policy: ["aws:s3/bucketPolicy:BucketPolicy"],
    logging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
    lifecycle: ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"],
} as const;

function bucketLabel(bucket: StackResourceView): string {
    const name = bucket.props.bucket;
    return typeof name === "string" ? `Bucket "${name}"` : `Bucket ${bucket.name}`;
}

interface SidecarGuardrail<C> extends Guardrail {
    /** The sidecar a bucket needs, as in "has no <what>". */
    what: string;
    sidecarTypes: readonly string[];
    /** Which buckets need the sidecar; every bucket when absent. */
    concerns?: (bucket: StackResourceView, config: C) => boolean;
    /** How messages name the bucket; bucketLabel when absent. */
    label?: (bucket: StackResourceView, config: C) => string;
    /** What is wrong with one sidecar of `bucket`; unknown values are no problem (see values.ts). */
    problems(sidecar: StackResourceView, bucket: StackResourceView, config: C): string[];
}

/** A stack rule: every concerned bucket has a sidecar of the given types, and each such sidecar is right. */
function sidecarGuardrail<C extends object>(rule: SidecarGuardrail<C>) {
    return stackGuardrail<C>({
        ...rule,
        check: (stack: StackView, report, config) => {
            for (const bucket of stack.ofType(BUCKET_TYPES)) {
                if (rule.concerns !== undefined && !rule.concerns(bucket, config)) continue;
                const label = rule.label?.(bucket, config) ?? bucketLabel(bucket);
                const sidecars = stack.referencing(bucket, rule.sidecarTypes, "bucket", "bucket");
                if (sidecars.length === 0) {
                    report(bucket.urn, `${label} has no ${rule.what}.`);
                }
                for (const sidecar of sidecars) {
                    for (const problem of rule.problems(sidecar, bucket, config)) {
                        report(sidecar.urn, `${label}: ${problem}`);
                    }
                }
            }
        },
    });
}

/** Data buckets by their declared role (see support/scope.ts bucketRole), not by their name. */
const isDataBucket = (bucket: StackResourceView, scope: ScopeConfig) => bucketRole(bucket, scope).isData;
const dataLabel = (bucket: StackResourceView, scope: ScopeConfig) => dataBucketLabel(bucket, bucketRole(bucket, scope));
const DATA_ROLES = `${BUCKET_ROLE_TAG} ${DATA_BUCKET_PURPOSES.join(" or ")}`;

/** SSE-KMS with a customer-managed key: a key ARN or alias that is not one of AWS's own `alias/aws/...` keys. */
function encryptionProblems(sidecar: StackResourceView, dataBucket: boolean): string[] {
    if (isUnknown(sidecar.props.rules)) return [];
    const defaults = asList(sidecar.props.rules).map((rule) => ({ rule, algorithm: at(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") }));
    if (defaults.some(({ algorithm }) => isUnknown(algorithm))) return [];
    if (!dataBucket) {
        return defaults.some(({ algorithm }) => algorithm !== undefined) ? [] : ["sets no default encryption algorithm."];
    }
    const kms = defaults.find(({ algorithm }) => algorithm === "aws:kms");
    if (kms === undefined) {
        return [`encrypted with ${defaults.map(({ algorithm }) => String(algorithm)).join(", ") || "nothing"} instead of SSE-KMS (aws:kms).`];
    }
    const problems: string[] = [];
    const key = nonEmptyString(at(kms.rule, "applyServerSideEncryptionByDefault", "kmsMasterKeyId"));
    if (key === undefined) {
        problems.push("SSE-KMS without kmsMasterKeyId uses the AWS-managed aws/s3 key, not the stage's customer-managed key.");
    } else if (!isUnknown(key) && /(^|:)alias\/aws\//.test(key)) {
        problems.push(`SSE-KMS uses the AWS-managed key ${key}, not a customer-managed key.`);
    }
    const bucketKey = at(kms.rule, "bucketKeyEnabled");
    if (!isUnknown(bucketKey) && bucketKey !== true) {
        problems.push("bucketKeyEnabled is not true: every object operation becomes a KMS call.");
    }
    return problems;
}

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** A Deny of every S3 action to everyone, on the bucket and its objects: the shape of the guard statements below. */
function deniesAllS3ToEveryone(statement: Statement): boolean {
    const everyone = !statement.notPrincipal && principalsOf(statement).everyone;
    const allS3 = !statement.notAction && statement.actions.some((action) => action === "s3:*" || action === "*");
    const coversBucket = statement.resources.some((resource) => resource === "*" || isUnknown(resource) || !resource.includes("/"));
    const coversObjects = statement.resources.some((resource) => resource === "*" || isUnknown(resource) || resource.endsWith("/*"));
    return statement.effect === "Deny" && everyone && allS3 && !statement.notResource && coversBucket && coversObjects;
}

function deniesInsecureTransport(statement: Statement): boolean {
    const secureTransport = at(statement.condition, "Bool", "aws:SecureTransport");
    return deniesAllS3ToEveryone(statement) && (secureTransport === "false" || secureTransport === false);
}

/** The condition that makes a deny apply to requests not made through the named VPC endpoint (or VPC). */
const ENDPOINT_CONDITION_KEYS = ["aws:sourcevpce", "aws:sourcevpc"];

function deniesOutsideEndpoint(statement: Statement): boolean {
    const notEquals = at(statement.condition, "StringNotEquals") ?? at(statement.condition, "StringNotEqualsIfExists");
    const endpoint: unknown =
        typeof notEquals === "object" && notEquals !== null
            ? Object.entries(notEquals as Record<string, unknown>).find(([key]) => ENDPOINT_CONDITION_KEYS.includes(key.toLowerCase()))?.[1]
            : undefined;
    return deniesAllS3ToEveryone(statement) && (isUnknown(endpoint) || nonEmptyString(endpoint) !== undefined || asList(endpoint).length > 0);
}

/** Canned ACLs that grant to the public, and to whom. */
const PUBLIC_CANNED_ACLS: Readonly<Record<string, string>> = {
    "public-read": "everyone can read",
    "public-read-write": "everyone can read and write",
    "authenticated-read": "every AWS account can read",
};
/** ACL grantee groups that are the public. */
const PUBLIC_GRANTEES: Readonly<Record<string, string>> = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "everyone (AllUsers)",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "every AWS account (AuthenticatedUsers)",
};
/** Resources that carry an ACL: inline on the bucket, aws v7's separate ACL resources, and objects. */
const ACL_TYPES = [
    ...BUCKET_TYPES,
    "aws:s3/bucketAcl:BucketAcl",
    "aws:s3/bucketAclV2:BucketAclV2",
    "aws:s3/bucketObject:BucketObject",
    "aws:s3/bucketObjectv2:BucketObjectv2",
    "aws:s3/objectCopy:ObjectCopy",
];

/** What of an ACL resource grants to the public: its canned ACL and its grants (Bucket/ObjectCopy `grants`, BucketAcl `accessControlPolicy.grants`). */
function publicAclProblems(resource: ResourceView): string[] {
    const problems: string[] = [];
    const acl = resource.props.acl;
    if (typeof acl === "string" && PUBLIC_CANNED_ACLS[acl] !== undefined) problems.push(`canned ACL "${acl}": ${PUBLIC_CANNED_ACLS[acl]}`);
    const grants = [...asList(resource.props.grants), ...asList(at(resource.props, "accessControlPolicy", "grants"))];
    for (const grant of grants) {
        const uri = at(grant, "uri") ?? at(grant, "grantee", "uri");
        if (typeof uri !== "string" || PUBLIC_GRANTEES[uri] === undefined) continue;
        const permissions = [...asList(at(grant, "permissions")), ...asList(at(grant, "permission"))].map(String);
        problems.push(`a grant of ${permissions.join(", ") || "(no permission)"} to ${PUBLIC_GRANTEES[uri]}`);
    }
    return problems;
}

/**
 * A Deny to everyone, without condition, of s3:PutBucketPolicy (in any form: "s3:*", "s3:Put*",
 * "*"...): after it, only the account's root user can change or delete the policy (CKV_AWS_93).
 */
function locksOutPolicy(statement: Statement): boolean {
    return (
        !statement.notPrincipal &&
        principalsOf(statement).everyone &&
        Object.keys(statement.condition).length === 0 &&
        coversAction(statement, "s3:PutBucketPolicy")
    );
}

/** Inline Bucket arguments aws v7 deprecates, and the resource that replaces each. */
const DEPRECATED_BUCKET_ARGUMENTS: Readonly<Record<string, string>> = {
    accelerationStatus: "aws.s3.BucketAccelerateConfiguration",
    acl: "aws.s3.BucketAcl",
    corsRules: "aws.s3.BucketCorsConfiguration",
    grants: "aws.s3.BucketAcl",
    lifecycleRules: "aws.s3.BucketLifecycleConfiguration",
    logging: "aws.s3.BucketLogging",
    objectLockConfiguration: "objectLockEnabled and aws.s3.BucketObjectLockConfiguration",
    policy: "aws.s3.BucketPolicy",
    replicationConfiguration: "aws.s3.BucketReplicationConfig",
    requestPayer: "aws.s3.BucketRequestPaymentConfiguration",
    serverSideEncryptionConfiguration: "aws.s3.BucketServerSideEncryptionConfiguration",
    versioning: "aws.s3.BucketVersioning",
    website: "aws.s3.BucketWebsiteConfiguration",
};

export const s3Policies: Policies = [
    sidecarGuardrail<ScopeConfig>({
        name: "s3-bucket-encryption",
        description: `Every bucket declares default encryption; data buckets (${DATA_ROLES}, or role unknown) use SSE-KMS with a customer-managed key and an S3 bucket key.`,
        severity: "critical",
        remediation:
            'Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket; for data buckets use sseAlgorithm "aws:kms" with kmsMasterKeyId = the stage\'s data key ARN and bucketKeyEnabled: true (infra/storage/secureBucket.ts does this for encryption kind "kms").',
        configSchema: scopedSchema(),
        what: "default-encryption configuration (aws.s3.BucketServerSideEncryptionConfiguration)",
        sidecarTypes: SIDECARS.encryption,
        label: (bucket, scope) => (isDataBucket(bucket, scope) ? dataLabel(bucket, scope) : bucketLabel(bucket)),
        problems: (sidecar, bucket, scope) => encryptionProblems(sidecar, isDataBucket(bucket, scope)),
    }),
    sidecarGuardrail({
        name: "s3-public-access-block",
        description: "Every bucket has a public access block with all four flags set.",
        severity: "critical",
        remediation:
            "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
        what: "public access block (aws.s3.BucketPublicAccessBlock)",
        sidecarTypes: SIDECARS.publicAccessBlock,
        problems: (sidecar) => {
            const off = PUBLIC_ACCESS_FLAGS.filter((flag) => !isUnknown(sidecar.props[flag]) && sidecar.props[flag] !== true);
            return off.length === 0 ? [] : [`public access block leaves ${off.join(", ")} off.`];
        },
    }),
    sidecarGuardrail({
        name: "s3-ownership-enforced",
        description: "Every bucket enforces bucket-owner object ownership, which disables ACLs.",
        severity: "high",
        remediation: 'Add an aws.s3.BucketOwnershipControls for the bucket with rule.objectOwnership "BucketOwnerEnforced".',
        what: "ownership controls (aws.s3.BucketOwnershipControls)",
        sidecarTypes: SIDECARS.ownership,
        problems: (sidecar) => {
            const ownership = at(sidecar.props, "rule", "objectOwnership");
            return isUnknown(ownership) || ownership === "BucketOwnerEnforced" ? [] : [`object ownership is ${String(ownership)}, not BucketOwnerEnforced.`];
        },
    }),
    sidecarGuardrail<ScopeConfig>({
        name: "s3-data-bucket-versioning",
        description: `Data buckets (${DATA_ROLES}, or role unknown) keep object versions.`,
        severity: "high",
        remediation: 'Add an aws.s3.BucketVersioning for the bucket with versioningConfiguration.status "Enabled" (SecureBucket\'s versioned: true).',
        configSchema: scopedSchema(),
        what: "versioning (aws.s3.BucketVersioning)",
        sidecarTypes: SIDECARS.versioning,
        concerns: isDataBucket,
        label: dataLabel,
        problems: (sidecar) => {
            const status = at(sidecar.props, "versioningConfiguration", "status");
            return isUnknown(status) || status === "Enabled" ? [] : [`versioning status is ${String(status)}, not Enabled.`];
        },
    }),
    sidecarGuardrail({
        name: "s3-tls-only",
        description: "Every bucket's policy denies all requests that do not use TLS.",
        severity: "high",
        remediation:
            'Add an aws.s3.BucketPolicy for the bucket with a statement {Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket ARN, bucket ARN + "/*"], Condition: {Bool: {"aws:SecureTransport": "false"}}}.',
        what: "bucket policy (aws.s3.BucketPolicy) denying requests without TLS",
        sidecarTypes: SIDECARS.policy,
        problems: (sidecar) => {
            const statements = policyStatements(sidecar.props.policy);
            if (isUnknown(statements)) return [];
            return statements?.some(deniesInsecureTransport)
                ? []
                : ['bucket policy has no statement denying s3:* to everyone when aws:SecureTransport is "false".'];
        },
    }),
    sidecarGuardrail<NetworkConfig>({
        name: "s3-data-bucket-endpoint-only",
        description: `With spotify:network "isolated", data buckets (${DATA_ROLES}, or role unknown) deny every S3 request that does not come through the stage's S3 VPC endpoint: a bucket-policy statement denying s3:* on the bucket and its objects to everyone under StringNotEquals aws:SourceVpce (AWS: "Restricting access to a specific VPC endpoint").`,
        severity: "high",
        remediation:
            "Give the bucket's aws.s3.BucketPolicy the endpoint-only statements (infra/storage/bucketPolicies.ts endpointOnlyStatements, which SecureBucket adds when the storage layer gets the network layer's S3 endpoint).",
        configSchema: networkSchema(),
        what: "bucket policy (aws.s3.BucketPolicy) denying requests from outside the VPC endpoint",
        sidecarTypes: SIDECARS.policy,
        concerns: (bucket, config) => config.network === "isolated" && isDataBucket(bucket, config),
        label: dataLabel,
        problems: (sidecar) => {
            const statements = policyStatements(sidecar.props.policy);
            if (isUnknown(statements)) return [];
            return statements?.some(deniesOutsideEndpoint)
                ? []
                : [
                      'bucket policy has no statement denying s3:* on the bucket and its objects to everyone under StringNotEquals "aws:SourceVpce": the data can be reached from outside the isolated network.',
                  ];
        },
    }),
    sidecarGuardrail<ScopeConfig>({
        name: "s3-access-logging",
        description: `Data buckets (${DATA_ROLES}, or role unknown) write S3 server access logs (required in prod).`,
        severity: "medium",
        remediation:
            "Add an aws.s3.BucketLogging for the bucket targeting the stage's access-logs bucket (set spotify:accessLogging: true in Pulumi.<stage>.yaml).",
        configSchema: scopedSchema(),
        what: "server access logging (aws.s3.BucketLogging)",
        sidecarTypes: SIDECARS.logging,
        concerns: isDataBucket,
        label: dataLabel,
        problems: (sidecar) => (nonEmptyString(sidecar.props.targetBucket) === undefined ? ["access logging has no targetBucket."] : []),
    }),
    sidecarGuardrail({
        name: "s3-abort-incomplete-uploads",
        description: "Every bucket has an enabled lifecycle rule that aborts incomplete multipart uploads.",
        severity: "low",
        remediation:
            'Add a rule {status: "Enabled", filter: {}, abortIncompleteMultipartUpload: {daysAfterInitiation: 1}} to the bucket\'s aws.s3.BucketLifecycleConfiguration (SecureBucket adds it to every bucket).',
        what: "lifecycle configuration (aws.s3.BucketLifecycleConfiguration)",
        sidecarTypes: SIDECARS.lifecycle,
        problems: (sidecar) => {
            if (isUnknown(sidecar.props.rules)) return [];
            const aborts = asList(sidecar.props.rules).some(
                (rule) => at(rule, "status") === "Enabled" && typeof at(rule, "abortIncompleteMultipartUpload", "daysAfterInitiation") === "number",
            );
            return aborts ? [] : ["no enabled lifecycle rule aborts incomplete multipart uploads (their parts are billed forever)."];
        },
    }),
    resourceGuardrail({
        name: "s3-no-inline-bucket-arguments",
        description: "Buckets use aws v7's separate S3 resources, none of the deprecated inline Bucket arguments.",
        severity: "medium",
        remediation:
            "Remove the inline argument from the Bucket and declare the resource that replaces it (listed in the message), as infra/storage/secureBucket.ts does.",
        appliesTo: BUCKET_TYPES,
        check: (bucket, report) => {
            for (const [argument, replacement] of Object.entries(DEPRECATED_BUCKET_ARGUMENTS)) {
                if (bucket.props[argument] !== undefined) {
                    report(`Bucket sets the deprecated inline argument "${argument}"; use ${replacement} instead.`);
                }
            }
        },
    }),
    resourceGuardrail({
        name: "s3-no-public-acls",
        description:
            "No bucket or object is made public by an ACL: no public canned ACL (public-read, public-read-write, authenticated-read) and no grant to AllUsers or AuthenticatedUsers, inline or on an aws.s3.BucketAcl.",
        severity: "critical",
        remediation:
            "Remove the ACL (and the aws.s3.BucketAcl): buckets enforce BucketOwnerEnforced ownership, which disables ACLs; share data through IAM roles and the bucket policy instead.",
        appliesTo: ACL_TYPES,
        check: (resource, report) => {
            for (const problem of publicAclProblems(resource)) report(`${resource.type.split(":").pop()} ${resource.name} makes data public with ${problem}.`);
        },
    }),
    resourceGuardrail({
        name: "s3-bucket-policy-lockout",
        description:
            "No bucket policy denies s3:PutBucketPolicy (in any form, such as s3:* or s3:Put*) to everyone without a condition, which would leave only the root user able to change it.",
        severity: "medium",
        remediation:
            'Give the Deny statement a Condition (such as {Bool: {"aws:SecureTransport": "false"}}) or narrow its actions to what must be denied, leaving s3:PutBucketPolicy to the account\'s roles.',
        appliesTo: [...SIDECARS.policy, ...BUCKET_TYPES],
        check: (resource, report) => {
            for (const { statement, where } of statementsOf(resource, ["resource"], "Deny")) {
                if (locksOutPolicy(statement))
                    report(
                        `${where} denies ${statement.notAction ? `everything but ${statement.actions.join(", ")}` : statement.actions.join(", ")} to everyone without a condition: only the root user could change the bucket policy again.`,
                    );
            }
        },
    }),
    resourceGuardrail<ScopeConfig>({
        name: "s3-bucket-naming",
        description: "Bucket names are explicit, follow <prefix>-<stage>-<purpose>-<suffix> (model/naming.ts) and S3's DNS rules.",
        severity: "medium",
        remediation: "Name the bucket with bucketName(config, purpose) from model/naming.ts, which builds and validates the conventional name.",
        configSchema: scopedSchema(),
        appliesTo: BUCKET_TYPES,
        check: (bucket, report, scope) => {
            const name = bucket.props.bucket;
            if (isUnknown(name)) return;
            if (typeof name !== "string") {
                const how = bucket.props.bucketPrefix !== undefined ? "only a bucketPrefix" : "no bucket name";
                report(`Bucket ${bucket.name} has ${how}, so S3 gets a generated name outside the naming convention.`);
                return;
            }
            const problem = bucketNameProblem(name);
            if (problem !== undefined) {
                report(`Bucket name "${name}" breaks S3's naming rules: it ${problem}.`);
            } else if (!followsBucketConvention(name, scope)) {
                report(
                    `Bucket name "${name}" does not follow ${scope.namePrefix}-${scope.stage}-<purpose>-<suffix> with <purpose> one of ${BUCKET_PURPOSES.join(", ")}.`,
                );
            }
        },
    }),
    resourceGuardrail<ScopeConfig>({
        name: "s3-bucket-role",
        description: `Every bucket declares its role in its own ${BUCKET_ROLE_TAG} tag (one of ${BUCKET_PURPOSES.join(", ")}), consistent with its conventional name; a bucket whose role cannot be told is held to every data-bucket rule.`,
        severity: "high",
        remediation: `Create the bucket with SecureBucket and role: "<purpose>" (it sets the bucket's ${BUCKET_ROLE_TAG} tag), or set tags: {"${BUCKET_ROLE_TAG}": "<purpose>"} on the bucket itself (provider defaultTags do not count); the purpose must match the one its name states.`,
        configSchema: scopedSchema(),
        appliesTo: BUCKET_TYPES,
        check: (bucket, report, scope) => {
            const role = bucketRole(bucket, scope);
            const label = typeof bucket.props.bucket === "string" ? `Bucket "${bucket.props.bucket}"` : `Bucket ${bucket.name}`;
            if (role.declared === "unknown") return;
            if (role.declared === undefined) {
                const tag =
                    role.tagValue === undefined
                        ? `has no ${BUCKET_ROLE_TAG} tag`
                        : `has ${BUCKET_ROLE_TAG} ${JSON.stringify(role.tagValue)}, which is not one of ${BUCKET_PURPOSES.join(", ")}`;
                report(
                    `${label} ${tag}, so its role cannot be told: it is held to every data-bucket rule (encryption, versioning, access logging, protection).`,
                );
            } else if (role.named !== undefined && role.named !== role.declared) {
                report(
                    `${label} is tagged ${BUCKET_ROLE_TAG} "${role.declared}" but its name says ${role.named}${role.isData ? ": it is held to the data-bucket rules until the two agree" : ""}.`,
                );
            }
        },
    }),
];
