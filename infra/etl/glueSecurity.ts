import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The encryption a Glue job runs with. Glue names log groups after it once it encrypts CloudWatch,
 * so its name must be known before it is created: `name` is that name, `resource` what the job
 * references (and so waits for).
 */
export interface GlueSecurity {
    readonly name: string;
    readonly resource: aws.glue.SecurityConfiguration;
}

/**
 * The security configuration `name`, as `<resourceName>` under `parent`: everything a job with it
 * writes is encrypted with `kmsKeyArn`, S3 objects and CloudWatch logs server-side (SSE-KMS) and
 * job bookmarks client-side (CSE-KMS).
 */
export function glueSecurity(resourceName: string, name: string, kmsKeyArn: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): GlueSecurity {
    return {
        name,
        resource: new aws.glue.SecurityConfiguration(
            resourceName,
            {
                name,
                encryptionConfiguration: {
                    s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn },
                    cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn },
                    jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn },
                },
            },
            opts,
        ),
    };
}
