import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { synthesizeAlone } from "../../test/support/alone";
import { ServiceRoleAccess, ServiceRoleAccessArgs, validateServiceRoleAccessArgs } from "./serviceRoleAccess";

const ACCOUNT = "123456789012";
const ARGS: ServiceRoleAccessArgs = {
    roleName: "aws-quicksight-service-role-v0",
    policyName: "spotify-dev-quicksight-data-access",
    stage: "dev",
    location: { partition: "aws", region: "eu-west-1", accountId: pulumi.output(ACCOUNT) },
    workgroupArn: pulumi.output(`arn:aws:athena:eu-west-1:${ACCOUNT}:workgroup/spotify_dev_analytics`),
    databaseName: pulumi.output("spotify_dev_warehouse"),
    dataKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/data`,
    warehouseBucketArn: "arn:aws:s3:::spotify-dev-warehouse-x",
    athenaResultsBucketArn: "arn:aws:s3:::spotify-dev-athena-results-x",
};

type Statement = { Sid: string; Action: string[]; Resource: string[] };

describe("ServiceRoleAccess", () => {
    it("attaches to the QuickSight service role one policy reaching the stage's workgroup, database, buckets and key, and nothing wider", async () => {
        const template = await synthesizeAlone(() => {
            const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
            new ServiceRoleAccess("dashboards", ARGS, parent);
        });
        const parent = template.resource("test:index:Parent", "parent");
        const policy = template.resource("aws:iam/policy:Policy", "dashboards-quicksight-access");
        const attachment = template.resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "dashboards-quicksight-access-attachment");
        assert.deepStrictEqual(
            template.childrenOf(parent).map((child) => child.name),
            ["dashboards-quicksight-access", "dashboards-quicksight-access-attachment"],
        );
        assert.strictEqual(policy.inputs.name, "spotify-dev-quicksight-data-access");
        assert.match(String(policy.inputs.description), /spotify-pipeline dev's views/);
        assert.strictEqual(attachment.inputs.role, "aws-quicksight-service-role-v0");
        assert.deepStrictEqual(template.follow(attachment, "policyArn"), [policy]);

        const statements = (JSON.parse(String(policy.inputs.policy)) as { Statement: Statement[] }).Statement;
        const resourcesOf = (sid: string) => statements.find((statement) => statement.Sid === sid)?.Resource;
        assert.deepStrictEqual(resourcesOf("QueryThroughTheStageWorkgroup"), [`arn:aws:athena:eu-west-1:${ACCOUNT}:workgroup/spotify_dev_analytics`]);
        assert.deepStrictEqual(resourcesOf("ReadTheDataCatalog"), [`arn:aws:athena:eu-west-1:${ACCOUNT}:datacatalog/AwsDataCatalog`]);
        assert.deepStrictEqual(resourcesOf("ReadTheWarehouseDatabaseOnly"), [
            `arn:aws:glue:eu-west-1:${ACCOUNT}:catalog`,
            `arn:aws:glue:eu-west-1:${ACCOUNT}:database/spotify_dev_warehouse`,
            `arn:aws:glue:eu-west-1:${ACCOUNT}:table/spotify_dev_warehouse/*`,
        ]);
        assert.deepStrictEqual(resourcesOf("ReadTheWarehouse"), ["arn:aws:s3:::spotify-dev-warehouse-x/tracks/*"]);
        assert.deepStrictEqual(resourcesOf("WriteQueryResults"), ["arn:aws:s3:::spotify-dev-athena-results-x/results/*"]);
        assert.deepStrictEqual(resourcesOf("UseTheDataKey"), [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/data`]);
        const everything = statements.flatMap((statement) => statement.Resource);
        assert.ok(
            everything.every((resource) => resource !== "*" && !resource.endsWith(":*")),
            everything.join(", "),
        );
    });

    it("refuses a role or policy name IAM would refuse, naming the field", async () => {
        for (const [field, value, expected] of [
            ["roleName", "", /ServiceRoleAccessArgs\.roleName: must be an IAM role name: 1-64 .*, got ""$/],
            ["roleName", "quicksight role", /ServiceRoleAccessArgs\.roleName: must be an IAM role name.*, got "quicksight role"/],
            ["roleName", "r".repeat(65), /ServiceRoleAccessArgs\.roleName: must be an IAM role name.*, got "r{65}"/],
            ["policyName", "p".repeat(129), /ServiceRoleAccessArgs\.policyName: must be an IAM policy name: 1-128 .*, got "p{129}"/],
        ] as const) {
            const args = { ...ARGS, [field]: value };
            assert.throws(() => validateServiceRoleAccessArgs(args), expected);
            await assert.rejects(
                synthesizeAlone(() => {
                    new ServiceRoleAccess("dashboards", args, new pulumi.ComponentResource("test:index:Parent", "parent"));
                }),
                expected,
            );
        }
        assert.doesNotThrow(() => validateServiceRoleAccessArgs({ ...ARGS, policyName: "p".repeat(128), roleName: "r".repeat(64) }));
    });
});
