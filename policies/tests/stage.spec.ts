import * as aws from "@pulumi/aws";
import { typed } from "./support/fixtures";
import { assertCompliant, assertViolations } from "./support/inProcess";

const resources = [typed(aws.kms.Key, "data-key", { enableKeyRotation: true })];

describe("policies: policy-config-matches-stage", function () {
    it("accepts the config of the stack's stage, for layer and all-in-one stacks", async () => {
        await assertCompliant("policy-config-matches-stage", resources, { stage: "prod", stack: "prod-etl" });
        await assertCompliant("policy-config-matches-stage", resources, { stage: "dev", stack: "dev" });
    });

    it("rejects another stage's config, as a stack-wide violation", async () => {
        const [violation] = await assertViolations(
            "policy-config-matches-stage",
            resources,
            [{ message: /Stack prod-storage belongs to stage prod, but the policy config is for stage dev/ }],
            {
                stage: "dev",
                stack: "prod-storage",
            },
        );
        if (violation.urn !== undefined) throw new Error("expected a stack-wide violation");
    });
});
