import { AWS_PARTITIONS, partitionOfRegion } from "./awsRegions";

/**
 * QuickSight user and group ARNs as AWS documents them ("Identity and access management in Amazon
 * QuickSight"; the QuickSight API model's Namespace, UserName and GroupName shapes):
 *   arn:<partition>:quicksight:<identity region>:<account>:user|group/<namespace>/<name>
 * The region is the account's QuickSight identity region, which need not be the stage's.
 */

export const PRINCIPAL_ARN_FORMAT = "arn:<partition>:quicksight:<region>:<account>:user|group/<namespace>/<name>";

/** Namespace: 1-64 letters, digits and . _ - (the API's pattern allows 0, the ARN needs one). */
const NAMESPACE = /^[a-zA-Z0-9._-]{1,64}$/;
/** User and group names: characters U+0020-U+00FF; IAM-federated user names hold a "/" (role/session). */
const NAME = /^[\u0020-\u00FF]+$/;

/** What is wrong with one principal ARN, in words, or undefined when it is a user or group ARN. */
export function principalArnProblem(arn: string): string | undefined {
    const parts = arn.split(":");
    if (parts[0] !== "arn" || parts.length < 6) return `is not an ARN (${PRINCIPAL_ARN_FORMAT})`;
    const [, partition, service, region, account] = parts;
    const resource = parts.slice(5).join(":");
    if (!AWS_PARTITIONS.includes(partition)) return `partition "${partition}" is not an AWS partition (${AWS_PARTITIONS.join(", ")})`;
    if (service !== "quicksight") return `is a${/^[aeiou]/.test(service) ? "n" : ""} ${service || "(empty)"} ARN, not a QuickSight one`;
    const regionPartition = partitionOfRegion(region);
    if (regionPartition === undefined) return `region "${region}" is not an AWS region`;
    if (regionPartition !== partition) return `region ${region} belongs to partition ${regionPartition}, not ${partition}`;
    if (!/^\d{12}$/.test(account)) return `account "${account}" is not a 12-digit AWS account id`;
    const [kind, namespace, ...name] = resource.split("/");
    if (kind !== "user" && kind !== "group") return `names a ${kind}, not a user or group`;
    if (namespace === undefined || name.length === 0) {
        return `lacks the <namespace>/<name> part: write ${kind}/<namespace>/<name>, such as ${kind}/default/${namespace ?? "data-platform"}`;
    }
    if (!NAMESPACE.test(namespace)) return `namespace "${namespace}" is not 1-64 letters, digits and . _ -`;
    const fullName = name.join("/");
    if (fullName === "") return `has an empty ${kind} name after ${kind}/${namespace}/`;
    if (!NAME.test(fullName) || fullName.trim() !== fullName) return `${kind} name "${fullName}" has characters QuickSight names cannot hold`;
    return undefined;
}
