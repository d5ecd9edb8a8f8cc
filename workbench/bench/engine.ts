import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../model/repository";
import { offlineConfigFile, offlineEnvironment } from "../../ops/stage";
import { Command } from "./measure";

/**
 * The commands of the real-engine figures: Pulumi CLI provisioning (cold: empty Go module, build and
 * CLI caches; warm: the cached build), the offline `up` of every dev stack into empty state, then
 * the preview of every dev stack and of one stack after it, and the mock synthesis of the same stage
 * as their reference. Each `up` gets a scratch folder of its own (SPOTIFY_OFFLINE_DIR).
 */
export class EngineCommands {
    private readonly scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-engine-"));
    private runs = 0;

    readonly reference: Command = {
        argv: [process.execPath, "tools/compiled.js", "synth", "dev", "--quiet", "--out", path.join(this.scratch, "synth")],
        cwd: REPO_ROOT,
    };
    readonly provisionWarm: Command = { argv: ["bash", "ops/pulumi-cli/provision.sh"], cwd: REPO_ROOT };

    /** Provisioning with nothing cached: the machine's own pulumi off PATH, and fresh Go caches. */
    provisionCold(): Command {
        const cold = path.join(this.scratch, "cold");
        const go = path.dirname(fs.realpathSync(whichGo()));
        return {
            argv: ["bash", "ops/pulumi-cli/provision.sh"],
            cwd: REPO_ROOT,
            env: {
                ...process.env,
                PATH: [go, "/usr/local/bin", "/usr/bin", "/bin"].join(path.delimiter),
                GOMODCACHE: path.join(cold, "mod"),
                GOCACHE: path.join(cold, "build"),
                GOFLAGS: "-modcacherw",
                SPOTIFY_PULUMI_CLI_CACHE: path.join(cold, "cli"),
            },
        };
    }

    /** `npm run stage -- up dev --offline` into an empty scratch state. */
    upDev(): Command {
        this.runs++;
        return this.stage(["up", "dev", "--offline", "--", "--yes", "--non-interactive", "--color", "never"]);
    }

    /** The preview of every dev stack, over the state of the last `up`. */
    previewDev(): Command {
        return this.stage(["preview", "dev", "--offline", "--", "--expect-no-changes", "--non-interactive", "--color", "never"]);
    }

    /** The CLI's own preview of one stack (dev-storage) with the policy pack, over the state of the last `up`. */
    previewOneStack(): Command {
        const env = this.withScratch(() => offlineEnvironment());
        const configFile = this.withScratch(() => offlineConfigFile("dev"));
        return {
            argv: [
                "pulumi",
                "preview",
                "--stack",
                "dev-storage",
                "--config-file",
                configFile,
                "--policy-pack",
                "policies",
                "--policy-pack-config",
                "out/policy-config/dev.json",
                "--expect-no-changes",
                "--non-interactive",
                "--color",
                "never",
            ],
            cwd: REPO_ROOT,
            env,
        };
    }

    cleanup(): void {
        fs.rmSync(this.scratch, { recursive: true, force: true });
    }

    private get offlineDir(): string {
        return path.join(this.scratch, `offline-${this.runs}`);
    }

    private stage(args: string[]): Command {
        return {
            argv: [process.execPath, "tools/compiled.js", "stage", ...args],
            cwd: REPO_ROOT,
            env: { ...process.env, SPOTIFY_OFFLINE_DIR: this.offlineDir },
        };
    }

    private withScratch<T>(fn: () => T): T {
        const previous = process.env.SPOTIFY_OFFLINE_DIR;
        process.env.SPOTIFY_OFFLINE_DIR = this.offlineDir;
        try {
            return fn();
        } finally {
            if (previous === undefined) delete process.env.SPOTIFY_OFFLINE_DIR;
            else process.env.SPOTIFY_OFFLINE_DIR = previous;
        }
    }
}

function whichGo(): string {
    for (const directory of (process.env.PATH ?? "").split(path.delimiter)) {
        const candidate = path.join(directory, "go");
        if (fs.existsSync(candidate)) return candidate;
    }
    throw new Error("go is not on PATH: the cold CLI provisioning figure builds the CLI with it");
}
