import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BucketPurpose, bucketNameProblem, DATA_BUCKET_PURPOSES } from "../../model/naming";
import { DATA_LAYOUT, StagePlan } from "../../model/stagePlan";
import type { AwsLocation } from "../awsLocation";
import { ArgProblems, rejectArgProblems, settingProblem } from "../componentArgs";
import type { AccessLogsBucket } from "./accessLogsBucket";
import { endpointOnlyStatements } from "./bucketPolicies";
import { SecureBucket, SecureBucketArgs } from "./secureBucket";

/** The buckets the pipeline works in: every bucket of the stage but the access logs. */
export const PIPELINE_BUCKET_PURPOSES = ["staging", "warehouse", "athena-results", "glue-assets"] as const satisfies readonly BucketPurpose[];
export type PipelineBucketPurpose = (typeof PIPELINE_BUCKET_PURPOSES)[number];

/** Days Glue's temporary files are kept: a run needs them only while it runs. */
const GLUE_TEMP_RETENTION_DAYS = 7;

export interface PipelineBucketsArgs {
    /** Each bucket's name (model/stagePlan.ts buckets), all different. */
    readonly bucketNames: Readonly<Record<PipelineBucketPurpose, string>>;
    /** The stage's data key: every bucket encrypts with it (SSE-KMS, with an S3 bucket key). */
    readonly dataKeyArn: pulumi.Input<string>;
    /** Where the data buckets (staging, warehouse) deliver their S3 server access logs. Default: no access logging. */
    readonly accessLogs?: Pick<AccessLogsBucket, "destinationFor">;
    /**
     * With network isolation, the S3 endpoint the data buckets admit and the roles exempt from that
     * (infra/storage/bucketPolicies.ts). Default: no endpoint-only statements.
     */
    readonly endpointOnly?: {
        readonly s3EndpointId: pulumi.Input<string>;
        readonly plan: Pick<StagePlan, "externalRoles" | "etl">;
    };
    /** The stage's partition (the buckets' ARNs) and account (the exempt roles' ARNs). */
    readonly location: Pick<AwsLocation, "partition" | "accountId">;
    /** Days the data buckets keep a replaced or deleted object's version, as spotify:noncurrentVersionRetentionDays allows. */
    readonly noncurrentVersionRetentionDays: number;
    /** Days before staging objects move to S3 Standard-IA, as spotify:stagingInfrequentAccessDays allows (S3 requires at least 30). */
    readonly stagingInfrequentAccessDays: number;
    /** Days before Athena's query results expire, as spotify:athenaResultsRetentionDays allows. */
    readonly athenaResultsRetentionDays: number;
    /** Let `pulumi destroy` delete the buckets with their objects. Default false; never with protectData. */
    readonly forceDestroy?: boolean;
    /** protect + retainOnDelete on the data buckets (staging, warehouse): their objects outlive the stack. Default false. */
    readonly protectData?: boolean;
}

/**
 * Throws an error naming every arg of PipelineBuckets that S3 or the stage would refuse: a bucket
 * name outside S3's rules or given to two buckets, or a retention outside its stage setting's rule.
 */
export function validatePipelineBucketsArgs(args: PipelineBucketsArgs): void {
    const names = PIPELINE_BUCKET_PURPOSES.map((purpose) => args.bucketNames[purpose]);
    const nameProblems: ArgProblems = Object.fromEntries(
        PIPELINE_BUCKET_PURPOSES.map((purpose, index) => {
            const name = names[index];
            const problem = bucketNameProblem(name);
            const other = PIPELINE_BUCKET_PURPOSES.find((_, otherIndex) => otherIndex < index && names[otherIndex] === name);
            return [
                `bucketNames.${purpose}`,
                problem !== undefined
                    ? `${problem}, got ${JSON.stringify(name)}`
                    : other !== undefined
                      ? `is also the ${other} bucket's name, ${JSON.stringify(name)}`
                      : undefined,
            ];
        }),
    );
    rejectArgProblems("PipelineBucketsArgs", {
        ...nameProblems,
        noncurrentVersionRetentionDays: settingProblem("noncurrentVersionRetentionDays", args.noncurrentVersionRetentionDays),
        stagingInfrequentAccessDays: settingProblem("stagingInfrequentAccessDays", args.stagingInfrequentAccessDays),
        athenaResultsRetentionDays: settingProblem("athenaResultsRetentionDays", args.athenaResultsRetentionDays),
    });
}

/**
 * The four buckets the pipeline works in, each a SecureBucket encrypted with the stage's data key.
 * The data buckets, staging and warehouse, hold the pipeline's records: versioned (old versions
 * expire), protected with protectData, access-logged and, under network isolation, reachable only
 * through the stage's S3 endpoint; staging moves to Standard-IA. Athena's results and Glue's
 * temporary files expire. Creates `<name>-<purpose>` for each purpose under `parent`.
 */
export class PipelineBuckets {
    public readonly buckets: Readonly<Record<PipelineBucketPurpose, SecureBucket>>;

    constructor(name: string, args: PipelineBucketsArgs, parent: pulumi.Resource) {
        validatePipelineBucketsArgs(args);
        const noncurrentExpiry = {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionRetentionDays },
        };
        const lifecycleRules: Record<PipelineBucketPurpose, aws.types.input.s3.BucketLifecycleConfigurationRule[]> = {
            staging: [
                noncurrentExpiry,
                {
                    id: "staging-to-infrequent-access",
                    status: "Enabled",
                    filter: {},
                    transitions: [{ days: args.stagingInfrequentAccessDays, storageClass: "STANDARD_IA" }],
                },
            ],
            warehouse: [noncurrentExpiry],
            "athena-results": [{ id: "expire-query-results", status: "Enabled", filter: {}, expiration: { days: args.athenaResultsRetentionDays } }],
            "glue-assets": [
                { id: "expire-glue-temp", status: "Enabled", filter: { prefix: DATA_LAYOUT.glueTemp }, expiration: { days: GLUE_TEMP_RETENTION_DAYS } },
            ],
        };
        const bucketArgs = (purpose: PipelineBucketPurpose): SecureBucketArgs => {
            const bucketName = args.bucketNames[purpose];
            const isDataBucket = DATA_BUCKET_PURPOSES.includes(purpose);
            const endpointOnly = isDataBucket ? args.endpointOnly : undefined;
            return {
                bucketName,
                role: purpose,
                encryption: { kind: "kms", keyArn: args.dataKeyArn },
                forceDestroy: args.forceDestroy ?? false,
                protectData: (args.protectData ?? false) && isDataBucket,
                versioned: isDataBucket,
                lifecycleRules: lifecycleRules[purpose],
                ...(isDataBucket && args.accessLogs !== undefined ? { accessLogs: args.accessLogs.destinationFor(purpose) } : {}),
                ...(endpointOnly === undefined
                    ? {}
                    : {
                          policyStatements: endpointOnlyStatements({
                              bucketArn: pulumi.interpolate`arn:${args.location.partition}:s3:::${bucketName}`,
                              s3EndpointId: endpointOnly.s3EndpointId,
                              plan: endpointOnly.plan,
                              location: args.location,
                          }),
                      }),
            };
        };
        this.buckets = Object.fromEntries(
            PIPELINE_BUCKET_PURPOSES.map((purpose) => [purpose, new SecureBucket(`${name}-${purpose}`, bucketArgs(purpose), { parent })]),
        ) as Record<PipelineBucketPurpose, SecureBucket>;
    }
}
