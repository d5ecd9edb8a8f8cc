/**
 * The AWS regions the AWS SDK for JavaScript v3 knows: the partitions metadata that ships as
 * partitions.json in @aws-sdk/util-endpoints (pinned in package.json; later versions inline it).
 * A region missing here is one the SDK, and so the AWS provider's endpoint resolution, has not heard of.
 */
import partitionsFile from "@aws-sdk/util-endpoints/dist-cjs/lib/aws/partitions.json";

interface PartitionsFile {
    partitions: { id: string; regionRegex: string; regions: Record<string, unknown> }[];
}

/**
 * Every region of every partition, without the "aws-global"-style pseudo regions (which name the
 * partition's global endpoint, are no place to deploy to, and do not match the partition's region pattern).
 */
export const AWS_REGIONS: readonly string[] = (partitionsFile as PartitionsFile).partitions
    .flatMap((partition) => Object.keys(partition.regions).filter((region) => new RegExp(partition.regionRegex).test(region)))
    .sort();

export const AWS_REGIONS_SOURCE = "@aws-sdk/util-endpoints partitions.json";
