"""Run every query of the catalog on DuckDB over the local warehouse's Iceberg table.

``--warehouse`` is the local Iceberg warehouse root the ETL writes (``out/local/warehouse``: the
catalog ``catalog.db`` and the table ``tracks/``). ``tracks`` is loaded into DuckDB from the
table's current snapshot only, through its catalog (``spotify_etl.local_table.read_current``,
pyiceberg): the table folder also holds files no snapshot references (a killed run's, an old
snapshot's), so no Parquet file is ever globbed. Its columns and types are checked against the
ETL's warehouse contract, then the views are created in dependency order from their transpiled
SQL, then every query is run and its output columns are checked against its ``*.schema.json``.

CLI (from the repository root)::

    .venv/bin/python -m query_engines.local --warehouse out/local/warehouse
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from pyiceberg.exceptions import NoSuchNamespaceError, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from query_engines.catalog import Catalog, CatalogError, QuerySpec, load_catalog
from query_engines.schemas import ActualColumn, hive_to_duckdb, schema_mismatches
from query_engines.transpile import TranspileError, to_duckdb
from spotify_etl.contract import parse_contract
from spotify_etl.errors import ContractError
from spotify_etl.local_table import read_current

REPO_ROOT = Path(__file__).resolve().parents[2]
WAREHOUSE_CONTRACT = REPO_ROOT / "etl" / "spotify_etl" / "contracts" / "warehouse_schema.json"


class WarehouseError(ValueError):
    """The local warehouse is missing or does not match the warehouse contract."""


@dataclass(frozen=True)
class QueryResult:
    spec: QuerySpec
    columns: tuple[ActualColumn, ...]
    rows: list[tuple[object, ...]]
    mismatches: tuple[str, ...]

    def records(self) -> list[dict[str, Any]]:
        names = [column.name for column in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class WarehouseContract:
    """The part of ``warehouse_schema.json`` the SQL relies on, with DuckDB types."""

    table: str
    columns: dict[str, str]
    """Every column and partition key -> its DuckDB type."""
    partition_keys: dict[str, str]
    """Partition key -> its DuckDB type, in directory order."""


def load_contract(path: Path = WAREHOUSE_CONTRACT) -> WarehouseContract:
    """The ETL's warehouse contract with DuckDB types, parsed by ``spotify_etl.contract`` (the
    one reader of that file) so the SQL is checked against exactly what the job enforces."""
    try:
        contract = parse_contract(path.read_text(encoding="utf-8"), where=str(path))
        # parse_contract accepts only the column type table's types, and DuckDB spells each of them.
        columns = {c.name: hive_to_duckdb(c.type) for c in contract.all_columns}
        partition_keys = {c.name: hive_to_duckdb(c.type) for c in contract.partition_keys}
    except FileNotFoundError as error:
        raise WarehouseError(f"{path}: warehouse contract not found") from error
    except ContractError as error:
        raise WarehouseError(str(error)) from error
    return WarehouseContract(contract.table, columns, partition_keys)


def read_warehouse(warehouse: Path) -> pa.Table:
    """Every row of the warehouse table's current snapshot, read through the local Iceberg catalog
    under ``warehouse`` (the warehouse root); a missing catalog or table says how to make one."""
    try:
        return read_current(warehouse)
    except FileNotFoundError as error:
        raise WarehouseError(str(error)) from None
    except (OSError, ValueError, NoSuchNamespaceError, ValidationError, SQLAlchemyError) as error:
        raise WarehouseError(f"{warehouse}: the warehouse table cannot be read: {error}") from error


def connect(
    warehouse: Path, contract_path: Path = WAREHOUSE_CONTRACT
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with ``tracks`` holding the current snapshot of the Iceberg table under
    the warehouse root ``warehouse``, checked against the contract (column names and types,
    partition keys included)."""
    contract = load_contract(contract_path)
    rows = read_warehouse(warehouse)
    connection = duckdb.connect(":memory:")
    connection.register("current_snapshot", rows)
    connection.execute(f"CREATE TABLE {contract.table} AS SELECT * FROM current_snapshot")
    connection.unregister("current_snapshot")
    relation = connection.sql(f"SELECT * FROM {contract.table}")
    actual = {name: str(kind) for name, kind in zip(relation.columns, relation.types, strict=True)}
    problems = [
        f"{name}: contract {kind}, Iceberg table {actual.get(name, 'missing')}"
        for name, kind in contract.columns.items()
        if actual.get(name) != kind
    ] + [
        f"{name}: in the Iceberg table but not in the contract"
        for name in actual
        if name not in contract.columns
    ]
    if problems:
        connection.close()
        raise WarehouseError(
            f"the table under {warehouse} does not match {contract_path}:\n  " + "\n  ".join(problems)
        )
    return connection


def create_views(connection: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Create every view of the catalog, in dependency order, from its transpiled SQL."""
    try:
        connection.sql(f"SELECT * FROM {catalog.warehouse_table} LIMIT 0")
    except duckdb.CatalogException as error:
        raise WarehouseError(
            f"the SQL reads the warehouse table {catalog.warehouse_table!r}, which the warehouse "
            f"contract the connection was made with does not name: {error}"
        ) from error
    for spec in catalog.views:
        sql = to_duckdb(spec.sql, spec.sql_path)
        try:
            connection.execute(f"CREATE VIEW {spec.name} AS {sql}")
        except duckdb.Error as error:
            raise TranspileError(f"{spec.sql_path}: DuckDB rejected the view: {error}") from error


def run_query(connection: duckdb.DuckDBPyConnection, spec: QuerySpec) -> QueryResult:
    """Execute one query (views: after ``create_views``) and compare its output columns
    with the declaration."""
    # A view is read through the DuckDB view created from its transpiled SQL, in a fixed
    # order (views have none of their own); a named query runs as written (ORDER BY kept).
    sql = (
        f"SELECT * FROM {spec.name} ORDER BY ALL"
        if spec.is_view
        else to_duckdb(spec.sql, spec.sql_path)
    )
    try:
        relation = connection.sql(sql)
        columns = tuple(
            ActualColumn(name, str(kind))
            for name, kind in zip(relation.columns, relation.types, strict=True)
        )
        rows = relation.fetchall()
    except duckdb.Error as error:
        raise TranspileError(f"{spec.sql_path}: DuckDB failed: {error}") from error
    return QueryResult(
        spec=spec,
        columns=columns,
        rows=rows,
        mismatches=tuple(schema_mismatches(spec.columns, columns)),
    )


def run_all(
    warehouse: Path,
    catalog: Catalog | None = None,
    contract_path: Path = WAREHOUSE_CONTRACT,
) -> list[QueryResult]:
    """Every query of ``catalog`` (default: queries/, ``load_catalog``) on the warehouse."""
    if catalog is None:
        catalog = load_catalog()
    connection = connect(warehouse, contract_path)
    try:
        create_views(connection, catalog)
        return [run_query(connection, spec) for spec in catalog]
    finally:
        connection.close()


def _cell(value: object, width: int) -> str:
    if value is None:
        text = "NULL"
    elif isinstance(value, float):
        text = "NaN" if math.isnan(value) else f"{value:.4f}"
    else:
        text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(result: QueryResult, max_rows: int, max_width: int = 32) -> str:
    """A plain-text table: header with Athena-declared types, the first rows, the row count."""
    headers = [column.name for column in result.columns]
    shown = result.rows if max_rows < 0 else result.rows[:max_rows]
    cells = [[_cell(value, max_width) for value in row] for row in shown]
    widths = [
        max([len(header)] + [len(row[index]) for row in cells])
        for index, header in enumerate(headers)
    ]
    numeric = [
        column.duckdb_type.upper() in {"INTEGER", "BIGINT", "DOUBLE", "SMALLINT", "TINYINT"}
        for column in result.columns
    ]

    def line(values: Sequence[str]) -> str:
        return " | ".join(
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ).rstrip()

    output = [line(headers), "-+-".join("-" * width for width in widths)]
    output.extend(line(row) for row in cells)
    total = len(result.rows)
    output.append(
        f"({total} row{'s' if total != 1 else ''}"
        + (f", first {len(cells)} shown" if len(cells) < total else "")
        + ")"
    )
    return "\n".join(output)


def add_warehouse_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every local DuckDB runner takes: where the warehouse and the contract are."""
    parser.add_argument(
        "--warehouse",
        type=Path,
        required=True,
        help="the local Iceberg warehouse root: its catalog catalog.db and the table tracks/ "
        "(e.g. out/local/warehouse)",
    )
    parser.add_argument(
        "--contract",
        type=Path,
        default=WAREHOUSE_CONTRACT,
        help="warehouse contract JSON (default: etl/spotify_etl/contracts/warehouse_schema.json)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m query_engines.local",
        description=(
            "Run every Athena view and named query of queries/ on DuckDB over the current "
            "snapshot of the local Iceberg warehouse table the ETL writes, check each output "
            "against its *.schema.json and print the results."
        ),
    )
    add_warehouse_arguments(parser)
    parser.add_argument(
        "--rows", type=int, default=10, help="rows to print per query (-1: all; default 10)"
    )
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="run only this query (repeatable)"
    )
    args = parser.parse_args(argv)

    try:
        results = run_all(args.warehouse, contract_path=args.contract)
    except (CatalogError, TranspileError, WarehouseError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.only:
        unknown = sorted(set(args.only) - {result.spec.name for result in results})
        if unknown:
            print(f"error: no such query: {', '.join(unknown)}", file=sys.stderr)
            return 2
        results = [result for result in results if result.spec.name in args.only]

    failed = 0
    for result in results:
        spec = result.spec
        title = f"{spec.name} ({spec.kind}): {spec.description}"
        print(title)
        print("=" * min(len(title), 100))
        if spec.is_view:
            print("(a view has no row order; rows shown sorted by all columns)")
        print(format_table(result, args.rows))
        if result.mismatches:
            failed += 1
            print(f"SCHEMA MISMATCH with {spec.schema_path.name}:")
            for problem in result.mismatches:
                print(f"  - {problem}")
        print()
    if failed:
        print(f"{failed} of {len(results)} queries do not match their declared schema",
              file=sys.stderr)
        return 1
    print(f"{len(results)} queries ran; every output matches its declared schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
