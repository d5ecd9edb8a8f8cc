import * as pulumi from "@pulumi/pulumi";

/** Where the stage's resources live, for building ARNs of resources named ahead of creation. */
export interface AwsLocation {
    partition: pulumi.Input<string>;
    region: string;
    accountId: pulumi.Input<string>;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` in the stage's account and region. */
export function arnIn(location: AwsLocation, service: string, resource: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`arn:${location.partition}:${service}:${location.region}:${location.accountId}:${resource}`;
}
