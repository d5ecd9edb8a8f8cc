import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { synthesizeAlone } from "../../test/support/alone";
import { OTHER_ACCOUNT_ID, OTHER_ACCOUNT_PLAN } from "../../test/support/standIns";
import { Template } from "../../test/support/template";
import { settledOutput } from "../../workbench/sdkInternals";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { IsolatedVpc, IsolatedVpcArgs, JobSubnet, validateIsolatedVpcArgs } from "./isolatedVpc";

/**
 * awsx.ec2.Vpc is a remote component: under the mock runtime its children (VPC, subnets, route
 * tables) are not registered, and its outputs come from engine/fakeCloud.ts. These tests check what
 * IsolatedVpc asks awsx for, what it declares itself, and how it uses whatever awsx answers (the same
 * VPC id in the flow log and the outputs, one job subnet per zone), never the answered ids as such.
 */

const T = {
    component: "spotify:network:IsolatedVpc",
    awsxVpc: "awsx:ec2:Vpc",
    key: "aws:kms/key:Key",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    flowLog: "aws:ec2/flowLog:FlowLog",
};

function vpcArgs(extra: Partial<IsolatedVpcArgs> = {}): IsolatedVpcArgs {
    return {
        plan: OTHER_ACCOUNT_PLAN,
        location: { partition: "aws", region: "eu-west-1", accountId: OTHER_ACCOUNT_ID },
        zones: 2,
        logRetentionDays: 365,
        kmsDeletionWindowDays: 30,
        ...extra,
    };
}

interface Settled {
    vpcId: string;
    jobSubnets: JobSubnet[];
    jobSubnetIds: string[];
    routeTableIds: string[];
    flowLogGroupName: string;
}

/** Synthesizes the VPC alone, with its outputs once settled. */
async function synthesize(args: IsolatedVpcArgs): Promise<{ template: Template; outputs: Settled }> {
    let outputs: Promise<unknown> | undefined;
    const template = await synthesizeAlone(() => {
        const vpc = new IsolatedVpc("net", args);
        const { vpcId, jobSubnetIds, routeTableIds, flowLogGroupName } = vpc;
        const all: Record<string, pulumi.Output<unknown>> = { vpcId, jobSubnets: pulumi.all(vpc.jobSubnets), jobSubnetIds, routeTableIds, flowLogGroupName };
        outputs = settledOutput(pulumi.all(all)).promise();
    });
    return { template, outputs: (await outputs) as Settled };
}

describe("IsolatedVpc (alone)", () => {
    describe("two zones", () => {
        let template: Template;
        let outputs: Settled;
        before(async () => {
            ({ template, outputs } = await synthesize(vpcArgs()));
        });

        it("registers the awsx VPC and the flow logs directly under the component, named from it", () => {
            assert.deepStrictEqual(template.childNames(template.resource(T.component, "net")), [
                `${T.logGroup} net-flow-logs`,
                `${T.flowLog} net-flow-log`,
                `${T.role} net-flow-logs-role`,
                `${T.rolePolicy} net-flow-logs-permissions`,
                `${T.key} net-key`,
                `${T.awsxVpc} net-vpc`,
            ]);
        });

        it("asks awsx for isolated subnets only, one per zone, no NAT gateway, and the DNS interface endpoints need", () => {
            assert.deepStrictEqual(template.resource(T.awsxVpc, "net-vpc").inputs, {
                cidrBlock: "10.0.0.0/16",
                numberOfAvailabilityZones: 2,
                subnetStrategy: "Auto",
                subnetSpecs: [{ type: "Isolated", name: "jobs", cidrMask: 20 }],
                natGateways: { strategy: "None" },
                enableDnsHostnames: true,
                enableDnsSupport: true,
            });
        });

        it("logs the traffic of the VPC awsx creates, to the plan's log group", () => {
            const flowLog = template.resource(T.flowLog, "net-flow-log");
            assert.deepStrictEqual(template.follow(flowLog, "vpcId"), [template.resource(T.awsxVpc, "net-vpc")]);
            assert.strictEqual(flowLog.inputs.vpcId, outputs.vpcId);
            assert.strictEqual(outputs.flowLogGroupName, OTHER_ACCOUNT_PLAN.network.flowLogGroup);
        });

        it("exports one job subnet per zone, each in a zone of its own, with the ids awsx reports as isolated", () => {
            assert.strictEqual(outputs.jobSubnets.length, 2);
            assert.deepStrictEqual(
                outputs.jobSubnets.map((subnet) => subnet.id),
                outputs.jobSubnetIds,
            );
            assert.strictEqual(new Set(outputs.jobSubnetIds).size, 2);
            assert.strictEqual(new Set(outputs.jobSubnets.map((subnet) => subnet.zone)).size, 2);
            assert.strictEqual(outputs.routeTableIds.length, 2);
        });

        it("leaves the flow-log key unprotected by default", () => {
            assert.strictEqual(template.resource(T.key, "net-key").protect, false);
        });
    });

    it("zones and protectData: as many job subnets as zones asked for, and a protected flow-log key", async () => {
        const { template, outputs } = await synthesize(vpcArgs({ zones: 3, protectData: true }));
        assert.strictEqual(template.resource(T.awsxVpc, "net-vpc").inputs.numberOfAvailabilityZones, 3);
        assert.strictEqual(new Set(outputs.jobSubnets.map((subnet) => subnet.zone)).size, 3);
        const key = template.resource(T.key, "net-key");
        assert.deepStrictEqual([key.protect, key.retainOnDelete], [true, true]);
    });

    describe("bad args", () => {
        const refused: [string, Partial<IsolatedVpcArgs>, RegExp][] = [
            ["no zone", { zones: 0 }, /IsolatedVpcArgs\.zones: must be a whole number from 1 to 16 \(the \/20 subnets 10\.0\.0\.0\/16 holds\), got 0/],
            ["more zones than the range holds subnets", { zones: 17 }, /IsolatedVpcArgs\.zones: must be a whole number from 1 to 16/],
            ["part of a zone", { zones: 1.5 }, /IsolatedVpcArgs\.zones: .*got 1\.5/],
            [
                "a flow-log retention CloudWatch Logs does not offer",
                { logRetentionDays: 100 },
                /IsolatedVpcArgs\.logRetentionDays: must be one of CloudWatch Logs' retention periods/,
            ],
            ["a key deletion window KMS refuses", { kmsDeletionWindowDays: 6 }, /IsolatedVpcArgs\.kmsDeletionWindowDays: must be a whole number from 7 to 30/],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateIsolatedVpcArgs(vpcArgs(extra)), message));
        }

        it("refuses them in the constructor, before asking awsx for a VPC", async () => {
            await assert.rejects(
                synthesizeAlone(() => new IsolatedVpc("net", vpcArgs({ zones: 0, logRetentionDays: 100 }))),
                (error: SynthesisError) =>
                    /IsolatedVpcArgs\.zones: .*; IsolatedVpcArgs\.logRetentionDays: /.test(error.message) && error.registered.length === 0,
            );
        });
    });
});
