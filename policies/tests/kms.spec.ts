import { assertCompliant, assertViolations, FixtureResource } from "./support/harness";

const key = (inputs: Record<string, unknown>): FixtureResource[] => [{ type: "aws:kms/key:Key", name: "data-key", inputs }];

describe("policies: KMS", function () {
    describe("kms-key-rotation", () => {
        it("requires rotation of symmetric keys", async () => {
            await assertCompliant("kms-key-rotation", key({ enableKeyRotation: true }));
            await assertViolations("kms-key-rotation", key({}), [{ resource: "data-key", message: /does not rotate/ }]);
            await assertViolations("kms-key-rotation", key({ enableKeyRotation: false, customerMasterKeySpec: "SYMMETRIC_DEFAULT" }), [{ message: /does not rotate/ }]);
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
            await assertViolations("kms-deletion-window", key({ deletionWindowInDays: 14 }), [{ message: /14 days; this stage requires at least 30/ }], { stage: "prod" });
        });
    });
});
