/**
 * Which input changes make the provider replace a resource (delete and create it anew) instead of
 * updating it in place, for every custom resource type the program registers. `pulumi preview`
 * learns this from the provider's Diff; the offline diff has no provider, so the knowledge is kept
 * here, curated from the providers' own schemas and sources:
 *
 * - `@pulumi/aws` 7.x is bridged from the Terraform AWS provider v6 (hashicorp/terraform-provider-aws).
 *   An attribute with `ForceNew: true` in a resource's schema (SDKv2) or a `RequiresReplace` plan
 *   modifier (plugin framework) replaces the resource when it changes; the bridge reports it as a
 *   replacement. Regional resources also carry the v6 top-level `region` argument, which
 *   `forceNewIfRegionChanges` (internal/provider/sdkv2/region.go) makes ForceNew. IAM is global
 *   and has none.
 * - `@pulumi/aws-native` is generated from the CloudFormation resource provider schemas; their
 *   `createOnlyProperties` become replace-on-change properties. The ones cited are from the
 *   AWS::QuickSight::* schemas bundled with cfn-lint 1.58 (`.venv`, eu-west-1 set).
 *
 * Property paths are the Pulumi input names as they appear in manifests (camelCase); a nested
 * path (`schedule.scheduleId`) forces replacement when anything at or below it changes.
 * test/diff.spec.ts checks that the table covers every custom resource type in the dev and prod
 * manifests and that every listed top-level property is an input of the SDK's resource type.
 */

export interface ReplacementRule {
    /** Inputs whose change replaces the resource. Empty: every change is an in-place update. */
    properties: readonly string[];
    /** Where the list comes from: the provider source file or schema, and its attributes. */
    source: string;
}

/** terraform-provider-aws v6: the top-level `region` argument of every regional resource forces replacement. */
const REGIONAL = "region";
const TF = "terraform-provider-aws";

export const REPLACEMENT_RULES: Readonly<Record<string, ReplacementRule>> = {
    // ── S3 ─────────────────────────────────────────────────────────────────────────────────────
    // internal/service/s3/bucket.go: bucket, bucket_prefix, object_lock_enabled are ForceNew.
    "aws:s3/bucket:Bucket": {
        properties: ["bucket", "bucketPrefix", "objectLockEnabled", REGIONAL],
        source: `${TF} internal/service/s3/bucket.go: bucket, bucket_prefix, object_lock_enabled ForceNew`,
    },
    // internal/service/s3/bucket_lifecycle_configuration.go (framework): bucket, expected_bucket_owner RequiresReplace.
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        properties: ["bucket", "expectedBucketOwner", REGIONAL],
        source: `${TF} internal/service/s3/bucket_lifecycle_configuration.go: bucket, expected_bucket_owner RequiresReplace`,
    },
    // internal/service/s3/bucket_logging.go: bucket, expected_bucket_owner ForceNew.
    "aws:s3/bucketLogging:BucketLogging": {
        properties: ["bucket", "expectedBucketOwner", REGIONAL],
        source: `${TF} internal/service/s3/bucket_logging.go: bucket, expected_bucket_owner ForceNew`,
    },
    // internal/service/s3/bucket_ownership_controls.go: bucket ForceNew.
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
        properties: ["bucket", REGIONAL],
        source: `${TF} internal/service/s3/bucket_ownership_controls.go: bucket ForceNew`,
    },
    // internal/service/s3/bucket_policy.go: bucket ForceNew.
    "aws:s3/bucketPolicy:BucketPolicy": {
        properties: ["bucket", REGIONAL],
        source: `${TF} internal/service/s3/bucket_policy.go: bucket ForceNew`,
    },
    // internal/service/s3/bucket_public_access_block.go: bucket ForceNew.
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        properties: ["bucket", REGIONAL],
        source: `${TF} internal/service/s3/bucket_public_access_block.go: bucket ForceNew`,
    },
    // internal/service/s3/bucket_server_side_encryption_configuration.go: bucket, expected_bucket_owner ForceNew.
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        properties: ["bucket", "expectedBucketOwner", REGIONAL],
        source: `${TF} internal/service/s3/bucket_server_side_encryption_configuration.go: bucket, expected_bucket_owner ForceNew`,
    },
    // internal/service/s3/bucket_versioning.go: bucket, expected_bucket_owner ForceNew.
    "aws:s3/bucketVersioning:BucketVersioning": {
        properties: ["bucket", "expectedBucketOwner", REGIONAL],
        source: `${TF} internal/service/s3/bucket_versioning.go: bucket, expected_bucket_owner ForceNew`,
    },
    // internal/service/s3/object.go (aws_s3_object, Pulumi's BucketObjectv2): bucket, key ForceNew.
    "aws:s3/bucketObjectv2:BucketObjectv2": {
        properties: ["bucket", "key", REGIONAL],
        source: `${TF} internal/service/s3/object.go: bucket, key ForceNew`,
    },

    // ── KMS ────────────────────────────────────────────────────────────────────────────────────
    // internal/service/kms/key.go: custom_key_store_id, customer_master_key_spec, key_usage, multi_region, xks_key_id ForceNew.
    "aws:kms/key:Key": {
        properties: ["customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId", REGIONAL],
        source: `${TF} internal/service/kms/key.go: custom_key_store_id, customer_master_key_spec, key_usage, multi_region, xks_key_id ForceNew`,
    },
    // internal/service/kms/alias.go: name, name_prefix ForceNew.
    "aws:kms/alias:Alias": {
        properties: ["name", "namePrefix", REGIONAL],
        source: `${TF} internal/service/kms/alias.go: name, name_prefix ForceNew`,
    },

    // ── IAM (global: no region argument) ────────────────────────────────────────────────────────
    // internal/service/iam/role.go: name, name_prefix, path ForceNew.
    "aws:iam/role:Role": {
        properties: ["name", "namePrefix", "path"],
        source: `${TF} internal/service/iam/role.go: name, name_prefix, path ForceNew`,
    },
    // internal/service/iam/role_policy.go: name, name_prefix, role ForceNew.
    "aws:iam/rolePolicy:RolePolicy": {
        properties: ["name", "namePrefix", "role"],
        source: `${TF} internal/service/iam/role_policy.go: name, name_prefix, role ForceNew`,
    },
    // internal/service/iam/policy.go: description, name, name_prefix, path ForceNew.
    "aws:iam/policy:Policy": {
        properties: ["description", "name", "namePrefix", "path"],
        source: `${TF} internal/service/iam/policy.go: description, name, name_prefix, path ForceNew`,
    },
    // internal/service/iam/role_policy_attachment.go: role, policy_arn ForceNew.
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        properties: ["role", "policyArn"],
        source: `${TF} internal/service/iam/role_policy_attachment.go: role, policy_arn ForceNew`,
    },

    // ── CloudWatch Logs ────────────────────────────────────────────────────────────────────────
    // internal/service/logs/group.go: name, name_prefix, log_group_class ForceNew.
    "aws:cloudwatch/logGroup:LogGroup": {
        properties: ["name", "namePrefix", "logGroupClass", REGIONAL],
        source: `${TF} internal/service/logs/group.go: name, name_prefix, log_group_class ForceNew`,
    },

    // ── Glue ───────────────────────────────────────────────────────────────────────────────────
    // internal/service/glue/catalog_database.go: catalog_id, name, target_database ForceNew.
    "aws:glue/catalogDatabase:CatalogDatabase": {
        properties: ["catalogId", "name", "targetDatabase", REGIONAL],
        source: `${TF} internal/service/glue/catalog_database.go: catalog_id, name, target_database ForceNew`,
    },
    // internal/service/glue/catalog_table.go: catalog_id, database_name, name, partition_index
    // ForceNew. open_table_format_input is not ForceNew there (Create sends it, Update sends only
    // the TableInput), but Glue applies an Iceberg definition only at CreateTable, so the program
    // sets replaceOnChanges ["openTableFormatInput"] with deleteBeforeReplace on the warehouse
    // table (infra/etl/warehouseCatalog.ts): a real preview replaces the table on such a change.
    "aws:glue/catalogTable:CatalogTable": {
        properties: ["catalogId", "databaseName", "name", "partitionIndices", "openTableFormatInput", REGIONAL],
        source: `${TF} internal/service/glue/catalog_table.go: catalog_id, database_name, name, partition_index ForceNew; openTableFormatInput by the program's replaceOnChanges (infra/etl/warehouseCatalog.ts)`,
    },
    // internal/service/glue/catalog_table_optimizer.go (framework): catalog_id, database_name,
    // table_name, type RequiresReplace; configuration is updated with UpdateTableOptimizer.
    "aws:glue/catalogTableOptimizer:CatalogTableOptimizer": {
        properties: ["catalogId", "databaseName", "tableName", "type", REGIONAL],
        source: `${TF} internal/service/glue/catalog_table_optimizer.go: catalog_id, database_name, table_name, type RequiresReplace`,
    },
    // internal/service/glue/data_catalog_encryption_settings.go: catalog_id ForceNew (the settings themselves are Put in place).
    "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings": {
        properties: ["catalogId", REGIONAL],
        source: `${TF} internal/service/glue/data_catalog_encryption_settings.go: catalog_id ForceNew`,
    },
    // internal/service/glue/connection.go: catalog_id, name ForceNew (the rest is updated with UpdateConnection).
    "aws:glue/connection:Connection": {
        properties: ["catalogId", "name", REGIONAL],
        source: `${TF} internal/service/glue/connection.go: catalog_id, name ForceNew`,
    },
    // internal/service/glue/crawler.go: name ForceNew.
    "aws:glue/crawler:Crawler": {
        properties: ["name", REGIONAL],
        source: `${TF} internal/service/glue/crawler.go: name ForceNew`,
    },
    // internal/service/glue/data_quality_ruleset.go: name, target_table (and its catalog_id, database_name, table_name) ForceNew.
    "aws:glue/dataQualityRuleset:DataQualityRuleset": {
        properties: ["name", "targetTable", REGIONAL],
        source: `${TF} internal/service/glue/data_quality_ruleset.go: name, target_table ForceNew`,
    },
    // internal/service/glue/job.go: name ForceNew.
    "aws:glue/job:Job": {
        properties: ["name", REGIONAL],
        source: `${TF} internal/service/glue/job.go: name ForceNew`,
    },
    // internal/service/glue/security_configuration.go: no Update; name and encryption_configuration (every field) ForceNew.
    "aws:glue/securityConfiguration:SecurityConfiguration": {
        properties: ["name", "encryptionConfiguration", REGIONAL],
        source: `${TF} internal/service/glue/security_configuration.go: name, encryption_configuration ForceNew (no update)`,
    },
    // internal/service/glue/trigger.go: name, type, workflow_name ForceNew.
    "aws:glue/trigger:Trigger": {
        properties: ["name", "type", "workflowName", REGIONAL],
        source: `${TF} internal/service/glue/trigger.go: name, type, workflow_name ForceNew`,
    },

    // ── EC2 / VPC (network layer) ──────────────────────────────────────────────────────────────
    // internal/service/ec2/vpc_flow_log.go: every argument but tags ForceNew (Update handles tags only).
    "aws:ec2/flowLog:FlowLog": {
        properties: [
            "deliverCrossAccountRole",
            "destinationOptions",
            "eniId",
            "iamRoleArn",
            "logDestination",
            "logDestinationType",
            "logFormat",
            "maxAggregationInterval",
            "subnetId",
            "trafficType",
            "transitGatewayAttachmentId",
            "transitGatewayId",
            "vpcId",
            REGIONAL,
        ],
        source: `${TF} internal/service/ec2/vpc_flow_log.go: every argument but tags ForceNew`,
    },
    // The awsx VPC's children (registered by the engine's Construct, not under mocks: COMPONENT_RULES
    // shows them on the component offline).
    // internal/service/ec2/vpc_.go: cidr_block, ipv4_ipam_pool_id, ipv4_netmask_length ForceNew.
    "aws:ec2/vpc:Vpc": {
        properties: ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength", REGIONAL],
        source: `${TF} internal/service/ec2/vpc_.go: cidr_block, ipv4_ipam_pool_id, ipv4_netmask_length ForceNew`,
    },
    // internal/service/ec2/vpc_subnet.go: vpc_id, cidr_block, availability_zone, availability_zone_id, outpost_arn ForceNew.
    "aws:ec2/subnet:Subnet": {
        properties: ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "outpostArn", REGIONAL],
        source: `${TF} internal/service/ec2/vpc_subnet.go: vpc_id, cidr_block, availability_zone, availability_zone_id, outpost_arn ForceNew`,
    },
    // internal/service/ec2/vpc_route_table.go: vpc_id ForceNew.
    "aws:ec2/routeTable:RouteTable": {
        properties: ["vpcId", REGIONAL],
        source: `${TF} internal/service/ec2/vpc_route_table.go: vpc_id ForceNew`,
    },
    // internal/service/ec2/vpc_route_table_association.go: subnet_id, gateway_id ForceNew (route_table_id is updated in place).
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        properties: ["subnetId", "gatewayId", REGIONAL],
        source: `${TF} internal/service/ec2/vpc_route_table_association.go: subnet_id, gateway_id ForceNew`,
    },
    // internal/service/ec2/vpc_route.go: route_table_id and every destination ForceNew.
    "aws:ec2/route:Route": {
        properties: ["routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId", REGIONAL],
        source: `${TF} internal/service/ec2/vpc_route.go: route_table_id, destination_cidr_block, destination_ipv6_cidr_block, destination_prefix_list_id ForceNew`,
    },
    // internal/service/ec2/vpc_nat_gateway.go: allocation_id, connectivity_type, private_ip, subnet_id ForceNew.
    "aws:ec2/natGateway:NatGateway": {
        properties: ["allocationId", "connectivityType", "privateIp", "subnetId", REGIONAL],
        source: `${TF} internal/service/ec2/vpc_nat_gateway.go: allocation_id, connectivity_type, private_ip, subnet_id ForceNew`,
    },
    // internal/service/ec2/vpc_internet_gateway.go: nothing but region ForceNew (vpc_id is attached in place).
    "aws:ec2/internetGateway:InternetGateway": {
        properties: [REGIONAL],
        source: `${TF} internal/service/ec2/vpc_internet_gateway.go: no ForceNew argument (vpc_id attaches in place)`,
    },
    // internal/service/ec2/vpc_security_group.go: description, name, name_prefix, vpc_id ForceNew.
    "aws:ec2/securityGroup:SecurityGroup": {
        properties: ["description", "name", "namePrefix", "vpcId", REGIONAL],
        source: `${TF} internal/service/ec2/vpc_security_group.go: description, name, name_prefix, vpc_id ForceNew`,
    },
    // internal/service/ec2/vpc_endpoint.go: service_name, vpc_endpoint_type, vpc_id ForceNew (policy,
    // subnets, security groups and route tables are modified in place).
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        properties: ["serviceName", "vpcEndpointType", "vpcId", REGIONAL],
        source: `${TF} internal/service/ec2/vpc_endpoint.go: service_name, vpc_endpoint_type, vpc_id ForceNew`,
    },
    // internal/service/ec2/vpc_security_group_ingress_rule.go (framework, shared with the egress rule):
    // security_group_id RequiresReplace; the rule itself is modified in place.
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
        properties: ["securityGroupId", REGIONAL],
        source: `${TF} internal/service/ec2/vpc_security_group_ingress_rule.go: security_group_id RequiresReplace`,
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        properties: ["securityGroupId", REGIONAL],
        source: `${TF} internal/service/ec2/vpc_security_group_ingress_rule.go: security_group_id RequiresReplace`,
    },

    // ── Athena ─────────────────────────────────────────────────────────────────────────────────
    // internal/service/athena/named_query.go: no Update; database, description, name, query, workgroup ForceNew.
    "aws:athena/namedQuery:NamedQuery": {
        properties: ["database", "description", "name", "query", "workgroup", REGIONAL],
        source: `${TF} internal/service/athena/named_query.go: database, description, name, query, workgroup ForceNew (no update)`,
    },
    // internal/service/athena/workgroup.go: name ForceNew.
    "aws:athena/workgroup:Workgroup": {
        properties: ["name", REGIONAL],
        source: `${TF} internal/service/athena/workgroup.go: name ForceNew`,
    },

    // ── QuickSight (aws-native, CloudFormation createOnlyProperties) ──────────────────────────
    // AWS::QuickSight::DataSource createOnlyProperties: /properties/AwsAccountId, /properties/DataSourceId, /properties/Type.
    "aws-native:quicksight:DataSource": {
        properties: ["awsAccountId", "dataSourceId", "type"],
        source: "CloudFormation AWS::QuickSight::DataSource createOnlyProperties: AwsAccountId, DataSourceId, Type",
    },
    // AWS::QuickSight::DataSet createOnlyProperties: /properties/AwsAccountId, /properties/DataSetId.
    "aws-native:quicksight:DataSet": {
        properties: ["awsAccountId", "dataSetId"],
        source: "CloudFormation AWS::QuickSight::DataSet createOnlyProperties: AwsAccountId, DataSetId",
    },
    // AWS::QuickSight::Analysis createOnlyProperties: /properties/AnalysisId, /properties/AwsAccountId.
    "aws-native:quicksight:Analysis": {
        properties: ["analysisId", "awsAccountId"],
        source: "CloudFormation AWS::QuickSight::Analysis createOnlyProperties: AnalysisId, AwsAccountId",
    },
    // AWS::QuickSight::Dashboard createOnlyProperties: /properties/AwsAccountId, /properties/DashboardId.
    "aws-native:quicksight:Dashboard": {
        properties: ["awsAccountId", "dashboardId"],
        source: "CloudFormation AWS::QuickSight::Dashboard createOnlyProperties: AwsAccountId, DashboardId",
    },
    // AWS::QuickSight::RefreshSchedule createOnlyProperties: /properties/AwsAccountId, /properties/DataSetId, /properties/Schedule/ScheduleId.
    "aws-native:quicksight:RefreshSchedule": {
        properties: ["awsAccountId", "dataSetId", "schedule.scheduleId"],
        source: "CloudFormation AWS::QuickSight::RefreshSchedule createOnlyProperties: AwsAccountId, DataSetId, Schedule/ScheduleId",
    },

    // ── Providers ──────────────────────────────────────────────────────────────────────────────
    // A provider's config change is an update of the provider resource: pulumi-aws v7 no longer
    // cascade-replaces resources when `region` changes (pulumi/pulumi-aws#5656), and aws-native never
    // does (pulumi/pulumi-aws-native#1793). The diff warns about a region change instead.
    "pulumi:providers:aws": {
        properties: [],
        source: "pulumi/pulumi-aws#5656: DiffConfig does not replace on region (v7)",
    },
    "pulumi:providers:aws-native": {
        properties: [],
        source: "pulumi/pulumi-aws-native#1793: DiffConfig never cascade-replaces",
    },
};

/**
 * Components whose inputs decide which children they register: a change to one of these inputs
 * replaces children, named here with the provider rule that replaces them. A component has no cloud
 * counterpart of its own, so the diff shows the change on the component, with what it replaces; the
 * children's new ids then reach every input computed from them (content-addressed fake ids).
 */
export interface ComponentRule {
    /** Input → the children a change to it replaces, and why. */
    replacesChildren: Readonly<Record<string, string>>;
    source: string;
}

const VPC_CHILDREN =
    "the VPC (aws_vpc cidr_block ForceNew) and with it every subnet, route table and internet gateway attachment in it (their vpc_id ForceNew)";
const SUBNET_CHILDREN = "its subnets (aws_subnet cidr_block and availability_zone ForceNew) and their route table associations (subnet_id ForceNew)";

export const COMPONENT_RULES: Readonly<Record<string, ComponentRule>> = {
    "awsx:ec2:Vpc": {
        replacesChildren: {
            cidrBlock: VPC_CHILDREN,
            ipv4IpamPoolId: VPC_CHILDREN,
            ipv4NetmaskLength: VPC_CHILDREN,
            subnetSpecs: SUBNET_CHILDREN,
            subnetStrategy: SUBNET_CHILDREN,
            availabilityZoneNames: SUBNET_CHILDREN,
            numberOfAvailabilityZones: SUBNET_CHILDREN,
            availabilityZoneCidrMask: SUBNET_CHILDREN,
            natGateways: "its NAT gateways and their elastic IPs (aws_nat_gateway allocation_id and subnet_id ForceNew)",
        },
        source: `${TF} internal/service/ec2/vpc_.go (cidr_block, ipv4_ipam_pool_id, ipv4_netmask_length ForceNew), vpc_subnet.go (vpc_id, cidr_block, availability_zone ForceNew), vpc_nat_gateway.go; pulumi-awsx ec2/vpc.ts lays out subnets from these inputs`,
    },
};

/** The inputs of a component whose changed paths replace children, each with what it replaces; undefined for a component not in the table. */
export function componentReplacements(type: string, changedPaths: readonly string[]): { input: string; children: string }[] | undefined {
    const rule = COMPONENT_RULES[type];
    if (rule === undefined) return undefined;
    return Object.entries(rule.replacesChildren)
        .filter(([input]) => changedPaths.some((path) => touches(input, path)))
        .map(([input, children]) => ({ input, children }));
}

/** `path` (`rules[2].days`, `schedule.scheduleId`) with index brackets as dots: `rules.2.days`. */
function dotted(path: string): string {
    return path.replace(/\[(\d+)\]/g, ".$1");
}

/** True when a change at `changedPath` is at or below `property`, or replaces something that holds it. */
export function touches(property: string, changedPath: string): boolean {
    const [a, b] = [dotted(property), dotted(changedPath)];
    return a === b || b.startsWith(`${a}.`) || a.startsWith(`${b}.`);
}

/** The replace-on-change properties of `type` that the changed paths touch; undefined when the type is not in the table. */
export function replacementTriggers(type: string, changedPaths: readonly string[]): string[] | undefined {
    const rule = REPLACEMENT_RULES[type];
    if (rule === undefined) return undefined;
    return rule.properties.filter((property) => changedPaths.some((path) => touches(property, path)));
}
