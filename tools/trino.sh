#!/usr/bin/env bash
# Installs the Trino test engine of queries/tests/test_trino.py, once, and prints where it is.
#
#   bash tools/trino.sh            # progress on stderr; on stdout: TRINO_HOME=... and TRINO_JAVA_HOME=...
#   eval "$(bash tools/trino.sh)"  # the same, as shell variables
#
# - Artifacts: io.trino:trino-server-core:<version>:tar.gz and io.trino:trino-iceberg:<version>:zip (the
#   Iceberg plugin, the one connector: it reads the warehouse table and the views), fetched from Maven Central by Maven itself (tools/maven.sh: `mvn dependency:get`,
#   checksums checked) into the Maven repository (~/.m2/repository), which later runs and other
#   checkouts reuse: nothing is downloaded twice.
# - Unpacked into a cache outside git, ${XDG_CACHE_HOME:-~/.cache}/spotify-pipeline/trino-<version>/
#   (the server with plugin/iceberg added), completed atomically and marked by a stamp; a second run only
#   checks the stamp and the plugin (a cache made before the Iceberg plugin is rebuilt). Concurrent runs wait on a lock.
# - Trino 476 runs on Java 24 or newer; the machine's default java (17) stays for Spark. The JDK is
#   TRINO_JAVA_HOME when set, else the newest /usr/lib/jvm/* whose `release` says JAVA_VERSION >= 24
#   (on this machine kind: the Temurin 25 JDK, /usr/lib/jvm/temurin-25-jdk-amd64).
#
# Environment: TRINO_VERSION (476), SPOTIFY_TRINO_CACHE (the unpack directory), MAVEN_REPO_LOCAL (the
# Maven repository, default ~/.m2/repository), TRINO_JAVA_HOME.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/maven.sh"

version="${TRINO_VERSION:-476}"
java_major_required=24
cache="${SPOTIFY_TRINO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spotify-pipeline/trino-$version}"
home="$cache/trino-server-core-$version"
stamp="$cache/.installed"
server_artifact="$maven_repo/io/trino/trino-server-core/$version/trino-server-core-$version.tar.gz"
iceberg_artifact="$maven_repo/io/trino/trino-iceberg/$version/trino-iceberg-$version.zip"

say() { echo "trino: $*" >&2; }
fail() { echo "trino: error: $*" >&2; exit 1; }

java_major() {  # the feature version in <jdk>/release, or 0
  local release="$1/release" value
  [[ -r "$release" && -x "$1/bin/java" ]] || { echo 0; return; }
  value="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")"
  echo "${value:-0}"
}

find_java_home() {
  if [[ -n "${TRINO_JAVA_HOME:-}" ]]; then
    (( $(java_major "$TRINO_JAVA_HOME") >= java_major_required )) ||
      fail "TRINO_JAVA_HOME=$TRINO_JAVA_HOME is not a JDK $java_major_required+ (Trino $version needs it)"
    echo "$TRINO_JAVA_HOME"
    return
  fi
  local best="" best_major=0 candidate major
  for candidate in /usr/lib/jvm/*; do
    [[ -d "$candidate" && ! -L "$candidate" ]] || continue
    major="$(java_major "$candidate")"
    if (( major >= java_major_required && major > best_major )); then
      best="$candidate"
      best_major="$major"
    fi
  done
  [[ -n "$best" ]] ||
    fail "Trino $version needs Java $java_major_required+ and no /usr/lib/jvm/* has it (this machine kind ships /usr/lib/jvm/temurin-25-jdk-amd64); set TRINO_JAVA_HOME"
  echo "$best"
}


java_home="$(find_java_home)"

mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [[ -f "$stamp" && -x "$home/bin/launcher" && -d "$home/plugin/iceberg" ]]; then
  say "Trino $version installed at $home"
else
  maven_fetch "io.trino:trino-server-core:$version:tar.gz" "$server_artifact" "194 MB" trino
  maven_fetch "io.trino:trino-iceberg:$version:zip" "$iceberg_artifact" "345 MB" trino
  say "unpacking into $cache"
  work="$cache.partial"
  rm -rf "$work"
  mkdir -p "$work"
  tar -xzf "$server_artifact" -C "$work"
  [[ -x "$work/trino-server-core-$version/bin/launcher" ]] || fail "$server_artifact has no trino-server-core-$version/bin/launcher"
  for plugin in iceberg; do
    artifact="$maven_repo/io/trino/trino-$plugin/$version/trino-$plugin-$version.zip"
    python3 -m zipfile -e "$artifact" "$work/$plugin-plugin"  # no unzip needed on a fresh machine
    [[ -d "$work/$plugin-plugin/trino-$plugin-$version" ]] || fail "$artifact has no trino-$plugin-$version/ folder"
    mv "$work/$plugin-plugin/trino-$plugin-$version" "$work/trino-server-core-$version/plugin/$plugin"
    rmdir "$work/$plugin-plugin"
  done
  date -u +%Y-%m-%dT%H:%M:%SZ > "$work/.installed"
  rm -rf "$cache"
  mv "$work" "$cache"
  say "Trino $version installed at $home ($(du -sh "$home" | cut -f1))"
fi
flock -u 9
say "Java for the server: $java_home (Java $(java_major "$java_home"))"

echo "TRINO_HOME=$home"
echo "TRINO_JAVA_HOME=$java_home"
