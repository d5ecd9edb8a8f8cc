import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { withProviderDefaults } from "./providerBehaviour";
import { COMPONENT_RULES, REPLACEMENT_RULES } from "./replacements";
import { AwsxVpcLayoutInputs, natStrategy, subnetSpecs, vpcZones } from "./awsxLayout";

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

/**
 * The outputs of an awsx.ec2.Vpc, which under the mock runtime creates none of its children (it is a
 * remote component): the output shape of @pulumi/awsx's ec2/vpc.d.ts (schema.json's awsx:ec2:Vpc),
 * derived from the inputs the way awsx lays out a VPC: per availability zone (the region's first
 * ones unless named), one subnet and route table per subnet spec (default: one private, one public),
 * an internet gateway always, NAT gateways and their EIPs only for public subnets unless the NAT
 * strategy is None, a 0.0.0.0/0 route to the internet gateway from public subnets and to a NAT gateway
 * from private ones, none from isolated ones. CIDR blocks are not derived. Resource-typed outputs
 * (vpc, subnets, routeTables, ...) stand for resource references: objects with the id and the
 * properties the program reads.
 */
function fakeAwsxVpc(args: pulumi.runtime.MockResourceArgs, region: string): Record<string, unknown> {
    const inputs = args.inputs as AwsxVpcLayoutInputs & {
        vpcEndpointSpecs?: { serviceName: string }[];
        enableDnsHostnames?: boolean;
        enableDnsSupport?: boolean;
    };
    // Content-addressed like every other fake id: the VPC's from the inputs that replace it, each
    // subnet's (and what hangs off it) also from the inputs that lay the subnets out.
    const rule = COMPONENT_RULES["awsx:ec2:Vpc"].replacesChildren;
    const decidingInputs = (children: string) =>
        JSON.stringify(Object.keys(rule).flatMap((input) => (rule[input] === children ? [[input, (inputs as Record<string, unknown>)[input] ?? null]] : [])));
    const vpcSeed = digest(args.name, decidingInputs(rule.cidrBlock));
    const layoutSeed = digest(vpcSeed, decidingInputs(rule.subnetSpecs), decidingInputs(rule.natGateways));
    const fakeId = (prefix: string, ...parts: string[]) => `${prefix}-${digest(layoutSeed, ...parts).slice(0, 17)}`;
    const zones = vpcZones(inputs, region);
    const specs = subnetSpecs(inputs);
    const strategy = natStrategy(inputs);
    const vpcId = `vpc-${vpcSeed.slice(0, 17)}`;
    const internetGateway = { id: fakeId("igw"), vpcId };
    const subnets = zones.flatMap((zone, zoneIndex) =>
        specs.map((spec) => {
            const subnetName = `${args.name}-${(spec.name ?? spec.type).toLowerCase()}-${zoneIndex + 1}`;
            return {
                id: fakeId("subnet", subnetName),
                availabilityZone: zone,
                vpcId,
                zoneIndex,
                type: spec.type,
                tags: { Name: subnetName, SubnetType: spec.type },
            };
        }),
    );
    const publicSubnets = subnets.filter((subnet) => subnet.type === "Public");
    const natSubnets =
        strategy === "None" || specs.every((spec) => spec.type !== "Private") ? [] : strategy === "Single" ? publicSubnets.slice(0, 1) : publicSubnets;
    const eips = natSubnets.map((subnet) => ({ id: fakeId("eipalloc", subnet.id), allocationId: fakeId("eipalloc", subnet.id) }));
    const natGateways = natSubnets.map((subnet, index) => ({
        id: fakeId("nat", subnet.id),
        subnetId: subnet.id,
        allocationId: eips[index].allocationId,
        zoneIndex: subnet.zoneIndex,
    }));
    const routeTables = subnets.map((subnet) => ({ id: fakeId("rtb", subnet.id), vpcId }));
    const routes = subnets.flatMap((subnet, index): Record<string, string>[] => {
        const routeTableId = routeTables[index].id;
        if (subnet.type === "Public") return [{ id: fakeId("r", subnet.id), routeTableId, destinationCidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id }];
        const nat = natGateways.find((candidate) => strategy === "Single" || candidate.zoneIndex === subnet.zoneIndex);
        return subnet.type === "Private" && nat !== undefined
            ? [{ id: fakeId("r", subnet.id), routeTableId, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }]
            : [];
    });
    const idsOf = (type: string) => subnets.filter((subnet) => subnet.type === type).map((subnet) => subnet.id);
    const subnetState = subnets.map(({ zoneIndex: _zone, type: _type, ...subnet }) => subnet);
    const ofType = (type: string) => subnetState.filter((_, index) => subnets[index].type === type);
    return {
        vpc: { id: vpcId, enableDnsHostnames: inputs.enableDnsHostnames ?? false, enableDnsSupport: inputs.enableDnsSupport ?? true },
        vpcId,
        subnets: subnetState,
        publicSubnets: ofType("Public"),
        privateSubnets: ofType("Private"),
        isolatedSubnets: ofType("Isolated"),
        publicSubnetIds: idsOf("Public"),
        privateSubnetIds: idsOf("Private"),
        isolatedSubnetIds: idsOf("Isolated"),
        routeTables,
        routeTableAssociations: subnets.map((subnet, index) => ({
            id: fakeId("rtbassoc", subnet.id),
            routeTableId: routeTables[index].id,
            subnetId: subnet.id,
        })),
        routes,
        internetGateway,
        natGateways: natGateways.map(({ zoneIndex: _zone, ...nat }) => nat),
        eips,
        vpcEndpoints: (inputs.vpcEndpointSpecs ?? []).map((spec) => ({ id: fakeId("vpce", spec.serviceName), serviceName: spec.serviceName, vpcId })),
        subnetLayout: specs.map((spec) => ({ ...spec })),
    };
}

/**
 * What a resource's cloud identity (id, ARN) is derived from: its type, its name and the inputs whose
 * change replaces it (the replacement table), as a real cloud gives a replaced resource a new id. A
 * replacement then changes every input downstream that reads the id or ARN, as it would in AWS.
 */
// The provider's defaults count as stated (engine/providerBehaviour.ts): stating one is no change.
export function identitySeed(type: string, name: string, inputs: Record<string, unknown>): string {
    const withDefaults = withProviderDefaults(type, inputs);
    const forcing = (REPLACEMENT_RULES[type]?.properties ?? []).map((property) => [property, valueAt(withDefaults, property) ?? null]);
    return `${type}::${name}::${JSON.stringify(forcing)}`;
}

/** The value at a property path of the replacement table (`schedule.scheduleId`, `rules[2].days`). */
function valueAt(value: unknown, path: string): unknown {
    return path
        .replace(/\[(\d+)\]/g, ".$1")
        .split(".")
        .reduce<unknown>((current, key) => (current !== null && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined), value);
}

/** The inputs newResource reads; which of them a resource has depends on its type. */
interface ReadInputs {
    name?: string;
    bucket?: string;
    vpcEndpointType?: string;
    [input: string]: unknown;
}

/** Stack outputs of already-synthesized stacks, by fully qualified stack name. */
export type UpstreamOutputs = ReadonlyMap<string, Record<string, unknown>>;

/**
 * Answers the program's resource registrations and invokes the way AWS would, deterministically:
 * ids and ARNs are derived from the resource's type, name and replace-forcing inputs (identitySeed), never random, so two syntheses of
 * the same program produce the same manifest.
 */
export function fakeCloud(region: string, upstream: UpstreamOutputs): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
            const inputs = args.inputs as ReadInputs;
            if (args.type === "pulumi:pulumi:StackReference") {
                const stackName = String(inputs.name);
                const outputs = upstream.get(stackName);
                if (outputs === undefined) {
                    throw new Error(`StackReference to ${stackName}: that stack has not been synthesized in this run (synthesize upstream layers first).`);
                }
                return { id: stackName, state: { name: stackName, outputs, secretOutputNames: [] } };
            }
            const seed = identitySeed(args.type, args.name, inputs);
            const service = args.type.split(":")[1]?.split("/")[0] ?? "unknown";
            const shortId = `${args.name}-${digest(seed).slice(0, 8)}`;
            const computed: Record<string, unknown> = {};
            let id = shortId;
            switch (args.type) {
                case "aws:s3/bucket:Bucket":
                    id = String(inputs.bucket);
                    computed.arn = `arn:${FAKE_PARTITION}:s3:::${id}`;
                    computed.bucketDomainName = `${id}.s3.amazonaws.com`;
                    break;
                case "aws:kms/key:Key":
                    id = fakeUuid(seed);
                    computed.keyId = id;
                    computed.arn = `arn:${FAKE_PARTITION}:kms:${region}:${FAKE_ACCOUNT_ID}:key/${id}`;
                    break;
                case "aws:iam/role:Role":
                    id = String(inputs.name ?? shortId);
                    computed.arn = `arn:${FAKE_PARTITION}:iam::${FAKE_ACCOUNT_ID}:role/${id}`;
                    break;
                case "aws:iam/policy:Policy":
                    id = `arn:${FAKE_PARTITION}:iam::${FAKE_ACCOUNT_ID}:policy/${String(inputs.name ?? shortId)}`;
                    computed.arn = id;
                    break;
                case "aws:ec2/securityGroup:SecurityGroup":
                    id = `sg-${digest(seed).slice(0, 17)}`;
                    computed.arn = `arn:${FAKE_PARTITION}:ec2:${region}:${FAKE_ACCOUNT_ID}:security-group/${id}`;
                    break;
                case "aws:ec2/vpcEndpoint:VpcEndpoint":
                    id = `vpce-${digest(seed).slice(0, 17)}`;
                    computed.arn = `arn:${FAKE_PARTITION}:ec2:${region}:${FAKE_ACCOUNT_ID}:vpc-endpoint/${id}`;
                    // A gateway endpoint's service is reached through its managed prefix list.
                    // The service's prefix list is the region's, whichever endpoint reaches it.
                    if (inputs.vpcEndpointType === "Gateway") computed.prefixListId = `pl-${digest(region, String(inputs.serviceName)).slice(0, 8)}`;
                    break;
                case "awsx:ec2:Vpc":
                    Object.assign(computed, fakeAwsxVpc(args, region));
                    break;
                case "aws:athena/workgroup:Workgroup":
                    id = String(inputs.name);
                    computed.arn = `arn:${FAKE_PARTITION}:athena:${region}:${FAKE_ACCOUNT_ID}:workgroup/${id}`;
                    break;
                default: {
                    // QuickSight ARNs name the asset kind and its id: arn:aws:quicksight:<region>:<account>:dataset/<dataSetId>.
                    const quicksight = QUICKSIGHT_ID_INPUTS[args.type];
                    if (quicksight !== undefined) {
                        id = String(inputs[quicksight.idInput]);
                        computed.arn = `arn:${FAKE_PARTITION}:quicksight:${region}:${FAKE_ACCOUNT_ID}:${quicksight.kind}/${id}`;
                        break;
                    }
                    if (args.custom !== false && !args.type.startsWith("pulumi:")) {
                        computed.arn = `arn:${FAKE_PARTITION}:${service}:${region}:${FAKE_ACCOUNT_ID}:${args.name}/${String(inputs.name ?? shortId)}`;
                    }
                }
            }
            return { id, state: { ...inputs, ...computed } };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return {
                        accountId: FAKE_ACCOUNT_ID,
                        arn: `arn:${FAKE_PARTITION}:iam::${FAKE_ACCOUNT_ID}:user/synth`,
                        userId: "AIDASYNTH",
                        id: FAKE_ACCOUNT_ID,
                    };
                case "aws:index/getPartition:getPartition":
                    return { partition: FAKE_PARTITION, dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: FAKE_PARTITION };
                case "aws:index/getRegion:getRegion":
                    return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
                default:
                    throw new Error(`The offline synthesis has no fake answer for invoke ${args.token}; add one to engine/fakeCloud.ts.`);
            }
        },
    };
}
