"""Reading: clear errors for a delivery that does not match the input contract, and input
rows counted from the files themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from spotify_etl.errors import InputContractError
from spotify_etl.read import read_lines
from spotify_etl.schemas import ARTISTS, TRACKS


def test_missing_source_prefix_is_named(spark: SparkSession, tmp_path: Path) -> None:
    (tmp_path / "tracks").mkdir()
    with pytest.raises(InputContractError, match="artists: cannot read CSV files under"):
        read_lines(spark, str(tmp_path), ARTISTS)


def test_file_with_a_wrong_header_is_named(spark: SparkSession, tmp_path: Path) -> None:
    directory = tmp_path / "tracks"
    directory.mkdir()
    (directory / "good.csv").write_text(TRACKS.header + "\na,1,True\n")
    (directory / "bad.csv").write_text("id,popularity,explicit\na,1,True\n")
    with pytest.raises(InputContractError, match=r"bad\.csv \(0 header lines\)") as error:
        read_lines(spark, str(tmp_path), TRACKS)
    assert "good.csv" not in str(error.value)


def test_input_rows_are_lines_minus_one_header_per_file(spark: SparkSession, tmp_path: Path) -> None:
    directory = tmp_path / "tracks" / "nested"
    directory.mkdir(parents=True)
    contents = {
        "one.csv": "\ufeff" + TRACKS.header + "\r\na,1,True\r\nb,2,False\r\n",
        "two.csv": TRACKS.header + "\nc,3,True\n\nd,4\n",
        "three.csv": TRACKS.header + "\n",
    }
    for name, text in contents.items():
        (directory / name).write_text(text, encoding="utf-8")
    expected = sum(len(text.splitlines()) - 1 for text in contents.values())
    lines = read_lines(spark, str(tmp_path), TRACKS)
    assert lines.input_rows == expected == 5
    assert len(lines.files) == 3
    assert sorted(row["line"] for row in lines.lines.collect()) == sorted(["a,1,True", "b,2,False", "c,3,True", "", "d,4"])


def test_files_that_are_not_csv_are_named_instead_of_skipped(spark: SparkSession, tmp_path: Path) -> None:
    directory = tmp_path / "tracks"
    directory.mkdir()
    (directory / "part-1.csv").write_text(TRACKS.header + "\na,1,True\n")
    (directory / "part-2.csv.gz").write_bytes(b"\x1f\x8b")
    (directory / "notes.txt").write_text("delivery notes\n")
    with pytest.raises(InputContractError, match=r"would be skipped unread") as error:
        read_lines(spark, str(tmp_path), TRACKS)
    message = str(error.value)
    assert "part-2.csv.gz" in message and "notes.txt" in message and "part-1.csv," not in message
