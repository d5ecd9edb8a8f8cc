import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsLocation } from "./awsLocation";

/**
 * The statements a KMS key needs before CloudWatch Logs can encrypt log groups with it. Shared by
 * the stage's data key (storage) and the network's flow-log key, which the policy pack holds to
 * the same rules.
 */
export function logsKeyStatements(args: {
    location: AwsLocation;
    /** Sid of the CloudWatch Logs statement. */
    logsSid: string;
    /** Which log groups may use the key, as a condition on the logs encryption context. */
    logGroups: Record<string, Record<string, pulumi.Input<string>>>;
}): aws.iam.PolicyStatement[] {
    const { location } = args;
    return [
        {
            // The key's own account administers it through IAM; without this statement nobody could.
            Sid: "AccountAdministersKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: pulumi.interpolate`arn:${location.partition}:iam::${location.accountId}:root` },
            Action: "kms:*",
            Resource: "*",
        },
        {
            Sid: args.logsSid,
            Effect: "Allow",
            Principal: { Service: `logs.${location.region}.amazonaws.com` },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: args.logGroups,
        },
    ];
}
