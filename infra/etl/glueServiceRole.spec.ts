import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { synthesizeAlone } from "../../test/support/alone";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { GlueServiceRole, GlueServiceRoleArgs, validateGlueServiceRoleArgs } from "./glueServiceRole";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

const READ: aws.iam.PolicyStatement = { Sid: "ReadThings", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::things/*" };
const LIST: aws.iam.PolicyStatement = { Sid: "ListThings", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::things" };

function roleArgs(extra: Partial<GlueServiceRoleArgs> = {}): GlueServiceRoleArgs {
    return { roleName: "acme_qa_role", description: "acme qa: reads things", statements: [READ, LIST], ...extra };
}

describe("GlueServiceRole (alone)", () => {
    it("registers a role only Glue may assume, under the given name, with exactly the given statements inline", async () => {
        const template = await synthesizeAlone(() => new GlueServiceRole("reader", roleArgs()));
        const component = template.resource("spotify:etl:GlueServiceRole", "reader");
        assert.deepStrictEqual(template.childrenOf(component).map((child) => `${child.type} ${child.name}`).sort(), [
            `${ROLE} reader`,
            `${ROLE_POLICY} reader-permissions`,
        ]);
        const role = template.hasResourceProperties(ROLE, { name: "acme_qa_role", description: "acme qa: reads things" });
        assert.deepStrictEqual(JSON.parse(String(role.inputs.assumeRolePolicy)), {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "glue.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        const policy = template.resource(ROLE_POLICY, "reader-permissions");
        assert.deepStrictEqual(JSON.parse(String(policy.inputs.policy)), { Version: "2012-10-17", Statement: [READ, LIST] });
        assert.deepStrictEqual(template.follow(policy, "role"), [role]);
        template.resourceCountIs("aws:iam/rolePolicyAttachment:RolePolicyAttachment", 0);
    });

    it("takes statements that are still outputs", async () => {
        const template = await synthesizeAlone(() => new GlueServiceRole("reader", roleArgs({ statements: [pulumi.output(READ)] })));
        const policy = JSON.parse(String(template.resource(ROLE_POLICY, "reader-permissions").inputs.policy)) as { Statement: unknown };
        assert.deepStrictEqual(policy.Statement, [READ]);
    });

    describe("bad args", () => {
        const refused: [string, Partial<GlueServiceRoleArgs>, RegExp][] = [
            ["no statements", { statements: [] }, /GlueServiceRoleArgs\.statements: must grant something/],
            ["a statement twice", { statements: [READ, LIST, READ] }, /GlueServiceRoleArgs\.statements: Sids must be unique in the policy, got ReadThings more than once/],
            ["a statement without a Sid", { statements: [READ, { Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }, /statements: each needs a Sid of letters and digits, got null/],
            ["a Sid IAM refuses", { statements: [{ ...READ, Sid: "read-things" }] }, /statements: each needs a Sid of letters and digits, got "read-things"/],
            ["a role name over 64 characters", { roleName: "r".repeat(65) }, /GlueServiceRoleArgs\.roleName: must be 1-64 letters/],
            ["a role name with a slash", { roleName: "team/role" }, /GlueServiceRoleArgs\.roleName: /],
            ["a description IAM refuses", { description: "staging → warehouse" }, /GlueServiceRoleArgs\.description: must be at most 1000 Latin-1 characters/],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateGlueServiceRoleArgs(roleArgs(extra)), message));
        }

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeAlone(() => new GlueServiceRole("reader", roleArgs({ statements: [] }))),
                (error: SynthesisError) =>
                    /GlueServiceRoleArgs\.statements/.test(error.message) && !error.registered.some((resource) => resource.type === "spotify:etl:GlueServiceRole"),
            );
        });
    });
});
