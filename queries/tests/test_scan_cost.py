"""The scan-cost estimate: columns and partitions each query reads, bytes from the Parquet files of
the Iceberg table's current snapshot.

The expected bytes are measured here from the files' byte layout (where each column chunk starts,
and where the next thing in the file starts), not from the size the footer states and the module
sums, so a wrong column, partition or size field fails the test. A Parquet file in the table's
folder that the snapshot does not reference is not counted.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import duckdb
import pytest

from query_engines.catalog import Catalog
from query_engines.iceberg_table import write_warehouse_table
from query_engines.local import load_contract
from query_engines.scan_cost import (
    ScanCostError,
    csv_bytes,
    parquet_files,
    parquet_scan_bytes,
    snapshot_files,
    table_scans,
    write_unpartitioned,
)
from spotify_etl.local_table import current_files, load_table

COLUMNS = ("track_id", "genre", "track_popularity", "label")
KEY = "release_year"


def write_tiny_warehouse(root: Path) -> Path:
    """An Iceberg warehouse root whose table holds release_year 2000 and 2001, several row groups
    per file."""
    with duckdb.connect(":memory:") as connection:
        data = connection.sql(
            "SELECT 't' || i AS track_id, ['pop', 'rock', 'jazz'][1 + i % 3] AS genre, "
            "(i % 101)::INTEGER AS track_popularity, 'Label ' || (i % 7) AS label, (2000 + i % 2)::INTEGER AS release_year "
            "FROM range(6000) AS r(i)"
        ).to_arrow_table()
    write_warehouse_table(root, data, row_group_rows=1000)
    return root


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_warehouse(tmp_path_factory.mktemp("scan-cost") / "warehouse")


def chunk_extents(path: Path) -> dict[str, int]:
    """Column -> bytes its chunks occupy in the file: from each chunk's first page to where the
    next chunk, a bloom filter, the page index or the footer (its length is in the file's last 8
    bytes) starts."""
    data = path.read_bytes()
    footer_length = struct.unpack("<I", data[-8:-4])[0]
    assert data[-4:] == b"PAR1"
    with duckdb.connect(":memory:") as connection:
        chunks = connection.execute(
            "SELECT path_in_schema, coalesce(dictionary_page_offset, data_page_offset), "
            "bloom_filter_offset, column_index_offset, offset_index_offset FROM parquet_metadata(?) ORDER BY 2",
            [str(path)],
        ).fetchall()
    indexes = [offset for _, _, *offsets in chunks for offset in offsets if offset is not None]
    ends = [start for _, start, *_ in chunks[1:]] + [min([*indexes, len(data) - 8 - footer_length])]
    extents: dict[str, int] = {}
    for (column, start, *_), end in zip(chunks, ends, strict=True):
        extents[column] = extents.get(column, 0) + end - start
    return extents


def files_of(warehouse: Path, year: int | None = None) -> list[Path]:
    """The current snapshot's data files (of one partition), as the catalog lists them."""
    paths = [Path(path) for path in current_files(load_table(warehouse))]
    assert paths and all(path.is_file() for path in paths)
    return [path for path in paths if year is None or path.parent.name == f"{KEY}={year}"]


def estimate(sql: str, warehouse: Path, views: dict[str, str] | None = None) -> int:
    scans = table_scans(sql, views or {}, "tracks", (*COLUMNS, KEY), KEY, "test")
    files = snapshot_files(load_table(warehouse), KEY)
    return sum(parquet_scan_bytes(scan, files, KEY) for scan in scans)


def test_a_view_reading_two_columns_costs_exactly_their_chunks(tiny_warehouse: Path) -> None:
    views = {"two": "SELECT genre, track_popularity, label FROM tracks"}
    expected = sum(chunk_extents(path)[column] for path in files_of(tiny_warehouse) for column in ("genre", "track_popularity"))
    # The view selects label too, but nothing outside reads it: Athena prunes it, and so must the estimate.
    assert estimate("SELECT genre, avg(track_popularity) FROM two GROUP BY genre", tiny_warehouse, views) == expected
    assert expected < sum(sum(chunk_extents(path).values()) for path in files_of(tiny_warehouse))


def test_a_partition_filter_reads_only_its_partitions(tiny_warehouse: Path) -> None:
    only_2001 = sum(chunk_extents(path)["genre"] for path in files_of(tiny_warehouse, 2001))
    everything = sum(chunk_extents(path)["genre"] for path in files_of(tiny_warehouse))
    assert estimate("SELECT genre FROM tracks WHERE release_year = 2001 AND genre <> 'pop'", tiny_warehouse) == only_2001
    # A filter that is not on the partition key alone prunes nothing.
    assert estimate("SELECT genre FROM tracks WHERE release_year = 2001 OR genre = 'pop'", tiny_warehouse) == everything
    assert estimate("SELECT genre FROM tracks WHERE release_year > 2001", tiny_warehouse) == 0


def test_a_with_query_read_twice_is_scanned_twice(tiny_warehouse: Path) -> None:
    once = estimate("SELECT label FROM tracks", tiny_warehouse)
    twice = "WITH l AS (SELECT label FROM tracks) SELECT label FROM l UNION ALL SELECT label FROM l"
    assert once > 0
    assert estimate(twice, tiny_warehouse) == 2 * once


def test_the_unpartitioned_layout_holds_every_row_and_the_partition_key(tiny_warehouse: Path, tmp_path: Path) -> None:
    single = write_unpartitioned(load_table(tiny_warehouse), tmp_path / "flat")
    with duckdb.connect(":memory:") as connection:
        rows = connection.execute(f"SELECT count(*), count(DISTINCT {KEY}) FROM read_parquet('{single}')").fetchone()
    assert rows == (6000, 2)
    scans = table_scans("SELECT count(*) FROM tracks WHERE release_year = 2001", {}, "tracks", (*COLUMNS, KEY), KEY, "test")
    # Unpartitioned, the key is a column like any other: its chunks are read, of the one file.
    assert parquet_scan_bytes(scans[0], parquet_files([(single, None)]), KEY) == chunk_extents(single)[KEY]


def test_files_outside_the_current_snapshot_are_not_counted(tmp_path: Path) -> None:
    """A Parquet file in the table's data folder that no snapshot references (as a killed run
    leaves) changes neither the files, nor a partition's bytes, nor the unpartitioned layout."""
    warehouse = write_tiny_warehouse(tmp_path / "warehouse")
    table = load_table(warehouse)
    before = snapshot_files(table, KEY)
    only_2001 = estimate("SELECT genre FROM tracks WHERE release_year = 2001", warehouse)
    everything = estimate("SELECT genre FROM tracks", warehouse)
    (source,) = files_of(warehouse, 2001)
    shutil.copy(source, source.with_name("00000-0-stray-from-a-killed-run.parquet"))
    (source.parent.parent / f"{KEY}=1999").mkdir()
    shutil.copy(source, source.parent.parent / f"{KEY}=1999" / "stray.parquet")
    assert len(list((source.parent.parent).rglob("*.parquet"))) == len(before) + 2
    assert snapshot_files(load_table(warehouse), KEY) == before
    assert estimate("SELECT genre FROM tracks WHERE release_year = 2001", warehouse) == only_2001
    assert estimate("SELECT genre FROM tracks", warehouse) == everything
    single = write_unpartitioned(load_table(warehouse), tmp_path / "flat")
    with duckdb.connect(":memory:") as connection:
        assert connection.execute(f"SELECT count(*) FROM read_parquet('{single}')").fetchone() == (6000,)


def test_the_partition_value_comes_from_the_snapshot(tiny_warehouse: Path) -> None:
    files = snapshot_files(load_table(tiny_warehouse), KEY)
    assert {file.partition for file in files} == {2000, 2001}
    assert all(file.path.parent.name == f"{KEY}={file.partition}" for file in files)


def test_csv_is_read_whole_and_bad_input_is_named(tiny_warehouse: Path, tmp_path: Path) -> None:
    (tmp_path / "albums").mkdir()
    (tmp_path / "albums" / "a.csv").write_text("id,name\n1,x\n")
    (tmp_path / "albums" / "notes.txt").write_text("not data")
    assert csv_bytes(tmp_path) == len("id,name\n1,x\n")
    with pytest.raises(ScanCostError, match="no CSV files"):
        csv_bytes(tmp_path / "albums" / "missing")
    with pytest.raises(ScanCostError, match="does not read the warehouse table"):
        estimate("SELECT 1 AS one", tiny_warehouse)
    with pytest.raises(ValueError, match="the-query"):
        table_scans("SELEC genre FROM", {}, "tracks", COLUMNS, KEY, "the-query")


def test_the_dashboard_views_read_what_their_sql_needs(catalog: Catalog) -> None:
    contract = load_contract()
    views = {spec.name: spec.sql for spec in catalog if spec.is_view}
    (hit_score,) = table_scans("SELECT avg(hit_score) FROM hit_score_insights", views, contract.table, contract.columns, KEY, "kpi")
    # hit_score: the three popularities and duration_sec, computed only when both joins matched.
    assert hit_score == type(hit_score)(
        frozenset({"track_popularity", "artist_popularity", "album_popularity", "duration_sec", "track_matched", "artist_matched"}), None
    )
    (everything,) = table_scans("SELECT * FROM genre_ranked_hits", views, contract.table, contract.columns, KEY, "import")
    assert {"label", "total_tracks", "artist_followers", "explicit"}.isdisjoint(everything.columns)
    assert {"track_name", "release_date", "genre", KEY} <= everything.columns
