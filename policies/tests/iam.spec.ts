import * as aws from "@pulumi/aws";
import { FixtureResource, InputsOf, ResourceClass, typed, UNKNOWN } from "./support/fixtures";
import { assertCompliant, assertViolations } from "./support/inProcess";

const document = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const policy = <TArgs>(resourceClass: ResourceClass<TArgs>, inputs: InputsOf<TArgs>): FixtureResource[] => [typed(resourceClass, "permissions", inputs)];
const rolePolicy = (...statements: Record<string, unknown>[]) => policy(aws.iam.RolePolicy, { role: "r", policy: document(...statements) });
const SCOPED = { Sid: "ReadStaging", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::spotify-dev-staging-1/tracks/*" };
const ACCOUNT = "123456789012";
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const GLUE_TRUST = { Effect: "Allow", Principal: { Service: "glue.amazonaws.com" }, Action: "sts:AssumeRole" };
const role = (trust: Record<string, unknown>[], inputs: InputsOf<aws.iam.RoleArgs> = {}): FixtureResource[] => [
    typed(aws.iam.Role, "role", { name: "spotify_dev_role", assumeRolePolicy: document(...trust), ...inputs }),
];
const bucketPolicy = (...statements: Record<string, unknown>[]): FixtureResource[] => [
    typed(aws.s3.BucketPolicy, "bucket-policy", { bucket: "spotify-dev-staging-1", policy: document(...statements) }),
];
const keyPolicy = (...statements: Record<string, unknown>[]): FixtureResource[] => [
    typed(aws.kms.Key, "key", { enableKeyRotation: true, policy: document(...statements) }),
];
const KEY_ADMIN = { Sid: "AccountAdministersKeyThroughIam", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" };

describe("policies: IAM", function () {
    describe("iam-no-wildcard-actions", () => {
        it("accepts scoped statements, and Deny statements with wildcards", async () => {
            await assertCompliant("iam-no-wildcard-actions", rolePolicy(SCOPED, { Effect: "Deny", Action: "*", Resource: "*" }));
        });
        it('rejects "*" and "*:*" actions and Allow with NotAction, in every identity-policy type', async () => {
            await assertViolations("iam-no-wildcard-actions", rolePolicy(SCOPED, { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }), [
                { resource: "permissions", message: /policy statement "Everything" allows every action \("\*"\)/ },
            ]);
            await assertViolations(
                "iam-no-wildcard-actions",
                policy(aws.iam.Policy, { policy: document({ Effect: "Allow", Action: ["s3:GetObject", "*:*"], Resource: "arn:aws:s3:::b/*" }) }),
                [{ message: /policy statement #1 allows every action \("\*:\*"\)/ }],
            );
            await assertViolations(
                "iam-no-wildcard-actions",
                policy(aws.iam.UserPolicy, { user: "u", policy: document({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) }),
                [{ message: /allows every action except iam:\* \(Allow with NotAction\)/ }],
            );
            await assertViolations(
                "iam-no-wildcard-actions",
                policy(aws.iam.GroupPolicy, { group: "g", policy: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }),
                [{ message: /allows every action/ }],
            );
        });
        it('rejects service-wide actions such as "iam:*" and "s3:*" (CKV2_AWS_40), but not a partial wildcard', async () => {
            await assertViolations(
                "iam-no-wildcard-actions",
                rolePolicy({ Sid: "Admin", Effect: "Allow", Action: ["iam:*", "S3:*"], Resource: "arn:aws:s3:::b" }),
                [{ message: /statement "Admin" allows every iam action \("iam:\*"\)/ }, { message: /statement "Admin" allows every s3 action \("S3:\*"\)/ }],
            );
            await assertCompliant("iam-no-wildcard-actions", rolePolicy({ Effect: "Allow", Action: "s3:GetObject*", Resource: "arn:aws:s3:::b/tracks/*" }));
        });
        it("reads a role's inline policies, and leaves its trust policy to iam-role-trust-scoped", async () => {
            const withInline = role([{ ...GLUE_TRUST, Action: "*" }], {
                inlinePolicies: [{ name: "admin", policy: document({ Effect: "Allow", Action: "*", Resource: "*" }) }],
            });
            await assertViolations("iam-no-wildcard-actions", withInline, [{ message: /inline policy "admin" statement #1 allows every action/ }]);
        });
        it("reads bucket and key policies too, exempting only a key policy's kms:* for its account root", async () => {
            await assertCompliant("iam-no-wildcard-actions", keyPolicy(KEY_ADMIN));
            await assertViolations("iam-no-wildcard-actions", keyPolicy({ ...KEY_ADMIN, Sid: "AllToRoot", Action: "*" }), [
                { resource: "key", message: /key policy statement "AllToRoot" allows every action \("\*"\)/ },
            ]);
            await assertViolations(
                "iam-no-wildcard-actions",
                keyPolicy({ ...KEY_ADMIN, Sid: "RoleAdmin", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/etl` } }),
                [{ message: /key policy statement "RoleAdmin" allows every kms action/ }],
            );
            await assertViolations(
                "iam-no-wildcard-actions",
                bucketPolicy({
                    Sid: "Partner",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::999999999999:root" },
                    Action: "s3:*",
                    Resource: "arn:aws:s3:::spotify-dev-staging-1/*",
                }),
                [{ resource: "bucket-policy", message: /bucket policy statement "Partner" allows every s3 action \("s3:\*"\)/ }],
            );
        });
        it("leaves documents computed from other resources' outputs to the update", async () => {
            await assertCompliant("iam-no-wildcard-actions", policy(aws.iam.RolePolicy, { role: "r", policy: UNKNOWN }));
        });
    });

    describe("iam-no-dead-grants", () => {
        const endpoint = (...statements: Record<string, unknown>[]): FixtureResource[] => [
            typed(aws.ec2.VpcEndpoint, "glue-endpoint", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.glue", policy: document(...statements) }),
        ];
        it('accepts actions without resource-level permissions on "*", and scoped actions on ARNs', async () => {
            await assertCompliant(
                "iam-no-dead-grants",
                rolePolicy(SCOPED, { Sid: "ReadSecurityConfiguration", Effect: "Allow", Action: "glue:GetSecurityConfiguration", Resource: "*" }),
            );
            await assertCompliant(
                "iam-no-dead-grants",
                endpoint({
                    Effect: "Allow",
                    Principal: "*",
                    Action: ["glue:GetTable", "glue:GetSecurityConfiguration"],
                    Resource: ["arn:aws:glue:eu-west-1:1:*", "*"],
                }),
            );
        });
        it("rejects them named on specific ARNs only, where they grant nothing, in identity and VPC endpoint policies", async () => {
            await assertViolations(
                "iam-no-dead-grants",
                rolePolicy({
                    Sid: "Describe",
                    Effect: "Allow",
                    Action: ["ec2:DescribeSubnets", "s3:GetObject"],
                    Resource: "arn:aws:ec2:eu-west-1:1:subnet/subnet-1",
                }),
                [
                    {
                        resource: "permissions",
                        message:
                            /statement "Describe" allows ec2:DescribeSubnets on arn:aws:ec2:eu-west-1:1:subnet\/subnet-1 only: AWS authorizes it against "\*" alone/,
                    },
                ],
            );
            await assertViolations(
                "iam-no-dead-grants",
                endpoint({
                    Sid: "StageWorkloadOnly",
                    Effect: "Allow",
                    Principal: "*",
                    Action: ["glue:GetTable", "glue:GetSecurityConfiguration"],
                    Resource: "arn:aws:glue:eu-west-1:1:*",
                }),
                [
                    {
                        resource: "glue-endpoint",
                        message: /endpoint policy statement "StageWorkloadOnly" allows glue:GetSecurityConfiguration on arn:aws:glue:eu-west-1:1:\* only/,
                    },
                ],
            );
        });
        it("leaves Deny statements, and documents unknown in preview, alone", async () => {
            await assertCompliant(
                "iam-no-dead-grants",
                rolePolicy({ Effect: "Deny", Action: "glue:GetSecurityConfiguration", Resource: "arn:aws:glue:eu-west-1:1:*" }),
            );
            await assertCompliant("iam-no-dead-grants", policy(aws.iam.RolePolicy, { role: "r", policy: UNKNOWN }));
        });
    });

    describe("iam-no-wildcard-resources", () => {
        it('accepts Resource "*" for allow-listed actions without resource-level permissions', async () => {
            await assertCompliant(
                "iam-no-wildcard-resources",
                rolePolicy(SCOPED, {
                    Sid: "PublishGlueMetrics",
                    Effect: "Allow",
                    Action: "cloudwatch:PutMetricData",
                    Resource: "*",
                    Condition: { StringEquals: { "cloudwatch:namespace": "Glue" } },
                }),
            );
        });
        it('rejects Resource "*" and NotResource for actions that can be scoped', async () => {
            await assertViolations(
                "iam-no-wildcard-resources",
                rolePolicy({ Sid: "ReadAll", Effect: "Allow", Action: ["s3:GetObject", "cloudwatch:PutMetricData"], Resource: "*" }),
                [{ resource: "permissions", message: /statement "ReadAll" allows s3:GetObject on "\*"/ }],
            );
            await assertViolations(
                "iam-no-wildcard-resources",
                rolePolicy({ Effect: "Allow", Action: "kms:Decrypt", NotResource: "arn:aws:kms:eu-west-1:1:key/other" }),
                [{ message: /allows kms:Decrypt on every resource but arn:aws:kms:eu-west-1:1:key\/other/ }],
            );
        });
        it("recognises ARN patterns that match everything of a kind", async () => {
            await assertViolations(
                "iam-no-wildcard-resources",
                rolePolicy(
                    { Sid: "AllBuckets", Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws:s3:::*/*"] },
                    { Sid: "AllRoles", Effect: "Allow", Action: "iam:PassRole", Resource: `arn:aws:iam::${ACCOUNT}:role/*` },
                    { Sid: "AllTables", Effect: "Allow", Action: "glue:GetTable", Resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:table/*/*` },
                    { Sid: "AnyAccount", Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:kms:eu-west-1:*:key/abc" },
                ),
                [
                    { message: /"AllBuckets" allows s3:GetObject on "arn:aws:s3:::\*\/\*" \(every s3 bucket\)/ },
                    { message: /"AllRoles" allows iam:PassRole on "arn:aws:iam::123456789012:role\/\*" \(every iam role\)/ },
                    { message: /"AllTables" allows glue:GetTable on .* \(every glue table\)/ },
                    { message: /"AnyAccount" allows kms:Decrypt on .* \(every account\)/ },
                ],
            );
        });
        it("accepts ARN patterns that keep a fixed name, and the allow-listed kind wildcards", async () => {
            await assertCompliant(
                "iam-no-wildcard-resources",
                rolePolicy(
                    { Effect: "Allow", Action: "glue:GetTable", Resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:table/spotify_dev_warehouse/*` },
                    { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::spotify-dev-staging-1/*" },
                    { Effect: "Allow", Action: "glue:PublishDataQuality", Resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:dataQualityRuleset/*` },
                ),
            );
            await assertViolations("iam-no-wildcard-resources", rolePolicy({ Effect: "Allow", Action: "glue:PublishDataQuality", Resource: "*" }), [
                { message: /allows glue:PublishDataQuality on "\*"/ },
            ]);
        });
    });

    describe("iam-no-privilege-escalation", () => {
        it("accepts iam:PassRole of a named role to Glue", async () => {
            await assertCompliant(
                "iam-no-privilege-escalation",
                rolePolicy(
                    {
                        Effect: "Allow",
                        Action: "iam:PassRole",
                        Resource: `arn:aws:iam::${ACCOUNT}:role/spotify_dev_etl_job_role`,
                        Condition: { StringEquals: { "iam:PassedToService": "glue.amazonaws.com" } },
                    },
                    { Effect: "Allow", Action: ["glue:CreateJob", "glue:StartJobRun"], Resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:job/spotify_dev_etl` },
                ),
            );
        });
        it("rejects IAM writes that change permissions, on any resource", async () => {
            await assertViolations(
                "iam-no-privilege-escalation",
                rolePolicy({
                    Sid: "SelfEdit",
                    Effect: "Allow",
                    Action: "iam:PutRolePolicy",
                    Resource: `arn:aws:iam::${ACCOUNT}:role/spotify_dev_etl_job_role`,
                }),
                [
                    {
                        resource: "permissions",
                        message:
                            /Privilege escalation through policy statement "SelfEdit": a principal could write an inline policy on a role \(iam:PutRolePolicy\)/,
                    },
                ],
            );
            await assertViolations("iam-no-privilege-escalation", rolePolicy({ Effect: "Allow", Action: "iam:Attach*", Resource: "*" }), [
                { message: /attach any managed policy to a user \(iam:AttachUserPolicy\)/ },
            ]);
        });
        it("rejects passing any role to a Glue job it can create and run, across statements", async () => {
            await assertViolations(
                "iam-no-privilege-escalation",
                rolePolicy(
                    { Sid: "Pass", Effect: "Allow", Action: "iam:PassRole", Resource: `arn:aws:iam::${ACCOUNT}:role/*` },
                    { Sid: "Jobs", Effect: "Allow", Action: ["glue:CreateJob", "glue:StartJobRun"], Resource: "*" },
                ),
                [
                    {
                        message:
                            /through policy statement "Pass", policy statement "Jobs": a principal could pass any role to a new Glue job and run it \(iam:PassRole \+ glue:CreateJob \+ glue:StartJobRun\)/,
                    },
                ],
            );
        });
    });

    describe("iam-no-credentials-exposure", () => {
        it("accepts assuming a named role", async () => {
            await assertCompliant(
                "iam-no-credentials-exposure",
                rolePolicy({ Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::${ACCOUNT}:role/reader` }),
            );
        });
        it("rejects credential-returning actions on a wildcard resource, in every wildcard form", async () => {
            await assertViolations(
                "iam-no-credentials-exposure",
                rolePolicy({ Sid: "AssumeAny", Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::${ACCOUNT}:role/*` }),
                [
                    {
                        message:
                            /statement "AssumeAny" allows sts:AssumeRole on "arn:aws:iam::123456789012:role\/\*" \(every iam role\): the principal could obtain credentials/,
                    },
                ],
            );
            await assertViolations("iam-no-credentials-exposure", rolePolicy({ Effect: "Allow", Action: "iam:Create*", Resource: "*" }), [
                { message: /allows iam:CreateAccessKey, iam:CreateLoginProfile, iam:CreateServiceSpecificCredential \(through iam:Create\*\) on "\*"/ },
            ]);
        });
    });

    describe("iam-no-data-exfiltration", () => {
        it("accepts reads of named buckets and prefixes", async () => {
            await assertCompliant("iam-no-data-exfiltration", rolePolicy(SCOPED));
        });
        it("rejects reads of every object, parameter or secret", async () => {
            await assertViolations(
                "iam-no-data-exfiltration",
                rolePolicy({ Sid: "ReadAll", Effect: "Allow", Action: ["s3:GetObject", "secretsmanager:GetSecretValue"], Resource: ["arn:aws:s3:::*/*", "*"] }),
                [{ message: /statement "ReadAll" allows s3:GetObject, secretsmanager:GetSecretValue on "arn:aws:s3:::\*\/\*" \(every s3 bucket\)/ }],
            );
        });
    });

    describe("iam-no-permissions-management", () => {
        it("accepts permission changes scoped to named resources", async () => {
            await assertCompliant(
                "iam-no-permissions-management",
                rolePolicy({ Effect: "Allow", Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::spotify-dev-staging-1" }),
            );
            await assertCompliant("iam-no-permissions-management", rolePolicy({ Effect: "Allow", Action: "logs:PutRetentionPolicy", Resource: "*" }));
        });
        it("rejects listed and same-shaped permission changes on a wildcard resource", async () => {
            await assertViolations(
                "iam-no-permissions-management",
                rolePolicy({ Sid: "Expose", Effect: "Allow", Action: ["s3:PutBucketPolicy", "kms:CreateGrant", "athena:PutDataCatalogPolicy"], Resource: "*" }),
                [
                    {
                        message:
                            /statement "Expose" allows s3:PutBucketPolicy, kms:CreateGrant, athena:PutDataCatalogPolicy on "\*" \(everything\): the principal could change who may access/,
                    },
                ],
            );
        });
    });

    describe("iam-managed-policies", () => {
        const declared = typed(aws.iam.Policy, "access", { name: "spotify-dev-quicksight-data-access", policy: document(SCOPED) });
        const attach = (policyArn: string, from: string[] = []) =>
            typed(aws.iam.RolePolicyAttachment, "attachment", { role: "r", policyArn }, { from: { policyArn: from } });
        it("accepts a customer-managed policy declared in the stack, linked or named literally", async () => {
            await assertCompliant("iam-managed-policies", [declared, attach(UNKNOWN, ["access"])]);
            await assertCompliant("iam-managed-policies", [declared, attach(`arn:aws:iam::${ACCOUNT}:policy/spotify-dev-quicksight-data-access`)]);
        });
        it("rejects AdministratorAccess (CKV_AWS_274) and IAMFullAccess (CKV2_AWS_56), attached or in managedPolicyArns", async () => {
            await assertViolations(
                "iam-managed-policies",
                [attach("arn:aws:iam::aws:policy/AdministratorAccess")],
                [
                    {
                        resource: "attachment",
                        message: /RolePolicyAttachment attachment attaches AWS's AdministratorAccess, which grants every action on every resource/,
                    },
                ],
            );
            await assertViolations("iam-managed-policies", role([GLUE_TRUST], { managedPolicyArns: ["arn:aws:iam::aws:policy/IAMFullAccess"] }), [
                { resource: "role", message: /Role role attaches AWS's IAMFullAccess/ },
            ]);
        });
        it("rejects AWS-managed policies that are not approved, and policies the stack does not declare", async () => {
            await assertViolations(
                "iam-managed-policies",
                [attach("arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")],
                [{ message: /attaches the AWS-managed policy AWSGlueServiceRole, whose document is not in the program/ }],
            );
            await assertViolations(
                "iam-managed-policies",
                [attach(`arn:aws:iam::${ACCOUNT}:policy/elsewhere`)],
                [{ message: /attaches arn:aws:iam::123456789012:policy\/elsewhere, a policy this stack does not declare/ }],
            );
        });
    });

    describe("iam-role-trust-scoped", () => {
        it("accepts a service principal, and a whole account narrowed to a role by aws:PrincipalArn", async () => {
            await assertCompliant("iam-role-trust-scoped", role([GLUE_TRUST]));
            await assertCompliant(
                "iam-role-trust-scoped",
                role([
                    {
                        Effect: "Allow",
                        Principal: { AWS: ROOT },
                        Action: "sts:AssumeRole",
                        Condition: { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/ci` } },
                    },
                ]),
            );
        });
        it('rejects "*" even with conditions (CKV_AWS_60), a whole account (CKV_AWS_61) and other actions', async () => {
            await assertViolations(
                "iam-role-trust-scoped",
                role([{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } }]),
                [{ resource: "role", message: /trust policy statement #1 lets any principal \("\*"\) assume the role, whatever its conditions/ }],
            );
            await assertViolations("iam-role-trust-scoped", role([{ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:*" }]), [
                { message: /lets every principal of account 123456789012 assume the role/ },
                { message: /allows sts:\*, not only sts:AssumeRole\* and session tagging/ },
            ]);
            await assertViolations(
                "iam-role-trust-scoped",
                role([{ Effect: "Allow", Principal: { Federated: "token.actions.githubusercontent.com" }, Action: "sts:AssumeRoleWithWebIdentity" }]),
                [{ message: /lets every identity of token.actions.githubusercontent.com assume the role, with no condition/ }],
            );
        });
    });

    describe("iam-no-users", () => {
        it("accepts roles and their policies", async () => {
            await assertCompliant("iam-no-users", [...role([GLUE_TRUST]), ...rolePolicy(SCOPED)]);
        });
        it("rejects IAM users, their policies and access keys, and attachments to users", async () => {
            await assertViolations(
                "iam-no-users",
                [
                    typed(aws.iam.User, "loader", { name: "loader" }),
                    typed(aws.iam.AccessKey, "loader-key", { user: "loader" }),
                    typed(aws.iam.PolicyAttachment, "shared", { policyArn: "arn:aws:iam::1:policy/p", users: ["loader"] }),
                ],
                [
                    { message: /loader is an IAM user/ },
                    { message: /loader-key is a long-lived access key/ },
                    { message: /shared is a managed policy attached to IAM users/ },
                ],
            );
        });
    });

    describe("policy-no-public-principal", () => {
        it("accepts named principals, denies to everyone, and everyone limited by account, organization or source", async () => {
            await assertCompliant("policy-no-public-principal", [
                ...keyPolicy(KEY_ADMIN),
                ...bucketPolicy(
                    { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
                    {
                        Effect: "Allow",
                        Principal: { Service: "logging.s3.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: "arn:aws:s3:::b/s3/*",
                        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
                    },
                    {
                        Effect: "Allow",
                        Principal: "*",
                        Action: "s3:GetObject",
                        Resource: "arn:aws:s3:::b/*",
                        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } },
                    },
                ),
            ]);
        });
        it("rejects a bucket policy that allows everyone (CKV_AWS_70), also with a condition that limits nothing", async () => {
            await assertViolations(
                "policy-no-public-principal",
                bucketPolicy({ Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }),
                [
                    {
                        resource: "bucket-policy",
                        message: /bucket policy statement "Public" allows s3:GetObject to everyone \("\*"\) with no condition limiting it/,
                    },
                ],
            );
            await assertViolations(
                "policy-no-public-principal",
                bucketPolicy(
                    {
                        Effect: "Allow",
                        Principal: { AWS: ["*"] },
                        Action: "s3:GetObject",
                        Resource: "arn:aws:s3:::b/*",
                        Condition: { Bool: { "aws:SecureTransport": "true" } },
                    },
                    {
                        Effect: "Allow",
                        Principal: "*",
                        Action: "s3:GetObject",
                        Resource: "arn:aws:s3:::b/*",
                        Condition: { StringEqualsIfExists: { "aws:SourceVpce": "vpce-1" } },
                    },
                    {
                        Effect: "Allow",
                        Principal: "*",
                        Action: "s3:GetObject",
                        Resource: "arn:aws:s3:::b/*",
                        Condition: { StringEquals: { "aws:SourceAccount": "*" } },
                    },
                ),
                [{ message: /statement #1 allows/ }, { message: /statement #2 allows/ }, { message: /statement #3 allows/ }],
            );
        });
        it("rejects a key policy open to every account (CKV_AWS_33), a public trust policy and NotPrincipal", async () => {
            await assertViolations(
                "policy-no-public-principal",
                keyPolicy(KEY_ADMIN, { Sid: "Anyone", Effect: "Allow", Principal: { AWS: "arn:aws:iam::*:root" }, Action: "kms:Decrypt", Resource: "*" }),
                [{ resource: "key", message: /key policy statement "Anyone" allows kms:Decrypt to everyone/ }],
            );
            await assertViolations("policy-no-public-principal", role([{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }]), [
                { resource: "role", message: /trust policy statement #1 allows sts:AssumeRole to everyone/ },
            ]);
            await assertViolations(
                "policy-no-public-principal",
                bucketPolicy({ Effect: "Allow", NotPrincipal: { AWS: ROOT }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }),
                [{ message: /allows s3:GetObject to everyone but .* \(Allow with NotPrincipal\)/ }],
            );
        });
        it("reads Glue catalog and CloudWatch Logs resource policies too", async () => {
            await assertViolations(
                "policy-no-public-principal",
                [
                    typed(aws.glue.ResourcePolicy, "catalog", {
                        policy: document({ Effect: "Allow", Principal: { AWS: "*" }, Action: "glue:GetTable", Resource: "*" }),
                    }),
                    typed(aws.cloudwatch.LogResourcePolicy, "logs", {
                        policyName: "p",
                        policyDocument: document({ Effect: "Allow", Principal: "*", Action: "logs:PutLogEvents", Resource: "*" }),
                    }),
                ],
                [
                    { resource: "catalog", message: /Glue catalog resource policy statement #1 allows glue:GetTable to everyone/ },
                    { resource: "logs", message: /log resource policy statement #1 allows logs:PutLogEvents to everyone/ },
                ],
            );
        });
    });
});
