import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import warehouseContract from "../../etl/spotify_etl/contracts/warehouse_schema.json";
import { GlueServiceRole } from "../components/glueServiceRole";
import type { StageConfig } from "../config";
import { DATA_LAYOUT } from "../layers/storage";
import { glueName } from "../../policies/conventions/naming";
import type { GlueNetworkAccess } from "../network/glueNetworkAccess";
import { arnIn, AwsLocation } from "../awsLocation";
import { PARTITION_WRITER_ACTIONS } from "../glueCatalogActions";
import { databaseArns, glueLogGroup, GlueSecurity, listBuckets, objectsUnder, splitChildOptions, writeOwnLogs } from "./glueAccess";

export interface WarehouseCrawlerArgs {
    /** Names, crawler schedule and log retention of the stage. */
    config: StageConfig;
    location: AwsLocation;
    security: GlueSecurity;
    dataKeyArn: pulumi.Input<string>;
    warehouseBucketArn: pulumi.Input<string>;
    /** The declared table the crawler adds partitions to, and its database. */
    databaseName: pulumi.Input<string>;
    tableName: pulumi.Input<string>;
    /** The job whose successful runs start the crawler. */
    afterJob: pulumi.Input<string>;
    /** With spotify:network "isolated": the connection the crawler runs in, and what its role needs for it. */
    network?: GlueNetworkAccess;
}

/**
 * The crawler that adds each ETL run's partitions to the declared warehouse table, with its role,
 * its log group, the trigger that starts it after every successful job run, and, unless the
 * stage's crawlerSchedule is "off", its own schedule. `name` prefixes its children's names
 * (`<name>-crawler`, `<name>-crawler-role`, …).
 */
export class WarehouseCrawler extends pulumi.ComponentResource {
    public readonly crawlerName: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: WarehouseCrawlerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("spotify:etl:WarehouseCrawler", name, {}, opts);
        const { config, location, security } = args;
        const child = splitChildOptions(this, opts);
        const roleName = glueName(config, "crawler_role");
        // The name Glue gives a crawler's log group once a security configuration encrypts CloudWatch.
        const logGroups = [
            glueLogGroup(
                `${name}-crawler-logs`,
                `/aws-glue/crawlers-role/${roleName}-${security.name}`,
                { retentionDays: config.logRetentionDays, kmsKeyArn: args.dataKeyArn },
                child,
            ),
        ];
        const role = new GlueServiceRole(
            `${name}-crawler-role`,
            {
                roleName,
                description: `spotify-pipeline ${config.stage}: the crawler adds warehouse partitions to the catalog`,
                statements: [
                    listBuckets([args.warehouseBucketArn]),
                    { Sid: "ReadWarehouseTable", Effect: "Allow", Action: "s3:GetObject", Resource: objectsUnder(args.warehouseBucketArn, DATA_LAYOUT.warehouseTable) },
                    {
                        Sid: "AddTablePartitions",
                        Effect: "Allow",
                        Action: [...PARTITION_WRITER_ACTIONS],
                        Resource: [...databaseArns(location, args.databaseName), arnIn(location, "glue", pulumi.interpolate`table/${args.databaseName}/${args.tableName}`)],
                    },
                    { Sid: "UseDataKeyForWarehouseAndCatalog", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"], Resource: args.dataKeyArn },
                    writeOwnLogs(location, logGroups),
                    ...(args.network?.roleStatements ?? []),
                ],
            },
            child,
        );
        const crawler = new aws.glue.Crawler(
            `${name}-crawler`,
            {
                name: glueName(config, "warehouse_crawler"),
                description: `spotify-pipeline ${config.stage}: adds the partitions each ETL run writes to the ${warehouseContract.table} table`,
                role: role.arn,
                databaseName: args.databaseName,
                // The declared table, not the S3 prefix: a catalog target can only add partitions to
                // it, never create a second table beside it when a file looks different.
                catalogTargets: [{ databaseName: args.databaseName, tables: [args.tableName], connectionName: args.network?.crawlerConnectionName }],
                schemaChangePolicy: { deleteBehavior: "LOG", updateBehavior: "LOG" },
                // New partitions take the table's columns and SerDe instead of what the files suggest.
                configuration: JSON.stringify({
                    Version: 1.0,
                    CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } },
                    Grouping: { TableGroupingPolicy: "CombineCompatibleSchemas" },
                }),
                securityConfiguration: security.resource.name,
                schedule: config.crawlerSchedule === "off" ? undefined : config.crawlerSchedule,
            },
            { ...child, dependsOn: [role, ...logGroups] },
        );
        new aws.glue.Trigger(
            `${name}-crawl-after-job`,
            {
                name: glueName(config, "crawl_after_etl"),
                description: "Adds the new partitions to the catalog as soon as a job run succeeds",
                type: "CONDITIONAL",
                predicate: { conditions: [{ jobName: args.afterJob, state: "SUCCEEDED", logicalOperator: "EQUALS" }] },
                actions: [{ crawlerName: crawler.name }],
                startOnCreation: true,
            },
            child,
        );
        this.crawlerName = crawler.name;
        this.roleArn = role.arn;
        this.registerOutputs({ crawlerName: this.crawlerName, roleArn: this.roleArn });
    }
}
