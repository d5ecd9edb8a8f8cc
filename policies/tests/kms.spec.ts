import * as aws from "@pulumi/aws";
import { FixtureResource, InputsOf, typed, UNKNOWN } from "./support/fixtures";
import { assertCompliant, assertViolations } from "./support/inProcess";

const key = (inputs: InputsOf<aws.kms.KeyArgs>): FixtureResource[] => [typed(aws.kms.Key, "data-key", inputs)];
const KEY_POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
        { Sid: "AccountAdministersKeyThroughIam", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
    ],
});

describe("policies: KMS", function () {
    describe("kms-key-rotation", () => {
        it("requires rotation of symmetric keys", async () => {
            await assertCompliant("kms-key-rotation", key({ enableKeyRotation: true }));
            await assertViolations("kms-key-rotation", key({}), [{ resource: "data-key", message: /does not rotate/ }]);
            await assertViolations("kms-key-rotation", key({ enableKeyRotation: false, customerMasterKeySpec: "SYMMETRIC_DEFAULT" }), [
                { message: /does not rotate/ },
            ]);
        });
        it("does not apply to asymmetric keys, which AWS cannot rotate", async () => {
            await assertCompliant("kms-key-rotation", key({ customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }));
        });
    });

    describe("kms-deletion-window", () => {
        it("accepts 7 days in dev, and AWS's 30-day default anywhere", async () => {
            await assertCompliant("kms-deletion-window", key({ deletionWindowInDays: 7 }));
            await assertCompliant("kms-deletion-window", key({}), { stage: "prod" });
        });
        it("requires 30 days in prod", async () => {
            await assertCompliant("kms-deletion-window", key({ deletionWindowInDays: 30 }), { stage: "prod" });
            await assertViolations("kms-deletion-window", key({ deletionWindowInDays: 14 }), [{ message: /14 days; this stage requires at least 30/ }], {
                stage: "prod",
            });
        });
    });

    describe("kms-key-policy", () => {
        it("accepts a key with its policy, or with an aws.kms.KeyPolicy that names it", async () => {
            await assertCompliant("kms-key-policy", key({ enableKeyRotation: true, policy: KEY_POLICY }));
            await assertCompliant("kms-key-policy", [
                ...key({ enableKeyRotation: true }),
                typed(aws.kms.KeyPolicy, "data-key-policy", { keyId: UNKNOWN, policy: KEY_POLICY }, { from: { keyId: ["data-key"] } }),
            ]);
        });
        it("rejects a key without a declared policy (CKV2_AWS_64), and a bypassed lockout safety check", async () => {
            await assertViolations("kms-key-policy", key({ enableKeyRotation: true }), [
                { resource: "data-key", message: /KMS key data-key declares no key policy, so AWS's default applies/ },
            ]);
            await assertViolations("kms-key-policy", key({ enableKeyRotation: true, policy: KEY_POLICY, bypassPolicyLockoutSafetyCheck: true }), [
                { resource: "data-key", message: /Key data-key bypasses the policy lockout safety check/ },
            ]);
        });
    });
});
