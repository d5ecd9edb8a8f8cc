/**
 * The offline provider program: one Pulumi resource provider, served by the SDK's
 * `@pulumi/pulumi/provider` server, that stands in for aws, aws-native and awsx when the real CLI
 * runs offline (engine/bin/pulumi-resource-<package>). It answers as the fake cloud of the offline
 * synthesis does (engine/fakeCloud.ts), so a real `up` and a synthesis agree on ids and ARNs,
 * and it decides replace or update from the one replacement table the reviewer diff uses
 * (engine/replacements.ts). What it cannot know (real provider defaults beyond the cited ones,
 * real ids, awsx's real children) only AWS can prove.
 *
 *   node build/engine/offlineProvider.js <aws|aws-native|awsx> <engine-address>
 */
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import * as provider from "@pulumi/pulumi/provider";
import { replacementTriggers } from "./replacements";
import { fakeCloud } from "./fakeCloud";
import { changedPaths, withProviderDefaults } from "./providerBehaviour";
import { constructVpc } from "./awsxVpc";

/** The packages this program stands in for, with the versions the program's SDKs request. */
export const PACKAGES: Readonly<Record<string, string>> = { aws: "7.48.0", "aws-native": "1.79.0", awsx: "3.9.0" };

/** The region a provider instance was configured with (its `region` argument, as the engine passes it). */
let configuredRegion = "us-east-1";

/**
 * The SDK's provider server answers Configure itself and does not hand the arguments on; the
 * region is read from the request on its way in, before the server's own handler answers it.
 */
function readRegionOnConfigure(): void {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the server as `this`
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service, implementation: grpc.UntypedServiceImplementation) {
        const configure = implementation.configure as grpc.handleUnaryCall<{ getArgs(): { toJavaScript(): Record<string, unknown> } | undefined }, unknown>;
        if (configure !== undefined) {
            implementation.configure = (
                call: grpc.ServerUnaryCall<{ getArgs(): { toJavaScript(): Record<string, unknown> } | undefined }, unknown>,
                callback: grpc.sendUnaryData<unknown>,
            ) => {
                const region = call.request.getArgs()?.toJavaScript().region;
                if (typeof region === "string" && region !== "") configuredRegion = region;
                configure.call(implementation, call, callback);
            };
        }
        addService.call(this, service, implementation);
    };
}

function typeOf(urn: string): string {
    return urn.split("::")[2].split("$").pop() ?? "";
}

function nameOf(urn: string): string {
    return urn.split("::")[3];
}

/** A resource as the fake cloud creates it: content-addressed id, computed outputs beside the inputs. */
function created(urn: string, inputs: Record<string, unknown>): { id: string; outs: Record<string, unknown> } {
    const { id, state } = fakeCloud(configuredRegion, new Map()).newResource({
        type: typeOf(urn),
        name: nameOf(urn),
        inputs,
        provider: "",
        custom: true,
    }) as { id: string; state: Record<string, unknown> };
    return { id, outs: state };
}

class OfflineProvider implements provider.Provider {
    constructor(readonly version: string) {}

    check(urn: string, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<provider.CheckResult> {
        return Promise.resolve({ inputs: withProviderDefaults(typeOf(urn), news) });
    }

    diff(_id: string, urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<provider.DiffResult> {
        const type = typeOf(urn);
        const inputs = withProviderDefaults(type, news);
        // The engine hands Diff the old state: the old inputs plus what the cloud computed (ids, ARNs),
        // which the new inputs never carry and which are no change.
        const computed = new Set(Object.keys(created(urn, inputs).outs).filter((key) => !(key in inputs)));
        const oldInputs = Object.fromEntries(Object.entries(olds).filter(([key]) => !computed.has(key)));
        const paths = changedPaths(oldInputs, inputs);
        return Promise.resolve({ changes: paths.length > 0, replaces: replacementTriggers(type, paths) ?? [] });
    }

    create(urn: string, inputs: Record<string, unknown>): Promise<provider.CreateResult> {
        return Promise.resolve(created(urn, inputs));
    }

    read(id: string, _urn: string, props?: Record<string, unknown>): Promise<provider.ReadResult> {
        return Promise.resolve({ id, props: props ?? {} });
    }

    update(_id: string, urn: string, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<provider.UpdateResult> {
        // An update never touches what forces replacement, so the content-addressed id and ARNs stay.
        return Promise.resolve({ outs: created(urn, news).outs });
    }

    async delete(): Promise<void> {}

    invoke(token: string, inputs: Record<string, unknown>): Promise<provider.InvokeResult> {
        return Promise.resolve({ outputs: fakeCloud(configuredRegion, new Map()).call({ token, inputs, provider: "" }) });
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<provider.ConstructResult> {
        if (type !== "awsx:ec2:Vpc") throw new Error(`the offline provider constructs awsx:ec2:Vpc only, not ${type}`);
        return constructVpc(name, inputs, options, configuredRegion);
    }
}

export async function main(argv: string[]): Promise<number> {
    const [pkg, ...rest] = argv;
    const version = PACKAGES[pkg];
    if (version === undefined) throw new Error(`unknown package ${String(pkg)}: the offline provider serves ${Object.keys(PACKAGES).join(", ")}`);
    readRegionOnConfigure();
    await provider.main(new OfflineProvider(version), rest);
    return new Promise<number>(() => undefined);
}

// A plugin executable: engine/bin/pulumi-resource-<package> starts this file with node.
if (require.main === module) {
    main(process.argv.slice(2)).catch((error: unknown) => {
        process.stderr.write(`offline provider: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    });
}
