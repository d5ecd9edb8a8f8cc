import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StagePlan } from "../../model/stagePlan";
import { arnIn, AwsLocation } from "../awsLocation";
import { rejectArgProblems, settingProblem } from "../componentArgs";
import { logsKeyStatements } from "../logsKeyPolicy";

/** KMS alias names: `alias/` and 1-250 letters, digits, / _ -; `alias/aws/` is AWS's own (KMS API reference, CreateAlias). */
const KMS_ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/;

export interface DataKeyArgs {
    /** The stage, named in the key's description, and the key's alias (model/stagePlan.ts). */
    readonly plan: Pick<StagePlan, "stage" | "dataKeyAlias">;
    /** The key's account and region: CloudWatch Logs may encrypt this account's log groups of this region with it. */
    readonly location: AwsLocation;
    /** The waiting period before a deleted key is gone, as spotify:kmsDeletionWindowDays allows (7 to 30 days). */
    readonly kmsDeletionWindowDays: number;
    /** protect + retainOnDelete on the key: once it is deleted, nothing it encrypted can be read. Default false. */
    readonly protectData?: boolean;
}

/**
 * Throws an error naming every arg of a DataKey that KMS would refuse: an alias outside KMS's alias
 * names (or in AWS's own `alias/aws/`), or a deletion window outside 7 to 30 days.
 */
export function validateDataKeyArgs(args: DataKeyArgs): void {
    const alias = args.plan.dataKeyAlias;
    rejectArgProblems("DataKeyArgs", {
        "plan.dataKeyAlias":
            KMS_ALIAS.test(alias) && !alias.startsWith("alias/aws/")
                ? undefined
                : `must be "alias/" and 1-250 letters, digits, / _ -, outside AWS's own "alias/aws/", got ${JSON.stringify(alias)}`,
        kmsDeletionWindowDays: settingProblem("kmsDeletionWindowDays", args.kmsDeletionWindowDays),
    });
}

/**
 * The stage's customer-managed data key, rotated yearly, under its alias: everything the pipeline
 * stores is encrypted with it, the log groups of the stage's account and region included, which
 * is what its key policy lets CloudWatch Logs do. Creates `<name>` (the key) and `<name>-alias`
 * under `parent`.
 */
export class DataKey {
    public readonly key: aws.kms.Key;
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: DataKeyArgs, parent: pulumi.Resource) {
        validateDataKeyArgs(args);
        const protectData = args.protectData ?? false;
        this.key = new aws.kms.Key(
            name,
            {
                description: `spotify-pipeline ${args.plan.stage}: encrypts staging, warehouse, query results, Glue and logs`,
                enableKeyRotation: true,
                deletionWindowInDays: args.kmsDeletionWindowDays,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: logsKeyStatements({
                        location: args.location,
                        logsSid: "CloudWatchLogsUsesKey",
                        logGroups: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": arnIn(args.location, "logs", "*") } },
                    }),
                }),
            },
            { parent, protect: protectData, retainOnDelete: protectData },
        );
        new aws.kms.Alias(`${name}-alias`, { name: args.plan.dataKeyAlias, targetKeyId: this.key.keyId }, { parent });
        this.arn = this.key.arn;
    }
}
