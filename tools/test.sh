#!/usr/bin/env bash
# `npm test`: installs what the suite needs (tools/setup.sh), then every check, in order, under
# Node.js 22 (tools/node-runtime.sh: the machine's node when new enough, else the cached registry build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/node-runtime.sh
bash tools/setup.sh
npm run typecheck
npm run lint
npm run lint:python
npm run test:infra
npm run test:python
