import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * A `pulumi` on PATH that records every invocation (one line per call, arguments separated by
 * \x1f), answers `version` as 3.205.0 (the last CLI whose --event-log is a file, which a script
 * can write; the Automation API streams later ones' events over gRPC), `stack ls --json` with
 * FAKE_PULUMI_STACKS, `stack output` as empty and `stack history` with FAKE_PULUMI_HISTORY (default
 * none), writes a summary event to any
 * --event-log, writes a plan file to any --save-plan, and fails the operations (up, preview,
 * refresh, destroy) on the stacks named in FAKE_PULUMI_FAIL.
 */
export const FAKE_PULUMI = `#!/usr/bin/env bash
set -euo pipefail
{ printf '%s\\x1f' "$@"; printf '\\n'; } >> "$FAKE_PULUMI_LOG"
if [[ "$1" == "version" ]]; then echo v3.205.0; exit 0; fi
if [[ "$1 $2" == "stack ls" ]]; then printf '%s\\n' "\${FAKE_PULUMI_STACKS:-[]}"; exit 0; fi
if [[ "$1 $2" == "stack output" ]]; then echo '{}'; exit 0; fi
if [[ "$1 $2" == "stack history" ]]; then printf '%s\\n' "\${FAKE_PULUMI_HISTORY:-[]}"; exit 0; fi
operation="$1"; stack=""; event_log=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stack) stack="$2"; shift ;;
    --event-log) event_log="$2"; shift ;;
    --save-plan) echo '{"fake":"plan"}' > "$2"; shift ;;
  esac
  shift
done
if [[ -n "$event_log" ]]; then
  echo '{"sequence":1,"timestamp":1,"preludeEvent":{"config":{}}}' > "$event_log"
  echo '{"sequence":2,"timestamp":2,"summaryEvent":{"maybeCorrupt":false,"durationSeconds":1,"resourceChanges":{"same":40,"update":2,"replace":1},"policyPacks":{}}}' >> "$event_log"
fi
echo "fake pulumi: $stack"
if [[ "$operation" =~ ^(up|preview|refresh|destroy)$ && -n "$stack" && " \${FAKE_PULUMI_FAIL:-} " == *" $stack "* ]]; then echo "error: $stack failed" >&2; exit 3; fi
`;

/** A folder holding the fake `pulumi` (put it first on PATH) and its call log. */
export function fakePulumiDir(): { dir: string; log: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
    fs.writeFileSync(path.join(dir, "pulumi"), FAKE_PULUMI, { mode: 0o755 });
    return { dir, log: path.join(dir, "calls.log") };
}

/** The calls the fake `pulumi` recorded, one argument list each. */
export function fakePulumiCalls(log: string): string[][] {
    return fs.existsSync(log)
        ? fs
              .readFileSync(log, "utf8")
              .split("\n")
              .filter((line) => line !== "")
              .map((line) => line.split("\x1f").slice(0, -1))
        : [];
}

/** An engine operation the fake recorded, without the Automation API's own plumbing. */
export interface RecordedOperation {
    operation: string;
    stack: string;
    /** The operation's other arguments, in order. */
    args: string[];
}

/** Arguments the Automation API adds to every operation (always in force, or its own wiring). */
const PLUMBING_FLAGS = new Set(["--yes", "--skip-preview", "--non-interactive"]);
const PLUMBING_VALUED = new Set(["--exec-kind", "--event-log", "--stack"]);

/** The up, preview, refresh and destroy calls among the recorded ones, in order. */
export function fakePulumiOperations(log: string): RecordedOperation[] {
    return fakePulumiCalls(log)
        .filter((call) => ["up", "preview", "refresh", "destroy"].includes(call[0]))
        .map((call) => {
            const args: string[] = [];
            for (let index = 1; index < call.length; index++) {
                if (PLUMBING_VALUED.has(call[index])) index++;
                else if (!PLUMBING_FLAGS.has(call[index])) args.push(call[index]);
            }
            return { operation: call[0], stack: call[call.indexOf("--stack") + 1], args };
        });
}
