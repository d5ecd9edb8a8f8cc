#!/usr/bin/env bash
# Puts the Pulumi CLI this project pins on PATH, offline: prints the folder that holds a `pulumi` of
# that version. Source-free for us: an ordinary Go build of github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
# from the Go module proxy, pinned by this folder's go.mod and go.sum.
#   bash ops/pulumi-cli/provision.sh          -> prints the folder (progress on stderr)
# Order: the machine's `pulumi` when it is that version; else the cached build
# (~/.cache/spotify-pipeline/pulumi-cli-<version>-<go.sum hash>/); else it builds it there (minutes on
# two cores, once). With internet access the official install does the same job:
#   curl -fsSL https://get.pulumi.com | sh -s -- --version <version>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(sed -nE 's|^require github.com/pulumi/pulumi/pkg/v3 v([0-9.]+)$|\1|p' "$here/go.mod")"
[[ -n "$version" ]] || { echo "pulumi-cli: no github.com/pulumi/pulumi/pkg/v3 version in $here/go.mod" >&2; exit 2; }

if command -v pulumi >/dev/null 2>&1 && [[ "$(pulumi version 2>/dev/null)" == "v$version" ]]; then
  dirname "$(command -v pulumi)"
  exit 0
fi

key="$(sha256sum "$here/go.sum" | cut -c1-12)"
cache="${SPOTIFY_PULUMI_CLI_CACHE:-$HOME/.cache/spotify-pipeline/pulumi-cli-$version-$key}"
if [[ -x "$cache/pulumi" && "$("$cache/pulumi" version 2>/dev/null)" == "v$version" ]]; then
  echo "$cache"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "pulumi-cli: Go is needed to build Pulumi CLI $version offline (or install it: https://www.pulumi.com/docs/install/)" >&2; exit 2; }
echo "pulumi-cli: building Pulumi CLI $version from the Go module proxy into $cache (several minutes, once)" >&2
started=$SECONDS
mkdir -p "$cache"
# go build -v names each package as it compiles it: shown as a count, one line every 200 packages.
set +e
( cd "$here" && go build -v -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    -o "$cache/pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ) 2>&1 \
  | awk '/^go: downloading/ { downloads++; next } { packages++; if (packages % 200 == 0) printf "pulumi-cli: %d packages compiled (%d modules downloaded)\n", packages, downloads > "/dev/stderr" }'
status=${PIPESTATUS[0]}
set -e
if [[ $status -ne 0 || ! -x "$cache/pulumi.partial" ]]; then
  echo "pulumi-cli: the build failed (exit $status); rerun with: cd $here && go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi" >&2
  exit 1
fi
mv "$cache/pulumi.partial" "$cache/pulumi"
echo "pulumi-cli: built $("$cache/pulumi" version) in $((SECONDS - started)) s" >&2
echo "$cache"
