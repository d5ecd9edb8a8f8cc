#!/usr/bin/env bash
# `npm run local -- <etl|queries> [extra arguments]`: runs a layer's code on this machine.
#   etl      the Glue job's transforms on local Spark, committed sample -> out/local/
#   queries  every queries/*.sql on DuckDB over out/local/warehouse (run `etl` first)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage="usage: npm run local -- <etl|queries> [extra arguments for the runner; --help shows them]"
if [[ $# -lt 1 ]]; then
  echo "$usage" >&2
  exit 2
fi
target="$1"
shift
bash "$repo_root/tools/venv.sh"
cd "$repo_root"
case "$target" in
  etl)
    exec .venv/bin/python -m spotify_etl.local --staging etl/sample --out out/local "$@"
    ;;
  queries)
    if [[ ! -d out/local/warehouse/tracks ]]; then
      echo "local: out/local/warehouse/tracks is missing: run 'npm run local -- etl' first" >&2
      exit 1
    fi
    PYTHONPATH="$repo_root/queries" exec .venv/bin/python -m athena_sql.local --warehouse out/local/warehouse "$@"
    ;;
  -h|--help)
    echo "$usage"
    ;;
  *)
    echo "local: unknown target '$target'; $usage" >&2
    exit 2
    ;;
esac
