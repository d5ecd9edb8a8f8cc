import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { synthesizeAlone } from "../../test/support/alone";
import { OTHER_ACCOUNT_PLAN } from "../../test/support/standIns";
import { Template } from "../../test/support/template";
import type { ManifestResource } from "../../workbench/synth/manifestFile";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { GlueNetwork, GlueNetworkArgs, validateGlueNetworkArgs } from "./glueNetwork";

const T = {
    component: "spotify:network:GlueNetwork",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    connection: "aws:glue/connection:Connection",
};
const SUBNETS = [
    { id: "subnet-a", zone: "eu-west-1a" },
    { id: "subnet-b", zone: "eu-west-1b" },
    { id: "subnet-c", zone: "eu-west-1c" },
];
const ENDPOINTS = { s3PrefixListId: "pl-6da54004", securityGroupId: "sg-endpoints" };

function networkArgs(extra: Partial<GlueNetworkArgs> = {}): GlueNetworkArgs {
    return { plan: OTHER_ACCOUNT_PLAN, vpcId: "vpc-0abc", subnets: SUBNETS.map((subnet) => pulumi.output(subnet)), endpoints: ENDPOINTS, ...extra };
}

describe("GlueNetwork (alone)", () => {
    let template: Template;
    let group: ManifestResource;
    before(async () => {
        template = await synthesizeAlone(() => new GlueNetwork("net", networkArgs()));
        group = template.resource(T.securityGroup, "net-glue");
    });

    it("registers the Glue security group, its rules, the endpoints' rule and a connection per subnet, named from the component", () => {
        assert.deepStrictEqual(template.childNames(template.resource(T.component, "net")), [
            `${T.securityGroup} net-glue`,
            `${T.connection} net-glue-1`,
            `${T.connection} net-glue-2`,
            `${T.connection} net-glue-3`,
            `${T.egress} net-glue-to-endpoints`,
            `${T.egress} net-glue-to-itself`,
            `${T.egress} net-glue-to-s3`,
            `${T.ingress} net-endpoints-from-glue`,
            `${T.ingress} net-glue-from-itself`,
        ]);
        assert.strictEqual(group.inputs.vpcId, "vpc-0abc");
    });

    it("lets the group talk to itself, the S3 prefix list and the endpoints' group (HTTPS), and nothing else", () => {
        const rule = (type: string, name: string) => {
            const found = template.resource(type, name);
            assert.deepStrictEqual(template.follow(found, "securityGroupId"), [group], name);
            return found.inputs;
        };
        for (const [type, name] of [
            [T.ingress, "net-glue-from-itself"],
            [T.egress, "net-glue-to-itself"],
        ]) {
            assert.deepStrictEqual(template.follow(template.resource(type, name), "referencedSecurityGroupId"), [group], name);
            assert.strictEqual(rule(type, name).ipProtocol, "-1");
        }
        assert.deepStrictEqual(
            [rule(T.egress, "net-glue-to-s3").prefixListId, rule(T.egress, "net-glue-to-s3").fromPort, rule(T.egress, "net-glue-to-s3").toPort],
            [ENDPOINTS.s3PrefixListId, 443, 443],
        );
        assert.deepStrictEqual(
            [rule(T.egress, "net-glue-to-endpoints").referencedSecurityGroupId, rule(T.egress, "net-glue-to-endpoints").fromPort],
            [ENDPOINTS.securityGroupId, 443],
        );
        for (const resource of [...template.findResources(T.ingress), ...template.findResources(T.egress)]) {
            assert.deepStrictEqual([resource.inputs.cidrIpv4, resource.inputs.cidrIpv6], [undefined, undefined], resource.name);
        }
    });

    it("adds to the endpoints' group an HTTPS rule admitting the Glue group", () => {
        const admit = template.resource(T.ingress, "net-endpoints-from-glue");
        assert.deepStrictEqual(
            [admit.inputs.securityGroupId, admit.inputs.ipProtocol, admit.inputs.fromPort, admit.inputs.toPort],
            [ENDPOINTS.securityGroupId, "tcp", 443, 443],
        );
        assert.deepStrictEqual(template.follow(admit, "referencedSecurityGroupId"), [group]);
    });

    it("puts one NETWORK connection in each subnet, in order, named after the plan, in the Glue group", () => {
        SUBNETS.forEach((subnet, index) => {
            const connection = template.resource(T.connection, `net-glue-${index + 1}`);
            assert.strictEqual(connection.inputs.name, OTHER_ACCOUNT_PLAN.network.glueConnection(index + 1));
            assert.strictEqual(connection.inputs.connectionType, "NETWORK");
            assert.strictEqual(connection.inputs.description, `spotify-pipeline qa: Glue runs in job subnet ${index + 1} of 3`);
            const requirements = connection.inputs.physicalConnectionRequirements as {
                availabilityZone: string;
                subnetId: string;
                securityGroupIdLists: string[];
            };
            assert.deepStrictEqual([requirements.availabilityZone, requirements.subnetId], [subnet.zone, subnet.id]);
            assert.deepStrictEqual(template.follow(connection, "physicalConnectionRequirements"), [group]);
        });
    });

    describe("bad args", () => {
        it("refuses no subnet", () => {
            assert.throws(() => validateGlueNetworkArgs(networkArgs({ subnets: [] })), /GlueNetworkArgs\.subnets: must hold at least one job subnet/);
        });

        it("accepts a single subnet", () => {
            validateGlueNetworkArgs(networkArgs({ subnets: [pulumi.output(SUBNETS[0])] }));
        });

        it("refuses it in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeAlone(() => new GlueNetwork("net", networkArgs({ subnets: [] }))),
                (error: SynthesisError) => /GlueNetworkArgs\.subnets/.test(error.message) && error.registered.length === 0,
            );
        });
    });
});
