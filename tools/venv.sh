#!/usr/bin/env bash
# Bootstraps .venv from the pinned Python requirements and re-installs only
# when a requirements file changed, so repeated test runs start in seconds.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.venv"
requirements=("$repo_root/etl/requirements-dev.txt" "$repo_root/queries/requirements-dev.txt" "$repo_root/dashboards/requirements-dev.txt")
# The repository's own packages, installed editable; queries/ declares its dependency on etl/.
packages=("$repo_root/etl" "$repo_root/queries" "$repo_root/dashboards")
python_bin="${PYTHON:-python3}"

stamp="$(cat "${requirements[@]}" "${packages[@]/%//pyproject.toml}" | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.requirements-stamp" 2>/dev/null)" != "$stamp" ]]; then
  echo "venv: installing pinned Python requirements into $venv" >&2
  "$python_bin" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  for requirement_file in "${requirements[@]}"; do
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirement_file"
  done
  # --no-deps: the packages' dependencies are the pinned ones above (and spotify-etl is not on PyPI);
  # pip check then fails when a package declares one that is not installed.
  for package in "${packages[@]}"; do
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$package"
  done
  "$venv/bin/python" -m pip check --disable-pip-version-check >&2
  echo "$stamp" > "$venv/.requirements-stamp"
fi
if ! command -v java >/dev/null 2>&1; then
  echo "venv: PySpark needs a Java runtime (17): apt-get install openjdk-17-jre-headless" >&2
  exit 1
fi
# The local Spark session loads the Iceberg runtime from the Maven repository (silent when it is there).
bash "$repo_root/tools/iceberg.sh"
