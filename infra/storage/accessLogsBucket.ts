import * as pulumi from "@pulumi/pulumi";
import type { AwsLocation } from "../awsLocation";
import { rejectArgProblems, settingProblem } from "../componentArgs";
import { keyPrefixProblem } from "../s3Uris";
import { AccessLogDestination, SecureBucket } from "./secureBucket";

export interface AccessLogsBucketArgs {
    /** The bucket's name. */
    readonly bucketName: string;
    /** The key prefix S3 delivers every log under, ending in "/": each logged bucket gets `<prefix><its purpose>/`. */
    readonly prefix: string;
    /** Days before a log object expires, as spotify:accessLogRetentionDays allows (1 to 3650). */
    readonly accessLogRetentionDays: number;
    /** The stage's account, whose buckets alone may deliver logs here, and partition. */
    readonly location: Pick<AwsLocation, "partition" | "accountId">;
    /** Let `pulumi destroy` delete the bucket with its logs. Default false. */
    readonly forceDestroy?: boolean;
}

/** Throws an error naming every arg of an AccessLogsBucket that is wrong: a prefix without its trailing "/", or a retention S3 or the stage would refuse. */
export function validateAccessLogsBucketArgs(args: AccessLogsBucketArgs): void {
    rejectArgProblems("AccessLogsBucketArgs", {
        prefix: keyPrefixProblem(args.prefix),
        accessLogRetentionDays: settingProblem("accessLogRetentionDays", args.accessLogRetentionDays),
    });
}

/**
 * The bucket S3 server access logging delivers into, under `prefix`, from this account's buckets
 * only; its logs expire. SSE-S3 rather than the data key: S3 cannot deliver logs into a bucket
 * encrypted with a customer-managed key. Creates the SecureBucket `<name>` under `parent`.
 */
export class AccessLogsBucket {
    public readonly bucket: SecureBucket;
    private readonly prefix: string;

    constructor(name: string, args: AccessLogsBucketArgs, parent: pulumi.Resource) {
        validateAccessLogsBucketArgs(args);
        const { partition, accountId } = args.location;
        this.prefix = args.prefix;
        this.bucket = new SecureBucket(
            name,
            {
                bucketName: args.bucketName,
                role: "access-logs",
                encryption: { kind: "s3" },
                forceDestroy: args.forceDestroy,
                lifecycleRules: [{ id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: args.accessLogRetentionDays } }],
                policyStatements: [
                    {
                        // S3 server access logging writes as this service principal, only for our own buckets.
                        Sid: "S3ServerAccessLogsDelivery",
                        Effect: "Allow",
                        Principal: { Service: "logging.s3.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`arn:${partition}:s3:::${args.bucketName}/${args.prefix}*`,
                        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
                    },
                ],
            },
            { parent },
        );
    }

    /** Where the bucket of purpose `purpose` delivers its access logs: `<prefix><purpose>/` in this bucket. */
    destinationFor(purpose: string): AccessLogDestination {
        return { bucketName: this.bucket.name, prefix: `${this.prefix}${purpose}/` };
    }
}
