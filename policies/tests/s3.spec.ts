import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { BUCKET_ROLE_TAG } from "../model/naming";
import { FixtureResource, InputsOf, typed, UNKNOWN, withInputs } from "./support/fixtures";
import { assertCompliant, assertViolations, evaluatePolicies } from "./support/inProcess";

const tlsOnlyPolicy = (bucket: string) =>
    JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });

/**
 * A bucket of `purpose` with every sidecar a compliant data bucket has, as preview sees them: each
 * sidecar's `bucket` is unknown and linked to the bucket only through its property dependencies.
 */
function bucket(purpose: string, stage = "dev") {
    const name = `spotify-${stage}-${purpose}-111111111111`;
    const fromBucket = { bucket: [purpose] };
    return {
        bucket: typed(aws.s3.Bucket, purpose, { bucket: name, forceDestroy: false, tags: { [BUCKET_ROLE_TAG]: purpose } }),
        key: typed(aws.kms.Key, "data-key", { enableKeyRotation: true }),
        sidecars: {
            encryption: typed(
                aws.s3.BucketServerSideEncryptionConfiguration,
                `${purpose}-encryption`,
                {
                    bucket: UNKNOWN,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: UNKNOWN }, bucketKeyEnabled: true }],
                },
                { from: { ...fromBucket, rules: ["data-key"] } },
            ),
            publicAccessBlock: typed(
                aws.s3.BucketPublicAccessBlock,
                `${purpose}-publicAccessBlock`,
                { bucket: UNKNOWN, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
                { from: fromBucket },
            ),
            ownership: typed(
                aws.s3.BucketOwnershipControls,
                `${purpose}-ownership`,
                { bucket: UNKNOWN, rule: { objectOwnership: "BucketOwnerEnforced" } },
                { from: fromBucket },
            ),
            versioning: typed(
                aws.s3.BucketVersioning,
                `${purpose}-versioning`,
                { bucket: UNKNOWN, versioningConfiguration: { status: "Enabled" } },
                { from: fromBucket },
            ),
            policy: typed(aws.s3.BucketPolicy, `${purpose}-policy`, { bucket: UNKNOWN, policy: tlsOnlyPolicy(name) }, { from: fromBucket }),
            logging: typed(
                aws.s3.BucketLogging,
                `${purpose}-logging`,
                { bucket: UNKNOWN, targetBucket: `spotify-${stage}-access-logs-111111111111`, targetPrefix: `s3/${purpose}/` },
                { from: fromBucket },
            ),
            lifecycle: typed(
                aws.s3.BucketLifecycleConfiguration,
                `${purpose}-lifecycle`,
                { bucket: UNKNOWN, rules: [{ id: "abort", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }] },
                { from: fromBucket },
            ),
        },
    };
}

type Fixture = ReturnType<typeof bucket>;
type Sidecars = Fixture["sidecars"];

/** The fixture's resources, with sidecars replaced (a resource) or left out (null). */
function resources(fixture: Fixture, changes: { [K in keyof Sidecars]?: Sidecars[K] | null } = {}): FixtureResource[] {
    const sidecars: Record<string, FixtureResource | null> = { ...fixture.sidecars, ...changes };
    return [fixture.key, fixture.bucket, ...Object.values(sidecars).filter((sidecar): sidecar is FixtureResource => sidecar !== null)];
}

const S3_RULES = [
    "s3-bucket-encryption",
    "s3-public-access-block",
    "s3-ownership-enforced",
    "s3-data-bucket-versioning",
    "s3-tls-only",
    "s3-access-logging",
    "s3-abort-incomplete-uploads",
    "s3-no-inline-bucket-arguments",
    "s3-bucket-naming",
    "s3-bucket-role",
    "s3-no-public-acls",
    "s3-bucket-policy-lockout",
];

describe("policies: S3", function () {
    it("accepts a data bucket with every sidecar, linked only through property dependencies as in preview (prod config)", async () => {
        assert.deepStrictEqual(await evaluatePolicies(S3_RULES, resources(bucket("warehouse", "prod")), { stage: "prod" }), []);
    });

    it("links sidecars that name their bucket literally, and ignores sidecars of other buckets", async () => {
        const staging = bucket("staging");
        const literal = withInputs({ ...staging.sidecars.publicAccessBlock, from: {} }, { bucket: "spotify-dev-staging-111111111111" });
        await assertCompliant("s3-public-access-block", resources(staging, { publicAccessBlock: literal }));
        const elsewhere = withInputs({ ...staging.sidecars.publicAccessBlock, from: {} }, { bucket: "spotify-dev-warehouse-111111111111" });
        await assertViolations("s3-public-access-block", resources(staging, { publicAccessBlock: elsewhere }), [
            { resource: "staging", message: /has no public access block/ },
        ]);
    });

    describe("s3-bucket-encryption", () => {
        it("requires a default-encryption configuration on every bucket", async () => {
            await assertViolations("s3-bucket-encryption", resources(bucket("athena-results"), { encryption: null }), [
                { resource: "athena-results", message: /Bucket "spotify-dev-athena-results-111111111111" has no default-encryption configuration/ },
            ]);
        });
        it("lets buckets that are not data buckets use SSE-S3", async () => {
            const logs = bucket("access-logs");
            const sseS3 = withInputs(logs.sidecars.encryption, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
            await assertCompliant("s3-bucket-encryption", resources(logs, { encryption: sseS3 }));
        });
        it("requires SSE-KMS on data buckets", async () => {
            const staging = bucket("staging");
            const sseS3 = withInputs(staging.sidecars.encryption, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
            await assertViolations("s3-bucket-encryption", resources(staging, { encryption: sseS3 }), [
                { resource: "staging-encryption", message: /encrypted with AES256 instead of SSE-KMS/ },
            ]);
        });
        it("requires a customer-managed key: neither the default aws/s3 key nor an alias/aws/ key", async () => {
            const staging = bucket("staging");
            const defaultKey = withInputs(staging.sidecars.encryption, {
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
            });
            await assertViolations("s3-bucket-encryption", resources(staging, { encryption: defaultKey }), [
                { message: /without kmsMasterKeyId uses the AWS-managed aws\/s3 key/ },
            ]);
            const awsAlias = withInputs(staging.sidecars.encryption, {
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" }, bucketKeyEnabled: true }],
            });
            await assertViolations("s3-bucket-encryption", resources(staging, { encryption: awsAlias }), [
                { message: /uses the AWS-managed key alias\/aws\/s3/ },
            ]);
        });
        it("requires the S3 bucket key on data buckets", async () => {
            const staging = bucket("staging");
            const noBucketKey = withInputs(staging.sidecars.encryption, {
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/abc" } }],
            });
            await assertViolations("s3-bucket-encryption", resources(staging, { encryption: noBucketKey }), [{ message: /bucketKeyEnabled is not true/ }]);
        });
    });

    describe("s3-public-access-block", () => {
        it("requires a public access block", async () => {
            await assertViolations("s3-public-access-block", resources(bucket("glue-assets"), { publicAccessBlock: null }), [
                { resource: "glue-assets", message: /has no public access block/ },
            ]);
        });
        it("requires all four flags", async () => {
            const fixture = bucket("glue-assets");
            const partial = withInputs(fixture.sidecars.publicAccessBlock, { restrictPublicBuckets: false, ignorePublicAcls: undefined });
            await assertViolations("s3-public-access-block", resources(fixture, { publicAccessBlock: partial }), [
                { resource: "glue-assets-publicAccessBlock", message: /leaves ignorePublicAcls, restrictPublicBuckets off/ },
            ]);
        });
    });

    describe("s3-ownership-enforced", () => {
        it("requires BucketOwnerEnforced ownership controls", async () => {
            await assertViolations("s3-ownership-enforced", resources(bucket("staging"), { ownership: null }), [
                { resource: "staging", message: /has no ownership controls/ },
            ]);
            const fixture = bucket("staging");
            const writer = withInputs(fixture.sidecars.ownership, { rule: { objectOwnership: "ObjectWriter" } });
            await assertViolations("s3-ownership-enforced", resources(fixture, { ownership: writer }), [{ message: /object ownership is ObjectWriter/ }]);
        });
    });

    describe("s3-data-bucket-versioning", () => {
        it("requires versioning on data buckets only", async () => {
            await assertViolations("s3-data-bucket-versioning", resources(bucket("warehouse"), { versioning: null }), [
                { resource: "warehouse", message: /has no versioning/ },
            ]);
            await assertCompliant("s3-data-bucket-versioning", resources(bucket("athena-results"), { versioning: null }));
        });
        it("requires the Enabled status", async () => {
            const fixture = bucket("warehouse");
            const suspended = withInputs(fixture.sidecars.versioning, { versioningConfiguration: { status: "Suspended" } });
            await assertViolations("s3-data-bucket-versioning", resources(fixture, { versioning: suspended }), [{ message: /versioning status is Suspended/ }]);
        });
    });

    describe("s3-tls-only", () => {
        it("requires a bucket policy that denies requests without TLS", async () => {
            await assertViolations("s3-tls-only", resources(bucket("staging"), { policy: null }), [{ resource: "staging", message: /has no bucket policy/ }]);
            const fixture = bucket("staging");
            const allowOnly = withInputs(fixture.sidecars.policy, {
                policy: JSON.stringify({
                    Statement: [
                        { Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
                    ],
                }),
            });
            await assertViolations("s3-tls-only", resources(fixture, { policy: allowOnly }), [
                { resource: "staging-policy", message: /no statement denying s3:\*/ },
            ]);
        });
        it("leaves a policy document that is unknown in preview to the update", async () => {
            const fixture = bucket("staging");
            await assertCompliant("s3-tls-only", resources(fixture, { policy: withInputs(fixture.sidecars.policy, { policy: UNKNOWN }) }));
        });
    });

    describe("s3-data-bucket-endpoint-only", () => {
        /** The TLS statement and a deny of everything from outside the endpoint, with `change` applied to the latter. */
        const endpointOnly = (purpose: string, change: (statement: Record<string, unknown>) => Record<string, unknown> = (statement) => statement) => {
            const fixture = bucket(purpose, "prod");
            const document = JSON.parse(tlsOnlyPolicy(`spotify-prod-${purpose}-111111111111`)) as { Statement: Record<string, unknown>[] };
            const arn = `arn:aws:s3:::spotify-prod-${purpose}-111111111111`;
            document.Statement.push(
                change({
                    Sid: "DenyOutsideVpcEndpoint",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [arn, `${arn}/*`],
                    Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-0123456789abcdef0" } },
                }),
            );
            return resources(fixture, { policy: withInputs(fixture.sidecars.policy, { policy: JSON.stringify(document) }) });
        };
        it("accepts data buckets whose policy denies every request from outside the endpoint, known or computed, in an isolated stage", async () => {
            await assertCompliant("s3-data-bucket-endpoint-only", endpointOnly("warehouse"), { stage: "prod" });
            await assertCompliant(
                "s3-data-bucket-endpoint-only",
                endpointOnly("staging", (statement) => ({ ...statement, Condition: { StringNotEquals: { "aws:sourceVpce": UNKNOWN } } })),
                { stage: "prod" },
            );
        });
        it("rejects a data bucket without the statement, or with one that leaves requests through", async () => {
            const violated = [
                {
                    resource: "staging-policy",
                    message: /Data bucket "spotify-prod-staging-111111111111": bucket policy has no statement denying s3:\* .*aws:SourceVpce/,
                },
            ];
            await assertViolations("s3-data-bucket-endpoint-only", resources(bucket("staging", "prod")), violated, { stage: "prod" });
            for (const leak of [
                (statement: Record<string, unknown>) => ({ ...statement, Action: "s3:GetObject" }),
                (statement: Record<string, unknown>) => ({ ...statement, Resource: "arn:aws:s3:::spotify-prod-staging-111111111111/*" }),
                (statement: Record<string, unknown>) => ({ ...statement, Principal: { AWS: "arn:aws:iam::222222222222:role/x" } }),
                (statement: Record<string, unknown>) => ({ ...statement, Condition: { StringNotEquals: { "aws:SourceAccount": "222222222222" } } }),
                (statement: Record<string, unknown>) => ({ ...statement, Effect: "Allow" }),
            ]) {
                await assertViolations("s3-data-bucket-endpoint-only", endpointOnly("staging", leak), violated, { stage: "prod" });
            }
        });
        it("rejects a data bucket without any bucket policy, and leaves buckets that hold no data alone", async () => {
            await assertViolations(
                "s3-data-bucket-endpoint-only",
                resources(bucket("warehouse", "prod"), { policy: null }),
                [{ resource: "warehouse", message: /has no bucket policy \(aws\.s3\.BucketPolicy\) denying requests from outside the VPC endpoint/ }],
                { stage: "prod" },
            );
            await assertCompliant("s3-data-bucket-endpoint-only", resources(bucket("athena-results", "prod")), { stage: "prod" });
        });
        it("applies only where the stage's network is isolated", async () => {
            await assertCompliant("s3-data-bucket-endpoint-only", resources(bucket("staging")));
            await assertCompliant("s3-data-bucket-endpoint-only", resources(bucket("staging", "prod")), { stage: "prod", settings: { network: "none" } });
        });
    });

    describe("s3-access-logging", () => {
        it("requires access logging of data buckets in prod", async () => {
            await assertViolations(
                "s3-access-logging",
                resources(bucket("staging", "prod"), { logging: null }),
                [{ resource: "staging", message: /has no server access logging/ }],
                { stage: "prod" },
            );
        });
        it("is disabled in dev", async () => {
            await assertCompliant("s3-access-logging", resources(bucket("staging"), { logging: null }));
        });
    });

    describe("s3-abort-incomplete-uploads", () => {
        it("requires an enabled rule that aborts incomplete multipart uploads", async () => {
            await assertViolations("s3-abort-incomplete-uploads", resources(bucket("staging"), { lifecycle: null }), [
                { resource: "staging", message: /has no lifecycle configuration/ },
            ]);
            const fixture = bucket("staging");
            const disabled = withInputs(fixture.sidecars.lifecycle, {
                rules: [
                    { id: "abort", status: "Disabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
                    { id: "expire", status: "Enabled", filter: {}, expiration: { days: 7 } },
                ],
            });
            await assertViolations("s3-abort-incomplete-uploads", resources(fixture, { lifecycle: disabled }), [
                { resource: "staging-lifecycle", message: /no enabled lifecycle rule aborts/ },
            ]);
        });
    });

    describe("s3-no-inline-bucket-arguments", () => {
        it("rejects aws v7's deprecated inline Bucket arguments, naming the replacement", async () => {
            const fixture = bucket("staging");
            const inline = withInputs(fixture.bucket, { versioning: { enabled: true }, acl: "private" });
            await assertViolations(
                "s3-no-inline-bucket-arguments",
                [inline],
                [
                    { resource: "staging", message: /"acl"; use aws\.s3\.BucketAcl/ },
                    { resource: "staging", message: /"versioning"; use aws\.s3\.BucketVersioning/ },
                ],
            );
            await assertCompliant("s3-no-inline-bucket-arguments", [fixture.bucket]);
        });
    });

    describe("s3-bucket-naming", () => {
        const named = (bucketName: string | undefined, extra: InputsOf<aws.s3.BucketArgs> = {}): FixtureResource[] => [
            typed(aws.s3.Bucket, "b", { ...(bucketName === undefined ? {} : { bucket: bucketName }), ...extra }),
        ];
        it("accepts the conventional name of every purpose", async () => {
            await assertCompliant("s3-bucket-naming", named("spotify-dev-glue-assets-111111111111"));
        });
        it("rejects other names, names of another stage, S3-invalid and generated names", async () => {
            await assertViolations("s3-bucket-naming", named("raw-data-dump"), [{ message: /"raw-data-dump" does not follow spotify-dev-<purpose>-<suffix>/ }]);
            await assertViolations("s3-bucket-naming", named("spotify-prod-staging-111111111111"), [{ message: /does not follow spotify-dev-/ }]);
            await assertViolations("s3-bucket-naming", named("spotify-dev-staging-Data"), [{ message: /breaks S3's naming rules/ }]);
            await assertViolations("s3-bucket-naming", named(undefined), [{ message: /has no bucket name, so S3 gets a generated name/ }]);
            await assertViolations("s3-bucket-naming", named(undefined, { bucketPrefix: "spotify-dev-" }), [{ message: /has only a bucketPrefix/ }]);
        });
    });

    describe("data buckets are known by their role, not their name", () => {
        /** The fixture's bucket renamed and/or retagged. */
        const changed = (fixture: Fixture, inputs: InputsOf<aws.s3.BucketArgs>) => ({ ...fixture, bucket: withInputs(fixture.bucket, inputs) });
        it("keeps the data-bucket requirements of a data bucket renamed off the naming convention", async () => {
            const renamed = changed(bucket("staging", "prod"), { bucket: "landing-zone-222222222222" });
            await assertViolations(
                "s3-data-bucket-versioning",
                resources(renamed, { versioning: null }),
                [{ resource: "staging", message: /Data bucket "landing-zone-222222222222" has no versioning/ }],
                { stage: "prod" },
            );
            await assertViolations(
                "s3-access-logging",
                resources(renamed, { logging: null }),
                [{ resource: "staging", message: /Data bucket "landing-zone-222222222222" has no server access logging/ }],
                { stage: "prod" },
            );
            const sseS3 = withInputs(renamed.sidecars.encryption, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
            await assertViolations(
                "s3-bucket-encryption",
                resources(renamed, { encryption: sseS3 }),
                [{ message: /Data bucket "landing-zone-222222222222": encrypted with AES256 instead of SSE-KMS/ }],
                { stage: "prod" },
            );
        });
        it("holds a bucket whose role cannot be told to every data-bucket rule", async () => {
            const untagged = changed(bucket("athena-results"), { tags: undefined });
            await assertViolations("s3-data-bucket-versioning", resources(untagged, { versioning: null }), [
                {
                    resource: "athena-results",
                    message: /Bucket "spotify-dev-athena-results-111111111111" \(no valid bucket-role tag: held to the data-bucket rules\) has no versioning/,
                },
            ]);
        });
        it("does not let a data bucket's name be hidden behind a lesser role tag", async () => {
            const downgraded = changed(bucket("warehouse"), { tags: { [BUCKET_ROLE_TAG]: "athena-results" } });
            await assertViolations("s3-data-bucket-versioning", resources(downgraded, { versioning: null }), [
                { message: /tagged athena-results but named as a warehouse bucket\) has no versioning/ },
            ]);
        });
    });

    describe("s3-bucket-role", () => {
        const role = (inputs: InputsOf<aws.s3.BucketArgs>, provider?: InputsOf<aws.ProviderArgs>): FixtureResource[] => [
            ...(provider === undefined ? [] : [typed(aws.Provider, "storage-aws", provider)]),
            typed(aws.s3.Bucket, "b", inputs, provider === undefined ? {} : { provider: "storage-aws" }),
        ];
        it("accepts a bucket tagged with its role, whatever its name", async () => {
            await assertCompliant("s3-bucket-role", role({ bucket: "spotify-dev-warehouse-111111111111", tags: { [BUCKET_ROLE_TAG]: "warehouse" } }));
            await assertCompliant("s3-bucket-role", role({ bucket: "landing-zone", tags: { [BUCKET_ROLE_TAG]: "staging" } }));
            await assertCompliant("s3-bucket-role", role({ bucket: "spotify-dev-warehouse-111111111111", tags: UNKNOWN }));
        });
        it("rejects a bucket without a role tag, or one set only by the provider's defaultTags", async () => {
            await assertViolations("s3-bucket-role", role({ bucket: "spotify-dev-staging-111111111111" }), [
                {
                    resource: "b",
                    message:
                        /Bucket "spotify-dev-staging-111111111111" has no bucket-role tag, so its role cannot be told: it is held to every data-bucket rule/,
                },
            ]);
            await assertViolations("s3-bucket-role", role({ bucket: "landing-zone" }, { defaultTags: { tags: { [BUCKET_ROLE_TAG]: "staging" } } }), [
                { message: /has no bucket-role tag/ },
            ]);
        });
        it("rejects a role that is not a bucket purpose, and a role the name contradicts", async () => {
            await assertViolations("s3-bucket-role", role({ bucket: "landing-zone", tags: { [BUCKET_ROLE_TAG]: "scratch" } }), [
                { message: /has bucket-role "scratch", which is not one of staging, warehouse, athena-results, glue-assets, access-logs/ },
            ]);
            await assertViolations("s3-bucket-role", role({ bucket: "spotify-dev-staging-111111111111", tags: { [BUCKET_ROLE_TAG]: "glue-assets" } }), [
                { message: /is tagged bucket-role "glue-assets" but its name says staging: it is held to the data-bucket rules until the two agree/ },
            ]);
        });
    });

    describe("s3-no-public-acls", () => {
        it("accepts buckets and objects without ACLs, and private ACLs", async () => {
            await assertCompliant("s3-no-public-acls", [
                typed(aws.s3.Bucket, "b", { bucket: "spotify-dev-staging-111111111111" }),
                typed(aws.s3.BucketAcl, "acl", { bucket: UNKNOWN, acl: "private" }, { from: { bucket: ["b"] } }),
                typed(aws.s3.BucketObjectv2, "o", { bucket: "x", key: "k", acl: "bucket-owner-full-control" }),
            ]);
        });
        it("rejects public canned ACLs inline, on a separate BucketAcl and on objects", async () => {
            await assertViolations(
                "s3-no-public-acls",
                [typed(aws.s3.Bucket, "b", { bucket: "spotify-dev-staging-111111111111", acl: "public-read" })],
                [{ resource: "b", message: /Bucket b makes data public with canned ACL "public-read": everyone can read/ }],
            );
            await assertViolations(
                "s3-no-public-acls",
                [typed(aws.s3.BucketAcl, "acl", { bucket: "spotify-dev-staging-111111111111", acl: "public-read-write" })],
                [{ resource: "acl", message: /BucketAcl acl makes data public with canned ACL "public-read-write": everyone can read and write/ }],
            );
            await assertViolations(
                "s3-no-public-acls",
                [typed(aws.s3.BucketObjectv2, "o", { bucket: "x", key: "k", acl: "authenticated-read" })],
                [{ message: /every AWS account can read/ }],
            );
        });
        it("rejects grants to AllUsers or AuthenticatedUsers", async () => {
            const owner = { id: "abc" };
            await assertViolations(
                "s3-no-public-acls",
                [
                    typed(aws.s3.BucketAcl, "acl", {
                        bucket: "spotify-dev-warehouse-111111111111",
                        accessControlPolicy: {
                            owner,
                            grants: [
                                { grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, permission: "READ" },
                                { grantee: { type: "CanonicalUser", id: "abc" }, permission: "FULL_CONTROL" },
                            ],
                        },
                    }),
                    typed(aws.s3.Bucket, "b", {
                        bucket: "spotify-dev-staging-111111111111",
                        grants: [{ type: "Group", uri: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers", permissions: ["WRITE"] }],
                    }),
                ],
                [
                    { resource: "acl", message: /a grant of READ to everyone \(AllUsers\)/ },
                    { resource: "b", message: /a grant of WRITE to every AWS account \(AuthenticatedUsers\)/ },
                ],
            );
        });
    });

    describe("s3-bucket-policy-lockout", () => {
        const policy = (...Statement: Record<string, unknown>[]): FixtureResource[] => [
            typed(aws.s3.BucketPolicy, "p", { bucket: "b", policy: JSON.stringify({ Version: "2012-10-17", Statement }) }),
        ];
        it("accepts the TLS-only deny, which has a condition, and denies that leave the policy alone", async () => {
            await assertCompliant("s3-bucket-policy-lockout", resources(bucket("staging")));
            await assertCompliant(
                "s3-bucket-policy-lockout",
                policy({ Effect: "Deny", Principal: "*", Action: ["s3:DeleteBucket"], Resource: "arn:aws:s3:::b" }),
            );
        });
        it("rejects an unconditional Deny of s3:PutBucketPolicy to everyone, in any wildcard form", async () => {
            await assertViolations(
                "s3-bucket-policy-lockout",
                policy({ Sid: "Lock", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"] }),
                [
                    {
                        resource: "p",
                        message:
                            /bucket policy statement "Lock" denies s3:\* to everyone without a condition: only the root user could change the bucket policy again/,
                    },
                ],
            );
            await assertViolations(
                "s3-bucket-policy-lockout",
                policy({ Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:Put*", Resource: "arn:aws:s3:::b" }),
                [{ message: /denies s3:Put\*/ }],
            );
            await assertViolations(
                "s3-bucket-policy-lockout",
                policy({ Effect: "Deny", Principal: "*", NotAction: "s3:GetObject", Resource: "arn:aws:s3:::b" }),
                [{ message: /denies everything but s3:GetObject/ }],
            );
        });
    });
});
