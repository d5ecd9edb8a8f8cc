"""Time the catalog on DuckDB over a synthetic warehouse of N rows (an Iceberg table written to the
contract with pyiceberg, read back through its catalog as the local runner reads the ETL's).

    .venv/bin/python -m query_engines.bench --rows 1000000

Measures the local path only (transpile + DuckDB); Athena's cost is bytes scanned, not this.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

from query_engines.catalog import load_catalog
from query_engines.iceberg_table import write_warehouse_table
from query_engines.local import WAREHOUSE_CONTRACT, connect, create_views, load_contract, run_query

# One expression per contract column, over i in range(N); roughly 3% unmatched tracks and
# 2% unmatched artists: more than the committed sample holds, so the scan costs include them.
GENERATORS: dict[str, str] = {
    "track_id": "'t' || lpad(i::VARCHAR, 9, '0')",
    "track_name": "'Song ' || (hash(i) % 50000)::VARCHAR",
    "track_number": "(1 + i % 12)::INTEGER",
    "explicit": "CASE WHEN i % 33 = 0 THEN NULL ELSE hash(i, 1) % 4 = 0 END",
    "track_popularity": "CASE WHEN i % 33 = 0 THEN NULL ELSE (hash(i, 2) % 101)::INTEGER END",
    "duration_ms": "(30000 + hash(i, 3) % 570000)::BIGINT",
    "duration_sec": "(30000 + hash(i, 3) % 570000)::BIGINT / 1000.0",
    "album_id": "'al' || (i // 10)::VARCHAR",
    "album_name": "'Album ' || (i // 10)::VARCHAR",
    "album_type": "['album', 'single', 'compilation'][1 + (i // 10) % 3]",
    "album_popularity": "(hash(i // 10, 4) % 101)::INTEGER",
    "total_tracks": "10::INTEGER",
    "label": "'Label ' || (i % 20)::VARCHAR",
    "release_date": "DATE '1960-01-01' + ((hash(i // 10, 5) % 23000))::INTEGER",
    "release_date_precision": "'day'",
    "artist_id": "'ar' || (i // 200)::VARCHAR",
    "artist_name": "CASE WHEN i % 50 = 0 THEN NULL ELSE 'Artist ' || (i // 200)::VARCHAR END",
    "artist_popularity": "CASE WHEN i % 50 = 0 THEN NULL "
    "ELSE (hash(i // 200, 6) % 101)::INTEGER END",
    "artist_followers": "CASE WHEN i % 50 = 0 THEN NULL ELSE (hash(i // 200, 7) % 10000000)::BIGINT END",
    "genre": "CASE WHEN i % 50 = 0 THEN NULL "
    "ELSE ['pop', 'rock', 'rap', 'edm', 'latin', 'jazz', 'k-pop', 'folk'][1 + (i // 200) % 8] END",
    "track_matched": "i % 33 <> 0",
    "artist_matched": "i % 50 <> 0",
}


def write_warehouse(rows: int, warehouse: Path) -> None:
    contract = load_contract(WAREHOUSE_CONTRACT)
    (partition_key,) = contract.partition_keys
    selects = [
        f"CAST({GENERATORS[name]} AS {kind}) AS {name}"
        for name, kind in contract.columns.items()
        if name != partition_key
    ]
    with duckdb.connect(":memory:") as connection:
        data = connection.sql(
            f"SELECT *, year(release_date)::INTEGER AS {partition_key} FROM "
            f"(SELECT {', '.join(selects)} FROM range({rows}) AS r(i))"
        ).to_arrow_table()
    write_warehouse_table(warehouse, data)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m query_engines.bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="warehouse rows")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query; best is kept")
    args = parser.parse_args(argv)
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as directory:
        warehouse = Path(directory)
        started = time.perf_counter()
        write_warehouse(args.rows, warehouse)
        print(f"wrote {args.rows} rows in {time.perf_counter() - started:.2f}s")
        started = time.perf_counter()
        connection = connect(warehouse)
        create_views(connection, catalog)
        print(f"connect + contract check + create views: {time.perf_counter() - started:.2f}s")
        print(f"| query | result rows | best of {args.repeat} (s) |")
        print("| --- | ---: | ---: |")
        for spec in catalog:
            timings = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = run_query(connection, spec)
                timings.append(time.perf_counter() - started)
                assert not result.mismatches, result.mismatches
            print(f"| {spec.name} | {len(result.rows)} | {min(timings):.2f} |")
        connection.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
