import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseStageConfig, StageConfig, StageConfigError } from "../model/stageConfig";
import { ENDPOINT_BUCKETS } from "../infra/layers/network";
import { JOB_AVAILABILITY_ZONES } from "../model/layerOutputs";
import { bucketName, BucketPurpose } from "../model/naming";
import { REPO_ROOT } from "../model/repository";
import { fakeCloud } from "../engine/fakeCloud";
import { globMatches } from "../policies/support/wildcards";
import type { Manifest, ManifestResource } from "../workbench/synth/manifestFile";
import { readStageConfigFile } from "../ops/stageFile";
import { stageManifests } from "./support/synth";
import { Template } from "./support/template";

/**
 * spotify:network "isolated" (prod) against "none" (dev). awsx.ec2.Vpc is a remote component:
 * under the mock runtime its children (VPC, subnets, route tables, internet gateway) are not
 * created, and its outputs are MOCKED by engine/fakeCloud.ts after awsx's documented output
 * shape. So these tests check what the program does with whatever awsx returns (the same ids flow
 * into endpoints, connections and outputs) and what it declares itself with @pulumi/aws, never the
 * mocked values as such.
 */

const T = {
    awsxVpc: "awsx:ec2:Vpc",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    connection: "aws:glue/connection:Connection",
    flowLog: "aws:ec2/flowLog:FlowLog",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    key: "aws:kms/key:Key",
    job: "aws:glue/job:Job",
    crawler: "aws:glue/crawler:Crawler",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    stackReference: "pulumi:pulumi:StackReference",
};
const INTERFACE_SERVICES = ["glue", "logs", "kms", "sts", "monitoring"];

type Statement = {
    Sid?: string;
    Effect: string;
    Principal?: unknown;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
};
const statementsOf = (document: unknown): Statement[] => (JSON.parse(String(document)) as { Statement: Statement[] }).Statement;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

function stack(manifests: Manifest[], name: string): Template {
    const manifest = manifests.find((candidate) => candidate.stack === name);
    assert.ok(manifest, `no stack ${name}`);
    return new Template(manifest);
}

describe("network layer (prod: spotify:network isolated)", () => {
    let config: StageConfig;
    let network: Template;
    let storage: Template;
    let etl: Template;
    let outputs: Record<string, unknown>;

    before(async () => {
        config = parseStageConfig(readStageConfigFile("prod"), "prod");
        assert.strictEqual(config.network, "isolated", "Pulumi.prod.yaml sets spotify:network: isolated");
        const manifests = await stageManifests("prod");
        [network, storage, etl] = ["prod-network", "prod-storage", "prod-etl"].map((name) => stack(manifests, name));
        outputs = network.manifest.outputs;
    });

    it("is the first layer stack of the stage", async () => {
        assert.deepStrictEqual((await stageManifests("prod")).map((manifest) => manifest.stack)[0], "prod-network");
    });

    it("declares one awsx VPC with isolated subnets only, in two zones, without NAT gateways, DNS on for the endpoints", () => {
        network.resourceCountIs(T.awsxVpc, 1);
        const vpc = network.findResources(T.awsxVpc)[0];
        assert.deepStrictEqual(vpc.inputs.subnetSpecs, [{ type: "Isolated", name: "jobs", cidrMask: 20 }]);
        assert.deepStrictEqual(vpc.inputs.natGateways, { strategy: "None" });
        assert.strictEqual(vpc.inputs.numberOfAvailabilityZones, JOB_AVAILABILITY_ZONES);
        assert.strictEqual(vpc.inputs.enableDnsHostnames, true);
        assert.strictEqual(vpc.inputs.enableDnsSupport, true);
    });

    it("exports the job subnets awsx reports as isolated, and uses exactly those for connections and interface endpoints", () => {
        const subnets = outputs.jobSubnetIds as string[];
        assert.strictEqual(new Set(subnets).size, JOB_AVAILABILITY_ZONES);
        const connections = network.findResources(T.connection);
        assert.deepStrictEqual(
            connections.map((connection) => connection.inputs.connectionType),
            ["NETWORK", "NETWORK"],
        );
        assert.deepStrictEqual(
            connections.map((connection) => (connection.inputs.physicalConnectionRequirements as { subnetId: string }).subnetId).sort(),
            [...subnets].sort(),
        );
        assert.strictEqual(
            new Set(connections.map((connection) => (connection.inputs.physicalConnectionRequirements as { availabilityZone: string }).availabilityZone)).size,
            JOB_AVAILABILITY_ZONES,
        );
        for (const service of INTERFACE_SERVICES) {
            const endpoint = network.resource(T.endpoint, `network-${service}`);
            assert.deepStrictEqual(endpoint.inputs.subnetIds, subnets, service);
        }
        assert.deepStrictEqual(
            outputs.glueConnectionNames,
            connections.map((connection) => connection.inputs.name),
        );
    });

    it("declares an S3 gateway endpoint on the VPC's route tables, restricted to this stage's buckets", () => {
        const s3 = network.resource(T.endpoint, "network-s3");
        assert.strictEqual(s3.inputs.vpcEndpointType, "Gateway");
        assert.strictEqual(s3.inputs.serviceName, `com.amazonaws.${config.region}.s3`);
        assert.deepStrictEqual(
            network.follow(s3, "routeTableIds").map((resource) => resource.type),
            [T.awsxVpc],
        );
        const [statement, ...others] = statementsOf(s3.inputs.policy);
        assert.deepStrictEqual(others, []);
        const buckets = ENDPOINT_BUCKETS.flatMap((purpose: BucketPurpose) => [
            `arn:aws:s3:::${bucketName(config, purpose)}`,
            `arn:aws:s3:::${bucketName(config, purpose)}/*`,
        ]);
        assert.deepStrictEqual(list(statement.Resource), buckets);
        assert.ok(!list(statement.Action).some((action) => String(action).includes("*")), JSON.stringify(statement.Action));
    });

    it("declares interface endpoints for Glue, CloudWatch Logs, KMS, STS and monitoring, each limited to this account and named actions", () => {
        const endpoints = network.findResources(T.endpoint, { vpcEndpointType: "Interface" });
        assert.deepStrictEqual(endpoints.map((endpoint) => String(endpoint.inputs.serviceName).split(".").pop()).sort(), [...INTERFACE_SERVICES].sort());
        for (const endpoint of endpoints) {
            assert.strictEqual(endpoint.inputs.privateDnsEnabled, true, endpoint.name);
            for (const statement of statementsOf(endpoint.inputs.policy)) {
                assert.deepStrictEqual(statement.Condition?.StringEquals?.["aws:PrincipalAccount"], network.manifest.fakeCloud.account, endpoint.name);
                assert.ok(!list(statement.Action).some((action) => /(^|:)\*$/.test(String(action))), `${endpoint.name}: ${JSON.stringify(statement.Action)}`);
            }
        }
    });

    it("admits through its endpoints only actions the Glue job's role is granted: any other entry lets nothing through", () => {
        const [job] = etl.findResources(T.job);
        const roleName = String(job.inputs.roleArn).split("/").pop();
        const granted = etl
            .findResources(T.rolePolicy, { role: roleName })
            .flatMap((policy) => statementsOf(policy.inputs.policy))
            .filter((statement) => statement.Effect === "Allow")
            .flatMap((statement) => list(statement.Action).map(String));
        assert.ok(granted.length > 0, `no Allow in the role policies of ${roleName}`);
        const grants = (action: string) => granted.some((pattern) => globMatches(pattern, action));
        // STS answers GetCallerIdentity whatever the caller's policies say (it needs no permission).
        const NEEDS_NO_PERMISSION = ["sts:GetCallerIdentity"];
        const dead = network
            .findResources(T.endpoint)
            .flatMap((endpoint) =>
                statementsOf(endpoint.inputs.policy).flatMap((statement) => list(statement.Action).map((action) => `${endpoint.name}: ${String(action)}`)),
            )
            .filter((entry) => {
                const action = entry.split(": ")[1];
                return !NEEDS_NO_PERMISSION.includes(action) && !grants(action);
            });
        assert.deepStrictEqual(dead, [], `endpoint entries the job's role is not granted, which let nothing through`);
    });

    it("lets the Glue security group reach only itself and the endpoints, and the endpoints accept only Glue", () => {
        const glue = network.resource(T.securityGroup, "network-glue");
        const endpointGroup = network.resource(T.securityGroup, "network-endpoints");
        const s3 = network.resource(T.endpoint, "network-s3");
        const rulesOf = (type: string, group: ManifestResource) => network.referencing(group, type, "securityGroupId");
        const targets = (rule: ManifestResource) =>
            [...network.follow(rule, "referencedSecurityGroupId"), ...network.follow(rule, "prefixListId")].map((resource) => resource.name);
        assert.deepStrictEqual(rulesOf(T.ingress, glue).map(targets), [["network-glue"]]);
        assert.deepStrictEqual(rulesOf(T.egress, glue).map(targets).sort(), [["network-endpoints"], ["network-glue"], [s3.name]].sort());
        assert.deepStrictEqual(rulesOf(T.ingress, endpointGroup).map(targets), [["network-glue"]]);
        assert.deepStrictEqual(rulesOf(T.egress, endpointGroup), []);
        for (const rule of [...network.findResources(T.ingress), ...network.findResources(T.egress)]) {
            assert.strictEqual(rule.inputs.cidrIpv4, undefined, rule.name);
            assert.strictEqual(rule.inputs.cidrIpv6, undefined, rule.name);
        }
        for (const connection of network.findResources(T.connection))
            assert.deepStrictEqual(
                network.follow(connection, "physicalConnectionRequirements").filter((resource) => resource.type === T.securityGroup),
                [glue],
            );
    });

    it("sends all VPC flow logs to a log group encrypted with the layer's key, kept as long as the stage's logs", () => {
        const flowLog = network.findResources(T.flowLog)[0];
        assert.strictEqual(flowLog.inputs.trafficType, "ALL");
        assert.deepStrictEqual(
            network.follow(flowLog, "vpcId").map((resource) => resource.type),
            [T.awsxVpc],
        );
        const [group] = network.follow(flowLog, "logDestination");
        assert.strictEqual(group.type, T.logGroup);
        assert.strictEqual(group.inputs.retentionInDays, config.logRetentionDays);
        assert.deepStrictEqual(
            network.follow(group, "kmsKeyId").map((resource) => resource.name),
            ["network-key"],
        );
        assert.strictEqual(network.resource(T.key, "network-key").protect, config.protectData);
    });

    it("runs the job in every connection, with its role allowed network interfaces in this VPC only, and no crawler", () => {
        const names = outputs.glueConnectionNames as string[];
        assert.deepStrictEqual(etl.findResources(T.job)[0].inputs.connections, names);
        assert.deepStrictEqual(etl.findResources(T.crawler), []);
        for (const role of ["etl-job-role-permissions"]) {
            const manage = statementsOf(etl.resource(T.rolePolicy, role).inputs.policy).find((statement) => statement.Sid === "ManageJobNetworkInterfaces");
            assert.ok(manage, role);
            assert.deepStrictEqual(
                manage.Condition,
                { ArnEquals: { "ec2:Vpc": `arn:aws:ec2:${config.region}:${etl.manifest.fakeCloud.account}:vpc/${String(outputs.vpcId)}` } },
                role,
            );
        }
    });

    it("makes staging and warehouse deny access from outside the S3 endpoint, except the exempt roles, the table optimizers' role and Athena", () => {
        // Spelled out here, not taken from the stage plan: the roles are created outside this program under these names.
        const exempt = ["deploy", "preview", "break-glass"].map((role) => `${config.namePrefix}-${config.stage}-${role}`);
        for (const purpose of ["staging", "warehouse", "athena-results", "glue-assets", "access-logs"]) {
            const deny = statementsOf(storage.resource(T.bucketPolicy, `storage-${purpose}-policy`).inputs.policy).find(
                (statement) => statement.Sid === "DenyOutsideVpcEndpoint",
            );
            if (!["staging", "warehouse"].includes(purpose)) {
                assert.strictEqual(deny, undefined, purpose);
                continue;
            }
            assert.ok(deny, purpose);
            assert.strictEqual(deny.Effect, "Deny");
            assert.strictEqual(deny.Action, "s3:*");
            assert.strictEqual(deny.Condition?.StringNotEquals?.["aws:SourceVpce"], outputs.s3EndpointId, purpose);
            const account = storage.manifest.fakeCloud.account;
            assert.deepStrictEqual(
                deny.Condition?.ArnNotEquals?.["aws:PrincipalArn"],
                [...exempt, `${config.namePrefix}_${config.stage}_table_maintenance_role`].map((role) => `arn:aws:iam::${account}:role/${role}`),
            );
            assert.deepStrictEqual(deny.Condition?.["ForAllValues:StringNotEquals"]?.["aws:CalledVia"], ["athena.amazonaws.com"]);
        }
    });
});

describe("network layer (dev: spotify:network none)", () => {
    it("leaves the network stack empty and every other stack without a network resource or reference", async () => {
        const manifests = await stageManifests("dev");
        const network = manifests.find((manifest) => manifest.stack === "dev-network");
        assert.ok(network);
        assert.deepStrictEqual([network.resources, network.outputs], [[], {}]);
        const resources = manifests.flatMap((manifest) => manifest.resources);
        assert.deepStrictEqual(
            resources.filter((resource) => resource.type === T.stackReference && resource.name === "dev-network"),
            [],
        );
        assert.deepStrictEqual(
            resources.filter((resource) => [T.awsxVpc, T.endpoint, T.connection, T.securityGroup].includes(resource.type)),
            [],
        );
        assert.strictEqual(resources.find((resource) => resource.type === T.job)?.inputs.connections, undefined);
        assert.ok(!resources.filter((resource) => resource.type === T.bucketPolicy).some((policy) => String(policy.inputs.policy).includes("aws:SourceVpce")));
    });

    it("synthesizes the same resources in the all-in-one stack, which builds no network layer", async () => {
        const [allInOne] = await stageManifests("dev", true);
        assert.strictEqual(allInOne.resources.filter((resource) => resource.name.startsWith("network")).length, 0);
    });
});

describe("spotify:network", () => {
    it("is none unless set, and rejects anything but none or isolated, naming the key", () => {
        const dev = readStageConfigFile("dev");
        assert.strictEqual(parseStageConfig(dev, "dev").network, "none");
        assert.throws(
            () => parseStageConfig({ ...dev, "spotify:network": "private" }, "dev"),
            (error: Error) => error instanceof StageConfigError && /spotify:network: must be "none" or "isolated", got "private"/.test(error.message),
        );
    });
});

describe("the awsx VPC mock (engine/fakeCloud.ts)", () => {
    const mock = fakeCloud("eu-west-1", new Map());
    const outputsFor = (inputs: Record<string, unknown>) =>
        (mock.newResource({ type: T.awsxVpc, name: "vpc", inputs, custom: false, provider: "", id: undefined }) as { state: Record<string, unknown> }).state;

    it("returns every output awsx's Vpc declares", () => {
        const declaration = fs.readFileSync(path.join(REPO_ROOT, "node_modules/@pulumi/awsx/ec2/vpc.d.ts"), "utf8");
        const declared = [...declaration.matchAll(/readonly (\w+): pulumi\.Output</g)].map((match) => match[1]).sort();
        assert.ok(declared.length > 10, "vpc.d.ts no longer declares outputs as expected");
        const mocked = outputsFor({ subnetSpecs: [{ type: "Isolated" }] });
        assert.deepStrictEqual(
            declared.filter((output) => !(output in mocked)),
            [],
        );
    });

    it("lays out subnets, NAT gateways and routes as awsx does for its inputs", () => {
        const isolated = outputsFor({ numberOfAvailabilityZones: 2, subnetSpecs: [{ type: "Isolated", name: "jobs" }], natGateways: { strategy: "None" } });
        assert.deepStrictEqual(
            [(isolated.isolatedSubnetIds as string[]).length, (isolated.publicSubnetIds as string[]).length, isolated.natGateways, isolated.routes],
            [2, 0, [], []],
        );
        const defaults = outputsFor({});
        assert.deepStrictEqual(
            [(defaults.privateSubnetIds as string[]).length, (defaults.publicSubnetIds as string[]).length, (defaults.natGateways as unknown[]).length],
            [3, 3, 3],
        );
        const routes = defaults.routes as { gatewayId?: string; natGatewayId?: string }[];
        assert.deepStrictEqual(
            [routes.filter((route) => route.gatewayId !== undefined).length, routes.filter((route) => route.natGatewayId !== undefined).length],
            [3, 3],
        );
    });
});
