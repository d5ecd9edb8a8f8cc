/**
 * awsx:ec2:Vpc as the offline provider constructs it: the children awsx registers, with
 * @pulumi/aws types and awsx's naming (the VPC, per zone and subnet spec a subnet, its route table
 * and association, the internet gateway awsx always attaches, a default route to it from public
 * subnets, NAT gateways with their EIPs for private ones unless the strategy is None), so the engine,
 * the policy pack and the diff see them. CIDR blocks are laid out in order, each spec's mask in turn;
 * AWS's real allocation (and awsx's exact one) is only proven online.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as provider from "@pulumi/pulumi/provider";
import { AwsxVpcLayoutInputs, natStrategy, subnetSpecs, vpcZones } from "./awsxLayout";

interface VpcInputs extends AwsxVpcLayoutInputs {
    cidrBlock?: string;
    enableDnsHostnames?: boolean;
    enableDnsSupport?: boolean;
    tags?: Record<string, string>;
}

/** `count` consecutive blocks of prefix length `mask` inside `cidr`, starting at its first address. */
export function subnetBlocks(cidr: string, masks: readonly number[]): string[] {
    const [address, prefix] = cidr.split("/");
    const base = address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
    let next = base;
    return masks.map((mask) => {
        if (mask < Number(prefix) || mask > 28) throw new Error(`subnet mask /${mask} does not fit VPC ${cidr}`);
        const size = 2 ** (32 - mask);
        const start = Math.ceil((next - base) / size) * size + base;
        next = start + size;
        if (next - base > 2 ** (32 - Number(prefix))) throw new Error(`the subnets do not fit VPC ${cidr}`);
        return `${[24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256).join(".")}/${mask}`;
    });
}

class ConstructedVpc extends pulumi.ComponentResource {
    constructor(name: string, inputs: VpcInputs, region: string, options: pulumi.ComponentResourceOptions) {
        super("awsx:ec2:Vpc", name, {}, options);
        const child = { parent: this };
        const cidrBlock = inputs.cidrBlock ?? "10.0.0.0/16";
        const zones = vpcZones(inputs, region);
        const specs = subnetSpecs(inputs);
        const vpc = new aws.ec2.Vpc(
            name,
            {
                cidrBlock,
                enableDnsHostnames: inputs.enableDnsHostnames ?? false,
                enableDnsSupport: inputs.enableDnsSupport ?? true,
                tags: { ...inputs.tags, Name: name },
            },
            child,
        );
        const internetGateway = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: { ...inputs.tags, Name: name } }, { parent: vpc });
        const layout = zones.flatMap((zone, zoneIndex) => specs.map((spec) => ({ zone, zoneIndex, spec })));
        const blocks = subnetBlocks(
            cidrBlock,
            layout.map(({ spec }) => spec.cidrMask ?? 24),
        );
        const subnets = layout.map(({ zone, zoneIndex, spec }, index) => {
            const subnetName = `${name}-${(spec.name ?? spec.type).toLowerCase()}-${zoneIndex + 1}`;
            const subnet = new aws.ec2.Subnet(
                subnetName,
                {
                    vpcId: vpc.id,
                    availabilityZone: zone,
                    cidrBlock: blocks[index],
                    mapPublicIpOnLaunch: spec.type === "Public",
                    tags: { ...inputs.tags, Name: subnetName, SubnetType: spec.type },
                },
                { parent: vpc },
            );
            const routeTable = new aws.ec2.RouteTable(subnetName, { vpcId: vpc.id, tags: { ...inputs.tags, Name: subnetName } }, { parent: subnet });
            new aws.ec2.RouteTableAssociation(subnetName, { routeTableId: routeTable.id, subnetId: subnet.id }, { parent: routeTable });
            if (spec.type === "Public") {
                new aws.ec2.Route(
                    subnetName,
                    { routeTableId: routeTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id },
                    { parent: routeTable },
                );
            } else if (spec.type === "Private" && natStrategy(inputs) !== "None") {
                throw new Error("the offline awsx:ec2:Vpc does not lay out NAT gateways; the program's VPCs have none (natGateways.strategy None)");
            }
            return { subnet, routeTable, type: spec.type };
        });
        const idsOf = (type: string) => subnets.filter((entry) => entry.type === type).map((entry) => entry.subnet.id);
        this.outputs = {
            vpc,
            vpcId: vpc.id,
            internetGateway,
            subnets: subnets.map((entry) => entry.subnet),
            routeTables: subnets.map((entry) => entry.routeTable),
            publicSubnetIds: idsOf("Public"),
            privateSubnetIds: idsOf("Private"),
            isolatedSubnetIds: idsOf("Isolated"),
            natGateways: [],
            eips: [],
            vpcEndpoints: [],
            subnetLayout: specs,
        };
        this.registerOutputs(this.outputs);
    }

    readonly outputs: Record<string, unknown>;
}

export async function constructVpc(
    name: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
    region: string,
): Promise<provider.ConstructResult> {
    const resolved = await new Promise<VpcInputs>((resolve) => pulumi.output(inputs).apply((value) => resolve(value as VpcInputs)));
    const vpc = new ConstructedVpc(name, resolved, region, options);
    return { urn: vpc.urn, state: vpc.outputs };
}
