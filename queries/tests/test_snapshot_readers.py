"""Every reader of the warehouse table reads its current snapshot, and nothing else.

A killed run leaves files in the table's folder that no committed snapshot references: data
files, and a metadata file newer than the one the catalog names. Here both are made on a small
table (a stray copy of a data file in a partition folder and in a new one, and a second append
whose commit is undone in the catalog), and neither DuckDB (``query_engines.local.connect``) nor
Trino (``TrinoServer.register_warehouse``) sees a row more.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from query_engines.local import connect
from query_engines.trino_engine import TrinoServer
from spotify_etl.iceberg import LOCAL_CATALOG_FILE
from spotify_etl.local_table import current_files, load_table

SCHEMA = "snapshot_readers"


@pytest.fixture
def killed_run_leftovers(fresh_edge_warehouse: Path) -> tuple[Path, int]:
    """A warehouse root whose table folder holds the leftovers of a killed run; its row count."""
    root = fresh_edge_warehouse
    table = load_table(root)
    count = table.scan().to_arrow().num_rows
    committed = table.metadata_location
    # A second append writes its data files and a newer metadata file; undoing the catalog's
    # pointer leaves both uncommitted, as a run killed before its commit does.
    table.append(table.scan().to_arrow())
    assert load_table(root).scan().to_arrow().num_rows == 2 * count
    with sqlite3.connect(root / LOCAL_CATALOG_FILE) as catalog:
        catalog.execute("UPDATE iceberg_tables SET metadata_location = ?", (committed,))
    assert load_table(root).metadata_location == committed
    source = Path(current_files(load_table(root))[0])
    shutil.copy(source, source.with_name("stray-" + source.name))
    (source.parent.parent / "release_year=1900").mkdir()
    shutil.copy(source, source.parent.parent / "release_year=1900" / source.name)
    data = source.parent.parent
    assert len(list(data.rglob("*.parquet"))) > len(current_files(load_table(root))) + 2
    return root, count


def test_duckdb_reads_the_current_snapshot_only(killed_run_leftovers: tuple[Path, int]) -> None:
    root, count = killed_run_leftovers
    connection = connect(root)
    try:
        assert connection.sql("SELECT count(*) FROM tracks").fetchall() == [(count,)]
        assert connection.sql("SELECT count(*) FROM tracks WHERE release_year = 1900").fetchall() == [(0,)]
    finally:
        connection.close()


def test_trino_reads_the_snapshot_the_catalog_names(
    trino_server: TrinoServer, killed_run_leftovers: tuple[Path, int]
) -> None:
    root, count = killed_run_leftovers
    registered = trino_server.register_warehouse(root, SCHEMA)
    assert registered == load_table(root).metadata_location.rsplit("/", 1)[-1]
    newest = max((root / "tracks" / "metadata").glob("*.metadata.json"), key=lambda path: path.name)
    assert newest.name != registered, "the killed run's metadata file is the newest"
    assert len(trino_server.warehouse_rows(SCHEMA).rows) == count
    # Registered again (as after a rerun), at the catalog's snapshot again.
    trino_server.register_warehouse(root, SCHEMA)
    assert trino_server.query("SELECT count(*) FROM tracks", SCHEMA).rows == [(count,)]
