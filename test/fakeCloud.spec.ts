import * as assert from "assert";
import { fakeCloud } from "../engine/fakeCloud";

/** What the fake cloud answers for one registration: its id and ARN. */
function identity(type: string, inputs: Record<string, unknown>, name = "data-key"): { id: string; arn: unknown } {
    const { id, state } = fakeCloud("eu-west-1", new Map()).newResource({ type, name, inputs, provider: "", custom: true }) as {
        id: string;
        state: Record<string, unknown>;
    };
    return { id, arn: state.arn };
}

describe("fake cloud: identities content-addressed by the inputs that force replacement", () => {
    const key = { description: "data", enableKeyRotation: true };

    it("gives a replaced resource a new id and ARN, so everything downstream that reads them changes too", () => {
        const before = identity("aws:kms/key:Key", key);
        const after = identity("aws:kms/key:Key", { ...key, multiRegion: true });
        assert.notStrictEqual(after.id, before.id);
        assert.notStrictEqual(after.arn, before.arn);
    });

    it("keeps them through an in-place update", () => {
        assert.deepStrictEqual(identity("aws:kms/key:Key", { ...key, description: "other" }), identity("aws:kms/key:Key", key));
    });

    it("counts a provider default stated explicitly as no change", () => {
        const explicit = identity("aws:kms/key:Key", { ...key, customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT" });
        assert.deepStrictEqual(explicit, identity("aws:kms/key:Key", key));
    });

    it("is deterministic, and tells resources of different names apart", () => {
        assert.deepStrictEqual(identity("aws:kms/key:Key", key), identity("aws:kms/key:Key", key));
        assert.notStrictEqual(identity("aws:kms/key:Key", key, "other-key").id, identity("aws:kms/key:Key", key).id);
    });
});
