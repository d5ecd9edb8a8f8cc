import { assertCompliant, assertViolations, FixtureResource, UNKNOWN } from "./support/harness";

const document = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const policy = (type: string, inputs: Record<string, unknown>): FixtureResource[] => [{ type, name: "permissions", inputs }];
const rolePolicy = (...statements: Record<string, unknown>[]) => policy("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: document(...statements) });
const SCOPED = { Sid: "ReadStaging", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::spotify-dev-staging-1/tracks/*" };

describe("policies: IAM", function () {
    describe("iam-no-wildcard-actions", () => {
        it("accepts scoped statements, and Deny statements with wildcards", async () => {
            await assertCompliant("iam-no-wildcard-actions", rolePolicy(SCOPED, { Effect: "Deny", Action: "*", Resource: "*" }));
        });
        it('rejects "*" and "*:*" actions and Allow with NotAction, in every identity-policy type', async () => {
            await assertViolations("iam-no-wildcard-actions", rolePolicy(SCOPED, { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }), [
                { resource: "permissions", message: /policy statement "Everything" allows every action \("\*"\)/ },
            ]);
            await assertViolations("iam-no-wildcard-actions", policy("aws:iam/policy:Policy", { policy: document({ Effect: "Allow", Action: ["s3:GetObject", "*:*"], Resource: "arn:aws:s3:::b/*" }) }), [
                { message: /policy statement #1 allows every action \("\*:\*"\)/ },
            ]);
            await assertViolations("iam-no-wildcard-actions", policy("aws:iam/userPolicy:UserPolicy", { user: "u", policy: document({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) }), [
                { message: /allows every action except iam:\* \(Allow with NotAction\)/ },
            ]);
            await assertViolations("iam-no-wildcard-actions", policy("aws:iam/groupPolicy:GroupPolicy", { group: "g", policy: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }), [
                { message: /allows every action/ },
            ]);
        });
        it("reads a role's inline policies but not its trust policy", async () => {
            const role = policy("aws:iam/role:Role", {
                assumeRolePolicy: document({ Effect: "Allow", Principal: { Service: "glue.amazonaws.com" }, Action: "*" }),
                inlinePolicies: [{ name: "admin", policy: document({ Effect: "Allow", Action: "*", Resource: "*" }) }],
            });
            await assertViolations("iam-no-wildcard-actions", role, [{ message: /inline policy "admin" statement #1 allows every action/ }]);
        });
        it("leaves documents computed from other resources' outputs to the update", async () => {
            await assertCompliant("iam-no-wildcard-actions", policy("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: UNKNOWN }));
        });
        it("does not read KMS key policies, whose account-root statement needs kms:* on *", async () => {
            await assertCompliant("iam-no-wildcard-actions", [
                { type: "aws:kms/key:Key", name: "key", inputs: { enableKeyRotation: true, policy: document({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "*", Resource: "*" }) } },
            ]);
        });
    });

    describe("iam-no-wildcard-resources", () => {
        it('accepts Resource "*" for allow-listed actions without resource-level permissions', async () => {
            await assertCompliant(
                "iam-no-wildcard-resources",
                rolePolicy(SCOPED, { Sid: "PublishGlueMetrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "Glue" } } }),
            );
        });
        it('rejects Resource "*" and NotResource for actions that can be scoped', async () => {
            await assertViolations("iam-no-wildcard-resources", rolePolicy({ Sid: "ReadAll", Effect: "Allow", Action: ["s3:GetObject", "cloudwatch:PutMetricData"], Resource: "*" }), [
                { resource: "permissions", message: /statement "ReadAll" allows s3:GetObject on "\*"/ },
            ]);
            await assertViolations("iam-no-wildcard-resources", rolePolicy({ Effect: "Allow", Action: "kms:Decrypt", NotResource: "arn:aws:kms:eu-west-1:1:key/other" }), [
                { message: /allows kms:Decrypt on every resource but arn:aws:kms:eu-west-1:1:key\/other/ },
            ]);
        });
    });
});
