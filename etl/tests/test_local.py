"""The local runner's table and its refusal of a bad --staging (the happy path runs in
test_idempotency through `local.main`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from spotify_etl import local
from spotify_etl.summary import Check, FileCounts, OutputCounts, RunSummary, SourceCounts


def test_missing_staging_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert local.main(["--staging", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 1
    assert "is not a directory" in capsys.readouterr().err


def test_table_shows_counts_reasons_and_failed_checks() -> None:
    summary = RunSummary(
        run_id="r1",
        status="failed",
        started_at="2026-01-01T00:00:00+00:00",
        duration_seconds=1.5,
        staging_path="s",
        outputs={},
        sources={"tracks": SourceCounts(10, 7, {"duplicate": 2, "null_key": 1}, 1, (FileCounts("f.csv", 90, 10, 7, 3),))},
        output=OutputCounts(rows=5, partitions=2, track_matched=6, artist_matched=5, artists_referenced=1),
        checks=(Check("tracks: accepted = matched + unmatched", 7, 6),),
        phase_seconds={"read_validate_count": 0.4, "join_count": 0.3},
    )
    table = local.summary_table(summary)
    assert table.splitlines()[1].split() == ["tracks", "10", "7", "3", "1", "1"]
    assert "phases: read_validate_count 0.4s, join_count 0.3s" in table
    assert "rejected tracks: duplicate=2, null_key=1" in table
    assert "FAILED tracks: accepted = matched + unmatched: expected 7, got 6" in table
    assert "checks: 0/1 balanced" in table and "status: failed" in table
