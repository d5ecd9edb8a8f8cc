/**
 * How awsx lays out an ec2.Vpc from its arguments, as far as both offline views of it need: the
 * mock runtime's outputs (engine/fakeCloud.ts) and the offline provider's constructed children
 * (engine/awsxVpc.ts). One owner, so the two agree.
 */

export interface AwsxSubnetSpec {
    type: string;
    name?: string;
    cidrMask?: number;
}

export interface AwsxVpcLayoutInputs {
    availabilityZoneNames?: string[];
    numberOfAvailabilityZones?: number;
    subnetSpecs?: AwsxSubnetSpec[];
    natGateways?: { strategy?: string };
}

/** The zones awsx spreads the VPC over: the named ones, else the region's first N (default 3). */
export function vpcZones(inputs: AwsxVpcLayoutInputs, region: string): string[] {
    return (
        inputs.availabilityZoneNames ??
        "abcdef"
            .slice(0, inputs.numberOfAvailabilityZones ?? 3)
            .split("")
            .map((letter) => `${region}${letter}`)
    );
}

/** The subnet specs awsx creates in each zone: the declared ones but Unused, else one private and one public. */
export function subnetSpecs(inputs: AwsxVpcLayoutInputs): AwsxSubnetSpec[] {
    return (inputs.subnetSpecs ?? [{ type: "Private" }, { type: "Public" }]).filter((spec) => spec.type !== "Unused");
}

/** awsx's NAT gateway strategy, OnePerAz unless declared. */
export function natStrategy(inputs: AwsxVpcLayoutInputs): string {
    return inputs.natGateways?.strategy ?? "OnePerAz";
}
