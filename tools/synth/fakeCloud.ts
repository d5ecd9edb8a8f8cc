import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

/** The fixed, fake AWS identity every synthesis runs as. */
export const FAKE_ACCOUNT_ID = "123456789012";
export const FAKE_PARTITION = "aws";

function digest(...parts: string[]): string {
    return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

function fakeUuid(seed: string): string {
    const hex = digest(seed);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** aws-native QuickSight types: the input that holds the asset's id, and the asset kind in its ARN. */
const QUICKSIGHT_ID_INPUTS: Record<string, { idInput: string; kind: string }> = {
    "aws-native:quicksight:DataSource": { idInput: "dataSourceId", kind: "datasource" },
    "aws-native:quicksight:DataSet": { idInput: "dataSetId", kind: "dataset" },
    "aws-native:quicksight:Analysis": { idInput: "analysisId", kind: "analysis" },
    "aws-native:quicksight:Dashboard": { idInput: "dashboardId", kind: "dashboard" },
};

/** Stack outputs of already-synthesized stacks, by fully qualified stack name. */
export type UpstreamOutputs = ReadonlyMap<string, Record<string, unknown>>;

/**
 * Answers the program's resource registrations and invokes the way AWS would, deterministically:
 * ids and ARNs are derived from the resource's type and name, never random, so two syntheses of
 * the same program produce the same manifest.
 */
export function fakeCloud(region: string, upstream: UpstreamOutputs): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
            if (args.type === "pulumi:pulumi:StackReference") {
                const stackName = String(args.inputs.name);
                const outputs = upstream.get(stackName);
                if (outputs === undefined) {
                    throw new Error(`StackReference to ${stackName}: that stack has not been synthesized in this run (synthesize upstream layers first).`);
                }
                return { id: stackName, state: { name: stackName, outputs, secretOutputNames: [] } };
            }
            const seed = `${args.type}::${args.name}`;
            const service = args.type.split(":")[1]?.split("/")[0] ?? "unknown";
            const shortId = `${args.name}-${digest(seed).slice(0, 8)}`;
            const computed: Record<string, unknown> = {};
            let id = shortId;
            switch (args.type) {
                case "aws:s3/bucket:Bucket":
                    id = String(args.inputs.bucket);
                    computed.arn = `arn:${FAKE_PARTITION}:s3:::${id}`;
                    computed.bucketDomainName = `${id}.s3.amazonaws.com`;
                    break;
                case "aws:kms/key:Key":
                    id = fakeUuid(seed);
                    computed.keyId = id;
                    computed.arn = `arn:${FAKE_PARTITION}:kms:${region}:${FAKE_ACCOUNT_ID}:key/${id}`;
                    break;
                case "aws:iam/role:Role":
                    id = String(args.inputs.name ?? shortId);
                    computed.arn = `arn:${FAKE_PARTITION}:iam::${FAKE_ACCOUNT_ID}:role/${id}`;
                    break;
                case "aws:iam/policy:Policy":
                    id = `arn:${FAKE_PARTITION}:iam::${FAKE_ACCOUNT_ID}:policy/${String(args.inputs.name ?? shortId)}`;
                    computed.arn = id;
                    break;
                case "aws:athena/workgroup:Workgroup":
                    id = String(args.inputs.name);
                    computed.arn = `arn:${FAKE_PARTITION}:athena:${region}:${FAKE_ACCOUNT_ID}:workgroup/${id}`;
                    break;
                default: {
                    // QuickSight ARNs name the asset kind and its id: arn:aws:quicksight:<region>:<account>:dataset/<dataSetId>.
                    const quicksight = QUICKSIGHT_ID_INPUTS[args.type];
                    if (quicksight !== undefined) {
                        id = String(args.inputs[quicksight.idInput]);
                        computed.arn = `arn:${FAKE_PARTITION}:quicksight:${region}:${FAKE_ACCOUNT_ID}:${quicksight.kind}/${id}`;
                        break;
                    }
                    if (args.custom !== false && !args.type.startsWith("pulumi:")) {
                        computed.arn = `arn:${FAKE_PARTITION}:${service}:${region}:${FAKE_ACCOUNT_ID}:${args.name}/${String(args.inputs.name ?? shortId)}`;
                    }
                }
            }
            return { id, state: { ...args.inputs, ...computed } };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return { accountId: FAKE_ACCOUNT_ID, arn: `arn:${FAKE_PARTITION}:iam::${FAKE_ACCOUNT_ID}:user/synth`, userId: "AIDASYNTH", id: FAKE_ACCOUNT_ID };
                case "aws:index/getPartition:getPartition":
                    return { partition: FAKE_PARTITION, dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: FAKE_PARTITION };
                case "aws:index/getRegion:getRegion":
                    return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
                default:
                    throw new Error(`The offline synthesis has no fake answer for invoke ${args.token}; add one to tools/synth/fakeCloud.ts.`);
            }
        },
    };
}
