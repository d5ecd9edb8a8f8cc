import { spawnSync, SpawnSyncReturns } from "child_process";
import { REPO_ROOT } from "../../model/repository";

/**
 * `npm run <script> -- <args>` from the repository root, exactly as the README and the workflows
 * call it, so a test sees what a user sees (a tool that only ran under tsx once hid a no-op here).
 */
export function npmRun(script: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}, cwd: string = REPO_ROOT): SpawnSyncReturns<string> {
    return spawnSync("npm", ["run", "--silent", script, "--", ...args], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, ...env },
        maxBuffer: 256 * 1024 * 1024,
    });
}
