/**
 * What the crawler does in the Data Catalog: read the database and the contract table, and read,
 * add and update the table's partitions. Never UpdateTable: the table's schema belongs to the
 * contract. The crawler's role grants these, and the Glue VPC endpoint must let them through.
 */
export const PARTITION_WRITER_ACTIONS: readonly string[] = [
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
    "glue:CreatePartition",
    "glue:BatchCreatePartition",
    "glue:UpdatePartition",
    "glue:BatchUpdatePartition",
];
