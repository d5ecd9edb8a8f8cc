#!/usr/bin/env bash
# Fetches the local ETL's Iceberg runtime once: the Iceberg Spark runtime of the release AWS Glue
# ships (etl/glue_runtime.json) and the SQLite JDBC driver of the local catalog, from Maven Central
# into the Maven repository (~/.m2/repository, or MAVEN_REPO_LOCAL). The coordinates come from
# spotify_etl.iceberg, which the local Spark session loads the jars for; a second run only checks,
# silently, that the files are there. tools/venv.sh runs it, so every local entry point has the jars.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo_root/tools/maven.sh"

artifacts="$(PYTHONPATH="$repo_root/etl" python3 -m spotify_etl.iceberg --maven-artifacts)"
while IFS=: read -r group artifact version; do
  jar="$maven_repo/${group//.//}/$artifact/$version/$artifact-$version.jar"
  [[ -s "$jar" ]] || maven_fetch "$group:$artifact:$version" "$jar" "jar" iceberg
done <<< "$artifacts"
