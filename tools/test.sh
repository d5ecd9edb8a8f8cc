#!/usr/bin/env bash
# `npm test`: installs what the suite needs (tools/setup.sh), then every check under Node.js 22
# (tools/node-runtime.sh: the machine's node when new enough, else the cached registry build):
# typecheck and lints first, then three lanes side by side: the mocha specs, the real-engine specs
# (test/offlineEngine.spec.ts, each of its runs in a scratch state folder) and the Python suites.
# They share no files they write (every test writes under its own temporary folder; the stage
# driver's pack config is replaced whole, never rewritten in place), and running them together
# keeps a warm CI run near its budget on a 2-core machine: most of each lane is one process waiting
# on another. The other lanes' output is printed whole after the specs' (logs under out/test/ while
# they run), and any lane failing fails the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/node-runtime.sh
bash tools/setup.sh
npm run typecheck
npm run lint
npm run lint:python

# Both suites start the compiled tools; bring build/ up to date once, so they never rebuild it at once.
node tools/compiled.js queryCatalog >/dev/null
mkdir -p out/test
python_log="out/test/pytest.log"
engine_log="out/test/engine.log"
echo "test: the real-engine specs and the Python suites run beside the mocha specs; their output follows the specs' (live in $engine_log, $python_log)"
npm run --silent test:python >"$python_log" 2>&1 &
python_pid=$!
npm run --silent test:engine >"$engine_log" 2>&1 &
engine_pid=$!
mocha_status=0
npm run test:infra -- --ignore test/offlineEngine.spec.ts || mocha_status=$?
engine_status=0
wait "$engine_pid" || engine_status=$?
echo "test: the real-engine specs (test/offlineEngine.spec.ts):"
cat "$engine_log"
python_status=0
wait "$python_pid" || python_status=$?
echo "test: the Python suites (tools/pytest.sh):"
cat "$python_log"
if ((mocha_status != 0 || engine_status != 0 || python_status != 0)); then
  echo "test: failed: mocha exit ${mocha_status}, real-engine specs exit ${engine_status}, pytest exit ${python_status}" >&2
  exit 1
fi
