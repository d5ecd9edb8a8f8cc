"""End to end on the committed sample: every injected defect, orphan and clean row ends up
exactly where the manifest (written by the generator, not by the pipeline) says; the output
matches the contract; counts in the run summary agree with the files."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from spotify_etl.contract import load_contract
from spotify_etl.schemas import ALBUMS, ARTISTS, SOURCES, TRACKS

SAMPLE = Path(__file__).resolve().parents[1] / "sample"


def test_every_injected_defect_is_rejected_with_its_reason(spark: SparkSession, sample_run: Any) -> None:
    rejected = spark.read.parquet(str(sample_run.out / "rejected")).collect()
    actual = Counter((row["source"], row["reason"], row["line"]) for row in rejected)
    expected = Counter((entry["source"], entry["reason"], entry["line"]) for entry in sample_run.manifest["rejected"])
    assert actual == expected
    for row in rejected:
        source_file = Path(row["source_file"].removeprefix("file:"))
        assert source_file.parent.name == row["source"]
        assert bytes(row["line_bytes"]) + b"\n" in source_file.read_bytes()
        assert bytes(row["line_bytes"]).decode("utf-8", errors="replace") == row["line"]
    assert any(row["reason"] == "invalid_utf8" for row in rejected)


def test_run_summary_accounts_for_every_line(sample_run: Any) -> None:
    summary, manifest = sample_run.summary, sample_run.manifest
    assert summary.status == "succeeded"
    for spec in SOURCES:
        counts = summary.sources[spec.name]
        assert counts.input_rows == manifest["rows"][spec.name]
        expected_rejected = Counter(e["reason"] for e in manifest["rejected"] if e["source"] == spec.name)
        assert counts.rejected == dict(expected_rejected)
        assert counts.accepted == counts.input_rows - sum(expected_rejected.values())
        assert len(counts.files) == len(manifest["files"][spec.name])
        assert 0 < counts.seconds <= summary.duration_seconds
    assert all(check.ok for check in summary.checks) and len(summary.checks) == 6
    written = json.loads((sample_run.out / "_runs" / f"{summary.run_id}.json").read_text(encoding="utf-8"))
    assert written["status"] == "succeeded"
    assert written["sources"]["albums"]["rejected"] == summary.sources["albums"].rejected
    assert written["output"]["rows"] == summary.output.rows


def test_unmatched_keys_are_written_under_unmatched(spark: SparkSession, sample_run: Any) -> None:
    for spec in (TRACKS, ARTISTS):
        ids = sorted(row["id"] for row in spark.read.parquet(str(sample_run.out / "unmatched" / spec.name)).collect())
        assert ids == sorted(sample_run.manifest["unmatched"][spec.name])
        assert sample_run.summary.sources[spec.name].unmatched == len(ids)


def test_output_rows_carry_the_source_values(spark: SparkSession, sample_run: Any) -> None:
    manifest = sample_run.manifest
    albums = {row["track_id"]: row for row in _csv_rows(ALBUMS.name, manifest)}
    tracks = {row["id"]: row for row in _csv_rows(TRACKS.name, manifest)}
    artists = {row["id"]: row for row in _csv_rows(ARTISTS.name, manifest)}
    output = {row["track_id"]: row for row in spark.read.parquet(str(sample_run.table)).collect()}

    assert set(output) == set(albums)
    assert sorted(t for t, row in output.items() if not row["track_matched"]) == sorted(manifest["album_rows_without_track"])
    assert sorted(t for t, row in output.items() if not row["artist_matched"]) == sorted(manifest["album_rows_without_artist"])
    for track_id, source in albums.items():
        row = output[track_id]
        date = source["release_date"]
        assert row["release_year"] == int(date[:4])
        assert row["release_date"] == dt.date(int(date[:4]), int(date[5:7] or 1), int(date[8:10] or 1))
        assert row["release_date_precision"] == {4: "year", 7: "month"}.get(len(date), "day")
        assert (row["album_id"], row["artist_id"], row["duration_ms"]) == (source["album_id"], source["artist_id"], int(source["duration_ms"]))
        assert row["duration_sec"] == int(source["duration_ms"]) / 1000
        assert row["album_popularity"] == int(source["album_popularity"])
        if track_id in tracks:
            assert row["track_popularity"] == int(tracks[track_id]["track_popularity"])
            assert row["explicit"] == (tracks[track_id]["explicit"] == "True")
        if source["artist_id"] in artists:
            artist = artists[source["artist_id"]]
            assert (row["artist_name"], row["artist_followers"]) == (artist["name"], int(artist["followers"]))
            assert row["genre"] == (artist["genre_0"].lower() or None)


def _csv_rows(source: str, manifest: dict[str, Any]) -> list[dict[str, str]]:
    defects = Counter(entry["line"] for entry in manifest["rejected"] if entry["source"] == source)
    rows: list[dict[str, str]] = []
    for path in sorted((SAMPLE / source).glob("*.csv")):
        header, *lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
        for line in lines:
            if defects[line] > 0:
                defects[line] -= 1
            else:
                rows.append(dict(zip(header.split(","), next(csv.reader([line])), strict=True)))
    assert sum(defects.values()) == 0, "every manifest line must exist in the sample"
    return rows


def test_output_matches_the_contract(spark: SparkSession, sample_run: Any) -> None:
    contract = load_contract()
    table = spark.read.parquet(str(sample_run.table))
    assert [(f.name, f.dataType.simpleString()) for f in table.schema.fields] == [
        (c.name, c.type) for c in contract.all_columns
    ]
    for column in contract.all_columns:
        if not column.nullable:
            assert table.where(table[column.name].isNull()).count() == 0, column.name
    partitions = sorted(sample_run.table.glob("release_year=*"))
    assert len(partitions) == sample_run.summary.output.partitions
    for partition in partitions:
        files = list(partition.glob("*.parquet"))
        assert len(files) == 1 and files[0].name.endswith(".snappy.parquet"), partition
