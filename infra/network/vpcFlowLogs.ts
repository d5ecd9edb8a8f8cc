import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StagePlan } from "../../model/stagePlan";
import { arnIn, AwsLocation } from "../awsLocation";
import { ArgProblems, rejectArgProblems, settingProblem } from "../componentArgs";
import { logsKeyStatements } from "../logsKeyPolicy";

export interface VpcFlowLogsArgs {
    /** The stage and the names of the flow-log group and role (model/stagePlan.ts). */
    readonly plan: Pick<StagePlan, "stage" | "network">;
    /** The VPC whose traffic, all of it, is logged. */
    readonly vpcId: pulumi.Input<string>;
    /** The log group's account and region, which its key's policy and the role's trust name. */
    readonly location: AwsLocation;
    /** How long the log group keeps events, as spotify:logRetentionDays allows (one of CloudWatch Logs' retention periods). */
    readonly logRetentionDays: number;
    /** The waiting period before the flow-log key is deleted, as spotify:kmsDeletionWindowDays allows (7 to 30 days). */
    readonly kmsDeletionWindowDays: number;
    /** protect + retainOnDelete on the flow-log key: once the key is deleted, the logs it encrypted cannot be read. Default false. */
    readonly protectData?: boolean;
}

/** What is wrong with the flow-log settings: a region AWS does not have, a retention CloudWatch Logs does not offer, or a deletion window KMS refuses. */
export function vpcFlowLogsSettingProblems(args: Pick<VpcFlowLogsArgs, "location" | "logRetentionDays" | "kmsDeletionWindowDays">): ArgProblems {
    return {
        "location.region": settingProblem("aws:region", args.location.region),
        logRetentionDays: settingProblem("logRetentionDays", args.logRetentionDays),
        kmsDeletionWindowDays: settingProblem("kmsDeletionWindowDays", args.kmsDeletionWindowDays),
    };
}

/** Throws an error naming every arg of VpcFlowLogs that CloudWatch Logs or KMS would refuse ({@link vpcFlowLogsSettingProblems}). */
export function validateVpcFlowLogsArgs(args: VpcFlowLogsArgs): void {
    rejectArgProblems("VpcFlowLogsArgs", vpcFlowLogsSettingProblems(args));
}

/**
 * Flow logs of all a VPC's traffic, to a log group encrypted with a key of its own, written by a
 * role only VPC flow logs of this account may assume. The network's own key: the stage's data key
 * belongs to the storage layer, above the network. Creates `<name>-key`, `<name>-flow-logs` (the
 * group), `<name>-flow-logs-role` with its `<name>-flow-logs-permissions`, and `<name>-flow-log`
 * under `parent`.
 */
export class VpcFlowLogs {
    public readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: VpcFlowLogsArgs, parent: pulumi.Resource) {
        validateVpcFlowLogsArgs(args);
        const { plan, location } = args;
        const protectData = args.protectData ?? false;
        const logGroupName = plan.network.flowLogGroup;
        const logGroupArn = arnIn(location, "logs", `log-group:${logGroupName}`);

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `spotify-pipeline ${plan.stage}: encrypts the VPC flow logs`,
                enableKeyRotation: true,
                deletionWindowInDays: args.kmsDeletionWindowDays,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: logsKeyStatements({
                        location,
                        logsSid: "CloudWatchLogsEncryptsFlowLogs",
                        logGroups: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": logGroupArn } },
                    }),
                }),
            },
            { parent, protect: protectData, retainOnDelete: protectData },
        );
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: logGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: key.arn },
            { parent },
        );
        const role = new aws.iam.Role(
            `${name}-flow-logs-role`,
            {
                name: plan.network.flowLogsRole,
                description: `spotify-pipeline ${plan.stage}: VPC flow logs write to their log group`,
                assumeRolePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: { StringEquals: { "aws:SourceAccount": location.accountId } },
                        },
                    ],
                }),
            },
            { parent },
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs-permissions`,
            {
                role: role.name,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "WriteFlowLogGroup",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [logGroupArn, pulumi.interpolate`${logGroupArn}:*`],
                        },
                        { Sid: "FindLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
                    ],
                }),
            },
            { parent },
        );
        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            { vpcId: args.vpcId, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: logGroup.arn, iamRoleArn: role.arn },
            { parent },
        );
        this.logGroupName = logGroup.name;
    }
}
