"""What Athena would scan for each query, estimated from Parquet footers, in three layouts.

Athena bills the bytes it reads from S3. For Parquet that is the column chunks of the columns a
query references, in the files of the partitions it touches; for CSV it is every byte of every
file. This module estimates both from the files themselves:

* the columns: each query is parsed with sqlglot (Athena dialect), the catalog's views are
  expanded into it, common table expressions are inlined (Trino reads a WITH query once per
  reference), and sqlglot's optimizer prunes every column no output needs. What is left, per
  scan of the warehouse table, is the set of columns Athena would read;
* the partitions: the conditions of a scan's WHERE that reference only the partition key are
  evaluated on DuckDB against every partition value; a scan without one touches all;
* the bytes: ``total_compressed_size`` of the referenced columns' chunks (DuckDB's
  ``parquet_metadata()``), summed over the row groups of the touched files.

The partitioned layout's files are the data files of the Iceberg table's current snapshot, as its
catalog lists them (``spotify_etl.local_table``), each with its partition value from the
snapshot's manifests: the table folder also holds files no snapshot references (a killed run's,
an expired snapshot's), which Athena never reads, so it is never globbed.

Not modelled: the footer reads themselves, row groups skipped through min/max statistics, and
Athena's rounding (up to the next MB, at least 10 MB per query; the cost model applies those).

The three layouts, built from the same generated input: ``csv`` (the staging CSV: the warehouse
table is the join of all three sources, so each scan reads every file in full), ``parquet`` (the
original project's layout: one unpartitioned Parquet table with every column, release_year
included, written here by DuckDB from the current snapshot's rows) and ``partitioned`` (the ETL's
own Iceberg table, partitioned by release_year).

CLI (from the repository root; prints JSON)::

    .venv/bin/python -m query_engines.scan_cost --warehouse <etl out>/warehouse \\
        --staging <staging dir> --queries queries.json [--out scan-cost.json]

``queries.json`` is ``{name: Athena SQL}`` over the warehouse table and the catalog's views.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from pyiceberg.table import Table
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer import optimize
from sqlglot.optimizer.scope import traverse_scope

from query_engines.catalog import CatalogError, load_catalog
from query_engines.dashboard_data import DashboardDataError, load_visual_queries
from query_engines.local import WarehouseContract, WarehouseError, load_contract
from query_engines.transpile import READ_DIALECT, WRITE_DIALECT, TranspileError, parse_one_statement
from spotify_etl.local_table import load_table

LAYOUTS = ("csv", "parquet", "partitioned")


class ScanCostError(ValueError):
    """A query cannot be analysed, or a layout's files are missing or unreadable."""


@dataclass(frozen=True)
class TableScan:
    """One read of the warehouse table by a query."""

    columns: frozenset[str]
    partition_filter: str | None
    """DuckDB SQL over the unqualified partition key column alone; None: every partition."""


@dataclass(frozen=True)
class ParquetFile:
    """The column chunk sizes of one Parquet file, from its footer."""

    path: Path
    partition: int | None
    """The partition key's value (from the Iceberg partition, or the file's ``key=value``
    directory); None in an unpartitioned table."""
    column_bytes: Mapping[str, int]
    """Column -> total compressed size of its chunks over every row group."""


def _inline_ctes(tree: exp.Expr) -> exp.Expr:
    """Every reference to a WITH query replaced by its own copy of the query, as Trino plans it."""
    while (with_ := tree.find(exp.With)) is not None:
        owner = with_.parent
        sources = {cte.alias_or_name: cte.this for cte in with_.expressions}
        with_.pop()
        if owner is None:
            raise ScanCostError("a WITH clause outside a query")
        owner.replace(exp.expand(owner, sources, dialect=READ_DIALECT, copy=False))
    return tree


def _conjuncts(where: exp.Where | None) -> list[exp.Expr]:
    return [] if where is None else list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]


def table_scans(
    sql: str, views: Mapping[str, str], table: str, columns: Iterable[str], partition_key: str, source: str
) -> tuple[TableScan, ...]:
    """Each read of ``table`` by ``sql`` after expanding ``views`` (name -> SQL) into it."""
    parsed_views: dict[str, exp.Query | Callable[[], exp.Query]] = {
        name: parse_one_statement(text, f"view {name}") for name, text in views.items()
    }
    try:
        tree = exp.expand(parse_one_statement(sql, source), parsed_views, dialect=READ_DIALECT)
        tree = optimize(_inline_ctes(tree), schema={table: dict.fromkeys(columns, "VARCHAR")}, dialect=READ_DIALECT)
        # The optimizer turns repeated subqueries back into one WITH query: inline those too.
        tree = _inline_ctes(tree)
    except SqlglotError as error:
        raise ScanCostError(f"{source}: cannot analyse the SQL: {error}") from error
    scans: list[TableScan] = []
    for scope in traverse_scope(tree):
        for alias, (_, node) in scope.selected_sources.items():
            if not (isinstance(node, exp.Table) and node.name == table):
                continue
            used = frozenset(column.name for column in scope.columns if column.table == alias)
            pruning = [
                condition
                for condition in _conjuncts(scope.expression.args.get("where"))
                if {(column.table, column.name) for column in condition.find_all(exp.Column)} == {(alias, partition_key)}
            ]
            predicate = None
            if pruning:
                unqualified = [condition.copy().transform(_drop_qualifier) for condition in pruning]
                predicate = " AND ".join(f"({condition.sql(dialect=WRITE_DIALECT)})" for condition in unqualified)
            scans.append(TableScan(used, predicate))
    if not scans:
        raise ScanCostError(f"{source}: does not read the warehouse table {table!r}")
    return tuple(scans)


def _drop_qualifier(node: exp.Expr) -> exp.Expr:
    return exp.column(node.name, quoted=True) if isinstance(node, exp.Column) else node


def touched_partitions(scan: TableScan, partitions: Iterable[int], partition_key: str) -> frozenset[int]:
    """The partition values ``scan`` reads: those its partition filter keeps, else all."""
    values = sorted(set(partitions))
    if scan.partition_filter is None or not values:
        return frozenset(values)
    rows = ", ".join(f"({value})" for value in values)
    with duckdb.connect(":memory:") as connection:
        kept = connection.execute(
            f'SELECT "{partition_key}" FROM (VALUES {rows}) AS p("{partition_key}") WHERE {scan.partition_filter}'
        ).fetchall()
    return frozenset(int(row[0]) for row in kept)


def _footer_sizes(connection: duckdb.DuckDBPyConnection, path: Path) -> dict[str, int]:
    rows = connection.execute(
        "SELECT path_in_schema, sum(total_compressed_size) FROM parquet_metadata(?) GROUP BY path_in_schema",
        [str(path)],
    ).fetchall()
    return {str(column): int(size) for column, size in rows}


def parquet_files(paths: Iterable[tuple[Path, int | None]]) -> tuple[ParquetFile, ...]:
    """Each ``(path, partition value)`` with the column chunk sizes of its footer."""
    with duckdb.connect(":memory:") as connection:
        return tuple(ParquetFile(path, partition, _footer_sizes(connection, path)) for path, partition in paths)


def snapshot_files(table: Table, partition_key: str) -> tuple[ParquetFile, ...]:
    """The data files of the Iceberg table's current snapshot, with their partition values (the
    identity partition on ``partition_key``) and footer sizes; no file outside the snapshot."""
    fields = [field.name for field in table.spec().fields]
    if partition_key not in fields:
        raise ScanCostError(f"{table.metadata.location}: not partitioned by {partition_key} (partition fields: {fields})")
    position = fields.index(partition_key)
    entries: list[tuple[Path, int | None]] = []
    for task in table.scan().plan_files():
        if task.file.spec_id != table.spec().spec_id:
            raise ScanCostError(f"{task.file.file_path}: written with an earlier partition spec")
        value = task.file.partition[position]
        entries.append((Path(task.file.file_path.removeprefix("file://").removeprefix("file:")), None if value is None else int(value)))
    if not entries:
        raise ScanCostError(f"{table.metadata.location}: the current snapshot has no data files")
    return parquet_files(sorted(entries))


def parquet_scan_bytes(scan: TableScan, files: Sequence[ParquetFile], partition_key: str) -> int:
    """Bytes of the chunks of ``scan``'s columns in the files of the partitions it touches (the
    partition key's own chunks only in an unpartitioned file)."""
    partitioned = [file for file in files if file.partition is not None]
    if partitioned and len(partitioned) != len(files):
        raise ScanCostError(f"files inside and outside {partition_key}= directories: {files[0].path.parent}")
    touched = touched_partitions(scan, (file.partition for file in partitioned if file.partition is not None), partition_key)
    # A partitioned file's key is its partition value, from the manifests: Trino's Iceberg reader
    # never reads that column's chunks, although Iceberg keeps them in the file.
    return sum(
        size
        for file in files
        if file.partition is None or file.partition in touched
        for column, size in file.column_bytes.items()
        if column in scan.columns and (file.partition is None or column != partition_key)
    )


def csv_bytes(staging: Path) -> int:
    """Every byte of the staging CSV files (Athena reads a CSV file whole)."""
    sizes = [path.stat().st_size for path in staging.rglob("*.csv") if path.is_file()]
    if not sizes:
        raise ScanCostError(f"{staging}: no CSV files")
    return sum(sizes)


def _literal(path: Path) -> str:
    return "'" + path.as_posix().replace("'", "''") + "'"


def write_unpartitioned(table: Table, target: Path) -> Path:
    """The current snapshot's rows as one Parquet file with every column, the partition key
    included (Iceberg keeps an identity partition's column in the data files)."""
    target.mkdir(parents=True, exist_ok=True)
    path = target / "tracks.parquet"
    rows = table.scan().to_arrow()
    with duckdb.connect(":memory:") as connection:
        connection.register("current_snapshot", rows)
        connection.execute(f"COPY current_snapshot TO {_literal(path)} (FORMAT parquet, COMPRESSION snappy)")
    return path


@dataclass(frozen=True)
class QueryEstimate:
    name: str
    columns: tuple[str, ...]
    """Warehouse columns read, over every scan, sorted."""
    scans: int
    partitions_touched: int
    """Partitions of the partitioned layout read, summed over the scans."""
    bytes: Mapping[str, int]
    """Layout -> estimated bytes scanned."""


def estimate_queries(
    queries: Mapping[str, str],
    views: Mapping[str, str],
    contract: WarehouseContract,
    layouts: Mapping[str, Sequence[ParquetFile]],
    csv_total: int,
) -> list[QueryEstimate]:
    """The estimate of every query in every layout (``layouts``: "parquet" and "partitioned" files)."""
    (partition_key,) = contract.partition_keys
    all_partitions = {file.partition for file in layouts["partitioned"] if file.partition is not None}
    estimates: list[QueryEstimate] = []
    for name, sql in queries.items():
        scans = table_scans(sql, views, contract.table, contract.columns, partition_key, name)
        estimates.append(
            QueryEstimate(
                name=name,
                columns=tuple(sorted(frozenset[str]().union(*(scan.columns for scan in scans)))),
                scans=len(scans),
                partitions_touched=sum(len(touched_partitions(scan, all_partitions, partition_key)) for scan in scans),
                bytes={
                    "csv": csv_total * len(scans),
                    **{
                        layout: sum(parquet_scan_bytes(scan, files, partition_key) for scan in scans)
                        for layout, files in layouts.items()
                    },
                },
            )
        )
    return estimates


def report(estimates: Sequence[QueryEstimate], layouts: Mapping[str, Sequence[ParquetFile]], csv_total: int) -> dict[str, object]:
    """The JSON the benchmark reads: each layout's size and file count, each query's estimate."""
    return {
        "layouts": {
            "csv": {"bytes": csv_total},
            **{
                layout: {
                    "bytes": sum(path.stat().st_size for path in {file.path for file in files}),
                    "files": len(files),
                    "partitions": len({file.partition for file in files if file.partition is not None}),
                }
                for layout, files in layouts.items()
            },
        },
        "queries": [
            {
                "name": item.name,
                "columns": list(item.columns),
                "scans": item.scans,
                "partitions_touched": item.partitions_touched,
                "bytes": dict(item.bytes),
            }
            for item in estimates
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m query_engines.scan_cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="the ETL's local Iceberg warehouse root (holds catalog.db and <table>/)")
    parser.add_argument("--staging", type=Path, required=True, help="the staging CSV the warehouse was built from")
    parser.add_argument("--queries", type=Path, required=True, help="JSON object {name: Athena SQL}")
    parser.add_argument("--out", type=Path, help="write the JSON here instead of stdout")
    args = parser.parse_args(argv)
    try:
        contract = load_contract()
        (partition_key,) = contract.partition_keys
        views = {spec.name: spec.sql for spec in load_catalog() if spec.is_view}
        queries = load_visual_queries(args.queries)
        table = load_table(args.warehouse)
        with tempfile.TemporaryDirectory(prefix="scan-cost-") as directory:
            unpartitioned = write_unpartitioned(table, Path(directory))
            layouts = {
                "parquet": parquet_files([(unpartitioned, None)]),
                "partitioned": snapshot_files(table, partition_key),
            }
            csv_total = csv_bytes(args.staging)
            document = report(estimate_queries(queries, views, contract, layouts, csv_total), layouts, csv_total)
    except (ScanCostError, TranspileError, CatalogError, DashboardDataError, WarehouseError, FileNotFoundError, duckdb.Error) as error:
        print(f"scan_cost: {error}", file=sys.stderr)
        return 1
    text = json.dumps(document, indent=2, sort_keys=True)
    if args.out is None:
        print(text)
    else:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
