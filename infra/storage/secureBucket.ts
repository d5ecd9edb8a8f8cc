import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BUCKET_ROLE_TAG, BucketPurpose, bucketNameProblem, purposeInBucketName } from "../../model/naming";
import { rejectArgProblems } from "../componentArgs";
import { keyPrefixProblem } from "../s3Uris";

export type BucketEncryption =
    /** SSE-KMS with the given customer-managed key and an S3 bucket key (fewer KMS calls). */
    | { readonly kind: "kms"; readonly keyArn: pulumi.Input<string> }
    /** SSE-S3: the only encryption S3 server access logging can deliver into. */
    | { readonly kind: "s3" };

/** Where a bucket's S3 server access logs go. */
export interface AccessLogDestination {
    /** The bucket that receives the logs: never the logged bucket itself. */
    readonly bucketName: pulumi.Input<string>;
    /** The key prefix of the logs in it, ending in "/" (as "s3/staging/"). */
    readonly prefix: string;
}

/** The lifecycle rule every SecureBucket has; no other rule may take its id. */
const ABORT_UPLOADS_RULE = "abort-incomplete-multipart-uploads";
/** S3's limit on a lifecycle rule's id (PutBucketLifecycleConfiguration, Rule.ID). */
const MAX_RULE_ID_LENGTH = 255;

export interface SecureBucketArgs {
    /** The bucket's name, which S3's naming rules apply to (model/naming.ts bucketNameProblem). */
    readonly bucketName: string;
    /**
     * What the bucket is for, set as its bucket-role tag: the policy pack decides from this tag
     * which requirements the bucket has (data buckets: KMS, versioning, access logs, protection).
     * When absent, the purpose its conventional name states (<prefix>-<stage>-<purpose>-<suffix>);
     * a bucket with neither gets no tag, which the pack reports and treats as a data bucket. A role
     * that contradicts the purpose the name states is refused: the pack would report the bucket.
     */
    readonly role?: BucketPurpose;
    /** How objects are encrypted at rest. */
    readonly encryption: BucketEncryption;
    /** Keep every version of every object. Default false. */
    readonly versioned?: boolean;
    /** Where S3 server access logs of this bucket go. Default: no access logging. */
    readonly accessLogs?: AccessLogDestination;
    /** Lifecycle rules besides the abort-incomplete-uploads rule every bucket gets, each with an id of its own. Default none. */
    readonly lifecycleRules?: readonly aws.types.input.s3.BucketLifecycleConfigurationRule[];
    /** Extra statements for the bucket policy, which always denies requests without TLS. Default none. */
    readonly policyStatements?: readonly pulumi.Input<aws.iam.PolicyStatement>[];
    /** Let `pulumi destroy` delete a bucket that still holds objects. Default false; never with protectData. */
    readonly forceDestroy?: boolean;
    /** protect + retainOnDelete on the bucket itself: its objects outlive the stack. Default false. */
    readonly protectData?: boolean;
}

/** Why the lifecycle rules' ids (those given as plain strings) would be refused by S3 or clash with the bucket's own rule, or undefined. */
function lifecycleRuleIdProblem(rules: readonly aws.types.input.s3.BucketLifecycleConfigurationRule[]): string | undefined {
    const ids = rules.map((rule) => rule.id).filter((id): id is string => typeof id === "string");
    const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
    const badLength = ids.filter((id) => id.length === 0 || id.length > MAX_RULE_ID_LENGTH);
    if (ids.includes(ABORT_UPLOADS_RULE)) return `must not use the id "${ABORT_UPLOADS_RULE}": every SecureBucket has that rule already`;
    if (repeated.length > 0)
        return `ids must be unique in the bucket's configuration, got ${[...new Set(repeated)].map((id) => JSON.stringify(id)).join(", ")} more than once`;
    if (badLength.length > 0) return `ids must be 1-${MAX_RULE_ID_LENGTH} characters, got ${badLength.map((id) => JSON.stringify(id)).join(", ")}`;
    return undefined;
}

/**
 * Throws an error naming every arg of a SecureBucket that S3 or the policy pack would refuse: a
 * bucket name outside S3's rules, a role its name contradicts, access logs delivered into the bucket
 * itself or under a prefix without a trailing "/", lifecycle rule ids repeated, too long or taking
 * the abort-uploads rule's, and protectData together with forceDestroy.
 */
export function validateSecureBucketArgs(args: SecureBucketArgs): void {
    const nameProblem = bucketNameProblem(args.bucketName);
    const stated = purposeInBucketName(args.bucketName);
    rejectArgProblems("SecureBucketArgs", {
        bucketName: nameProblem === undefined ? undefined : `${nameProblem}, got ${JSON.stringify(args.bucketName)}`,
        role:
            args.role !== undefined && stated !== undefined && stated !== args.role
                ? `"${args.role}" contradicts the purpose "${stated}" that ${JSON.stringify(args.bucketName)} states: the policy pack would report the bucket`
                : undefined,
        "accessLogs.bucketName":
            args.accessLogs?.bucketName === args.bucketName ? "must not be the logged bucket itself: every log delivery would be logged in turn" : undefined,
        "accessLogs.prefix": args.accessLogs === undefined ? undefined : keyPrefixProblem(args.accessLogs.prefix),
        lifecycleRules: lifecycleRuleIdProblem(args.lifecycleRules ?? []),
        protectData:
            (args.protectData ?? false) && (args.forceDestroy ?? false)
                ? "must not be true with forceDestroy: a protected bucket's objects outlive the stack, which forceDestroy would empty it of"
                : undefined,
    });
}

/**
 * An S3 bucket with the guardrails every bucket of the pipeline needs, each as its own aws v7
 * resource: encryption, public access block, owner-enforced ownership, TLS-only policy,
 * lifecycle, and optionally versioning and access logging. The bucket carries its role as the
 * bucket-role tag (BUCKET_ROLE_TAG), which the policy pack reads.
 */
export class SecureBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly name: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        validateSecureBucketArgs(args);
        super("spotify:storage:SecureBucket", name, {}, opts);
        const protectData = args.protectData ?? false;
        const role = args.role ?? purposeInBucketName(args.bucketName);

        this.bucket = new aws.s3.Bucket(
            name,
            {
                bucket: args.bucketName,
                forceDestroy: args.forceDestroy ?? false,
                // Per bucket, beside the provider's defaultTags: the role is this bucket's, not the layer's.
                ...(role === undefined ? {} : { tags: { [BUCKET_ROLE_TAG]: role } }),
            },
            { parent: this, protect: protectData, retainOnDelete: protectData },
        );
        const bucketId = this.bucket.id;

        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucketId,
                rules: [
                    args.encryption.kind === "kms"
                        ? {
                              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.encryption.keyArn },
                              bucketKeyEnabled: true,
                          }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                ],
            },
            { parent: this },
        );
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            { bucket: bucketId, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { parent: this },
        );
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent: this });
        new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucketId,
                // Built here rather than by the getPolicyDocument invoke, so the document is plain
                // program output that previews and tests can read.
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                        ...(args.policyStatements ?? []),
                    ],
                }),
            },
            // S3 rejects a policy write while the public access block is still being applied.
            { parent: this, dependsOn: [publicAccessBlock] },
        );
        if (args.versioned ?? false) {
            new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucketId, versioningConfiguration: { status: "Enabled" } }, { parent: this });
        }
        if (args.accessLogs !== undefined) {
            new aws.s3.BucketLogging(
                `${name}-access-logging`,
                { bucket: bucketId, targetBucket: args.accessLogs.bucketName, targetPrefix: args.accessLogs.prefix },
                { parent: this },
            );
        }
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucketId,
                rules: [
                    {
                        id: ABORT_UPLOADS_RULE,
                        status: "Enabled",
                        filter: {},
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                    ...(args.lifecycleRules ?? []),
                ],
            },
            { parent: this },
        );

        this.name = this.bucket.bucket;
        this.arn = this.bucket.arn;
        this.registerOutputs({ name: this.name, arn: this.arn });
    }
}
