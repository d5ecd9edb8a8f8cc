#!/usr/bin/env bash
# Installs what the test suite needs and a fresh machine lacks, from registries only, then returns:
# `npm test` (tools/test.sh) runs it first, and so does CI through it. Each step is skipped when
# what it installs is there already, so a warm run costs about a second.
#   Java 17 (PySpark), Debian's Chromium (the dashboard preview), Maven and Trino 476 (the Trino
#   tests), the Pulumi CLI 3.276.0 (the offline engine tests), actionlint and shellcheck (workflows),
#   and the Python the Glue runtime pins.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

apt_install() {
  echo "setup: apt-get install $*" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@"
}

# PySpark (the Glue runtime of etl/glue_runtime.json, locally) needs a Java runtime.
command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
# The dashboard preview spec draws the page in Debian's headless Chromium (never a downloaded browser).
[[ -x /usr/bin/chromium ]] || apt_install chromium
# The Trino test engine of queries/tests/test_trino.py: Maven fetches Trino 476 from Maven Central
# (cached in ~/.m2); the server runs on a JDK 24+ (this machine kind: /usr/lib/jvm/temurin-25-jdk-amd64).
command -v mvn >/dev/null 2>&1 || apt_install maven
python3 - <<'PY'
import json, sys
runtime = json.load(open("etl/glue_runtime.json"))
running = f"{sys.version_info.major}.{sys.version_info.minor}"
assert running == runtime["python"], f"Glue {runtime['glueVersion']} runs Python {runtime['python']}, this is {sys.version}"
PY
bash tools/trino.sh
# The Pulumi CLI of the offline engine tests: built from the Go module proxy on a cold machine
# (minutes, with progress), then cached under ~/.cache/spotify-pipeline/.
bash ops/pulumi-cli/provision.sh >/dev/null
# actionlint (pinned, built through the Go module proxy) and shellcheck for the workflow specs.
bash tools/actionlint.sh --install
