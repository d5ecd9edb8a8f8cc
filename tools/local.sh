#!/usr/bin/env bash
# `npm run local -- <etl|rollback|queries|dashboard> [extra arguments]`: runs a layer's code on this machine.
#   etl        the Glue job's transforms on local Spark, committed sample -> out/local/
#   rollback   the local warehouse table back to the snapshot before a run (--run ID), or --list
#   queries    every queries/*.sql on DuckDB over out/local/warehouse (run `etl` first)
#   dashboard  the dashboard definition drawn from DuckDB over out/local/warehouse (running `etl`
#              first when it is missing) -> out/local/dashboard/index.html and dashboard.png
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage="usage: npm run local -- <etl|rollback|queries|dashboard> [extra arguments for the runner; --help shows them]"
targets="  etl        the Glue job's transforms on local Spark: etl/sample -> out/local/
  rollback   out/local's warehouse table back to the snapshot before a run: --run <run_id>, or --list
  queries    every queries/*.sql on DuckDB over out/local/warehouse
  dashboard  the dashboard drawn from DuckDB over out/local/warehouse -> out/local/dashboard/"
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
  rollback)
    exec .venv/bin/python -m spotify_etl.rollback --out out/local "$@"
    ;;
  queries)
    if [[ ! -f out/local/warehouse/catalog.db ]]; then
      echo "local: out/local/warehouse/catalog.db is missing: run 'npm run local -- etl' first" >&2
      exit 1
    fi
    exec .venv/bin/python -m query_engines.local --warehouse out/local/warehouse "$@"
    ;;
  dashboard)
    # A fresh checkout has no warehouse yet: make the default one from the committed sample, as
    # `etl` does (ETL progress and summary on stderr: stdout is the preview's).
    if [[ ! -f out/local/warehouse/catalog.db && " $* " != *" --warehouse"* ]]; then
      echo "local: out/local/warehouse/catalog.db is missing: running the local ETL on etl/sample first" >&2
      .venv/bin/python -m spotify_etl.local --staging etl/sample --out out/local >&2
    fi
    exec node tools/compiled.js dashboard "$@"
    ;;
  -h|--help)
    printf '%s\n%s\n' "$usage" "$targets"
    ;;
  *)
    echo "local: unknown target '$target'; $usage" >&2
    exit 2
    ;;
esac
