import * as assert from "assert";
import { synthesizeAlone } from "../../test/support/alone";
import { Template } from "../../test/support/template";
import type { ManifestResource } from "../../workbench/synth/manifestFile";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { validateVpcEndpointsArgs, VpcEndpoints, VpcEndpointsArgs } from "./vpcEndpoints";

const T = {
    component: "spotify:network:VpcEndpoints",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
};
const INTERFACE_SERVICES = ["glue", "logs", "kms", "sts", "monitoring"];
const ACCOUNT = "210987654321";

function endpointsArgs(extra: Partial<VpcEndpointsArgs> = {}): VpcEndpointsArgs {
    return {
        vpcId: "vpc-0abc",
        location: { partition: "aws", region: "eu-west-1", accountId: ACCOUNT },
        reverseDnsPrefix: "com.amazonaws",
        routeTableIds: ["rtb-1", "rtb-2"],
        subnetIds: ["subnet-a", "subnet-b"],
        s3BucketNames: ["acme-qa-staging-1", "acme-qa-warehouse-1"],
        ...extra,
    };
}

type Statement = { Sid: string; Effect: string; Principal: unknown; Action: string[]; Resource: unknown; Condition: Record<string, Record<string, unknown>> };
const statementsOf = (endpoint: ManifestResource) => (JSON.parse(String(endpoint.inputs.policy)) as { Statement: Statement[] }).Statement;

describe("VpcEndpoints (alone)", () => {
    let template: Template;
    before(async () => {
        template = await synthesizeAlone(() => new VpcEndpoints("net", endpointsArgs()));
    });

    it("registers the S3 gateway endpoint, the interface endpoints' security group and an interface endpoint per service, named from the component", () => {
        assert.deepStrictEqual(template.childNames(template.resource(T.component, "net")), [
            `${T.securityGroup} net-endpoints`,
            ...["s3", ...INTERFACE_SERVICES].map((service) => `${T.endpoint} net-${service}`).sort(),
        ]);
    });

    it("adds the S3 gateway endpoint to the given route tables, admitting the given account to the given buckets only", () => {
        const s3 = template.resource(T.endpoint, "net-s3");
        assert.deepStrictEqual([s3.inputs.vpcId, s3.inputs.vpcEndpointType, s3.inputs.serviceName], ["vpc-0abc", "Gateway", "com.amazonaws.eu-west-1.s3"]);
        assert.deepStrictEqual(s3.inputs.routeTableIds, ["rtb-1", "rtb-2"]);
        const [statement, ...others] = statementsOf(s3);
        assert.deepStrictEqual(others, []);
        assert.deepStrictEqual(statement.Resource, [
            "arn:aws:s3:::acme-qa-staging-1",
            "arn:aws:s3:::acme-qa-staging-1/*",
            "arn:aws:s3:::acme-qa-warehouse-1",
            "arn:aws:s3:::acme-qa-warehouse-1/*",
        ]);
        assert.deepStrictEqual(statement.Condition, { StringEquals: { "aws:PrincipalAccount": ACCOUNT } });
    });

    it("places every interface endpoint in the given subnets, behind the component's security group, with private DNS", () => {
        const group = template.resource(T.securityGroup, "net-endpoints");
        assert.strictEqual(group.inputs.vpcId, "vpc-0abc");
        for (const service of INTERFACE_SERVICES) {
            const endpoint = template.resource(T.endpoint, `net-${service}`);
            assert.deepStrictEqual(
                [endpoint.inputs.vpcEndpointType, endpoint.inputs.serviceName, endpoint.inputs.privateDnsEnabled, endpoint.inputs.subnetIds],
                ["Interface", `com.amazonaws.eu-west-1.${service}`, true, ["subnet-a", "subnet-b"]],
                service,
            );
            assert.deepStrictEqual(template.follow(endpoint, "securityGroupIds"), [group], service);
        }
    });

    it("admits the given account only, to named actions, in one statement per endpoint", () => {
        for (const service of INTERFACE_SERVICES) {
            for (const statement of statementsOf(template.resource(T.endpoint, `net-${service}`))) {
                assert.strictEqual(statement.Condition.StringEquals["aws:PrincipalAccount"], ACCOUNT, service);
                assert.ok(!statement.Action.some((action) => action.endsWith("*")), `${service}: ${statement.Action.join()}`);
            }
        }
        for (const service of INTERFACE_SERVICES) {
            assert.deepStrictEqual(
                statementsOf(template.resource(T.endpoint, `net-${service}`)).map((statement) => statement.Sid),
                ["StageWorkloadOnly"],
                service,
            );
        }
        const [metrics] = statementsOf(template.resource(T.endpoint, "net-monitoring"));
        assert.deepStrictEqual(metrics.Condition.StringLike, { "cloudwatch:namespace": "Glue*" });
    });

    it("names services and ARNs in the given partition and region", async () => {
        const china = await synthesizeAlone(
            () =>
                new VpcEndpoints(
                    "net",
                    endpointsArgs({
                        location: { partition: "aws-cn", region: "cn-north-1", accountId: ACCOUNT },
                        reverseDnsPrefix: "cn.com.amazonaws",
                        s3BucketNames: ["acme-cn"],
                    }),
                ),
        );
        const s3 = china.resource(T.endpoint, "net-s3");
        assert.strictEqual(s3.inputs.serviceName, "cn.com.amazonaws.cn-north-1.s3");
        assert.deepStrictEqual(statementsOf(s3)[0].Resource, ["arn:aws-cn:s3:::acme-cn", "arn:aws-cn:s3:::acme-cn/*"]);
        assert.strictEqual(china.resource(T.endpoint, "net-kms").inputs.serviceName, "cn.com.amazonaws.cn-north-1.kms");
    });

    describe("bad args", () => {
        const refused: [string, Partial<VpcEndpointsArgs>, RegExp][] = [
            ["no bucket", { s3BucketNames: [] }, /VpcEndpointsArgs\.s3BucketNames: must name at least one bucket/],
            [
                "a bucket S3 would refuse",
                { s3BucketNames: ["acme_staging"] },
                /VpcEndpointsArgs\.s3BucketNames: "acme_staging" must use only lowercase letters/,
            ],
            [
                "a bucket named twice",
                { s3BucketNames: ["acme-a", "acme-b", "acme-a"] },
                /VpcEndpointsArgs\.s3BucketNames: must name each bucket once, got "acme-a" more than once/,
            ],
            [
                "a region AWS does not have",
                { location: { partition: "aws", region: "eu-west-9", accountId: ACCOUNT } },
                /VpcEndpointsArgs\.location\.region: must be an AWS region/,
            ],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateVpcEndpointsArgs(endpointsArgs(extra)), message));
        }

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeAlone(() => new VpcEndpoints("net", endpointsArgs({ s3BucketNames: [] }))),
                (error: SynthesisError) => /VpcEndpointsArgs\.s3BucketNames/.test(error.message) && error.registered.length === 0,
            );
        });
    });
});
