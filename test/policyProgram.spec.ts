import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { builtinModules } from "module";
import { REPO_ROOT } from "../model/repository";
import { npmRun } from "./support/npmRun";
import type { PolicyReport } from "../workbench/policyCheck/report";
import { TAGGABLE_TYPES } from "../policies/rules/tags";
import { sharedCheck, violations } from "../policies/tests/support/harness";
import { stageManifestsToCheck } from "../workbench/policyCheck/stageCheck";
import { stageCheckSettings } from "../ops/policyConfig/stageSettings";
import type { Manifest, ManifestResource } from "../workbench/synth/manifestFile";
import { stageStacks } from "../model/stacks";
import { stageManifests } from "./support/synth";

/** The real program and the broken fixture program, through the same check as `npm run policy`. */

const STAGES = ["dev", "prod"];
const BROKEN_RULES = ["s3-bucket-encryption", "s3-bucket-naming", "iam-no-wildcard-actions", "s3-bucket-role"];

/** A copy of prod's all-in-one manifest, to break. */
async function prodCopy(): Promise<Manifest> {
    const [manifest] = await stageManifests("prod", true);
    return JSON.parse(JSON.stringify(manifest)) as Manifest;
}

function find(manifest: Manifest, type: string, name: string): ManifestResource {
    const found = manifest.resources.find((resource) => resource.type === type && resource.name === name);
    assert.ok(found !== undefined, `prod has no ${type} ${name}`);
    return found;
}

describe("policies: the program", function () {
    for (const stage of STAGES) {
        it(`${stage}: every layer stack and the all-in-one stack pass with no mandatory violation`, async () => {
            const manifests = [...(await stageManifests(stage)), ...(await stageManifests(stage, true))];
            assert.deepStrictEqual(
                manifests.map((manifest) => manifest.stack),
                [...stageStacks(stage, false), stage],
            );
            const report = await (await sharedCheck()).evaluate(manifests, stageCheckSettings(stage));
            const mandatory = violations(report).filter((violation) => violation.enforcement === "mandatory");
            assert.deepStrictEqual(
                mandatory.map(({ policy, resourceName, message }) => `${policy} ${resourceName}: ${message}`),
                [],
            );
        });
    }

    it("prod: the broken fixture fails with mandatory violations of each broken rule, and of data protection", async () => {
        const settings = stageCheckSettings("prod");
        const report = await (await sharedCheck()).evaluate(await stageManifestsToCheck("prod", settings.stageConfig, "broken"), settings);
        const mandatory = new Set(
            violations(report)
                .filter((violation) => violation.enforcement === "mandatory")
                .map((violation) => violation.policy),
        );
        for (const rule of [...BROKEN_RULES, "data-protection", "s3-access-logging", "s3-data-bucket-versioning", "kms-key-policy"])
            assert.ok(mandatory.has(rule), `${rule} in ${[...mandatory].join(", ")}`);
    });

    describe("each rule engages with the real manifests: one mistake injected into prod's all-in-one stack", () => {
        async function assertCaught(manifest: Manifest, policy: string, resourceName: string) {
            const report = await (await sharedCheck()).evaluate([manifest], stageCheckSettings("prod"));
            const found = violations(report).map((violation) => `${violation.policy} ${violation.resourceName}`);
            assert.ok(found.includes(`${policy} ${resourceName}`), `expected ${policy} on ${resourceName}, got ${JSON.stringify(found)}`);
        }

        it("s3-bucket-encryption: the staging bucket's encryption sidecar dropped", async () => {
            const manifest = await prodCopy();
            const sidecar = find(
                manifest,
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "storage-staging-encryption",
            );
            manifest.resources = manifest.resources.filter((resource) => resource !== sidecar);
            await assertCaught(manifest, "s3-bucket-encryption", "storage-staging");
        });
        it("glue-iceberg-table-maintenance: the warehouse table made a Hive table, an optimizer dropped, an optimizer disabled", async () => {
            const hive = await prodCopy();
            delete find(hive, "aws:glue/catalogTable:CatalogTable", "etl-tracks").inputs.openTableFormatInput;
            await assertCaught(hive, "glue-iceberg-table-maintenance", "etl-tracks");
            const dropped = await prodCopy();
            dropped.resources = dropped.resources.filter((resource) => resource.name !== "etl-orphan-file-deletion");
            await assertCaught(dropped, "glue-iceberg-table-maintenance", "etl-tracks");
            const disabled = await prodCopy();
            const optimizer = find(disabled, "aws:glue/catalogTableOptimizer:CatalogTableOptimizer", "etl-snapshot-retention");
            (optimizer.inputs.configuration as Record<string, unknown>).enabled = false;
            await assertCaught(disabled, "glue-iceberg-table-maintenance", "etl-tracks");
        });
        it("glue-security-configuration: CloudWatch encryption of the job's security configuration turned off", async () => {
            const manifest = await prodCopy();
            const encryption = find(manifest, "aws:glue/securityConfiguration:SecurityConfiguration", "etl-security").inputs.encryptionConfiguration as Record<
                string,
                unknown
            >;
            encryption.cloudwatchEncryption = { cloudwatchEncryptionMode: "DISABLED" };
            await assertCaught(manifest, "glue-security-configuration", "etl-security");
        });
        it("iam-no-wildcard-actions: a statement allowing everything added to the job role", async () => {
            const manifest = await prodCopy();
            const rolePolicy = find(manifest, "aws:iam/rolePolicy:RolePolicy", "etl-job-role-permissions");
            const document = JSON.parse(String(rolePolicy.inputs.policy)) as { Statement: unknown[] };
            document.Statement.push({ Effect: "Allow", Action: "*", Resource: "*" });
            rolePolicy.inputs.policy = JSON.stringify(document);
            await assertCaught(manifest, "iam-no-wildcard-actions", "etl-job-role-permissions");
        });
        it("required-tags: the etl layer's provider without defaultTags", async () => {
            const manifest = await prodCopy();
            delete find(manifest, "pulumi:providers:aws", "etl-aws").inputs.defaultTags;
            await assertCaught(manifest, "required-tags", "etl-job");
        });
        it("quicksight-no-public-sharing: the real dashboard shared with the whole account by link", async () => {
            const manifest = await prodCopy();
            const dashboard = find(manifest, "aws-native:quicksight:Dashboard", "dashboards-spotify-hits");
            dashboard.inputs.linkSharingConfiguration = {
                permissions: [{ principal: "arn:aws:quicksight:eu-west-1:123456789012:namespace/default", actions: ["quicksight:QueryDashboard"] }],
            };
            await assertCaught(manifest, "quicksight-no-public-sharing", "dashboards-spotify-hits");
        });
        it("quicksight-approved-principals: a real dataset granted to a user the stage does not list", async () => {
            const manifest = await prodCopy();
            const dataSet = find(manifest, "aws-native:quicksight:DataSet", "dashboards-tracks");
            (dataSet.inputs.permissions as unknown[]).push({
                principal: "arn:aws:quicksight:eu-west-1:222222222222:user/default/mallory",
                actions: ["quicksight:DescribeDataSet"],
            });
            await assertCaught(manifest, "quicksight-approved-principals", "dashboards-tracks");
        });
        it("quicksight-athena-workgroup: the real data source moved to the primary workgroup", async () => {
            const manifest = await prodCopy();
            const dataSource = find(manifest, "aws-native:quicksight:DataSource", "dashboards-athena");
            dataSource.inputs.dataSourceParameters = { athenaParameters: { workGroup: "primary" } };
            await assertCaught(manifest, "quicksight-athena-workgroup", "dashboards-athena");
        });
        it("network-flow-logs: the VPC's flow log removed", async () => {
            const manifest = await prodCopy();
            const flowLog = find(manifest, "aws:ec2/flowLog:FlowLog", "network-flow-log");
            manifest.resources = manifest.resources.filter((resource) => resource !== flowLog);
            await assertCaught(manifest, "network-flow-logs", "network-vpc");
        });
        it("network-security-group-not-open: the Glue security group's S3 egress opened to the whole internet", async () => {
            const manifest = await prodCopy();
            const egress = find(manifest, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "network-glue-to-s3");
            delete egress.inputs.prefixListId;
            egress.inputs.cidrIpv4 = "0.0.0.0/0";
            await assertCaught(manifest, "network-security-group-not-open", "network-glue-to-s3");
        });
        it("quicksight-data-source-ssl: the real data source with SSL turned off", async () => {
            const manifest = await prodCopy();
            find(manifest, "aws-native:quicksight:DataSource", "dashboards-athena").inputs.sslProperties = { disableSsl: true };
            await assertCaught(manifest, "quicksight-data-source-ssl", "dashboards-athena");
        });
        for (const bucket of ["staging", "warehouse"]) {
            it(`s3-data-bucket-endpoint-only: the ${bucket} bucket policy without its deny from outside the S3 endpoint`, async () => {
                const manifest = await prodCopy();
                const policy = find(manifest, "aws:s3/bucketPolicy:BucketPolicy", `storage-${bucket}-policy`);
                const document = JSON.parse(String(policy.inputs.policy)) as { Statement: { Sid?: string }[] };
                const kept = document.Statement.filter((statement) => statement.Sid !== "DenyOutsideVpcEndpoint");
                assert.strictEqual(kept.length, document.Statement.length - 1, "prod's policy had the statement");
                policy.inputs.policy = JSON.stringify({ ...document, Statement: kept });
                await assertCaught(manifest, "s3-data-bucket-endpoint-only", `storage-${bucket}-policy`);
            });
        }
        it("iam-no-dead-grants: glue:GetSecurityConfiguration in the Glue endpoint's ARN-scoped statement", async () => {
            const manifest = await prodCopy();
            const endpoint = find(manifest, "aws:ec2/vpcEndpoint:VpcEndpoint", "network-glue");
            const document = JSON.parse(String(endpoint.inputs.policy)) as { Statement: { Sid?: string; Action: string[] }[] };
            document.Statement.find((statement) => statement.Sid === "StageWorkloadOnly")!.Action.push("glue:GetSecurityConfiguration");
            endpoint.inputs.policy = JSON.stringify(document);
            await assertCaught(manifest, "iam-no-dead-grants", "network-glue");
        });
        it('iam-no-wildcard-resources: ec2:DescribeVpcAttribute back on "*" in the job role (it can be scoped to the VPC)', async () => {
            const manifest = await prodCopy();
            const rolePolicy = find(manifest, "aws:iam/rolePolicy:RolePolicy", "etl-job-role-permissions");
            const document = JSON.parse(String(rolePolicy.inputs.policy)) as { Statement: { Sid?: string; Action: string[] }[] };
            document.Statement.find((statement) => statement.Sid === "DescribeJobNetwork")!.Action.push("ec2:DescribeVpcAttribute");
            rolePolicy.inputs.policy = JSON.stringify(document);
            await assertCaught(manifest, "iam-no-wildcard-resources", "etl-job-role-permissions");
        });
        const VIEWERS = "arn:aws:quicksight:eu-west-1:222222222222:group/default/data-analysts";
        it("quicksight-viewers-read-only: prod's viewers group given owner actions on the real dashboard", async () => {
            const manifest = await prodCopy();
            const dashboard = find(manifest, "aws-native:quicksight:Dashboard", "dashboards-spotify-hits");
            const permissions = dashboard.inputs.permissions as { principal: string; actions: string[] }[];
            const viewers = permissions.find((permission) => permission.principal === VIEWERS);
            assert.ok(viewers !== undefined, "prod's viewers see the dashboard");
            viewers.actions = [...viewers.actions, "quicksight:UpdateDashboardPermissions"];
            await assertCaught(manifest, "quicksight-viewers-read-only", "dashboards-spotify-hits");
        });
        it("quicksight-viewers-read-only: a real dataset shared with prod's viewers group", async () => {
            const manifest = await prodCopy();
            const dataSet = find(manifest, "aws-native:quicksight:DataSet", "dashboards-tracks");
            (dataSet.inputs.permissions as unknown[]).push({ principal: VIEWERS, actions: ["quicksight:DescribeDataSet"] });
            await assertCaught(manifest, "quicksight-viewers-read-only", "dashboards-tracks");
        });
        it("quicksight-no-csv-export: prod's real dashboard offering CSV export of its confidential data", async () => {
            const manifest = await prodCopy();
            const dashboard = find(manifest, "aws-native:quicksight:Dashboard", "dashboards-spotify-hits");
            const options = dashboard.inputs.dashboardPublishOptions as { exportToCsvOption: { availabilityStatus: string } };
            assert.strictEqual(options.exportToCsvOption.availabilityStatus, "DISABLED", "prod exports no CSV");
            options.exportToCsvOption.availabilityStatus = "ENABLED";
            await assertCaught(manifest, "quicksight-no-csv-export", "dashboards-spotify-hits");
        });
        it("required-tags: the dashboards layer's aws-native provider without defaultTags", async () => {
            const manifest = await prodCopy();
            delete find(manifest, "pulumi:providers:aws-native", "dashboards-aws-native").inputs.defaultTags;
            await assertCaught(manifest, "required-tags", "dashboards-spotify-hits");
        });
        it("data-protection: the real dashboard unprotected", async () => {
            const manifest = await prodCopy();
            find(manifest, "aws-native:quicksight:Dashboard", "dashboards-spotify-hits").protect = false;
            await assertCaught(manifest, "data-protection", "dashboards-spotify-hits");
        });
        it("data-protection: the data key unprotected", async () => {
            const manifest = await prodCopy();
            find(manifest, "aws:kms/key:Key", "storage-data-key").protect = false;
            await assertCaught(manifest, "data-protection", "storage-data-key");
        });
    });

    describe("each class of the guardrails issue, injected into prod's all-in-one stack", () => {
        /** A new resource beside `sibling` (same parent and provider), its inputs computed from `from` (property -> resources). */
        function add(
            manifest: Manifest,
            sibling: ManifestResource,
            type: string,
            name: string,
            inputs: Record<string, unknown>,
            from: Record<string, ManifestResource[]> = {},
        ): ManifestResource {
            const parentType = sibling.urn.split("::")[2].split("$").slice(0, -1).join("$");
            const propertyDependencies = Object.fromEntries(
                Object.entries(from).map(([property, resources]) => [property, resources.map((resource) => resource.urn)]),
            );
            const resource: ManifestResource = {
                ...sibling,
                urn: `urn:pulumi:${manifest.stack}::${manifest.project}::${parentType === "" ? "" : `${parentType}$`}${type}::${name}`,
                type,
                name,
                protect: false,
                retainOnDelete: false,
                dependencies: [...new Set(Object.values(propertyDependencies).flat())],
                propertyDependencies,
                inputs,
            };
            manifest.resources.push(resource);
            return resource;
        }
        /** Parses, changes and writes back a JSON-text policy input. */
        function editDocument(resource: ManifestResource, property: string, change: (document: { Statement: Record<string, unknown>[] }) => void) {
            const document = JSON.parse(String(resource.inputs[property])) as { Statement: Record<string, unknown>[] };
            change(document);
            resource.inputs[property] = JSON.stringify(document);
        }
        async function assertCaught(manifest: Manifest, expected: [policy: string, resourceName: string][]) {
            const report = await (await sharedCheck()).evaluate([manifest], stageCheckSettings("prod"));
            const found = violations(report).map((violation) => `${violation.policy} ${violation.resourceName}`);
            for (const [policy, resourceName] of expected) {
                assert.ok(found.includes(`${policy} ${resourceName}`), `expected ${policy} on ${resourceName}, got ${JSON.stringify(found)}`);
            }
        }
        const T = {
            role: "aws:iam/role:Role",
            rolePolicy: "aws:iam/rolePolicy:RolePolicy",
            attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            bucket: "aws:s3/bucket:Bucket",
            bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
            key: "aws:kms/key:Key",
            provider: "pulumi:providers:aws",
        };
        const jobPermissions = (manifest: Manifest) => find(manifest, T.rolePolicy, "etl-job-role-permissions");

        describe("1. every policy document is read", () => {
            it("a role trust policy opened to everyone", async () => {
                const manifest = await prodCopy();
                editDocument(find(manifest, T.role, "etl-job-role"), "assumeRolePolicy", (document) =>
                    document.Statement.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
                );
                await assertCaught(manifest, [
                    ["policy-no-public-principal", "etl-job-role"],
                    ["iam-role-trust-scoped", "etl-job-role"],
                ]);
            });
            it("a role trust policy opened to a whole account", async () => {
                const manifest = await prodCopy();
                editDocument(find(manifest, T.role, "etl-maintenance-role"), "assumeRolePolicy", (document) =>
                    document.Statement.push({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "sts:AssumeRole" }),
                );
                await assertCaught(manifest, [["iam-role-trust-scoped", "etl-maintenance-role"]]);
            });
            it("AdministratorAccess attached to the job role, IAMFullAccess in the table maintenance role's managed policies", async () => {
                const manifest = await prodCopy();
                const jobRole = find(manifest, T.role, "etl-job-role");
                add(
                    manifest,
                    jobRole,
                    T.attachment,
                    "etl-job-role-admin",
                    { role: jobRole.inputs.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
                    { role: [jobRole] },
                );
                find(manifest, T.role, "etl-maintenance-role").inputs.managedPolicyArns = ["arn:aws:iam::aws:policy/IAMFullAccess"];
                await assertCaught(manifest, [
                    ["iam-managed-policies", "etl-job-role-admin"],
                    ["iam-managed-policies", "etl-maintenance-role"],
                ]);
            });
            it("the staging bucket policy allows everyone to read", async () => {
                const manifest = await prodCopy();
                editDocument(find(manifest, T.bucketPolicy, "storage-staging-policy"), "policy", (document) =>
                    document.Statement.push({
                        Sid: "PublicRead",
                        Effect: "Allow",
                        Principal: "*",
                        Action: "s3:GetObject",
                        Resource: "arn:aws:s3:::spotify-prod-staging-222222222222/*",
                    }),
                );
                await assertCaught(manifest, [["policy-no-public-principal", "storage-staging-policy"]]);
            });
            it("the data key's policy opened to every account, or dropped", async () => {
                const manifest = await prodCopy();
                editDocument(find(manifest, T.key, "storage-data-key"), "policy", (document) =>
                    document.Statement.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:Decrypt"], Resource: "*" }),
                );
                await assertCaught(manifest, [["policy-no-public-principal", "storage-data-key"]]);
                const dropped = await prodCopy();
                delete find(dropped, T.key, "storage-data-key").inputs.policy;
                await assertCaught(dropped, [["kms-key-policy", "storage-data-key"]]);
            });
        });

        describe("2. wildcards are recognised in every form", () => {
            it("a service-wide action (iam:*) in the table maintenance role, and s3:* granted by a bucket policy", async () => {
                const manifest = await prodCopy();
                editDocument(find(manifest, T.rolePolicy, "etl-maintenance-role-permissions"), "policy", (document) =>
                    document.Statement.push({
                        Effect: "Allow",
                        Action: "iam:*",
                        Resource: "arn:aws:iam::123456789012:role/spotify_prod_table_maintenance_role",
                    }),
                );
                editDocument(find(manifest, T.bucketPolicy, "storage-warehouse-policy"), "policy", (document) =>
                    document.Statement.push({
                        Effect: "Allow",
                        Principal: { AWS: "arn:aws:iam::999999999999:root" },
                        Action: "s3:*",
                        Resource: "arn:aws:s3:::spotify-prod-warehouse-222222222222/*",
                    }),
                );
                await assertCaught(manifest, [
                    ["iam-no-wildcard-actions", "etl-maintenance-role-permissions"],
                    ["iam-no-wildcard-actions", "storage-warehouse-policy"],
                ]);
            });
            it("ARN patterns that match every bucket and every role", async () => {
                const manifest = await prodCopy();
                editDocument(jobPermissions(manifest), "policy", (document) => {
                    document.Statement.push({ Sid: "ReadEveryBucket", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*/*" });
                    document.Statement.push({ Sid: "PassEveryRole", Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/*" });
                    document.Statement.push({
                        Sid: "MakeJobs",
                        Effect: "Allow",
                        Action: ["glue:CreateJob", "glue:StartJobRun"],
                        Resource: "arn:aws:glue:eu-west-1:123456789012:job/*",
                    });
                });
                await assertCaught(manifest, [
                    ["iam-no-wildcard-resources", "etl-job-role-permissions"],
                    ["iam-no-data-exfiltration", "etl-job-role-permissions"],
                    ["iam-no-privilege-escalation", "etl-job-role-permissions"],
                ]);
            });
        });

        describe("3. public exposure by any route", () => {
            it("a public-read ACL on a separate BucketAcl, and inline on a bucket", async () => {
                const manifest = await prodCopy();
                const warehouse = find(manifest, T.bucket, "storage-warehouse");
                add(
                    manifest,
                    warehouse,
                    "aws:s3/bucketAcl:BucketAcl",
                    "storage-warehouse-acl",
                    { bucket: warehouse.inputs.bucket, acl: "public-read" },
                    { bucket: [warehouse] },
                );
                find(manifest, T.bucket, "storage-athena-results").inputs.acl = "public-read-write";
                await assertCaught(manifest, [
                    ["s3-no-public-acls", "storage-warehouse-acl"],
                    ["s3-no-public-acls", "storage-athena-results"],
                ]);
            });
        });

        describe("4. data buckets are known by their role, not their name", () => {
            it("the staging bucket renamed off the convention, unversioned and unprotected, keeps its data-bucket requirements", async () => {
                const manifest = await prodCopy();
                const staging = find(manifest, T.bucket, "storage-staging");
                staging.inputs.bucket = "landing-zone-222222222222";
                staging.protect = false;
                manifest.resources = manifest.resources.filter((resource) => resource.name !== "storage-staging-versioning");
                await assertCaught(manifest, [
                    ["s3-data-bucket-versioning", "storage-staging"],
                    ["data-protection", "storage-staging"],
                ]);
            });
            it("a bucket without its role tag is reported and held to the data-bucket rules", async () => {
                const manifest = await prodCopy();
                delete find(manifest, T.bucket, "storage-glue-assets").inputs.tags;
                await assertCaught(manifest, [
                    ["s3-bucket-role", "storage-glue-assets"],
                    ["s3-data-bucket-versioning", "storage-glue-assets"],
                    ["data-protection", "storage-glue-assets"],
                ]);
            });
        });

        describe("5. tag values, not only keys", () => {
            it("another stage, an unknown layer and an over-long value in the etl provider's defaultTags", async () => {
                for (const [tag, value] of [
                    ["stage", "dev"],
                    ["layer", "ingest"],
                    ["owner", "x".repeat(300)],
                ]) {
                    const manifest = await prodCopy();
                    const provider = find(manifest, T.provider, "etl-aws");
                    const defaults = JSON.parse(String(provider.inputs.defaultTags)) as { tags: Record<string, string> };
                    defaults.tags[tag] = value;
                    provider.inputs.defaultTags = JSON.stringify(defaults);
                    await assertCaught(manifest, [["tag-values", "etl-job"]]);
                }
            });
        });

        describe("6. Glue Data Catalog encryption", () => {
            it("the catalog encryption dropped, or turned off and unprotected", async () => {
                const dropped = await prodCopy();
                dropped.resources = dropped.resources.filter((resource) => resource.name !== "etl-catalog-encryption");
                await assertCaught(dropped, [["glue-data-catalog-encryption", "etl-warehouse"]]);
                const disabled = await prodCopy();
                const settings = find(disabled, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings", "etl-catalog-encryption");
                (settings.inputs.dataCatalogEncryptionSettings as Record<string, unknown>).encryptionAtRest = { catalogEncryptionMode: "DISABLED" };
                settings.protect = false;
                await assertCaught(disabled, [
                    ["glue-data-catalog-encryption", "etl-catalog-encryption"],
                    ["data-protection", "etl-catalog-encryption"],
                ]);
            });
        });

        describe("7. the remaining checkov gaps", () => {
            it("a log group kept 90 days in prod (CKV_AWS_338)", async () => {
                const manifest = await prodCopy();
                find(manifest, "aws:cloudwatch/logGroup:LogGroup", "etl-job-output-logs").inputs.retentionInDays = 90;
                await assertCaught(manifest, [["logs-retention", "etl-job-output-logs"]]);
            });
            it("the TLS deny of the staging bucket policy without its condition (CKV_AWS_93)", async () => {
                const manifest = await prodCopy();
                editDocument(find(manifest, T.bucketPolicy, "storage-staging-policy"), "policy", (document) => delete document.Statement[0].Condition);
                await assertCaught(manifest, [["s3-bucket-policy-lockout", "storage-staging-policy"]]);
            });
            it("credentials and permissions management on wildcard resources in the job role (CKV_AWS_287, CKV_AWS_289)", async () => {
                const manifest = await prodCopy();
                editDocument(jobPermissions(manifest), "policy", (document) => {
                    document.Statement.push({ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" });
                    document.Statement.push({ Effect: "Allow", Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::*" });
                });
                await assertCaught(manifest, [
                    ["iam-no-credentials-exposure", "etl-job-role-permissions"],
                    ["iam-no-permissions-management", "etl-job-role-permissions"],
                ]);
            });
            it("an IAM user with an access key (CKV_AWS_40)", async () => {
                const manifest = await prodCopy();
                const jobRole = find(manifest, T.role, "etl-job-role");
                const user = add(manifest, jobRole, "aws:iam/user:User", "etl-loader", { name: "loader" });
                add(manifest, jobRole, "aws:iam/accessKey:AccessKey", "etl-loader-key", { user: "loader" }, { user: [user] });
                await assertCaught(manifest, [
                    ["iam-no-users", "etl-loader"],
                    ["iam-no-users", "etl-loader-key"],
                ]);
            });
        });
    });

    describe("the pack against the program's own providers and stacks", () => {
        it("lists as taggable only aws types that really have a tags input", () => {
            for (const token of TAGGABLE_TYPES.filter((type) => type.startsWith("aws:"))) {
                const [, module, name] = /^aws:([a-z0-9]+)\/([a-zA-Z0-9]+):([A-Za-z0-9]+)$/.exec(token) ?? [];
                const typings = path.join(require.resolve("@pulumi/aws/package.json"), "..", module, `${name}.d.ts`);
                assert.ok(fs.existsSync(typings), `${token}: no ${typings}`);
                const args = /export interface \w+Args \{[\s\S]*?\n\}/.exec(fs.readFileSync(typings, "utf8"))?.[0] ?? "";
                assert.match(args, /\n {4}tags\?:/, `${token} has no tags input`);
            }
        });

        it("fails prod's synthesized etl stack once its job loses the connections", async () => {
            const manifest = (await stageManifests("prod")).find((candidate) => candidate.stack === "prod-etl");
            assert.ok(manifest, "prod-etl was not synthesized");
            const check = await sharedCheck();
            const options = stageCheckSettings("prod");
            assert.deepStrictEqual(violations(await check.evaluate([manifest], options), "glue-network-connection"), []);
            const withoutConnections = {
                ...manifest,
                resources: manifest.resources.map((resource) => {
                    if (resource.type !== "aws:glue/job:Job") return resource;
                    const { connections: _dropped, ...inputs } = resource.inputs;
                    return { ...resource, inputs };
                }),
            };
            const found = violations(await check.evaluate([withoutConnections], options), "glue-network-connection");
            assert.deepStrictEqual(
                found.map((violation) => violation.resourceName),
                ["etl-job"],
            );
        });
    });

    describe("the pack folder (cd policies && npm ci && npm test)", () => {
        const PACK = path.join(REPO_ROOT, "policies");
        const manifest = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")) as {
            dependencies: Record<string, string>;
            devDependencies: Record<string, string>;
            files: string[];
        };
        /** The pack's TypeScript files, without its installed packages, scratch output and the fixture programs (which the repository's tools run). */
        function sources(directory = PACK): string[] {
            return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
                const file = path.join(directory, entry.name);
                if (entry.isDirectory()) return ["node_modules", "out", "fixtures"].includes(entry.name) && directory === PACK ? [] : sources(file);
                return entry.name.endsWith(".ts") ? [file] : [];
            });
        }
        const packageOf = (specifier: string) =>
            specifier
                .split("/")
                .slice(0, specifier.startsWith("@") ? 2 : 1)
                .join("/");

        // The tests run in the repository: they drive the pack with the offline check (workbench/policyCheck/) and
        // reconcile its config as the CLI does (ops/policyConfig/), modules that resolve their own packages from the root.
        it("publishes files that import nothing outside policies/; every package a file here imports is declared (published files: in dependencies)", () => {
            const problems: string[] = [];
            for (const file of sources()) {
                const relative = path.relative(PACK, file);
                const published = manifest.files.some((entry) => relative === entry || relative.startsWith(entry));
                const declared = published ? manifest.dependencies : { ...manifest.dependencies, ...manifest.devDependencies };
                for (const { fileName: specifier } of ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles) {
                    if (specifier.startsWith(".")) {
                        const target = path.resolve(path.dirname(file), specifier);
                        const outside = path.relative(published ? PACK : REPO_ROOT, target).startsWith("..");
                        if (outside) problems.push(`${relative}: ${specifier} is outside ${published ? "policies/" : "the repository"}`);
                    } else if (!builtinModules.includes(specifier.replace(/^node:/, "")) && !(packageOf(specifier) in declared)) {
                        problems.push(
                            `${relative}: ${specifier} is not among policies/package.json's ${published ? "dependencies" : "dependencies or devDependencies"}`,
                        );
                    }
                }
            }
            assert.deepStrictEqual(problems, []);
        });

        it("pins its test tools to the repository's versions", () => {
            const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
                dependencies: Record<string, string>;
                devDependencies: Record<string, string>;
            };
            const rootVersions: Record<string, string> = { ...root.dependencies, ...root.devDependencies };
            for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
                assert.strictEqual(version, rootVersions[name], `${name}: policies/package.json pins ${version}, package.json ${rootVersions[name]}`);
            }
        });
    });

    describe("npm run policy", () => {
        const run = (...args: string[]) => {
            const out = fs.mkdtempSync(path.join(os.tmpdir(), "policy-out-"));
            const result = npmRun("policy", [...args, "--out", out]);
            return { ...result, out };
        };

        it("dev --fixture broken: exits 1, names each broken rule with its enforcement level, and writes JSON and Markdown reports", () => {
            const { status, stdout, stderr, out } = run("dev", "--fixture", "broken");
            assert.strictEqual(status, 1, `${stdout}\n${stderr}`);
            // Each resource's violations, in the order the pack reports them: the named one among them.
            const among = (resource: string, line: string) => new RegExp(`${resource}\\n(?: {4,}.*\\n)*? {4}${line}`);
            assert.match(stdout, among("aws:s3/bucket:Bucket unencrypted-staging", "mandatory s3-bucket-encryption \\(critical\\)"));
            assert.match(stdout, among("aws:s3/bucket:Bucket misnamed", "advisory {2}s3-bucket-naming \\(medium\\)"));
            assert.match(stdout, among("aws:s3/bucket:Bucket misnamed", "advisory {2}s3-bucket-role \\(high\\)"));
            assert.match(stdout, among("aws:iam/policy:Policy admin-everything", "mandatory iam-no-wildcard-actions \\(critical\\)"));
            assert.match(stdout, /FAILED/);
            const report = JSON.parse(fs.readFileSync(path.join(out, "dev-fixture-broken.json"), "utf8")) as PolicyReport;
            for (const rule of BROKEN_RULES) assert.ok(violations(report, rule).length > 0, `${rule} in the JSON report`);
            const markdown = fs.readFileSync(path.join(out, "dev-fixture-broken.md"), "utf8");
            for (const rule of BROKEN_RULES) assert.ok(markdown.includes(rule), `${rule} in the Markdown report`);
        });

        it("exits 2 when it cannot check, naming the known fixtures for an unknown one", () => {
            const { status, stderr } = run("dev", "--fixture", "nope");
            assert.strictEqual(status, 2);
            assert.match(stderr, /no fixture "nope" in policies\/fixtures \(there are: broken\)/);
        });
    });
});
