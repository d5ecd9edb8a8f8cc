import * as aws from "@pulumi/aws";
import { FixtureResource, InputsOf, typed, UNKNOWN } from "./support/fixtures";
import { assertCompliant, assertViolations } from "./support/inProcess";

const logGroup = (inputs: InputsOf<aws.cloudwatch.LogGroupArgs>): FixtureResource[] => [
    typed(aws.cloudwatch.LogGroup, "job-logs", { name: "/aws-glue/jobs/x", ...inputs }),
];
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/abc";

describe("policies: CloudWatch Logs", function () {
    describe("logs-retention", () => {
        it("requires a retention period", async () => {
            await assertCompliant("logs-retention", logGroup({ retentionInDays: 30, kmsKeyId: KEY }));
            await assertViolations("logs-retention", logGroup({ kmsKeyId: KEY }), [{ resource: "job-logs", message: /forever \(retentionInDays is absent\)/ }]);
            await assertViolations("logs-retention", logGroup({ retentionInDays: 0 }), [{ message: /forever \(retentionInDays is 0\)/ }]);
        });
        it("requires a year in prod (CKV_AWS_338), and only some retention in dev", async () => {
            await assertCompliant("logs-retention", logGroup({ retentionInDays: 14, kmsKeyId: KEY }));
            await assertCompliant("logs-retention", logGroup({ retentionInDays: 365, kmsKeyId: KEY }), { stage: "prod" });
            await assertViolations(
                "logs-retention",
                logGroup({ retentionInDays: 90, kmsKeyId: KEY }),
                [{ resource: "job-logs", message: /keeps its events 90 days; this stage requires at least 365/ }],
                { stage: "prod" },
            );
        });
    });

    describe("logs-encrypted", () => {
        it("requires a KMS key, which may be unknown until the key exists", async () => {
            await assertCompliant("logs-encrypted", logGroup({ retentionInDays: 30, kmsKeyId: UNKNOWN }));
            await assertViolations("logs-encrypted", logGroup({ retentionInDays: 30 }), [{ resource: "job-logs", message: /not encrypted with a KMS key/ }]);
        });
    });
});
