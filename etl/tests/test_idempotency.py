"""Re-running on the same input (through the local CLI) reproduces the warehouse exactly:
same partitions, one file each, the same rows in the same order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from spotify_etl import local

SAMPLE = Path(__file__).resolve().parents[1] / "sample"


def _snapshot(spark: SparkSession, root: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of every Parquet file in file order, keyed by the file's directory."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    for path in sorted(root.rglob("*.parquet")):
        key = str(path.parent.relative_to(root))
        assert key not in snapshot, f"more than one file in {key}"
        snapshot[key] = [tuple(row) for row in spark.read.parquet(str(path)).collect()]
    return snapshot


def test_rerun_gives_identical_output(spark: SparkSession, sample_run: Any, capsys: pytest.CaptureFixture[str]) -> None:
    before = {prefix: _snapshot(spark, sample_run.out / prefix) for prefix in ("warehouse", "rejected", "unmatched")}
    stale = sample_run.table / "release_year=1800"
    stale.mkdir()
    (stale / "marker.txt").write_text("left by an earlier run\n")
    try:
        assert local.main(["--staging", str(SAMPLE), "--out", str(sample_run.out)]) == 0
        after = {prefix: _snapshot(spark, sample_run.out / prefix) for prefix in ("warehouse", "rejected", "unmatched")}
        assert after == before
        assert (stale / "marker.txt").exists(), "dynamic overwrite must leave partitions absent from the input"
    finally:
        (stale / "marker.txt").unlink()
        stale.rmdir()
    table = capsys.readouterr().out
    assert "checks: 6/6 balanced" in table and "status: succeeded" in table
    assert len(list((sample_run.out / "_runs").glob("*.json"))) == 2
