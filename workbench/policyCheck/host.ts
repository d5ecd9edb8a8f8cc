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
 * The pack's modules as this module is run: build/policies when compiled (which resolves the
 * SDK the compiled tools load, the repository's), the source pack under tsx.
 */
export const PACK_ENTRY = path.join(__dirname, "..", "..", "policies");

export const LAUNCHERS = {
    /** Exactly what `pulumi preview --policy-pack` runs: run-policy-pack, ts-node, type checked. */
    engine: (packDir: string) => [resolveSdkModule("runPolicyPack", packDir), ENGINE_ADDRESS, "."],
    /** The same pack module loaded by tsx: no type checking, no ts-node. */
    tsx: () => ["--require", "tsx/cjs", "."],
} as const;
/** The launchers that start the pack as a process. */
export type ProcessLauncher = keyof typeof LAUNCHERS;
/**
 * "in-process" starts no process: the pack's rules are called in this one (inProcess.ts), so
 * @pulumi/pulumi is loaded once and nothing is serialized.
 */
export const LAUNCHER_NAMES = ["in-process", ...(Object.keys(LAUNCHERS) as ProcessLauncher[])] as const;
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

export function startPolicyPack(packDir: string, launcher: ProcessLauncher = "engine", timeoutMs = 180_000): Promise<RunningPack> {
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
