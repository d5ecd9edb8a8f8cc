"""The Athena SQL and the Glue tables, exactly as the program declares them, on a real Trino.

Athena engine v3 is built on Trino; DuckDB (the other tests) hides Trino's typing. Here a local
Trino 476 (tools/trino.sh, query_engines.trino_engine) reads:

- the Glue databases and views of ``npm run synth -- dev`` (query_engines.glue_catalog writes them
  into Trino's file metastore field by field: the queries layer's views as their Presto view
  text), read by Trino's Iceberg connector as Athena reads Glue;
- the etl layer's warehouse table, an Iceberg table, registered under its declared name from the
  Iceberg table the ETL commits from the committed sample (and from the edge-case table) at the
  snapshot the local catalog names (``TrinoServer.register_warehouse``);
- the named queries' SQL as saved.

It checks that the table Trino reads has the declared columns and the current snapshot's rows and
partitions, that every view
and named query runs, that each output has exactly the declared names and types (what Trino
computes, not what a view casts it to), that the views pass Trino's stale-view check, and that the
results equal DuckDB's on the same data. The last tests show what Trino refuses (the view
encodings the program no longer uses) and that a declared type Trino does not compute fails.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from query_engines.catalog import Catalog, Column, QuerySpec, load_catalog
from query_engines.genre_rule import genre_rule_problems
from query_engines.glue_catalog import (
    EXTERNAL_TABLE,
    DeclaredCatalog,
    GlueTable,
    decode_presto_view,
    encode_presto_view,
)
from query_engines.local import QueryResult
from query_engines.schemas import trino_schema_mismatches, trino_spelling
from query_engines.trino_engine import QueryOutput, TrinoError, TrinoServer
from spotify_etl.local_table import load_table

TOLERANCE = 1e-9
CATALOG = load_catalog()
NAMES = [spec.name for spec in CATALOG]
VIEWS = [spec.name for spec in CATALOG.views]
ROW_KEY = ("album_id", "track_id")
ICEBERG_TO_TRINO = {
    "string": "varchar", "int": "integer", "long": "bigint", "double": "double", "boolean": "boolean", "date": "date",
}


@dataclass(frozen=True)
class InstalledCatalog:
    """The declared catalog installed in Trino over one warehouse."""

    declared: DeclaredCatalog
    warehouse: Path
    warehouse_table: GlueTable

    @property
    def schema(self) -> str:
        return self.warehouse_table.database


@dataclass(frozen=True)
class TrinoRun:
    spec: QuerySpec
    named: QueryOutput | TrinoError
    """The Athena named query, run as saved (its SQL, in its database), or Trino's error."""
    view: QueryOutput | TrinoError | None
    """``SELECT * FROM <view>``: the Glue view as Trino reads it (views only), or Trino's error."""

    def named_output(self) -> QueryOutput:
        return _output(self.named, f"{self.spec.kind} {self.spec.name}: the named query fails on Trino")

    def view_output(self) -> QueryOutput:
        assert self.view is not None, f"{self.spec.name} is not a view"
        return _output(self.view, f"view {self.spec.name}: reading it fails on Trino")


def _output(value: QueryOutput | TrinoError, failure: str) -> QueryOutput:
    if isinstance(value, TrinoError):
        pytest.fail(f"{failure}: {value}", pytrace=False)
    return value


def _run(server: TrinoServer, sql: str, schema: str) -> QueryOutput | TrinoError:
    try:
        return server.query(sql, schema)
    except TrinoError as error:
        return error


@pytest.fixture(scope="session")
def trino_catalog(
    trino_server: TrinoServer, declared_catalog: DeclaredCatalog, warehouse: Path
) -> InstalledCatalog:
    """Every declared Glue table in Trino's metastore, the warehouse table registered from ``warehouse``."""
    external = [table for table in declared_catalog.tables if table.table_type == EXTERNAL_TABLE]
    assert [table.name for table in external] == ["tracks"], "the etl layer declares one warehouse table"
    trino_server.install_catalog(declared_catalog, warehouse)
    return InstalledCatalog(declared_catalog, warehouse, external[0])


@pytest.fixture(scope="session")
def trino_results(
    trino_server: TrinoServer, trino_catalog: InstalledCatalog, catalog: Catalog
) -> dict[str, TrinoRun]:
    runs: dict[str, TrinoRun] = {}
    for spec in catalog:
        named_query = trino_catalog.declared.named_query(spec.name)
        named = _run(trino_server, named_query.query, named_query.database)
        view = _run(trino_server, f"SELECT * FROM {spec.name}", trino_catalog.schema) if spec.is_view else None
        runs[spec.name] = TrinoRun(spec, named, view)
    return runs


# --- the warehouse table -----------------------------------------------------------------


def test_warehouse_table_is_read_as_declared(
    trino_server: TrinoServer, trino_catalog: InstalledCatalog
) -> None:
    """Trino reads the warehouse table as an Iceberg table (format version 2, Parquet, partitioned
    by the declared partition key) with the declared columns and types, at the table's location."""
    table = trino_catalog.warehouse_table
    assert table.iceberg is not None, "the etl layer declares the warehouse table as an Iceberg table"
    described = trino_server.query("DESCRIBE tracks", trino_catalog.schema).rows
    expected = [(name, ICEBERG_TO_TRINO[kind]) for name, kind in table.iceberg.columns]
    assert [(row[0], row[1]) for row in described] == expected
    ddl = str(trino_server.query("SHOW CREATE TABLE tracks", trino_catalog.schema).rows[0][0])
    assert "format = 'PARQUET'" in ddl, ddl
    assert f"format_version = {table.iceberg.format_version}" in ddl, ddl
    assert f"location = '{load_table(trino_catalog.warehouse).metadata.location}'" in ddl, ddl
    assert all(transform == "identity" for _, transform in table.iceberg.partition_fields)
    keys = ", ".join(f"'{name}'" for name, _ in table.iceberg.partition_fields)
    assert f"partitioning = ARRAY[{keys}]" in ddl, ddl


def test_warehouse_table_reads_the_current_snapshot_with_its_partitions(
    trino_server: TrinoServer, trino_catalog: InstalledCatalog, raw_rows: list[dict[str, Any]]
) -> None:
    snapshot = load_table(trino_catalog.warehouse)
    files = trino_server.query('SELECT file_path FROM "tracks$files"', trino_catalog.schema).rows
    assert sorted(str(row[0]) for row in files) == sorted(task.file.file_path for task in snapshot.scan().plan_files())
    partitions = trino_server.query(
        'SELECT partition.release_year FROM "tracks$partitions" ORDER BY 1', trino_catalog.schema
    ).rows
    assert [row[0] for row in partitions] == sorted({row["release_year"] for row in raw_rows})
    output = trino_server.warehouse_rows(trino_catalog.schema)
    assert_same_records(output.records(), raw_rows, ROW_KEY, "tracks")


# --- views and named queries ---------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_view_and_named_query_runs(trino_results: dict[str, TrinoRun], name: str) -> None:
    run = trino_results[name]
    assert run.named_output().rows, f"{name}: the named query returned no rows on Trino"
    if run.spec.is_view:
        assert run.view_output().rows, f"view {name} returned no rows on Trino"


@pytest.mark.parametrize("name", NAMES)
def test_trino_computes_exactly_the_declared_columns(
    trino_results: dict[str, TrinoRun], name: str
) -> None:
    """The SQL's own output types, as Trino computes them, equal the declaration exactly.

    A view's SELECT output is cast to the view's declared types when Trino can coerce them
    (``real`` to ``double``, ``varchar(5)`` to ``varchar``), so the declared type must be checked
    against the SQL itself: the named query is that SQL.
    """
    run = trino_results[name]
    problems = trino_schema_mismatches(run.spec.columns, run.named_output().columns)
    assert not problems, f"{run.spec.kind} {name}: " + "; ".join(problems)


@pytest.mark.parametrize("name", VIEWS)
def test_views_pass_trinos_stale_view_check_with_the_declared_columns(
    trino_server: TrinoServer, trino_results: dict[str, TrinoRun], trino_catalog: InstalledCatalog, name: str
) -> None:
    """Reading a view, Trino analyses its SQL against the declared columns (the stale-view
    check); the view then has exactly the declared columns, also in DESCRIBE."""
    run = trino_results[name]
    declared = [(column.name, trino_spelling(column.type)) for column in run.spec.columns]
    assert list(run.view_output().columns) == declared, f"view {name}"
    described = trino_server.query(f"DESCRIBE {name}", trino_catalog.schema).rows
    assert [(row[0], row[1]) for row in described] == declared, f"view {name}"


@pytest.mark.parametrize("name", VIEWS)
def test_the_view_text_is_the_named_query_and_the_file(
    trino_catalog: InstalledCatalog, catalog: Catalog, name: str
) -> None:
    table = trino_catalog.declared.table(trino_catalog.schema, name)
    assert table.view_original_text is not None
    definition = decode_presto_view(table.view_original_text)
    assert definition["originalSql"] == catalog[name].sql
    assert definition["originalSql"] == trino_catalog.declared.named_query(name).query
    assert definition["schema"] == trino_catalog.schema


@pytest.mark.parametrize("name", NAMES)
def test_trino_results_equal_duckdb_results(
    trino_results: dict[str, TrinoRun], results: dict[str, QueryResult], name: str
) -> None:
    """Same rows on Trino (the Glue view as deployed, or the named query) as on DuckDB."""
    run = trino_results[name]
    duck = results[name]
    named = run.named_output()
    assert [column.name for column in duck.columns] == named.names
    if run.spec.is_view:
        assert_same_rows(run.view_output().rows, duck.rows, ordered=False, label=f"view {name}")
        assert_same_rows(named.rows, duck.rows, ordered=False, label=f"named query {name}")
    else:
        # A named query has an ORDER BY: the order must agree too.
        assert_same_rows(named.rows, duck.rows, ordered=True, label=f"named query {name}")


def test_every_view_labels_a_missing_genre_as_unknown_on_trino(trino_results: dict[str, TrinoRun]) -> None:
    """The one rule for a missing genre (genre_rule.py) holds in the Glue views as Trino reads them."""
    with_genre = {
        name: run.view_output().records()
        for name, run in trino_results.items()
        if run.spec.is_view and "genre" in run.view_output().names
    }
    assert len(with_genre) >= 5, f"views with a genre column: {sorted(with_genre)}"
    assert genre_rule_problems(with_genre) == []


# --- what Trino refuses, and that these tests fail -----------------------------------------


@pytest.fixture
def probe(trino_server: TrinoServer, trino_catalog: InstalledCatalog) -> Iterator[Any]:
    """Install altered copies of declared Glue tables under other names; removed afterwards."""
    installed: list[GlueTable] = []

    def install(table: GlueTable, name: str, **changes: Any) -> str:
        copy = dataclasses.replace(table, name=name, **changes)
        trino_server.install_catalog(trino_catalog.declared, None, [copy])
        installed.append(copy)
        return name

    yield install
    for table in installed:
        directory = trino_server.metastore_dir / table.database / table.name
        for path in sorted(directory.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        directory.rmdir()


def _view(trino_catalog: InstalledCatalog, name: str) -> tuple[GlueTable, dict[str, Any]]:
    table = trino_catalog.declared.table(trino_catalog.schema, name)
    assert table.view_original_text is not None
    return table, decode_presto_view(table.view_original_text)


def test_trino_refuses_a_definer_view_without_an_owner(
    trino_server: TrinoServer, trino_catalog: InstalledCatalog, probe: Any
) -> None:
    """The encoding the program used before: SECURITY DEFINER with no owner (views created by
    Athena's CREATE VIEW fail the same way in Trino, trinodb/trino#18573). A definer owner would
    do for Trino; the program declares SECURITY INVOKER instead (infra/queries/prestoView.ts)."""
    table, definition = _view(trino_catalog, "genre_summary")
    definer = encode_presto_view({**definition, "runAsInvoker": False})
    name = probe(table, "probe_definer_view", view_original_text=definer)
    with pytest.raises(TrinoError, match="Run-as identity must be set for a run-as definer view"):
        trino_server.query(f"SELECT * FROM {name}", trino_catalog.schema)
    owned = probe(table, "probe_owned_definer_view", view_original_text=definer, owner="hadoop")
    assert trino_server.query(f"SELECT count(*) FROM {owned}", trino_catalog.schema).rows[0][0] > 0


def test_a_glue_description_hides_a_view_from_trino(
    trino_server: TrinoServer, trino_catalog: InstalledCatalog, probe: Any
) -> None:
    """Trino's Glue metastore puts a table's description over its "Presto View" comment: the
    table is then no view (the Iceberg connector takes it for a table that is not Iceberg)."""
    table, _ = _view(trino_catalog, "genre_summary")
    name = probe(table, "probe_described_view", description="a description")
    with pytest.raises(TrinoError, match=r"does not exist|Not an Iceberg table"):
        trino_server.query(f"SELECT * FROM {name}", trino_catalog.schema)


def test_a_declared_type_trino_cannot_coerce_to_is_a_stale_view(
    trino_server: TrinoServer, trino_catalog: InstalledCatalog, probe: Any
) -> None:
    table, definition = _view(trino_catalog, "genre_summary")
    columns = [dict(column) for column in definition["columns"]]
    assert columns[1] == {"name": "track_count", "type": "bigint"}
    columns[1]["type"] = "integer"
    name = probe(table, "probe_stale_view", view_original_text=encode_presto_view({**definition, "columns": columns}))
    with pytest.raises(TrinoError, match=r"is stale.*track_count.*bigint.*integer"):
        trino_server.query(f"SELECT * FROM {name}", trino_catalog.schema)
    computed = trino_server.query(f"SELECT * FROM ({definition['originalSql']}\n) LIMIT 0", trino_catalog.schema)
    declared = [Column(column["name"], column["type"]) for column in columns]
    assert trino_schema_mismatches(declared, computed.columns) == [
        "column 'track_count': declared integer, Trino computes bigint"
    ]


def test_a_coercible_type_difference_passes_the_stale_check_but_fails_the_type_check(
    trino_server: TrinoServer, trino_catalog: InstalledCatalog, probe: Any
) -> None:
    """corr() over two integers is real in Trino; a view declaring double reads fine (real is
    cast to double), so only comparing the SQL's own types finds it (the popularity_needs bug)."""
    table, definition = _view(trino_catalog, "genre_summary")
    sql = "SELECT corr(track_popularity, artist_popularity) AS correlation FROM tracks"
    columns = [{"name": "correlation", "type": "double"}]
    name = probe(
        table,
        "probe_real_view",
        view_original_text=encode_presto_view({**definition, "originalSql": sql, "columns": columns}),
        columns=(),
    )
    assert trino_server.query(f"SELECT * FROM {name}", trino_catalog.schema).columns == (("correlation", "double"),)
    computed = trino_server.query(sql, trino_catalog.schema)
    assert trino_schema_mismatches([Column("correlation", "double")], computed.columns) == [
        "column 'correlation': declared double, Trino computes real"
    ]


# --- comparison helpers --------------------------------------------------------------------


def same(actual: object, expected: object) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    if isinstance(actual, float) or isinstance(expected, float):
        if isinstance(actual, bool) or isinstance(expected, bool):
            return False
        assert not (isinstance(actual, float) and math.isnan(actual)), "NaN from Trino"
        if not isinstance(actual, int | float | Decimal) or not isinstance(expected, int | float | Decimal):
            return False
        return math.isclose(float(actual), float(expected), rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return type(actual) is type(expected) and actual == expected


def _normalized(value: Any) -> tuple[int, Any]:
    """A sort key that orders any cell against any other of its column (None first)."""
    if value is None:
        return (0, 0)
    if isinstance(value, float):
        return (1, round(value, 6))
    if isinstance(value, (bool, int)):
        return (1, int(value))
    if isinstance(value, date):
        return (2, value.toordinal())
    return (3, str(value))


def _sorted(rows: Sequence[Sequence[Any]], float_columns: set[int]) -> list[Sequence[Any]]:
    """Rows by their exact columns first and their floating-point columns (rounded) last, so
    rows of two engines line up although the last bits of their doubles may differ."""

    def key(row: Sequence[Any]) -> tuple[tuple[int, Any], ...]:
        exact = [_normalized(value) for index, value in enumerate(row) if index not in float_columns]
        approximate = [_normalized(value) for index, value in enumerate(row) if index in float_columns]
        return (*exact, *approximate)

    return sorted(rows, key=key)


def assert_same_rows(
    trino_rows: Sequence[Sequence[Any]], duckdb_rows: Sequence[Sequence[Any]], ordered: bool, label: str
) -> None:
    assert len(trino_rows) == len(duckdb_rows), f"{label}: Trino {len(trino_rows)} rows, DuckDB {len(duckdb_rows)}"
    float_columns = {
        index for row in [*trino_rows, *duckdb_rows] for index, value in enumerate(row) if isinstance(value, float)
    }
    left = list(trino_rows) if ordered else _sorted(trino_rows, float_columns)
    right = list(duckdb_rows) if ordered else _sorted(duckdb_rows, float_columns)
    for index, (got, want) in enumerate(zip(left, right, strict=True)):
        for position, (a, b) in enumerate(zip(got, want, strict=True)):
            assert same(a, b), f"{label} row {index} column {position}: Trino {a!r}, DuckDB {b!r}\n  {got}\n  {want}"


def assert_same_records(
    actual: list[dict[str, Any]], expected: list[dict[str, Any]], keys: Sequence[str], label: str
) -> None:
    assert len(actual) == len(expected), f"{label}: {len(actual)} rows, expected {len(expected)}"
    by_key = {tuple(row[key] for key in keys): row for row in expected}
    assert len(by_key) == len(expected), f"{label}: {keys} is not unique"
    for row in actual:
        want = by_key[tuple(row[key] for key in keys)]
        assert set(row) == set(want), f"{label}: columns {sorted(row)} != {sorted(want)}"
        for column, value in want.items():
            if isinstance(value, date) or not isinstance(value, float):
                assert row[column] == value, f"{label} {[row[k] for k in keys]}: {column} = {row[column]!r}, expected {value!r}"
            else:
                assert same(row[column], value), f"{label} {[row[k] for k in keys]}: {column} = {row[column]!r}, expected {value!r}"
