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
const PARTITION_OF_REGION: ReadonlyMap<string, string> = new Map(
    (partitionsFile as PartitionsFile).partitions.flatMap((partition) =>
        Object.keys(partition.regions)
            .filter((region) => new RegExp(partition.regionRegex).test(region))
            .map((region) => [region, partition.id] as const),
    ),
);

export const AWS_REGIONS: readonly string[] = [...PARTITION_OF_REGION.keys()].sort();

/** The partitions (aws, aws-cn, aws-us-gov, ...), the first field of every ARN after "arn:". */
export const AWS_PARTITIONS: readonly string[] = (partitionsFile as PartitionsFile).partitions.map((partition) => partition.id);

/** The partition a region belongs to (aws-cn for cn-north-1), or undefined for a region the SDK does not know. */
export function partitionOfRegion(region: string): string | undefined {
    return PARTITION_OF_REGION.get(region);
}

export const AWS_REGIONS_SOURCE = "@aws-sdk/util-endpoints partitions.json";
