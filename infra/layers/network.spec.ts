import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { synthesizeAlone } from "../../test/support/alone";
import { OTHER_ACCOUNT_PLAN } from "../../test/support/standIns";
import { JOB_AVAILABILITY_ZONES, NETWORK_OUTPUTS } from "../../model/layerOutputs";
import { Template } from "../../test/support/template";
import { settledOutput } from "../../workbench/sdkInternals";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { ENDPOINT_BUCKETS, NetworkLayer, NetworkLayerArgs, NetworkSettings, validateNetworkLayerArgs } from "./network";

/**
 * The layer alone: awsx.ec2.Vpc is a remote component, whose children the mock runtime does not
 * create and whose outputs engine/fakeCloud.ts answers; these tests follow how the layer wires what
 * awsx answers into its other components and outputs.
 */

const T = {
    layer: "spotify:layers:Network",
    vpc: "spotify:network:IsolatedVpc",
    endpoints: "spotify:network:VpcEndpoints",
    glue: "spotify:network:GlueNetwork",
    awsxVpc: "awsx:ec2:Vpc",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    connection: "aws:glue/connection:Connection",
    key: "aws:kms/key:Key",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
};
/** Only the settings the layer reads. */
const SETTINGS: NetworkSettings = { region: "eu-west-1", logRetentionDays: 365, kmsDeletionWindowDays: 30, protectData: true };
/** A retention CloudWatch Logs does not offer, which the type of the setting already rules out. */
const NOT_A_RETENTION = 42 as NetworkSettings["logRetentionDays"];

function layerArgs(config: Partial<NetworkSettings> = {}): NetworkLayerArgs {
    return { config: { ...SETTINGS, ...config }, plan: OTHER_ACCOUNT_PLAN };
}

describe("NetworkLayer (alone)", () => {
    let template: Template;
    let outputs: Record<string, unknown>;
    before(async () => {
        let settled: Promise<unknown> | undefined;
        template = await synthesizeAlone(() => {
            settled = settledOutput(pulumi.all(new NetworkLayer("net", layerArgs()).outputs as Record<string, pulumi.Output<unknown>>)).promise();
        });
        outputs = (await settled) as Record<string, unknown>;
    });

    it("declares the VPC, its endpoints and Glue's network as components named like the layer, and nothing else directly", () => {
        assert.deepStrictEqual(template.childNames(template.resource(T.layer, "net")), [`${T.glue} net`, `${T.vpc} net`, `${T.endpoints} net`]);
    });

    it("passes its settings to the VPC: the job's zones, the flow logs' retention, the key's window and protection", () => {
        assert.strictEqual(template.resource(T.awsxVpc, "net-vpc").inputs.numberOfAvailabilityZones, JOB_AVAILABILITY_ZONES);
        assert.strictEqual(template.resource(T.logGroup, "net-flow-logs").inputs.retentionInDays, 365);
        const key = template.resource(T.key, "net-key");
        assert.deepStrictEqual([key.inputs.deletionWindowInDays, key.protect], [30, true]);
    });

    it("opens the S3 endpoint to the plan's endpoint buckets, on the VPC's route tables", () => {
        const s3 = template.resource(T.endpoint, "net-s3");
        const { Statement } = JSON.parse(String(s3.inputs.policy)) as { Statement: { Resource: string[] }[] };
        assert.deepStrictEqual(
            Statement[0].Resource,
            ENDPOINT_BUCKETS.flatMap((purpose) => [
                `arn:aws:s3:::${OTHER_ACCOUNT_PLAN.buckets[purpose]}`,
                `arn:aws:s3:::${OTHER_ACCOUNT_PLAN.buckets[purpose]}/*`,
            ]),
        );
        assert.deepStrictEqual(template.follow(s3, "routeTableIds"), [template.resource(T.awsxVpc, "net-vpc")]);
        assert.strictEqual(s3.inputs.serviceName, "com.amazonaws.eu-west-1.s3");
    });

    it("runs Glue in the job subnets it exports, and admits Glue to the endpoints' group", () => {
        const connections = template.findResources(T.connection);
        assert.strictEqual(connections.length, JOB_AVAILABILITY_ZONES);
        assert.deepStrictEqual(
            connections.map((connection) => (connection.inputs.physicalConnectionRequirements as { subnetId: string }).subnetId),
            outputs.jobSubnetIds,
        );
        assert.deepStrictEqual(template.resource(T.endpoint, "net-glue").inputs.subnetIds, outputs.jobSubnetIds);
        const admit = template.resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "net-endpoints-from-glue");
        assert.deepStrictEqual(template.follow(admit, "securityGroupId"), [template.resource(T.securityGroup, "net-endpoints")]);
    });

    it("exports every output its schema declares, as the storage and etl layers read them", () => {
        for (const [key, schema] of Object.entries(NETWORK_OUTPUTS))
            assert.ok(schema.safeParse(outputs[key]).success, `${key}: ${JSON.stringify(outputs[key])}`);
        assert.deepStrictEqual(
            outputs.glueConnectionNames,
            [1, 2].map((ordinal) => OTHER_ACCOUNT_PLAN.network.glueConnection(ordinal)),
        );
        assert.strictEqual(outputs.flowLogGroupName, OTHER_ACCOUNT_PLAN.network.flowLogGroup);
    });

    describe("bad args", () => {
        const refused: [string, Partial<NetworkSettings>, RegExp][] = [
            ["a region AWS does not have", { region: "eu-west-0" }, /NetworkLayerArgs\.config\.region: must be an AWS region.*, got "eu-west-0"/],
            [
                "a retention CloudWatch Logs does not offer",
                { logRetentionDays: NOT_A_RETENTION },
                /NetworkLayerArgs\.config\.logRetentionDays: must be one of CloudWatch Logs' retention periods/,
            ],
            [
                "a deletion window KMS refuses",
                { kmsDeletionWindowDays: 90 },
                /NetworkLayerArgs\.config\.kmsDeletionWindowDays: must be a whole number from 7 to 30/,
            ],
        ];
        for (const [what, config, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateNetworkLayerArgs(layerArgs(config)), message));
        }

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeAlone(() => new NetworkLayer("net", layerArgs({ logRetentionDays: NOT_A_RETENTION }))),
                (error: SynthesisError) => /NetworkLayerArgs\.config\.logRetentionDays/.test(error.message) && error.registered.length === 0,
            );
        });
    });
});
