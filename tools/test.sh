#!/usr/bin/env bash
# `npm test`: installs what the suite needs (tools/setup.sh), then every check under Node.js 22
# (tools/node-runtime.sh: the machine's node when new enough, else the cached registry build):
# typecheck and lints first, then the mocha specs and the Python suites side by side. The two share
# no files (every test writes under its own temporary folder), and running them together keeps a
# warm CI run within its budget on a 2-core machine; the Python suite's output is printed whole
# after the specs' (a log under out/test/ while they run), and either one failing fails the run.
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
python_log="out/test/pytest.log"
echo "test: the Python suites run beside the mocha specs; their output follows the specs' (live in $python_log)"
npm run --silent test:python >"$python_log" 2>&1 &
python_pid=$!
mocha_status=0
npm run test:infra || mocha_status=$?
python_status=0
wait "$python_pid" || python_status=$?
echo "test: the Python suites (tools/pytest.sh):"
cat "$python_log"
if ((mocha_status != 0 || python_status != 0)); then
  echo "test: failed: mocha exit ${mocha_status}, pytest exit ${python_status}" >&2
  exit 1
fi
