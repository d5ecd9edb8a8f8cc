import * as pulumi from "@pulumi/pulumi";
import { SdkInternalMissing } from "./synth/sdkModules";

/**
 * The parts of @pulumi/pulumi that the offline tools use but the SDK does not promise: what an
 * upgrade may move. Each is checked by name (test/sdkInternals.spec.ts), so an upgrade that moves
 * one fails with the internal named, not with "undefined is not a function" deep in a synthesis.
 * README.md, "Upgrading Pulumi", says what to do when one moves. The modules resolved by path for
 * the policy pack driver are listed in workbench/synth/sdkModules.ts.
 */

type RequestCallback = (error: unknown, response: { getUrn(): string } | undefined) => void;
export type MonitorMethod<R> = (request: R, callback: RequestCallback) => Promise<void>;

/** What the mock runtime's monitor offers once setMocks ran. */
export interface MockMonitor<Register, Read> {
    registerResource: MonitorMethod<Register>;
    readResource: MonitorMethod<Read>;
    /** How the mock names a resource it registers or reads. */
    newUrn(parent: string, type: string, name: string): string;
}

/** The Output parts the synthesis settles stack outputs by. */
export type SettledOutput = { isSecret: Promise<boolean>; promise(withUnknowns?: boolean): Promise<unknown> };

const runtime = pulumi.runtime as unknown as Record<string, unknown>;

/** pulumi.runtime.waitForRPCs: waits until every registration the program made is answered. */
export function waitForRPCs(): Promise<void> {
    const wait = runtime.waitForRPCs;
    if (typeof wait !== "function") throw new SdkInternalMissing("pulumi.runtime.waitForRPCs()");
    return (wait as () => Promise<void>)();
}

/** pulumi.runtime.getMonitor(): the mock monitor whose registerResource/readResource the synthesis records. */
export function mockMonitor<Register, Read>(): MockMonitor<Register, Read> {
    const getMonitor = runtime.getMonitor;
    if (typeof getMonitor !== "function") throw new SdkInternalMissing("pulumi.runtime.getMonitor()");
    const monitor = (getMonitor as () => Partial<MockMonitor<Register, Read>> | undefined)();
    for (const method of ["registerResource", "readResource", "newUrn"] as const) {
        if (typeof monitor?.[method] !== "function") throw new SdkInternalMissing(`the mock monitor's ${method}()`);
    }
    return monitor as MockMonitor<Register, Read>;
}

/** Output#isSecret and Output#promise(withUnknowns): how stack outputs are read without waiting on unknowns. */
export function settledOutput(value: unknown): SettledOutput {
    const output = pulumi.output(value) as unknown as Partial<SettledOutput>;
    if (!(output.isSecret instanceof Promise)) throw new SdkInternalMissing("Output#isSecret (a Promise)");
    if (typeof output.promise !== "function") throw new SdkInternalMissing("Output#promise(withUnknowns)");
    return output as SettledOutput;
}
