"""The quality gate (Glue Data Quality in the job) sees the conformed output before any write,
and a failing gate publishes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession

from spotify_etl.contract import load_contract
from spotify_etl.errors import QualityGateError
from spotify_etl.pipeline import OutputPaths, local_warehouse, run

SAMPLE = Path(__file__).resolve().parents[1] / "sample"


def test_failing_gate_writes_nothing_but_the_summary(spark: SparkSession, tmp_path: Path) -> None:
    seen: list[list[tuple[str, str]]] = []

    def gate(output: DataFrame) -> None:
        seen.append([(field.name, field.dataType.simpleString()) for field in output.schema.fields])
        raise QualityGateError("IsUnique \"track_id\" failed")

    paths = OutputPaths.under(str(tmp_path))
    with pytest.raises(QualityGateError):
        run(local_warehouse(spark, paths), str(SAMPLE), paths, quality_gate=gate)
    assert seen == [[(column.name, column.type) for column in load_contract().all_columns]]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["_runs", "warehouse"]
    assert not list((tmp_path / "warehouse" / "tracks").rglob("*.parquet")), "the table got no data file"
    (summary_file,) = (tmp_path / "_runs").glob("*.json")
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    assert summary["status"] == "failed" and summary["error"].startswith("QualityGateError")
    assert all(check["ok"] for check in summary["checks"]), "the data itself reconciled"
