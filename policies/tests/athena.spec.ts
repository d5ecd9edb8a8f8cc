import * as aws from "@pulumi/aws";
import { FixtureResource, InputsOf, Known, typed } from "./support/fixtures";
import { assertCompliant, assertViolations } from "./support/inProcess";

type Configuration = Known<InputsOf<aws.athena.WorkgroupArgs>["configuration"]>;
type Encryption = Known<Configuration["resultConfiguration"]>["encryptionConfiguration"];

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/abc";
const COMPLIANT: Configuration = {
    enforceWorkgroupConfiguration: true,
    bytesScannedCutoffPerQuery: 1073741824,
    engineVersion: { selectedEngineVersion: "Athena engine version 3" },
    resultConfiguration: {
        outputLocation: "s3://spotify-dev-athena-results-111111111111/results/",
        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: KEY },
    },
};

/** The compliant workgroup with `configuration` settings replaced. */
function workgroup(configuration: Partial<Configuration> = {}, name = "spotify_dev_analytics"): FixtureResource[] {
    return [typed(aws.athena.Workgroup, "workgroup", { name, configuration: { ...COMPLIANT, ...configuration } })];
}

describe("policies: Athena", function () {
    it("accepts the compliant workgroup under every Athena rule", async () => {
        for (const rule of [
            "athena-workgroup-enforced",
            "athena-results-encrypted",
            "athena-bytes-scanned-cutoff",
            "athena-engine-v3",
            "athena-workgroup-naming",
        ]) {
            await assertCompliant(rule, workgroup());
        }
    });

    it("athena-workgroup-enforced: rejects a workgroup clients can override; absent means enforced", async () => {
        await assertViolations("athena-workgroup-enforced", workgroup({ enforceWorkgroupConfiguration: false }), [
            { resource: "workgroup", message: /enforceWorkgroupConfiguration is false/ },
        ]);
        await assertCompliant("athena-workgroup-enforced", workgroup({ enforceWorkgroupConfiguration: undefined }));
    });

    it("athena-results-encrypted: requires SSE_KMS or CSE_KMS with a key", async () => {
        const encryption = (encryptionConfiguration: Encryption) =>
            workgroup({ resultConfiguration: { outputLocation: "s3://b/results/", encryptionConfiguration } });
        await assertCompliant("athena-results-encrypted", encryption({ encryptionOption: "CSE_KMS", kmsKeyArn: KEY }));
        await assertViolations("athena-results-encrypted", encryption({ encryptionOption: "SSE_S3" }), [{ message: /with SSE_S3, not SSE_KMS or CSE_KMS/ }]);
        await assertViolations("athena-results-encrypted", encryption(undefined), [{ message: /with nothing/ }]);
        await assertViolations("athena-results-encrypted", encryption({ encryptionOption: "SSE_KMS" }), [{ message: /names no kmsKeyArn/ }]);
    });

    it("athena-bytes-scanned-cutoff: requires a cutoff of at least 10 MiB", async () => {
        await assertViolations("athena-bytes-scanned-cutoff", workgroup({ bytesScannedCutoffPerQuery: undefined }), [
            { message: /bytesScannedCutoffPerQuery is absent/ },
        ]);
        await assertViolations("athena-bytes-scanned-cutoff", workgroup({ bytesScannedCutoffPerQuery: 1024 }), [{ message: /is 1024/ }]);
    });

    it("athena-engine-v3: requires engine version 3", async () => {
        await assertViolations("athena-engine-v3", workgroup({ engineVersion: { selectedEngineVersion: "AUTO" } }), [{ message: /selects engine AUTO/ }]);
        await assertViolations("athena-engine-v3", workgroup({ engineVersion: undefined }), [{ message: /absent/ }]);
    });

    it("athena-workgroup-naming: requires <prefix>_<stage>_<purpose>", async () => {
        await assertViolations("athena-workgroup-naming", workgroup({}, "primary"), [{ message: /"primary" does not follow spotify_dev_<purpose>/ }]);
        await assertViolations("athena-workgroup-naming", workgroup({}, "spotify_prod_analytics"), [{ message: /does not follow spotify_dev_/ }]);
    });
});
