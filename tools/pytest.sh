#!/usr/bin/env bash
# Runs every Python suite (ETL on local Spark, the SQL on DuckDB, then the QuickSight resources
# against AWS's CloudFormation schemas through cfn-lint) in the pinned venv.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo_root/tools/venv.sh"
cd "$repo_root"
exec .venv/bin/python -m pytest -c etl/pyproject.toml --rootdir "$repo_root" --import-mode=importlib etl/tests queries/tests dashboards/tests "$@"
