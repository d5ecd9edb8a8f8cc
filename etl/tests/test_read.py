"""Reading on real local Spark: records with their exact bytes, every file accounted for, and
clear errors for a delivery that does not match the input contract."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from spotify_etl.errors import InputContractError
from spotify_etl.pipeline import OutputPaths, local_warehouse, run_pipeline
from spotify_etl.read import list_files, read_rows
from spotify_etl.schemas import ALBUMS, ARTISTS, TRACKS, SourceSpec


def _csv(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue().removesuffix("\r\n")


def _album(track_id: str, artist_id: str) -> str:
    values: dict[str, object] = {column: "" for column in ALBUMS.columns}
    values.update(
        track_name="Song", track_id=track_id, track_number=1, duration_ms=200000, album_type="album",
        total_tracks=1, album_name="Album", release_date="2020-01-02", album_popularity=5, album_id="al",
        artist_id=artist_id,
    )
    return _csv([values[column] for column in ALBUMS.columns])


def _artist(artist_id: str, name: str) -> str:
    return _csv([artist_id, name, 50, "['pop']", 1000, "pop", "", "", "", "", "", ""])


def _write(root: Path, spec: SourceSpec, name: str, content: str | bytes) -> Path:
    path = root / spec.prefix / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _file(spec: SourceSpec, *records: str, end: str = "\n") -> str:
    return end.join([spec.header, *records]) + end


def _minimal(root: Path) -> None:
    _write(root, TRACKS, "tracks.csv", _file(TRACKS, "t1,50,True"))
    _write(root, ALBUMS, "albums.csv", _file(ALBUMS, _album("t1", "a1")))
    _write(root, ARTISTS, "artists.csv", _file(ARTISTS, _artist("a1", "Artist")))


def test_missing_source_prefix_is_named(spark: SparkSession, tmp_path: Path) -> None:
    (tmp_path / "tracks").mkdir()
    with pytest.raises(InputContractError, match="artists: cannot read CSV files under") as raised:
        list_files(spark, str(tmp_path), ARTISTS)
    message = str(raised.value)
    assert "java.io.FileNotFoundException" in message
    assert "\n" not in message and "\tat " not in message, f"a stack trace in the error: {message}"


def test_files_that_are_not_csv_are_named_instead_of_skipped(spark: SparkSession, tmp_path: Path) -> None:
    _write(tmp_path, TRACKS, "part-1.csv", _file(TRACKS, "a,1,True"))
    _write(tmp_path, TRACKS, "part-2.csv.gz", gzip.compress(_file(TRACKS, "b,2,True").encode()))
    _write(tmp_path, TRACKS, "notes.txt", "delivery notes\n")
    _write(tmp_path, TRACKS, "_SUCCESS", "")
    with pytest.raises(InputContractError, match=r"would be skipped unread") as error:
        list_files(spark, str(tmp_path), TRACKS)
    message = str(error.value)
    assert "part-2.csv.gz" in message and "notes.txt" in message and "part-1.csv," not in message
    assert "_SUCCESS" not in message, "hidden files are skipped by every Spark reader"


def test_a_source_of_empty_files_only_is_refused(spark: SparkSession, tmp_path: Path) -> None:
    _write(tmp_path, TRACKS, "empty.csv", b"")
    _write(tmp_path, TRACKS, "bom-only.csv", b"\xef\xbb\xbf")
    with pytest.raises(InputContractError, match=r"tracks: no non-empty \*\.csv file"):
        list_files(spark, str(tmp_path), TRACKS)


def test_records_keep_their_exact_bytes(spark: SparkSession, tmp_path: Path) -> None:
    """BOM, CR LF terminators, a quoted CR LF and LF inside a field, bytes that are not UTF-8,
    a last record without a terminator: each record is the exact bytes between terminators."""
    records = [
        b"a,1,True",
        b'"b\r\nwith CR LF, and ""quotes""",2,False',
        b'c,3,"multi\nline"',
        b"d\xe9,4,True",
        b"",
        b"e,5,True",
    ]
    content = b"\xef\xbb\xbf" + TRACKS.header.encode() + b"\r\n" + b"\r\n".join(records[:-1]) + b"\n" + records[-1]
    path = _write(tmp_path, TRACKS, "nested/one.csv", content)
    rows = sorted(read_rows(spark, str(tmp_path), TRACKS).collect(), key=lambda row: row["record_number"])
    assert [row["record_number"] for row in rows] == list(range(1, 8))
    assert {row["file_records"] for row in rows} == {7}
    assert {row["source_file"] for row in rows} == {f"file:{path}"}
    assert rows[0]["reason"] == "header"
    assert [row["line_number"] for row in rows] == [1, 2, 3, 5, 7, 8, 9]
    # The third record is whole, and its quoted line break belongs to a value that is no boolean.
    assert [row["reason"] for row in rows[1:]] == [None, None, "invalid_boolean", "invalid_utf8", "blank_line", None]
    exact = read_rows(spark, str(tmp_path), TRACKS).selectExpr("record_number", "cast(record as binary) as bytes")
    by_number = {row["record_number"]: bytes(row["bytes"]) for row in exact.collect()}
    assert [by_number[number] for number in range(2, 8)] == records, "undecodable bytes included"


def test_every_file_is_in_the_summary_and_a_fragment_never_becomes_a_row(spark: SparkSession, tmp_path: Path) -> None:
    """The issue's case: a quoted artist name over three lines whose middle line is a complete,
    valid artists row. Read as lines it invented artist ``fake``; read as records it is one
    artist with a three-line name. Beside it: an empty and a header-only file, and CR LF."""
    name = "The Band\n" + _artist("fake", "Fragment") + "\nReunion"
    _write(tmp_path, TRACKS, "tracks.csv", _file(TRACKS, "t1,50,True", "t2,60,False", end="\r\n"))
    _write(tmp_path, TRACKS, "empty.csv", b"")
    _write(tmp_path, TRACKS, "later/header-only.csv", _file(TRACKS))
    _write(tmp_path, TRACKS, "bom-only.csv", b"\xef\xbb\xbf")
    _write(tmp_path, TRACKS, "quoted-header.csv", ", ".join(f'"{name}"' for name in TRACKS.columns) + "\n")
    _write(tmp_path, ALBUMS, "albums.csv", _file(ALBUMS, _album("t1", "a1"), _album("t2", "fake")))
    _write(tmp_path, ARTISTS, "artists.csv", _file(ARTISTS, _artist("a1", name)))
    summary = run_pipeline(spark, str(tmp_path), str(tmp_path / "out"))

    assert summary.status == "succeeded" and all(check.ok for check in summary.checks)
    artists = summary.sources["artists"]
    assert (artists.input_records, artists.accepted, artists.rejected_total) == (1, 1, 0)
    table = {row["track_id"]: row for row in local_warehouse(spark, OutputPaths.under(str(tmp_path / "out"))).table("spotify.warehouse.tracks").collect()}
    assert table["t1"]["artist_name"] == name and table["t1"]["artist_matched"]
    assert not table["t2"]["artist_matched"], "the middle line of a quoted field is not an artist"

    files = {Path(file.path).name: file for file in summary.sources["tracks"].files}
    assert {name: (file.bytes > 0, file.records, file.accepted) for name, file in files.items()} == {
        "tracks.csv": (True, 2, 2),
        "empty.csv": (False, 0, 0),
        "header-only.csv": (True, 0, 0),
        "bom-only.csv": (True, 0, 0),
        "quoted-header.csv": (True, 0, 0),
    }
    written = json.loads((tmp_path / "out" / "_runs" / f"{summary.run_id}.json").read_text(encoding="utf-8"))
    assert sorted(Path(file["path"]).name for file in written["sources"]["tracks"]["files"]) == sorted(files)


def test_a_bad_file_layout_stops_the_run_naming_file_and_problem(spark: SparkSession, tmp_path: Path) -> None:
    _minimal(tmp_path)
    _write(tmp_path, TRACKS, "packed.csv", gzip.compress(_file(TRACKS, "b,2,True").encode()))
    _write(tmp_path, ALBUMS, "short.csv", _file(ALBUMS).replace(",album_popularity", ""))
    _write(tmp_path, ARTISTS, "misspelt.csv", _file(ARTISTS, _artist("a9", "X")).replace("followers", "folowers", 1))
    _write(tmp_path, ARTISTS, "twice.csv", _file(ARTISTS, _artist("a8", "Y"), ARTISTS.header, _artist("a7", "Z")))
    bom = b"\xef\xbb\xbf"
    _write(tmp_path, ARTISTS, "concatenated.csv", bom + _file(ARTISTS, _artist("a6", "V")).encode() + bom + _file(ARTISTS, _artist("a5", "W")).encode())
    with pytest.raises(InputContractError) as error:
        run_pipeline(spark, str(tmp_path), str(tmp_path / "out"))
    message = str(error.value)
    assert "packed.csv: the file holds gzip-compressed data, not CSV text" in message
    assert "short.csv: header does not match the declared columns: missing column 'album_popularity'" in message
    assert "misspelt.csv: header does not match the declared columns: missing column 'followers'; " in message
    assert "unexpected column 'folowers' (misspelt 'followers'?)" in message
    assert "twice.csv (line 3): the header appears again inside the file, as record 3" in message
    assert "concatenated.csv (line 3): the header appears again inside the file, as record 3" in message
    assert "tracks.csv" not in message and "albums.csv" not in message
    assert not list((tmp_path / "out" / "warehouse").rglob("*.parquet")), "the table got no data file"
    (summary_file,) = (tmp_path / "out" / "_runs").glob("*.json")
    assert json.loads(summary_file.read_text(encoding="utf-8"))["error"].startswith("InputContractError")
