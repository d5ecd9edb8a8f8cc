#!/usr/bin/env bash
# Lints every workflow in .github/workflows with actionlint (pinned below), which also runs
# shellcheck on every `run:` script. Installs what is missing, from registries only:
#   actionlint  `go install` through the Go module proxy, built into GOPATH/bin and reused
#   shellcheck  Debian's package (apt-get, as root); actionlint silently skips run: scripts without it
# Usage: bash tools/actionlint.sh [--install] [actionlint arguments]
#   --install   only install (CI runs this before the tests); otherwise lint and exit with its status
set -euo pipefail
ACTIONLINT_VERSION="v1.7.12"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

install_only=false
if [[ "${1:-}" == "--install" ]]; then
  install_only=true
  shift
fi

version_of() { "$1" -version 2>/dev/null | head -n 1; }

find_actionlint() {
  local candidate
  for candidate in "$(command -v go >/dev/null 2>&1 && echo "$(go env GOPATH)/bin/actionlint")" "$(command -v actionlint || true)"; do
    if [[ -n "$candidate" && -x "$candidate" && "$(version_of "$candidate")" == "$ACTIONLINT_VERSION" ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! actionlint_bin="$(find_actionlint)"; then
  if ! command -v go >/dev/null 2>&1; then
    echo "actionlint.sh: actionlint $ACTIONLINT_VERSION is missing and there is no Go to install it (go install needs Go 1.25 or newer: https://go.dev/doc/install)" >&2
    exit 1
  fi
  echo "actionlint.sh: installing actionlint $ACTIONLINT_VERSION (go install, Go module proxy)" >&2
  # -buildvcs=false: the build does not look for a VCS around the module cache.
  GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
  actionlint_bin="$(go env GOPATH)/bin/actionlint"
  if [[ "$(version_of "$actionlint_bin")" != "$ACTIONLINT_VERSION" ]]; then
    echo "actionlint.sh: $actionlint_bin does not report $ACTIONLINT_VERSION after go install" >&2
    exit 1
  fi
fi

if ! command -v shellcheck >/dev/null 2>&1; then
  if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
    echo "actionlint.sh: installing shellcheck (apt-get) so run: scripts are checked too" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq shellcheck >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq shellcheck; } >&2
  else
    echo "actionlint.sh: shellcheck is missing: install it (apt-get install shellcheck, brew install shellcheck); without it actionlint skips every run: script" >&2
    exit 1
  fi
fi

if [[ "$install_only" == true ]]; then
  echo "actionlint.sh: $actionlint_bin ($ACTIONLINT_VERSION), $(command -v shellcheck) ($(shellcheck --version | sed -n 's/^version: //p'))" >&2
  exit 0
fi

cd "$repo_root"
echo "actionlint.sh: actionlint $ACTIONLINT_VERSION with shellcheck $(shellcheck --version | sed -n 's/^version: //p') on .github/workflows" >&2
exec "$actionlint_bin" -shellcheck "$(command -v shellcheck)" -pyflakes "" "$@"
