#!/usr/bin/env bash
# Puts Node.js 22 LTS (or newer) first on PATH. Source it: `source tools/node-runtime.sh`.
# The machine's node is used when it is new enough; otherwise the npm registry's `node` package
# (whose binary ships inside a registry package) is installed once into a cache and reused.
node_pinned_version="$(cat "$(dirname "${BASH_SOURCE[0]}")/../.nvmrc")"
node_required_major="${node_pinned_version%%.*}"
node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }

if ! command -v npm >/dev/null 2>&1; then
  echo "node-runtime: npm is needed to install Node.js $node_pinned_version (apt-get install nodejs npm)" >&2
  return 1 2>/dev/null || exit 1
fi
if [[ "$(node_major)" -lt "$node_required_major" ]]; then
  node_cache="${SPOTIFY_NODE_CACHE:-$HOME/.cache/spotify-pipeline/node-$node_pinned_version}"
  if [[ ! -x "$node_cache/node_modules/node/bin/node" ]]; then
    echo "node-runtime: $(node --version 2>/dev/null || echo 'no node') is older than $node_required_major; installing node@$node_pinned_version into $node_cache" >&2
    npm install --prefix "$node_cache" --no-audit --no-fund --no-save --loglevel=error "node@$node_pinned_version" >&2
  fi
  export PATH="$node_cache/node_modules/node/bin:$PATH"
fi
echo "node-runtime: node $(node --version) at $(command -v node)" >&2
