import { z } from "zod";

/**
 * The contracts between the layers: what each layer exports, and which of those outputs each layer
 * above it reads. Only these cross stacks (through StackReferences, each value checked against its
 * schema by infra/wiring.ts), and in an all-in-one stack they are handed over in process.
 */

/** One schema per output, so a reader can check what an upstream stack gives it. */
export type OutputSchemas = Record<string, z.ZodType>;

/** Schemas for outputs that are plain strings (names, ARNs, prefixes). */
export function stringOutputs<K extends string>(keys: readonly K[]): Record<K, z.ZodString> {
    return Object.fromEntries(keys.map((key) => [key, z.string()])) as Record<K, z.ZodString>;
}

/** The schemas of the outputs one layer reads from another. */
export function pickOutputs<S extends OutputSchemas, K extends keyof S>(schemas: S, keys: readonly K[]): Pick<S, K> {
    return Object.fromEntries(keys.map((key) => [key, schemas[key]])) as Pick<S, K>;
}

/** One Glue NETWORK connection per zone: Glue moves a run to the next connection's subnet when a zone has no capacity. */
export const JOB_AVAILABILITY_ZONES = 2;

export const NETWORK_OUTPUTS = {
    vpcId: z.string(),
    jobSubnetIds: z.array(z.string()).length(JOB_AVAILABILITY_ZONES),
    glueSecurityGroupId: z.string(),
    glueConnectionNames: z.array(z.string()).length(JOB_AVAILABILITY_ZONES),
    s3EndpointId: z.string(),
    flowLogGroupName: z.string(),
};

export const STORAGE_OUTPUTS = stringOutputs([
    "dataKeyArn",
    "stagingBucketName",
    "stagingBucketArn",
    "warehouseBucketName",
    "warehouseBucketArn",
    "athenaResultsBucketName",
    "athenaResultsBucketArn",
    "glueAssetsBucketName",
    "glueAssetsBucketArn",
    "accessLogsBucketName",
    "accessLogsBucketArn",
    "stagingPrefix",
    "warehousePrefix",
    "rejectedPrefix",
] as const);

export const ETL_OUTPUTS = stringOutputs([
    "glueDatabaseName",
    "warehouseTableName",
    "etlJobName",
    "etlJobRoleArn",
    "glueSecurityConfigurationName",
    "dataQualityRulesetName",
] as const);

/** A view as deployed: its name and the output columns its queries/<name>.schema.json declares. */
const deployedView = z.strictObject({
    name: z.string(),
    columns: z.array(z.strictObject({ name: z.string(), type: z.string() })).min(1),
});
export type DeployedView = z.output<typeof deployedView>;

export const QUERIES_OUTPUTS = {
    workgroupName: z.string(),
    workgroupArn: z.string(),
    /** The Glue database the views live in (the ETL's warehouse database). */
    viewDatabaseName: z.string(),
    /** Every view in creation order, with its declared columns: what the dashboards layer builds datasets from. */
    views: z.array(deployedView),
    /** Named query id by query name. */
    namedQueryIds: z.record(z.string(), z.string()),
};

export const DASHBOARDS_OUTPUTS = stringOutputs(["dataSourceArn", "analysisArn", "dashboardArn"] as const);

/** What the storage layer reads: the endpoint its bucket policies admit. */
export const STORAGE_NETWORK_INPUTS = pickOutputs(NETWORK_OUTPUTS, ["s3EndpointId"] as const);
/** What the etl layer reads of the network: the job's connections, and what its network interfaces use. */
export const ETL_NETWORK_INPUTS = pickOutputs(NETWORK_OUTPUTS, ["vpcId", "jobSubnetIds", "glueSecurityGroupId", "glueConnectionNames"] as const);
/** What the etl layer reads of storage. */
export const ETL_STORAGE_INPUTS = pickOutputs(STORAGE_OUTPUTS, [
    "dataKeyArn",
    "stagingBucketArn",
    "stagingPrefix",
    "warehouseBucketName",
    "warehouseBucketArn",
    "warehousePrefix",
    "rejectedPrefix",
    "glueAssetsBucketName",
    "glueAssetsBucketArn",
] as const);
/** What the queries layer reads of storage: where results go, and the key that encrypts them. */
export const QUERIES_STORAGE_INPUTS = pickOutputs(STORAGE_OUTPUTS, ["athenaResultsBucketName", "dataKeyArn"] as const);
/** What the queries layer reads of etl: where the warehouse table is. */
export const QUERIES_ETL_INPUTS = pickOutputs(ETL_OUTPUTS, ["glueDatabaseName", "warehouseTableName"] as const);
/** What the dashboards layer reads of storage: what the QuickSight service role must reach. */
export const DASHBOARDS_STORAGE_INPUTS = pickOutputs(STORAGE_OUTPUTS, ["dataKeyArn", "warehouseBucketArn", "athenaResultsBucketArn"] as const);
/** What the dashboards layer reads of etl: the Glue database the views live in. */
export const DASHBOARDS_ETL_INPUTS = pickOutputs(ETL_OUTPUTS, ["glueDatabaseName"] as const);
/** What the dashboards layer reads of queries: the workgroup to query through, and the views with their declared columns. */
export const DASHBOARDS_QUERIES_INPUTS = pickOutputs(QUERIES_OUTPUTS, ["workgroupName", "workgroupArn", "views"] as const);
