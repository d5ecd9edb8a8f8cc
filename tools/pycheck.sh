#!/usr/bin/env bash
# `npm run lint:python`: Ruff and mypy (strict) over every Python package and its tests (etl/,
# queries/, dashboards/), in the pinned venv, with the one configuration in etl/pyproject.toml.
# mypy checks each folder on its own: their tests/ folders all hold a conftest.py, and one run
# cannot hold two modules of the same name.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo_root/tools/venv.sh"
cd "$repo_root"
config=etl/pyproject.toml
.venv/bin/ruff check --config "$config" etl queries dashboards
for folder in etl queries dashboards; do
  .venv/bin/mypy --config-file "$config" "$folder"
done
