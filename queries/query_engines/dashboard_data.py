"""The data of every visual of a dashboard, queried on DuckDB over the local warehouse.

The warehouse is the local Iceberg warehouse root (``out/local/warehouse``); the table is read at
its current snapshot through its catalog, by the same connection ``query_engines.local.connect``
builds for the query runner, never from a glob of its data files.

``npm run local -- dashboard`` (workbench/dashboard) writes the Athena SQL each visual of the
dashboard definition needs, as the JSON object ``{visualId: sql}``. This module creates the
catalog's views exactly as ``query_engines.local`` does, transpiles each visual's statement with
``to_duckdb``, runs it and writes ``{visualId: {"columns": [...], "rows": [[...], ...]}}`` with
JSON values only: dates and times as ISO 8601 strings, decimals as numbers, NaN and infinities
as null.

CLI (from the repository root)::

    .venv/bin/python -m query_engines.dashboard_data \\
        --warehouse out/local/warehouse --queries visual-queries.json --out visual-data.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import duckdb

from query_engines.catalog import CatalogError, load_catalog
from query_engines.local import (
    WAREHOUSE_CONTRACT,
    WarehouseError,
    add_warehouse_arguments,
    connect,
    create_views,
)
from query_engines.transpile import TranspileError, to_duckdb

JsonValue = None | bool | int | float | str


class DashboardDataError(ValueError):
    """The visual queries file is malformed, or one visual's query cannot be run or shown."""


@dataclass(frozen=True)
class VisualData:
    """One visual's query result: column names and rows of JSON values."""

    columns: tuple[str, ...]
    rows: list[list[JsonValue]]

    def to_json(self) -> dict[str, object]:
        return {"columns": list(self.columns), "rows": self.rows}


def load_visual_queries(path: Path) -> dict[str, str]:
    """Read ``{visualId: sql}``; fails naming the file and the entry that is wrong."""
    try:
        raw: object = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise DashboardDataError(f"{path}: no such visual queries file") from error
    except json.JSONDecodeError as error:
        raise DashboardDataError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(raw, dict) or not raw:
        raise DashboardDataError(f"{path}: must be a non-empty JSON object {{visualId: sql}}")
    queries: dict[str, str] = {}
    for visual_id, sql in raw.items():
        if not isinstance(sql, str) or not sql.strip():
            raise DashboardDataError(
                f"{path}: visual {visual_id!r}: the SQL must be a non-empty string"
            )
        queries[visual_id] = sql
    return queries


def json_value(value: object, where: str) -> JsonValue:
    """A DuckDB result value as a JSON value; ``where`` names it in the error for other types."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        # JSON has no NaN or infinity; a chart would drop such a point anyway.
        return number if math.isfinite(number) else None
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    raise DashboardDataError(
        f"{where}: a {type(value).__name__} value, which a dashboard visual cannot show "
        "(cast it to a number, a string or a date in the SQL)"
    )


def query_visual(
    connection: duckdb.DuckDBPyConnection, visual_id: str, sql: str
) -> VisualData:
    """Transpile one visual's Athena SQL and run it on ``connection`` (views already created)."""
    where = f"visual {visual_id!r}"
    duckdb_sql = to_duckdb(sql, where)
    try:
        relation = connection.sql(duckdb_sql)
        columns = tuple(relation.columns)
        rows = relation.fetchall()
    except duckdb.Error as error:
        raise DashboardDataError(f"{where}: DuckDB failed: {error}\nSQL:\n{sql}") from error
    return VisualData(
        columns=columns,
        rows=[
            [
                json_value(value, f"{where}, column {name!r}")
                for name, value in zip(columns, row, strict=True)
            ]
            for row in rows
        ],
    )


def run_visual_queries(
    warehouse: Path,
    queries: Mapping[str, str],
    contract_path: Path = WAREHOUSE_CONTRACT,
) -> dict[str, VisualData]:
    """Every visual's data, in the order of ``queries``, from the catalog's views over
    ``warehouse``."""
    catalog = load_catalog()
    connection = connect(warehouse, contract_path)
    try:
        # One thread: parallel partial aggregates are combined in no fixed order, which can change
        # the last bits of a floating-point average from run to run; the preview must be
        # reproducible, and its data is small.
        connection.execute("SET threads TO 1")
        create_views(connection, catalog)
        return {
            visual_id: query_visual(connection, visual_id, sql)
            for visual_id, sql in queries.items()
        }
    finally:
        connection.close()


def write_visual_data(data: Mapping[str, VisualData], path: Path) -> None:
    payload = {visual_id: result.to_json() for visual_id, result in data.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m query_engines.dashboard_data",
        description=(
            "Run each dashboard visual's Athena SQL on DuckDB over the current snapshot of the local Iceberg warehouse table "
            "(with the views of queries/ created as query_engines.local creates them) and write "
            "every visual's columns and rows as JSON."
        ),
    )
    add_warehouse_arguments(parser)
    parser.add_argument(
        "--queries", type=Path, required=True, help="JSON object {visualId: Athena SQL} to run"
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="JSON file to write {visualId: {columns, rows}} to"
    )
    args = parser.parse_args(argv)
    try:
        queries = load_visual_queries(args.queries)
        data = run_visual_queries(args.warehouse, queries, args.contract)
    except (CatalogError, DashboardDataError, TranspileError, WarehouseError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    write_visual_data(data, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
