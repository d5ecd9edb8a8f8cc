import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BUCKET_ROLE_TAG, BucketPurpose, purposeInBucketName } from "../../model/naming";

export type BucketEncryption =
    /** SSE-KMS with the given customer-managed key and an S3 bucket key (fewer KMS calls). */
    | { kind: "kms"; keyArn: pulumi.Input<string> }
    /** SSE-S3: the only encryption S3 server access logging can deliver into. */
    | { kind: "s3" };

export interface SecureBucketArgs {
    bucketName: string;
    /**
     * What the bucket is for, set as its bucket-role tag: the policy pack decides from this tag
     * which requirements the bucket has (data buckets: KMS, versioning, access logs, protection).
     * When absent, the purpose its conventional name states (<prefix>-<stage>-<purpose>-<suffix>);
     * a bucket with neither gets no tag, which the pack reports and treats as a data bucket.
     */
    role?: BucketPurpose;
    encryption: BucketEncryption;
    versioned?: boolean;
    /** Where S3 server access logs of this bucket go; no logging when absent. */
    accessLogs?: { bucketName: pulumi.Input<string>; prefix: string };
    /** Lifecycle rules besides the abort-incomplete-uploads rule every bucket gets. */
    lifecycleRules?: aws.types.input.s3.BucketLifecycleConfigurationRule[];
    /** Extra statements for the bucket policy, which always denies requests without TLS. */
    policyStatements?: pulumi.Input<aws.iam.PolicyStatement>[];
    /** Let `pulumi destroy` delete a bucket that still holds objects. */
    forceDestroy?: boolean;
    /** protect + retainOnDelete on the bucket itself: its objects outlive the stack. */
    protectData?: boolean;
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
                        id: "abort-incomplete-multipart-uploads",
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
