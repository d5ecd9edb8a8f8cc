/**
 * The Node.js language host of the offline engine: the `pulumi-language-nodejs` plugin the Pulumi
 * CLI starts to run the program (`Run`) and Node.js policy packs (`RunPlugin`). The Go module proxy
 * serves the CLI but not Pulumi's own host, so this one is written from the LanguageRuntime protocol
 * (proto/language.proto, through the gRPC stubs @pulumi/pulumi ships). It starts the SDK's own
 * runtime entries, `cmd/run` for programs and `cmd/run-policy-pack` for packs, with the arguments
 * and environment the protocol gives them; compiling, config and registration are the SDK's.
 *
 * Started by the CLI as `pulumi-language-nodejs [flags] <engine-address>`; prints its port.
 */
import * as grpc from "@grpc/grpc-js";
import { spawn } from "child_process";
import * as emptyProto from "google-protobuf/google/protobuf/empty_pb";
import * as languageRpc from "@pulumi/pulumi/proto/language_grpc_pb";
import * as language from "@pulumi/pulumi/proto/language_pb";
import * as plugin from "@pulumi/pulumi/proto/plugin_pb";

/** The SDK version this host speaks for; the CLI shows it in `pulumi about`. */
export const HOST_VERSION = "3.276.0";

/** The exit status with which the SDK's runtime says it has already shown the user an actionable error. */
const ALREADY_REPORTED = 32;

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

/** The runtime options of Pulumi.yaml (or PulumiPolicy.yaml) as the environment the SDK's entries read. */
export function runtimeEnvironment(options: Record<string, unknown>): Record<string, string> {
    const environment: Record<string, string> = {};
    if (options.typescript !== false) environment.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (typeof options.tsconfig === "string") environment.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
    return environment;
}

/** The config bag as the SDK reads it from PULUMI_CONFIG: `<namespace>:config:<name>` keys. */
export function sdkConfig(config: ReadonlyMap<string, string>): string {
    const entries = [...config].map(([key, value]) => {
        const separator = key.indexOf(":");
        return [separator < 0 ? key : `${key.slice(0, separator)}:config:${key.slice(separator + 1)}`, value] as const;
    });
    return JSON.stringify(Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** The arguments of the SDK's cmd/run for one RunRequest, in the order it documents them. */
export function runArguments(request: language.RunRequest, engineAddress: string): string[] {
    const info = request.getInfo();
    const options: [string, string][] = [
        ["monitor", request.getMonitorAddress()],
        ["engine", engineAddress],
        ["organization", request.getOrganization()],
        ["project", request.getProject()],
        ["root-directory", info?.getRootDirectory() ?? ""],
        ["stack", request.getStack()],
        ["pwd", info?.getProgramDirectory() ?? request.getPwd()],
    ];
    const args = options.filter(([, value]) => value !== "").flatMap(([name, value]) => [`--${name}`, value]);
    if (request.getDryrun()) args.push("--dry-run");
    args.push("--parallel", String(request.getParallel()));
    args.push(info?.getEntryPoint() || request.getProgram() || ".", ...request.getArgsList());
    return args;
}

function sdkEntry(entry: "run" | "run-policy-pack", programDirectory: string): string {
    return require.resolve(`@pulumi/pulumi/cmd/${entry}`, { paths: [programDirectory] });
}

function optionsOf(info: language.ProgramInfo | undefined): Record<string, unknown> {
    return info?.getOptions()?.toJavaScript() ?? {};
}

class LanguageHost {
    constructor(private readonly engineAddress: string) {}

    handshake: Unary<language.LanguageHandshakeRequest, language.LanguageHandshakeResponse> = (_call, callback) =>
        callback(null, new language.LanguageHandshakeResponse());

    getPluginInfo: Unary<emptyProto.Empty, plugin.PluginInfo> = (_call, callback) => callback(null, new plugin.PluginInfo().setVersion(HOST_VERSION));

    // The providers are resolved as the program registers them (the offline ones are on PATH).
    getRequiredPlugins: Unary<language.GetRequiredPluginsRequest, language.GetRequiredPluginsResponse> = (_call, callback) =>
        callback(null, new language.GetRequiredPluginsResponse());

    getRequiredPackages: Unary<language.GetRequiredPackagesRequest, language.GetRequiredPackagesResponse> = (_call, callback) =>
        callback(null, new language.GetRequiredPackagesResponse());

    // Offline runs never install: npm ci has run before the CLI does.
    installDependencies = (call: grpc.ServerWritableStream<language.InstallDependenciesRequest, language.InstallDependenciesResponse>): void => {
        call.end();
    };

    cancel: Unary<emptyProto.Empty, emptyProto.Empty> = (_call, callback) => callback(null, new emptyProto.Empty());

    run: Unary<language.RunRequest, language.RunResponse> = (call, callback) => {
        const request = call.request;
        const info = request.getInfo();
        const programDirectory = info?.getProgramDirectory() || request.getPwd();
        const environment = {
            ...process.env,
            ...runtimeEnvironment(optionsOf(info)),
            PULUMI_CONFIG: sdkConfig(new Map(request.getConfigMap().toArray())),
            PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(request.getConfigsecretkeysList()),
        };
        let entry: string;
        try {
            entry = sdkEntry("run", programDirectory);
        } catch {
            callback(null, new language.RunResponse().setError(`@pulumi/pulumi is not installed for ${programDirectory}: run npm ci first`));
            return;
        }
        const child = spawn(process.execPath, [entry, ...runArguments(request, this.engineAddress)], {
            cwd: programDirectory,
            env: environment,
            stdio: ["ignore", "inherit", "inherit"],
        });
        child.on("error", (error) => callback(null, new language.RunResponse().setError(`could not start node: ${error.message}`)));
        child.on("exit", (code, signal) => {
            const response = new language.RunResponse();
            if (code === ALREADY_REPORTED) response.setBail(true);
            else if (code !== 0) response.setError(`Program exited with non-zero exit code: ${code ?? signal}`);
            callback(null, response);
        });
    };

    runPlugin = (call: grpc.ServerWritableStream<language.RunPluginRequest, language.RunPluginResponse>): void => {
        const request = call.request;
        const info = request.getInfo();
        const programDirectory = info?.getProgramDirectory() ?? request.getPwd();
        if (request.getKind() !== "analyzer") {
            call.destroy(new Error(`this offline host runs policy packs only, not ${request.getKind()} plugins`));
            return;
        }
        const environment = Object.fromEntries(
            request.getEnvList().map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)] as const),
        );
        const child = spawn(process.execPath, [sdkEntry("run-policy-pack", programDirectory), ...request.getArgsList(), programDirectory], {
            cwd: programDirectory,
            env: { ...process.env, ...environment, ...runtimeEnvironment(optionsOf(info)) },
            stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout.on("data", (chunk: Buffer) => call.write(new language.RunPluginResponse().setStdout(chunk)));
        child.stderr.on("data", (chunk: Buffer) => call.write(new language.RunPluginResponse().setStderr(chunk)));
        child.on("close", (code) => {
            call.write(new language.RunPluginResponse().setExitcode(code ?? 1));
            call.end();
        });
        call.on("cancelled", () => child.kill());
    };
}

export function main(argv: string[]): Promise<number> {
    const engineAddress = argv.filter((arg) => !arg.startsWith("-")).pop() ?? "";
    const host = new LanguageHost(engineAddress);
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(languageRpc.LanguageRuntimeService, {
        handshake: host.handshake,
        getRequiredPlugins: host.getRequiredPlugins,
        getRequiredPackages: host.getRequiredPackages,
        run: host.run,
        getPluginInfo: host.getPluginInfo,
        installDependencies: host.installDependencies,
        runPlugin: host.runPlugin,
        cancel: host.cancel,
    });
    return new Promise((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
            if (error) return reject(error);
            // The CLI reads the port from the first line of stdout, then talks gRPC until it kills us.
            process.stdout.write(`${port}\n`);
            process.on("SIGTERM", () => server.tryShutdown(() => resolve(0)));
        });
    });
}

// A plugin executable: engine/bin/pulumi-language-nodejs starts this file with node.
if (require.main === module) {
    main(process.argv.slice(2)).then(
        (status) => process.exit(status),
        (error: unknown) => {
            process.stderr.write(`pulumi-language-nodejs (offline): ${error instanceof Error ? error.message : String(error)}\n`);
            process.exit(1);
        },
    );
}
