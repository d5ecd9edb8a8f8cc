import * as aws from "@pulumi/aws";
import { InputsOf, typed, UNKNOWN, untyped } from "./support/fixtures";
import { assertCompliant, assertViolations } from "./support/inProcess";

// The fixture stage prod's network is "isolated", dev's "none" (support/fixtures.ts).
const PROD_ETL = { stage: "prod", stack: "prod-etl" } as const;
const PROD_NETWORK = { stage: "prod", stack: "prod-network" } as const;

const job = (inputs: InputsOf<aws.glue.JobArgs> = {}) =>
    typed(aws.glue.Job, "job", { name: "spotify_prod_etl", connections: ["spotify_prod_network_1", "spotify_prod_network_2"], ...inputs });
const crawler = (connectionName?: string) =>
    typed(aws.glue.Crawler, "crawler", {
        name: "spotify_prod_warehouse_crawler",
        catalogTargets: [{ databaseName: "spotify_prod_warehouse", tables: ["tracks"], connectionName }],
    });
/** An awsx VPC, a component; the pack's tests do not install awsx, so its inputs are as awsx's VpcArgs name them, unchecked. */
const awsxVpc = (name: string, inputs: Record<string, unknown>) => untyped("awsx:ec2:Vpc", name, inputs);
const ISOLATED_VPC = { subnetSpecs: [{ type: "Isolated", name: "jobs", cidrMask: 20 }], natGateways: { strategy: "None" }, numberOfAvailabilityZones: 2 };
const statement = (extra: Record<string, unknown>) => ({ Version: "2012-10-17", Statement: [{ Sid: "S", Effect: "Allow", Principal: "*", ...extra }] });
const endpoint = (policy: unknown) =>
    typed(aws.ec2.VpcEndpoint, "endpoint", {
        vpcId: "vpc-1",
        serviceName: "com.amazonaws.eu-west-1.s3",
        ...(policy === undefined ? {} : { policy: JSON.stringify(policy) }),
    });

describe("policies: network isolation", function () {
    describe("glue-network-connection", () => {
        it("accepts a job and a crawler that run in the stage's NETWORK connections", async () => {
            await assertCompliant("glue-network-connection", [job(), crawler("spotify_prod_network_1")], PROD_ETL);
        });
        it("accepts connection names known only after preview", async () => {
            await assertCompliant("glue-network-connection", [job({ connections: UNKNOWN }), crawler(UNKNOWN)], PROD_ETL);
        });
        it("rejects a job and a crawler without a connection in an isolated stage", async () => {
            await assertViolations(
                "glue-network-connection",
                [job({ connections: undefined }), crawler(undefined)],
                [
                    { resource: "job", message: /Glue job job has no connections, so it runs outside the stage's VPC/ },
                    { resource: "crawler", message: /Glue crawler crawler names no connection on its targets/ },
                ],
                PROD_ETL,
            );
        });
        it("rejects connections of another stage", async () => {
            await assertViolations(
                "glue-network-connection",
                [job({ connections: ["spotify_dev_network_1"] }), crawler("shared_vpc")],
                [
                    { resource: "job", message: /none of them a connection of stage prod \(spotify_prod_<purpose>\)/ },
                    { resource: "crawler", message: /crawls through \["shared_vpc"\], none of them a connection of stage prod/ },
                ],
                PROD_ETL,
            );
        });
        it("asks nothing of a stage whose network is none", async () => {
            await assertCompliant("glue-network-connection", [job({ connections: undefined, name: "spotify_dev_etl" }), crawler(undefined)], {
                stage: "dev",
                stack: "dev-etl",
            });
        });
    });

    describe("network-no-internet-route", () => {
        it("accepts an awsx VPC of isolated subnets without NAT gateways, and routes that stay inside AWS", async () => {
            await assertCompliant(
                "network-no-internet-route",
                [
                    awsxVpc("vpc", ISOLATED_VPC),
                    typed(aws.ec2.Route, "to-endpoint", { routeTableId: "rtb-1", destinationPrefixListId: "pl-1", vpcEndpointId: "vpce-1" }),
                ],
                PROD_NETWORK,
            );
        });
        it("rejects routes to an internet gateway, by id or computed from one, and to a NAT gateway", async () => {
            await assertViolations(
                "network-no-internet-route",
                [
                    typed(aws.ec2.InternetGateway, "igw", { vpcId: "vpc-1" }),
                    typed(aws.ec2.Route, "by-id", { routeTableId: "rtb-1", destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-0abc" }),
                    typed(
                        aws.ec2.Route,
                        "computed",
                        { routeTableId: "rtb-1", destinationCidrBlock: "0.0.0.0/0", gatewayId: UNKNOWN },
                        { from: { gatewayId: ["igw"] } },
                    ),
                    typed(aws.ec2.Route, "nat", { routeTableId: "rtb-1", destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-0abc" }),
                    typed(aws.ec2.RouteTable, "table", { vpcId: "vpc-1", routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-0abc" }] }),
                ],
                [
                    { resource: "by-id", message: /Route by-id leads to an internet gateway/ },
                    { resource: "computed", message: /Route computed leads to an internet gateway/ },
                    { resource: "nat", message: /Route nat leads to a NAT gateway/ },
                    { resource: "table", message: /Route table table's route #1 leads to an internet gateway/ },
                ],
                PROD_NETWORK,
            );
        });
        it("rejects an awsx VPC whose subnets awsx would route out: public or private subnets, NAT gateways, or its default layout", async () => {
            await assertViolations(
                "network-no-internet-route",
                [awsxVpc("open", { subnetSpecs: [{ type: "Public" }, { type: "Isolated" }], natGateways: { strategy: "Single" } }), awsxVpc("default", {})],
                [
                    { resource: "open", message: /declares Public subnets: awsx routes public subnets to its internet gateway/ },
                    { resource: "open", message: /has NAT gateway strategy Single/ },
                    { resource: "default", message: /declares no subnetSpecs, so awsx creates public and private subnets/ },
                    { resource: "default", message: /NAT gateway strategy absent \(awsx's default OnePerAz\)/ },
                ],
                PROD_NETWORK,
            );
        });
        it("asks nothing of a stage whose network is none", async () => {
            await assertCompliant("network-no-internet-route", [typed(aws.ec2.Route, "by-id", { routeTableId: "rtb-1", gatewayId: "igw-0abc" })], {
                stage: "dev",
                stack: "dev-network",
            });
        });
    });

    describe("network-flow-logs", () => {
        const flowLog = (vpc: string, trafficType = "ALL") =>
            typed(aws.ec2.FlowLog, `${vpc}-flow-log`, { vpcId: UNKNOWN, trafficType, logDestinationType: "cloud-watch-logs" }, { from: { vpcId: [vpc] } });
        const awsVpc = (name: string, parent?: string) => typed(aws.ec2.Vpc, name, { cidrBlock: "10.0.0.0/16" }, { parent });
        it("accepts VPCs with a flow log of all traffic, an awsx VPC's own aws VPC counting as the component's", async () => {
            await assertCompliant(
                "network-flow-logs",
                [awsxVpc("vpc", ISOLATED_VPC), awsVpc("vpc-child", "vpc"), flowLog("vpc"), awsVpc("plain"), flowLog("plain")],
                PROD_NETWORK,
            );
        });
        it("rejects a VPC without a flow log, and one that logs rejected traffic only", async () => {
            await assertViolations(
                "network-flow-logs",
                [awsxVpc("vpc", ISOLATED_VPC), awsVpc("plain"), flowLog("plain", "REJECT")],
                [
                    { resource: "vpc", message: /VPC vpc has no flow log of all its traffic/ },
                    { resource: "plain", message: /VPC plain has no flow log of all its traffic/ },
                ],
                PROD_NETWORK,
            );
        });
        it("does not apply to a stage without network isolation", async () => {
            await assertCompliant("network-flow-logs", [awsVpc("plain")], { stage: "dev", stack: "dev-network" });
        });
    });

    describe("network-security-group-not-open", () => {
        const group = (inputs: InputsOf<aws.ec2.SecurityGroupArgs>) => typed(aws.ec2.SecurityGroup, "group", { vpcId: "vpc-1", ...inputs });
        const ingress = (name: string, inputs: InputsOf<aws.vpc.SecurityGroupIngressRuleArgs>) =>
            typed(aws.vpc.SecurityGroupIngressRule, name, { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, ...inputs });
        const egress = (name: string, inputs: InputsOf<aws.vpc.SecurityGroupEgressRuleArgs>) =>
            typed(aws.vpc.SecurityGroupEgressRule, name, { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, ...inputs });
        it("accepts groups open only to other groups, a prefix list or a private range", async () => {
            await assertCompliant(
                "network-security-group-not-open",
                [
                    group({ ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }] }),
                    ingress("from-group", { referencedSecurityGroupId: "sg-2" }),
                    egress("to-s3", { prefixListId: "pl-1" }),
                ],
                PROD_NETWORK,
            );
        });
        it("rejects 0.0.0.0/0 and ::/0, inline and standalone, in and out", async () => {
            await assertViolations(
                "network-security-group-not-open",
                [
                    group({
                        ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
                        egress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }],
                    }),
                    ingress("from-world", { cidrIpv4: "0.0.0.0/0" }),
                    egress("to-world", { cidrIpv6: "::/0" }),
                    typed(aws.ec2.SecurityGroupRule, "legacy", {
                        securityGroupId: "sg-1",
                        fromPort: 443,
                        toPort: 443,
                        type: "egress",
                        cidrBlocks: ["0.0.0.0/0"],
                        protocol: "-1",
                    }),
                ],
                [
                    { resource: "group", message: /ingress rule #1 is open to 0\.0\.0\.0\/0/ },
                    { resource: "group", message: /egress rule #1 is open to ::\/0/ },
                    { resource: "from-world", message: /opens ingress to 0\.0\.0\.0\/0/ },
                    { resource: "to-world", message: /opens egress to ::\/0/ },
                    { resource: "legacy", message: /opens egress to 0\.0\.0\.0\/0/ },
                ],
                PROD_NETWORK,
            );
        });
        it("does not apply to a stage without network isolation", async () => {
            await assertCompliant("network-security-group-not-open", [ingress("from-world", { cidrIpv4: "0.0.0.0/0" })], {
                stage: "dev",
                stack: "dev-network",
            });
        });
    });

    describe("vpc-endpoint-policy-not-open", () => {
        it("accepts scoped statements, and broad ones limited to an account", async () => {
            await assertCompliant("vpc-endpoint-policy-not-open", [
                endpoint(statement({ Action: "s3:GetObject", Resource: "arn:aws:s3:::spotify-prod-staging-222222222222/*" })),
            ]);
            await assertCompliant("vpc-endpoint-policy-not-open", [
                endpoint(statement({ Action: "*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalAccount": "222222222222" } } })),
            ]);
        });
        it("rejects an endpoint without a policy, which AWS opens to everything", async () => {
            await assertViolations(
                "vpc-endpoint-policy-not-open",
                [endpoint(undefined)],
                [{ resource: "endpoint", message: /has no policy, so AWS's default full-access policy applies/ }],
            );
        });
        it("rejects every action or every resource for everyone without a condition", async () => {
            await assertViolations(
                "vpc-endpoint-policy-not-open",
                [endpoint(statement({ Action: "*", Resource: "*" }))],
                [{ message: /statement "S" allows actions \* on resource "\*" \(everything\) to everyone/ }],
            );
            await assertViolations(
                "vpc-endpoint-policy-not-open",
                [endpoint(statement({ Action: "s3:*", Resource: "arn:aws:s3:::spotify-prod-staging-222222222222/*" }))],
                [{ message: /allows actions s3:\* to everyone/ }],
            );
            await assertViolations(
                "vpc-endpoint-policy-not-open",
                [endpoint(statement({ Action: "s3:GetObject", Resource: "arn:aws:s3:::*" }))],
                [{ message: /allows resource "arn:aws:s3:::\*" \(every s3 bucket\) to everyone/ }],
            );
        });
        it("rejects an Allow with NotPrincipal", async () => {
            const notPrincipal = {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "s3:GetObject", Resource: "*" }],
            };
            await assertViolations("vpc-endpoint-policy-not-open", [endpoint(notPrincipal)], [{ message: /statement #1 allows everyone but/ }]);
        });
    });
});
