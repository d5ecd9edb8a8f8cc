"""The reconciliation equations, including runs where they must fail."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spotify_etl import dedupe
from spotify_etl.errors import ReconciliationError
from spotify_etl.pipeline import run_pipeline
from spotify_etl.reconcile import checks, raise_if_failed
from spotify_etl.summary import OutputCounts, SourceCounts

SAMPLE = Path(__file__).resolve().parents[1] / "sample"


def _sources(tracks_input: int = 10) -> dict[str, SourceCounts]:
    return {
        "tracks": SourceCounts(tracks_input, 8, {"null_key": 2}, 1),
        "albums": SourceCounts(12, 9, {"duplicate": 3}, 0),
        "artists": SourceCounts(5, 4, {"invalid_utf8": 1}, 1),
    }


def test_balanced_counts_pass() -> None:
    all_checks = checks(_sources(), OutputCounts(rows=9, partitions=3, track_matched=7, artist_matched=8, artists_referenced=3))
    assert all(check.ok for check in all_checks)
    raise_if_failed(all_checks)


@pytest.mark.parametrize(
    ("sources", "output", "leak"),
    [
        (_sources(tracks_input=11), OutputCounts(9, 3, 7, 8, 3), "tracks: input = accepted + rejected: expected 11, got 10"),
        (_sources(), OutputCounts(8, 3, 7, 8, 3), "albums: accepted = output rows: expected 9, got 8"),
        (_sources(), OutputCounts(9, 3, 6, 8, 3), "tracks: accepted = matched + unmatched: expected 8, got 7"),
        (_sources(), OutputCounts(9, 3, 7, 8, 2), "artists: accepted = referenced + unmatched: expected 4, got 3"),
    ],
)
def test_each_leak_is_named(sources: dict[str, SourceCounts], output: OutputCounts, leak: str) -> None:
    with pytest.raises(ReconciliationError, match=re.escape(leak)):
        raise_if_failed(checks(sources, output))


def test_a_transform_that_silently_drops_rows_fails_the_run(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dedupe that filters duplicates out instead of flagging them must be caught."""
    honest = dedupe.mark_duplicates

    def lossy(validated: DataFrame, spec: Any) -> DataFrame:
        return honest(validated, spec).where(F.coalesce(F.col("reason"), F.lit("")) != "duplicate")

    monkeypatch.setattr(dedupe, "mark_duplicates", lossy)
    with pytest.raises(ReconciliationError, match="input = accepted \\+ rejected"):
        run_pipeline(spark, str(SAMPLE), str(tmp_path))
    summaries = list((tmp_path / "_runs").glob("*.json"))
    assert len(summaries) == 1
    summary = json.loads(summaries[0].read_text(encoding="utf-8"))
    assert summary["status"] == "failed" and "ReconciliationError" in summary["error"]
    failed = [check["name"] for check in summary["checks"] if not check["ok"]]
    assert failed[:3] == [
        "tracks: input = accepted + rejected",
        "albums: input = accepted + rejected",
        "artists: input = accepted + rejected",
    ]
    assert failed[3:] and all(name.endswith(".csv: records = accepted + rejected") for name in failed[3:]), failed
    assert not list(tmp_path.rglob("*.parquet")), "nothing may be published after a failed reconciliation"
