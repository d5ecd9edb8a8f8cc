import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** What one run of a command cost. */
export interface Sample {
    wallSeconds: number;
    /** User + system CPU of the command and every descendant it waited for (getrusage of the child). */
    cpuSeconds: number;
    /** Highest summed resident set size of the command's process tree, sampled from /proc. */
    peakRssMiB: number;
}

export interface Command {
    argv: string[];
    cwd: string;
    env?: NodeJS.ProcessEnv;
}

/** GNU time, which reports the child's rusage (user and system CPU) once the child is reaped. */
export const GNU_TIME = "/usr/bin/time";
const RSS_INTERVAL_MS = 25;

/**
 * Parses what `/usr/bin/time -f "%U %S"` wrote: user and system seconds. The file may hold the
 * command's own stderr lines before it when -o is not used; the figures are on the last line.
 */
export function parseGnuTime(text: string): number {
    const last = text.trim().split("\n").pop() ?? "";
    const match = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/.exec(last.trim());
    if (match === null) throw new Error(`${GNU_TIME} wrote "${last}", expected "<user seconds> <system seconds>"`);
    return Number(match[1]) + Number(match[2]);
}

/** Summed RSS, in bytes, of `root` and its descendants, from /proc/<pid>/stat (field 24, pages). */
export function treeRssBytes(root: number): number {
    const parents = new Map<number, number>();
    const rss = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        let stat: string;
        try {
            stat = fs.readFileSync(`/proc/${entry}/stat`, "latin1");
        } catch {
            continue; // exited while we looked
        }
        // The command name (field 2) may hold spaces and parentheses: fields resume after the last ")".
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        parents.set(Number(entry), Number(fields[1]));
        rss.set(Number(entry), Number(fields[21]) * PAGE_SIZE);
    }
    let total = 0;
    const pending = [root];
    while (pending.length > 0) {
        const pid = pending.pop() as number;
        total += rss.get(pid) ?? 0;
        for (const [child, parent] of parents) if (parent === pid) pending.push(child);
    }
    return total;
}
const PAGE_SIZE = 4096;

/** Runs a command once; its output goes to `log` (shown when it fails). */
export function measure(command: Command, log: string): Promise<Sample> {
    const timeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-time-")), "rusage");
    const output = fs.openSync(log, "w");
    const started = process.hrtime.bigint();
    const child = spawn(GNU_TIME, ["-o", timeFile, "-f", "%U %S", ...command.argv], {
        cwd: command.cwd,
        env: command.env ?? process.env,
        stdio: ["ignore", output, output],
    });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, treeRssBytes(child.pid as number))), RSS_INTERVAL_MS);
    return new Promise<Sample>((resolve, reject) => {
        child.on("error", (error) => {
            clearInterval(sampler);
            reject(new Error(`${command.argv.join(" ")}: could not start ${GNU_TIME} (apt-get install time): ${error.message}`));
        });
        child.on("close", (code) => {
            const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
            clearInterval(sampler);
            fs.closeSync(output);
            if (code !== 0) {
                const tail = fs.readFileSync(log, "utf8").trim().split("\n").slice(-15).join("\n");
                reject(new Error(`${command.argv.join(" ")} (in ${command.cwd}) exited with ${code}; its output (${log}) ends:\n${tail}`));
                return;
            }
            try {
                resolve({ wallSeconds, cpuSeconds: parseGnuTime(fs.readFileSync(timeFile, "utf8")), peakRssMiB: peak / 2 ** 20 });
            } catch (error) {
                reject(error instanceof Error ? error : new Error(String(error)));
            } finally {
                fs.rmSync(path.dirname(timeFile), { recursive: true, force: true });
            }
        });
    });
}

/** The median of each figure over `samples` (each figure on its own). */
export function median(samples: Sample[]): Sample {
    if (samples.length === 0) throw new Error("median of no samples");
    const middle = (values: number[]) => {
        const sorted = [...values].sort((a, b) => a - b);
        const half = Math.floor(sorted.length / 2);
        return sorted.length % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    };
    return {
        wallSeconds: middle(samples.map((sample) => sample.wallSeconds)),
        cpuSeconds: middle(samples.map((sample) => sample.cpuSeconds)),
        peakRssMiB: middle(samples.map((sample) => sample.peakRssMiB)),
    };
}
