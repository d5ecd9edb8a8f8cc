#!/usr/bin/env bash
# `npm test`: installs what the suite needs (tools/setup.sh), then every check under Node.js 22
# (tools/node-runtime.sh: the machine's node when new enough, else the cached registry build):
# typecheck and lints first, then two lanes side by side: the mocha specs in one, the Python
# suites followed by the workflow-run specs in the other. The lanes share no files (every test
# writes under its own temporary folder, and the workflow-run specs work in clones of their own),
# and the Python suites end minutes before the specs, so the workflow runs fill that time on a
# 2-core machine (BENCHMARKS.md has the CI runs' figures). The second lane's output is printed whole
# after the specs' (a log under out/test/ while they run), and either lane failing fails the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/node-runtime.sh
bash tools/setup.sh
npm run typecheck
npm run lint
npm run lint:python

# Both suites start the compiled tools, and the Python suites read the JSON `npm run python:json`
# writes: checking that JSON is current brings build/ up to date once, so the suites never rebuild it at once.
npm run --silent python:json -- --check
mkdir -p out/test
second_log="out/test/python-and-workflow-runs.log"
WORKFLOW_RUNS="test/workflowRuns.spec.ts"

second_lane() {
  local status=0
  npm run --silent test:python || status=$?
  echo "test: the workflow-run specs ($WORKFLOW_RUNS):"
  npx mocha "$WORKFLOW_RUNS" || status=$?
  return "$status"
}

echo "test: the Python suites, then $WORKFLOW_RUNS, run beside the other mocha specs; their output follows the specs' (live in $second_log)"
second_lane >"$second_log" 2>&1 &
second_pid=$!
mocha_status=0
npm run test:infra -- --ignore "$WORKFLOW_RUNS" || mocha_status=$?
second_status=0
wait "$second_pid" || second_status=$?
echo "test: the Python suites (tools/pytest.sh), then $WORKFLOW_RUNS:"
cat "$second_log"
if ((mocha_status != 0 || second_status != 0)); then
  echo "test: failed: mocha exit ${mocha_status}, Python suites and workflow runs exit ${second_status}" >&2
  exit 1
fi
