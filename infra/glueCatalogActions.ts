/**
 * What a writer of the Iceberg warehouse table does in the Data Catalog: Iceberg's GlueCatalog
 * loads the table (GetDatabase, GetTable) and commits a snapshot by swapping the table's
 * `metadata_location` parameter with UpdateTable, guarded by the table's VersionId (Iceberg 1.10
 * AWS integration, "Glue Catalog": https://iceberg.apache.org/docs/1.10.0/aws/#glue-catalog). No
 * partition actions: an Iceberg table keeps its partitions in its own metadata, not in the
 * catalog. The job's role grants these on the warehouse database and table only, and the Glue VPC
 * endpoint must let them through.
 */
export const ICEBERG_COMMIT_ACTIONS: readonly string[] = ["glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"];
