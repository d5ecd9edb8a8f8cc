import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * A `pulumi` on PATH that records every invocation (one line per call, arguments separated by
 * \x1f), answers `stack ls --json` with FAKE_PULUMI_STACKS, writes a summary event to any
 * --event-log, writes a plan file to any --save-plan, and fails the calls named in FAKE_PULUMI_FAIL
 * ("<operation> <stack>").
 */
export const FAKE_PULUMI = `#!/usr/bin/env bash
set -euo pipefail
{ printf '%s\\x1f' "$@"; printf '\\n'; } >> "$FAKE_PULUMI_LOG"
if [[ "$1 $2" == "stack ls" ]]; then printf '%s\\n' "\${FAKE_PULUMI_STACKS:-[]}"; exit 0; fi
stack=""; event_log=""
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
if [[ -n "$stack" && " \${FAKE_PULUMI_FAIL:-} " == *" $stack "* ]]; then echo "error: $stack failed" >&2; exit 3; fi
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
