import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { synthesizeAlone } from "../../test/support/alone";
import { AthenaDataSource, AthenaDataSourceArgs, validateAthenaDataSourceArgs } from "./dataSource";

const OWNER = "arn:aws:quicksight:eu-west-1:123456789012:group/default/data-platform";
const VIEWER = "arn:aws:quicksight:eu-west-1:123456789012:group/default/data-analysts";
const TYPE = "aws-native:quicksight:DataSource";

/** The data source, declared alone under a stand-in parent, with a stand-in for the service role's access. */
function declare(args: Omit<AthenaDataSourceArgs, "serviceRoleAccess">): void {
    const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
    const access = new aws.iam.RolePolicyAttachment("access", { role: "quicksight", policyArn: "arn:aws:iam::123456789012:policy/access" }, { parent });
    new AthenaDataSource("dashboards", { ...args, serviceRoleAccess: access }, parent);
}

const ARGS = {
    accountId: "123456789012",
    dataSourceId: "spotify-dev-athena",
    stage: "dev",
    workgroupName: pulumi.output("spotify_dev_analytics"),
    principals: { owners: [OWNER], viewers: [VIEWER] },
};

describe("AthenaDataSource", () => {
    it("queries Athena through the given workgroup over SSL, owned by the owners only, once the service role's access exists", async () => {
        const template = await synthesizeAlone(() => declare(ARGS));
        const dataSource = template.resource(TYPE, "dashboards-athena");
        assert.strictEqual(dataSource.parent, template.resource("test:index:Parent", "parent").urn);
        assert.deepStrictEqual(
            {
                awsAccountId: dataSource.inputs.awsAccountId,
                dataSourceId: dataSource.inputs.dataSourceId,
                name: dataSource.inputs.name,
                type: dataSource.inputs.type,
                dataSourceParameters: dataSource.inputs.dataSourceParameters,
                sslProperties: dataSource.inputs.sslProperties,
            },
            {
                awsAccountId: "123456789012",
                dataSourceId: "spotify-dev-athena",
                name: "spotify-pipeline dev (Athena)",
                type: "ATHENA",
                dataSourceParameters: { athenaParameters: { workGroup: "spotify_dev_analytics" } },
                sslProperties: { disableSsl: false },
            },
        );
        const permissions = dataSource.inputs.permissions as { principal: string; actions: string[] }[];
        assert.deepStrictEqual(
            permissions.map((permission) => permission.principal),
            [OWNER],
        );
        assert.ok(permissions[0].actions.includes("quicksight:DeleteDataSource"));
        assert.deepStrictEqual(dataSource.dependencies, [template.resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "access").urn]);
        assert.deepStrictEqual([dataSource.protect, dataSource.retainOnDelete], [false, false]);
    });

    it("protects the data source from deletion when asked", async () => {
        const template = await synthesizeAlone(() => declare({ ...ARGS, protect: true }));
        const dataSource = template.resource(TYPE, "dashboards-athena");
        assert.deepStrictEqual([dataSource.protect, dataSource.retainOnDelete], [true, true]);
    });

    it("refuses an empty id, a data source nobody owns and a principal listed twice, naming the field", async () => {
        for (const [args, expected] of [
            [{ ...ARGS, dataSourceId: " " }, /AthenaDataSourceArgs\.dataSourceId: must not be empty/],
            [{ ...ARGS, principals: { owners: [], viewers: [VIEWER] } }, /AthenaDataSourceArgs\.principals: must name at least one owner/],
            [{ ...ARGS, principals: { owners: [OWNER], viewers: [OWNER] } }, /AthenaDataSourceArgs\.principals: .*data-platform listed more than once/],
        ] as const) {
            // The check reads no resource: outside a program, there is none to give it.
            assert.throws(() => validateAthenaDataSourceArgs({ ...args, serviceRoleAccess: {} as pulumi.Resource }), expected);
            await assert.rejects(
                synthesizeAlone(() => declare(args)),
                expected,
            );
        }
    });
});
