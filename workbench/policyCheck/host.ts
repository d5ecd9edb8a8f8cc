import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { REPO_ROOT } from "../../model/repository";
import { resolveSdkModule } from "../synth/sdkModules";

/**
 * Starts a policy pack the way the Pulumi engine's plugin host does: as a child process in the
 * pack's directory that serves the analyzer gRPC protocol and prints its port as the first line
 * of stdout. The engine runs the `pulumi-analyzer-policy` script, which resolves
 * @pulumi/pulumi/cmd/run-policy-pack from the pack directory and runs it with node, passing the
 * engine's address and "." (the pack). That runner registers ts-node with type checking, using
 * the pack's tsconfig.json, and requires the pack.
 */

/** The pack's source folder (PulumiPolicy.yaml, the TypeScript the engine launcher compiles). */
export const PACK_DIR = path.join(REPO_ROOT, "policies");

/**
 * The pack's entry module as this module is run: build/policies when compiled (which resolves the
 * SDK the compiled tools load, the repository's), the source pack under tsx.
 */
const PACK_ENTRY = path.join(__dirname, "..", "..", "policies");

export const LAUNCHERS = {
    /** Exactly what `pulumi preview --policy-pack` runs: run-policy-pack, ts-node, type checked. */
    engine: (packDir: string) => [resolveSdkModule("runPolicyPack", packDir), ENGINE_ADDRESS, "."],
    /** The same pack module loaded by tsx: no type checking, no ts-node. */
    tsx: () => ["--require", "tsx/cjs", "."],
} as const;
/**
 * "in-process" serves the pack from this process, over the same analyzer protocol and the same
 * @pulumi/policy server, so @pulumi/pulumi is loaded once instead of twice (see serveInProcess).
 */
export const LAUNCHER_NAMES = ["in-process", ...(Object.keys(LAUNCHERS) as (keyof typeof LAUNCHERS)[])] as const;
export type Launcher = (typeof LAUNCHER_NAMES)[number];

/** run-policy-pack takes the engine's address but a policy pack never calls the engine. */
const ENGINE_ADDRESS = "127.0.0.1:0";

export interface RunningPack {
    /** host:port of the pack's analyzer server. */
    address: string;
    /** What the pack wrote to stderr so far: the reason when a call fails because it crashed. */
    stderr(): string;
    stop(): Promise<void>;
}

export function startPolicyPack(packDir: string, launcher: Launcher = "engine", timeoutMs = 180_000): Promise<RunningPack> {
    if (launcher === "in-process") return serveInProcess(packDir, timeoutMs);
    const child = spawn(process.execPath, LAUNCHERS[launcher](packDir), { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise<RunningPack>((resolve, reject) => {
        const fail = (why: string) => {
            clearTimeout(timer);
            child.kill();
            reject(new Error(`policy pack in ${packDir} (${launcher} launcher) ${why}${stderr.trim() === "" ? "" : `:\n${stderr.trim()}`}`));
        };
        const timer = setTimeout(() => fail(`printed no port within ${timeoutMs / 1000}s`), timeoutMs);
        child.on("error", (error) => fail(`could not start: ${error.message}`));
        // "close" rather than "exit": by then stderr, which says why, has been read to the end.
        child.on("close", (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before serving`));
        const readPort = (chunk: Buffer) => {
            stdout += chunk.toString();
            const newline = stdout.indexOf("\n");
            if (newline < 0) return;
            const port = stdout.slice(0, newline).trim();
            // The port is all the engine reads from stdout; later output is drained unread.
            child.stdout.off("data", readPort);
            child.stdout.resume();
            child.removeAllListeners("close");
            if (!/^\d+$/.test(port)) {
                fail(`printed "${port}" instead of its port`);
                return;
            }
            clearTimeout(timer);
            resolve({ address: `127.0.0.1:${port}`, stderr: () => stderr, stop: () => stop(child) });
        };
        child.stdout.on("data", readPort);
    });
}

function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill();
    });
}

let inProcess: Promise<RunningPack> | undefined;

/**
 * Loads the pack's entry module here, whose PolicyPack starts @pulumi/policy's analyzer server in
 * this process and prints the port with console.log, as it does for the engine. @pulumi/policy
 * serves one pack per process and offers no way to stop its server, so the pack is served once
 * and shared by every caller; its server keeps the process alive, so a command exits explicitly.
 * The module is PACK_ENTRY: under tsx the source pack, which resolves
 * policies/node_modules when that is installed, a second SDK beside a caller's own (so tests that
 * synthesize use the other launchers).
 */
function serveInProcess(packDir: string, timeoutMs: number): Promise<RunningPack> {
    const name = path.basename(packDir);
    if (path.resolve(packDir) !== PACK_DIR)
        return Promise.reject(new Error(`the in-process launcher serves only the pack this driver belongs to (${PACK_DIR}), not ${packDir}`));
    inProcess ??= new Promise<RunningPack>((resolve, reject) => {
        const log = console.log;
        const timer = setTimeout(() => {
            restore();
            reject(new Error(`policy pack ${name} (in-process launcher) printed no port within ${timeoutMs / 1000}s`));
        }, timeoutMs).unref();
        const restore = () => {
            clearTimeout(timer);
            console.log = log;
        };
        console.log = (...args: unknown[]) => {
            const port = String(args[0]).trim();
            if (args.length !== 1 || !/^\d+$/.test(port)) return log(...args);
            restore();
            resolve({ address: `127.0.0.1:${port}`, stderr: () => "", stop: () => Promise.resolve() });
        };
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the pack by path, synchronously, while console.log is hooked
            require(PACK_ENTRY);
        } catch (error) {
            restore();
            reject(new Error(`policy pack ${name} (in-process launcher) failed to load: ${error instanceof Error ? error.message : String(error)}`));
        }
    });
    return inProcess;
}
