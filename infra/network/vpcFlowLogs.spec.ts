import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { synthesizeAlone } from "../../test/support/alone";
import { OTHER_ACCOUNT_ID, OTHER_ACCOUNT_PLAN } from "../../test/support/standIns";
import { Template } from "../../test/support/template";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import type { AwsLocation } from "../awsLocation";
import { validateVpcFlowLogsArgs, VpcFlowLogs, VpcFlowLogsArgs } from "./vpcFlowLogs";

const T = {
    host: "test:index:Host",
    key: "aws:kms/key:Key",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    flowLog: "aws:ec2/flowLog:FlowLog",
};
/** Another account and region than the fake cloud's: what the policies name comes from the args. */
const LOCATION: AwsLocation = { partition: "aws", region: "eu-central-1", accountId: OTHER_ACCOUNT_ID };
const GROUP_ARN = `arn:aws:logs:eu-central-1:210987654321:log-group:${OTHER_ACCOUNT_PLAN.network.flowLogGroup}`;

function flowLogsArgs(extra: Partial<VpcFlowLogsArgs> = {}): VpcFlowLogsArgs {
    return { plan: OTHER_ACCOUNT_PLAN, vpcId: "vpc-0abc", location: LOCATION, logRetentionDays: 365, kmsDeletionWindowDays: 30, ...extra };
}

function declare(args: VpcFlowLogsArgs): () => void {
    return () => new VpcFlowLogs("net", args, new pulumi.ComponentResource(T.host, "net"));
}

type Statement = { Sid?: string; Principal?: unknown; Action: unknown; Resource: unknown; Condition?: unknown };
const statementsOf = (document: unknown) => (JSON.parse(String(document)) as { Statement: Statement[] }).Statement;

describe("VpcFlowLogs (alone)", () => {
    let template: Template;
    before(async () => {
        template = await synthesizeAlone(declare(flowLogsArgs()));
    });

    it("registers the key, the log group, the role with its policy and the flow log under the given parent, named from the given name", () => {
        assert.deepStrictEqual(template.childNames(template.resource(T.host, "net")), [
            `${T.logGroup} net-flow-logs`,
            `${T.flowLog} net-flow-log`,
            `${T.role} net-flow-logs-role`,
            `${T.rolePolicy} net-flow-logs-permissions`,
            `${T.key} net-key`,
        ]);
    });

    it("logs all the given VPC's traffic to the group, as the role", () => {
        const flowLog = template.resource(T.flowLog, "net-flow-log");
        assert.deepStrictEqual([flowLog.inputs.vpcId, flowLog.inputs.trafficType, flowLog.inputs.logDestinationType], ["vpc-0abc", "ALL", "cloud-watch-logs"]);
        assert.deepStrictEqual(template.follow(flowLog, "logDestination"), [template.resource(T.logGroup, "net-flow-logs")]);
        assert.deepStrictEqual(template.follow(flowLog, "iamRoleArn"), [template.resource(T.role, "net-flow-logs-role")]);
    });

    it("names the group after the plan, keeps its events the given days, and encrypts it with the key", () => {
        const group = template.resource(T.logGroup, "net-flow-logs");
        assert.deepStrictEqual([group.inputs.name, group.inputs.retentionInDays], [OTHER_ACCOUNT_PLAN.network.flowLogGroup, 365]);
        assert.deepStrictEqual(template.follow(group, "kmsKeyId"), [template.resource(T.key, "net-key")]);
    });

    it("rotates the key and lets CloudWatch Logs of the given region use it for this one group only", () => {
        const key = template.resource(T.key, "net-key");
        assert.deepStrictEqual([key.inputs.enableKeyRotation, key.inputs.deletionWindowInDays], [true, 30]);
        const logs = statementsOf(key.inputs.policy).find((statement) => statement.Sid === "CloudWatchLogsEncryptsFlowLogs")!;
        assert.deepStrictEqual(logs.Principal, { Service: "logs.eu-central-1.amazonaws.com" });
        assert.deepStrictEqual(logs.Condition, { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": GROUP_ARN } });
    });

    it("lets only VPC flow logs of the given account assume the role, and the role write only to the group", () => {
        const role = template.resource(T.role, "net-flow-logs-role");
        assert.strictEqual(role.inputs.name, OTHER_ACCOUNT_PLAN.network.flowLogsRole);
        const [trust] = statementsOf(role.inputs.assumeRolePolicy);
        assert.deepStrictEqual(trust.Principal, { Service: "vpc-flow-logs.amazonaws.com" });
        assert.deepStrictEqual(trust.Condition, { StringEquals: { "aws:SourceAccount": "210987654321" } });
        const permissions = template.resource(T.rolePolicy, "net-flow-logs-permissions");
        assert.deepStrictEqual(template.follow(permissions, "role"), [role]);
        const write = statementsOf(permissions.inputs.policy).find((statement) => statement.Sid === "WriteFlowLogGroup")!;
        assert.deepStrictEqual(write.Resource, [GROUP_ARN, `${GROUP_ARN}:*`]);
    });

    it("leaves the key unprotected by default, and protects and retains it (only it) with protectData", async () => {
        assert.deepStrictEqual([template.resource(T.key, "net-key").protect, template.resource(T.key, "net-key").retainOnDelete], [false, false]);
        const guarded = await synthesizeAlone(declare(flowLogsArgs({ protectData: true })));
        for (const resource of guarded.childrenOf(guarded.resource(T.host, "net"))) {
            const expected = resource.type === T.key;
            assert.deepStrictEqual([resource.protect, resource.retainOnDelete], [expected, expected], resource.name);
        }
    });

    describe("bad args", () => {
        const refused: [string, Partial<VpcFlowLogsArgs>, RegExp][] = [
            [
                "a retention CloudWatch Logs does not offer",
                { logRetentionDays: 10 },
                /VpcFlowLogsArgs\.logRetentionDays: must be one of CloudWatch Logs' retention periods in days .*, got 10/,
            ],
            [
                "a deletion window KMS refuses",
                { kmsDeletionWindowDays: 45 },
                /VpcFlowLogsArgs\.kmsDeletionWindowDays: must be a whole number from 7 to 30.*, got 45/,
            ],
            [
                "a region AWS does not have",
                { location: { ...LOCATION, region: "moon-1" } },
                /VpcFlowLogsArgs\.location\.region: must be an AWS region .*, got "moon-1"/,
            ],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateVpcFlowLogsArgs(flowLogsArgs(extra)), message));
        }

        it("refuses them in the constructor, before registering anything of its own", async () => {
            await assert.rejects(
                synthesizeAlone(declare(flowLogsArgs({ logRetentionDays: 10 }))),
                (error: SynthesisError) =>
                    /VpcFlowLogsArgs\.logRetentionDays/.test(error.message) && error.registered.every((resource) => resource.type === T.host),
            );
        });
    });
});
