import { BUCKET_PURPOSES, BucketNamingScope, BucketPurpose, bucketName, dataKeyAlias, quicksightId, underscoredName } from "./naming";

/**
 * Where each kind of data lives in the stage's buckets (key prefixes, each ending in "/"). The ETL
 * job, its IAM policy, the table and the readers all take their prefixes from here.
 */
export const DATA_LAYOUT = {
    stagingSources: ["tracks/", "albums/", "artists/"],
    warehouseTable: "tracks/",
    rejected: "rejected/",
    unmatched: "unmatched/",
    runSummaries: "_runs/",
    glueScripts: "scripts/",
    glueTemp: "temp/",
    athenaResults: "results/",
    accessLogs: "s3/",
} as const;

/**
 * Every physical name a stage gives its resources, derived from its naming scope alone: the one
 * place a name is spelled, so the layers that create a resource and the layers, the pack config and
 * the tools that refer to it cannot disagree. Names a service chooses itself (Glue's log groups) are
 * derived where the resource is declared.
 */
export interface StagePlan {
    readonly stage: string;
    /** `<prefix>-<stage>-<purpose>-<suffix>` for every bucket the stage owns. */
    readonly buckets: Readonly<Record<BucketPurpose, string>>;
    readonly layout: typeof DATA_LAYOUT;
    /** The KMS alias of the stage's data key. */
    readonly dataKeyAlias: string;
    readonly etl: {
        readonly database: string;
        readonly qualityRuleset: string;
        readonly job: string;
        readonly jobRole: string;
        readonly schedule: string;
        readonly securityConfiguration: string;
        readonly tableMaintenanceRole: string;
    };
    readonly network: {
        readonly flowLogGroup: string;
        readonly flowLogsRole: string;
        /** The Glue NETWORK connection of job subnet `ordinal` (1-based). */
        readonly glueConnection: (ordinal: number) => string;
    };
    /** The Athena workgroup: the queries layer creates it, QuickSight and the pack's workgroup rule name it. */
    readonly workgroup: string;
    readonly quicksight: {
        /** The id of a QuickSight asset (data source, dataset, analysis, dashboard) of the stage. */
        readonly assetId: (purpose: string) => string;
        /** The IAM policy that gives QuickSight's service role this stage's data. */
        readonly dataAccessPolicy: string;
    };
    /**
     * Roles created outside this program (README.md, "Network isolation") that keep access to the data
     * buckets from outside the VPC endpoint: the deploy role `pulumi up` runs as, the read-only role
     * of previews and drift checks, and the break-glass role for incidents.
     */
    readonly externalRoles: { readonly deploy: string; readonly preview: string; readonly breakGlass: string };
}

/** The physical names of the stage `scope` names; throws when a bucket name breaks S3's rules. */
export function stagePlan(scope: BucketNamingScope): StagePlan {
    const underscored = (purpose: string) => underscoredName(scope, purpose);
    const hyphenated = `${scope.namePrefix}-${scope.stage}`;
    return {
        stage: scope.stage,
        buckets: Object.fromEntries(BUCKET_PURPOSES.map((purpose) => [purpose, bucketName(scope, purpose)])) as Record<BucketPurpose, string>,
        layout: DATA_LAYOUT,
        dataKeyAlias: dataKeyAlias(scope),
        etl: {
            database: underscored("warehouse"),
            qualityRuleset: underscored("warehouse_quality"),
            job: underscored("etl"),
            jobRole: underscored("etl_job_role"),
            schedule: underscored("etl_schedule"),
            securityConfiguration: underscored("etl_security"),
            tableMaintenanceRole: underscored("table_maintenance_role"),
        },
        network: {
            flowLogGroup: `/aws/vpc-flow-logs/${hyphenated}`,
            flowLogsRole: underscored("vpc_flow_logs_role"),
            glueConnection: (ordinal) => underscored(`network_${ordinal}`),
        },
        workgroup: underscored("analytics"),
        quicksight: {
            assetId: (purpose) => quicksightId(scope, purpose),
            dataAccessPolicy: `${hyphenated}-quicksight-data-access`,
        },
        externalRoles: { deploy: `${hyphenated}-deploy`, preview: `${hyphenated}-preview`, breakGlass: `${hyphenated}-break-glass` },
    };
}
