"""End to end on the committed sample: every injected defect, orphan, multi-line value and
clean row ends up exactly where the manifest (written by the generator, not by the pipeline)
says; the output matches the contract; counts in the run summary agree with the files."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from pyspark.sql import SparkSession

from spotify_etl import sample
from spotify_etl.contract import load_contract
from spotify_etl.local_table import current_files, load_table
from spotify_etl.pipeline import local_warehouse
from spotify_etl.schemas import ALBUMS, ARTISTS, SOURCES, TRACKS

SAMPLE = Path(__file__).resolve().parents[1] / "sample"


def test_every_injected_defect_is_rejected_with_its_reason(spark: SparkSession, sample_run: Any) -> None:
    rejected = spark.read.parquet(str(sample_run.quarantine("rejected"))).collect()
    actual = Counter((row["source"], row["reason"], row["record"]) for row in rejected)
    expected = Counter((entry["source"], entry["reason"], entry["record"]) for entry in sample_run.manifest["rejected"])
    assert actual == expected
    for row in rejected:
        source_file = Path(row["source_file"].removeprefix("file:"))
        assert source_file.parent.name == row["source"]
        assert bytes(row["record_bytes"]) in source_file.read_bytes()
        assert bytes(row["record_bytes"]).decode("utf-8", errors="replace") == row["record"]
        assert row["record_number"] >= 2 and row["line_number"] >= row["record_number"]
    assert any(row["reason"] == "invalid_utf8" for row in rejected)
    assert any(row["reason"] == "unbalanced_quotes" and "\n" in row["record"] for row in rejected)


def test_run_summary_accounts_for_every_record_and_file(sample_run: Any) -> None:
    summary, manifest = sample_run.summary, sample_run.manifest
    assert summary.status == "succeeded"
    for spec in SOURCES:
        counts = summary.sources[spec.name]
        assert counts.input_records == manifest["records"][spec.name]
        expected_rejected = Counter(e["reason"] for e in manifest["rejected"] if e["source"] == spec.name)
        assert counts.rejected == dict(expected_rejected)
        assert counts.accepted == counts.input_records - sum(expected_rejected.values())
        assert sorted(Path(file.path).name for file in counts.files) == sorted(manifest["files"][spec.name])
        assert sum(file.records for file in counts.files) == counts.input_records
        assert all(file.records == file.accepted + file.rejected for file in counts.files)
    by_name = {Path(file.path).name: file for counts in summary.sources.values() for file in counts.files}
    assert (by_name["tracks-empty.csv"].bytes, by_name["tracks-empty.csv"].records) == (0, 0)
    assert by_name["artists-header-only.csv"].bytes > 0 and by_name["artists-header-only.csv"].records == 0
    assert all(check.ok for check in summary.checks) and len(summary.checks) == 6
    assert list(summary.phase_seconds) == ["read_validate_count", "join_count", "write"]
    # Each figure is rounded to the millisecond, so the phases may add up to a little more.
    assert 0 < sum(summary.phase_seconds.values()) <= summary.duration_seconds + 0.001 * len(summary.phase_seconds)
    written = json.loads((sample_run.out / "_runs" / f"{summary.run_id}.json").read_text(encoding="utf-8"))
    assert written["status"] == "succeeded"
    assert written["sources"]["albums"]["rejected"] == summary.sources["albums"].rejected
    assert written["sources"]["tracks"]["input_records"] == manifest["records"]["tracks"]
    assert written["output"]["rows"] == summary.output.rows


def test_every_input_byte_is_read_once(sample_run: Any) -> None:
    """One pass over the input: the files are read once, counted, validated and joined from
    checkpoints, never re-read (the previous job read every file twice). Hadoop counts every local
    read; besides the input, the table's commit reads Iceberg metadata files, each at most once."""
    input_bytes = sum(path.stat().st_size for path in SAMPLE.rglob("*.csv"))
    metadata_bytes = sum(path.stat().st_size for path in (sample_run.out / "warehouse" / "tracks" / "metadata").iterdir())
    assert input_bytes <= sample_run.bytes_read <= input_bytes + metadata_bytes


def test_multi_line_values_reach_the_warehouse_intact(spark: SparkSession, sample_run: Any) -> None:
    multiline = sample_run.manifest["multiline"]
    assert {entry["column"] for entry in multiline} == {"track_name", "artist_name"}
    assert any("\r\n" in entry["value"] for entry in multiline), "a CR LF inside quotes is kept too"
    table = {row["track_id"]: row for row in sample_run.rows(spark).collect()}
    for entry in multiline:
        assert table[entry["track_id"]][entry["column"]] == entry["value"]
    fragments = {line.split(",")[0] for entry in multiline if entry["column"] == "artist_name" for line in entry["value"].splitlines()[1:-1]}
    assert fragments and not fragments & {row["artist_id"] for row in table.values()}, "a line inside a quoted name is no artist"


def test_unmatched_keys_are_written_under_unmatched(spark: SparkSession, sample_run: Any) -> None:
    for spec in (TRACKS, ARTISTS):
        ids = sorted(row["id"] for row in spark.read.parquet(str(sample_run.quarantine("unmatched") / spec.name)).collect())
        assert ids == sorted(sample_run.manifest["unmatched"][spec.name])
        assert sample_run.summary.sources[spec.name].unmatched == len(ids)


def test_output_rows_carry_the_source_values(spark: SparkSession, sample_run: Any) -> None:
    manifest = sample_run.manifest
    albums = {row["track_id"]: row for row in sample.clean_records(SAMPLE, ALBUMS, manifest)}
    tracks = {row["id"]: row for row in sample.clean_records(SAMPLE, TRACKS, manifest)}
    artists = {row["id"]: row for row in sample.clean_records(SAMPLE, ARTISTS, manifest)}
    output = {row["track_id"]: row for row in sample_run.rows(spark).collect()}

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


def test_output_matches_the_contract(spark: SparkSession, sample_run: Any) -> None:
    contract = load_contract()
    table = sample_run.rows(spark)
    assert [(f.name, f.dataType.simpleString()) for f in table.schema.fields] == [
        (c.name, c.type) for c in contract.all_columns
    ]
    for column in contract.all_columns:
        if not column.nullable:
            assert table.where(table[column.name].isNull()).count() == 0, column.name
    files = local_warehouse(spark, sample_run.paths).table(f"{sample_run.paths.table.identifier}.files")
    per_partition = files.groupBy("partition").count().collect()
    assert len(per_partition) == sample_run.summary.output.partitions
    assert {row["count"] for row in per_partition} == {1}, "one data file per release year"
    assert {row["file_format"] for row in files.select("file_format").distinct().collect()} == {"PARQUET"}


def test_each_data_file_of_the_table_is_sorted_by_its_keys(sample_run: Any) -> None:
    """The sort the job applies survives the commit: every file reads in (track_id, album_id) order."""
    files = current_files(load_table(sample_run.out / "warehouse"))
    assert len(files) == sample_run.summary.output.partitions
    for file in files:
        keys = [(row["track_id"], row["album_id"]) for row in pq.ParquetFile(file).read(columns=["track_id", "album_id"]).to_pylist()]
        assert keys == sorted(keys), file
