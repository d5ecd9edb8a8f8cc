#!/usr/bin/env bash
# Sourced by the scripts that fetch Maven Central artifacts (tools/trino.sh, tools/iceberg.sh):
#   maven_fetch <group:artifact:version[:type]> <expected file> <size note> <log prefix>
# Maven itself downloads (`mvn dependency:get`, checksums checked) into the Maven repository
# ($maven_repo), which later runs and other checkouts reuse: nothing is downloaded twice.
maven_repo="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"

maven_fetch() {
  local coordinates="$1" file="$2" size="$3" log="$4"
  if [[ -s "$file" ]]; then
    echo "$log: $coordinates: in the Maven repository ($file)" >&2
    return
  fi
  if ! command -v mvn >/dev/null 2>&1; then
    echo "$log: error: Maven is needed to fetch $coordinates (apt-get install maven)" >&2
    exit 1
  fi
  echo "$log: $coordinates: fetching from Maven Central ($size) into $maven_repo" >&2
  local started=$SECONDS
  if ! mvn -q -B -Dstyle.color=never dependency:get -Dartifact="$coordinates" -Dtransitive=false -Dmaven.repo.local="$maven_repo" >&2; then
    echo "$log: error: mvn dependency:get $coordinates failed" >&2
    exit 1
  fi
  if [[ ! -s "$file" ]]; then
    echo "$log: error: mvn reported success but $file is missing" >&2
    exit 1
  fi
  echo "$log: $coordinates: fetched in $((SECONDS - started)) s" >&2
}
