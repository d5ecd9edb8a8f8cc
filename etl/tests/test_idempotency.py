"""Re-running on the same input (through the local CLI) reproduces the warehouse exactly: the same
files per partition with the same rows in the same order, and the same quarantine; and a full
delivery replaces the table's contents, so nothing of an earlier delivery survives."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession

from spotify_etl import local, sample
from spotify_etl.local_table import current_files, load_table, read_current
from spotify_etl.pipeline import OutputPaths, local_warehouse, run_pipeline
from spotify_etl.rollback import rollback_before
from spotify_etl.schemas import ALBUMS

SAMPLE = Path(__file__).resolve().parents[1] / "sample"


def _files(spark: SparkSession, paths: list[Path], root: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of each Parquet file in file order, keyed by the file's folder below ``root``."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for path in paths:
        key = str(path.parent.relative_to(root))
        assert key not in rows, f"more than one file in {key}"
        rows[key] = [tuple(row) for row in spark.read.parquet(str(path)).collect()]
    return rows


def _table(spark: SparkSession, out: Path) -> dict[str, list[tuple[Any, ...]]]:
    return _files(spark, [Path(file) for file in current_files(load_table(out / "warehouse"))], out / "warehouse")


def _quarantine(spark: SparkSession, out: Path, run_id: str) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    return {
        prefix: _files(spark, sorted((out / prefix / run_id).rglob("*.parquet")), out / prefix / run_id) for prefix in ("rejected", "unmatched")
    }


def test_rerun_gives_identical_output(spark: SparkSession, sample_run: Any, capsys: pytest.CaptureFixture[str]) -> None:
    table_before = _table(spark, sample_run.out)
    quarantine_before = _quarantine(spark, sample_run.out, sample_run.summary.run_id)
    assert local.main(["--staging", str(SAMPLE), "--out", str(sample_run.out)]) == 0
    (rerun,) = {path.stem for path in (sample_run.out / "_runs").glob("*.json")} - {sample_run.summary.run_id}
    assert _table(spark, sample_run.out) == table_before
    assert _quarantine(spark, sample_run.out, rerun) == quarantine_before
    assert _quarantine(spark, sample_run.out, sample_run.summary.run_id) == quarantine_before, "the previous run's quarantine stays"
    printed = capsys.readouterr().out
    assert "checks: 6/6 balanced" in printed and "status: succeeded" in printed


def _rewrite_albums(staging: Path, change: Callable[[dict[str, str]], dict[str, str] | None]) -> None:
    """Rewrite every albums file of ``staging`` row by row (``change`` returns None to drop a row)."""
    for path in sorted((staging / ALBUMS.name).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [changed for row in csv.DictReader(handle) if (changed := change(row)) is not None]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(ALBUMS.columns), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def _in_year(row: dict[str, str], year: int) -> dict[str, str]:
    return {**row, "release_date": f"{year}{row['release_date'][4:]}"}


def _deliveries(first: Path, second: Path) -> tuple[str, int, str]:
    """Two deliveries from the generated ``first``: in it, one track alone in year 1950 and one
    alone in 1949; in the copy ``second``, the first moved to 1951 and the second withdrawn. Each
    has its year to itself, so only a full replace removes them (a partition overwrite keeps the
    years the second delivery lacks). Returns (moved track, its new year, withdrawn track)."""
    chosen: list[str] = []

    def isolate(row: dict[str, str]) -> dict[str, str]:
        if len(chosen) < 2:
            chosen.append(row["track_id"])
            return _in_year(row, 1950 - len(chosen) + 1)
        return row

    _rewrite_albums(first, isolate)
    shutil.copytree(first, second)
    moved, withdrawn = chosen
    _rewrite_albums(second, lambda row: None if row["track_id"] == withdrawn else _in_year(row, 1951) if row["track_id"] == moved else row)
    return moved, 1951, withdrawn


def test_back_to_back_full_deliveries_leave_exactly_the_second_and_a_rollback_the_first(spark: SparkSession, tmp_path: Path) -> None:
    first, second, out = tmp_path / "first", tmp_path / "second", tmp_path / "out"
    sample.generate(first, tracks=60, seed=11, defects=False)
    moved, new_year, withdrawn = _deliveries(first, second)
    run_pipeline(spark, str(first), str(out))
    first_rows = read_current(out / "warehouse").sort_by([("track_id", "ascending")])
    summary = run_pipeline(spark, str(second), str(out))
    assert summary.output is not None
    rows = read_current(out / "warehouse").select(["track_id", "release_year"]).to_pylist()
    ids = [row["track_id"] for row in rows]
    assert len(ids) == len(set(ids)) == summary.output.rows, "track_id stays unique and the summary counts the table"
    assert withdrawn not in ids
    assert [row["release_year"] for row in rows if row["track_id"] == moved] == [new_year]
    assert len({row["release_year"] for row in rows}) == summary.output.partitions
    written = json.loads((out / "_runs" / f"{summary.run_id}.json").read_text(encoding="utf-8"))
    assert written["output"]["rows"] == len(rows)
    assert pq.read_metadata(current_files(load_table(out / "warehouse"))[0]).row_group(0).column(0).compression == "SNAPPY"

    paths = OutputPaths.under(str(out))
    rollback_before(local_warehouse(spark, paths), paths.table, summary.run_id)
    assert read_current(out / "warehouse").sort_by([("track_id", "ascending")]).equals(first_rows), "the rollback restores the first delivery"
