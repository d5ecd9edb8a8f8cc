"""Deduplication keeps the documented row whatever the input order, and counts the rest."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from pyspark.sql import SparkSession

from spotify_etl.pipeline import classify
from spotify_etl.schemas import TRACKS


def _write(staging: Path, name: str, lines: list[str]) -> None:
    directory = staging / TRACKS.prefix
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(TRACKS.header + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")


def _kept(spark: SparkSession, staging: Path) -> tuple[dict[str, tuple[str, str]], Counter[str | None]]:
    frame, _ = classify(spark, str(staging), TRACKS)
    rows = [row for row in frame.collect() if row["reason"] != "header"]
    kept = {row["id"]: (Path(row["source_file"]).name, row["record"]) for row in rows if row["reason"] is None}
    return kept, Counter(row["reason"] for row in rows)


def _documented_choice(files: dict[str, list[str]]) -> dict[str, str]:
    """The README's rule in plain Python: highest popularity (NULL last), then file, then record."""
    best: dict[str, tuple[tuple[int, int, str, str], str]] = {}
    for name, lines in files.items():
        for line in lines:
            key, popularity, _ = line.split(",")
            rank = (0 if popularity else 1, -int(popularity or 0), name, line)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, line)
    return {key: line for key, (_, line) in best.items()}


def test_kept_row_follows_the_documented_order_in_any_input_order(spark: SparkSession, tmp_path: Path) -> None:
    lines = [
        "a,10,True", "a,90,False", "a,50,True",
        "b,,True", "b,3,False",
        "c,70,True", "c,70,False",
        "d,5,True",
    ]
    for seed in (1, 2, 3):
        shuffled = lines[:]
        random.Random(seed).shuffle(shuffled)
        files = {"part-1.csv": shuffled[:4], "part-2.csv": shuffled[4:]}
        staging = tmp_path / f"run{seed}"
        for name, content in files.items():
            _write(staging, name, content)
        kept, reasons = _kept(spark, staging)
        assert {key: line for key, (_, line) in kept.items()} == _documented_choice(files)
        assert reasons == Counter({None: 4, "duplicate": 4})


def test_same_file_tie_breaks_on_the_record(spark: SparkSession, tmp_path: Path) -> None:
    _write(tmp_path, "part.csv", ["c,70,True", "c,70,False"])
    kept, _ = _kept(spark, tmp_path)
    assert kept["c"][1] == "c,70,False"


def test_equal_rows_tie_break_on_source_file(spark: SparkSession, tmp_path: Path) -> None:
    _write(tmp_path, "z-last.csv", ["k,70,True"])
    _write(tmp_path, "a-first.csv", ["k,70,True"])
    kept, reasons = _kept(spark, tmp_path)
    assert kept["k"][0] == "a-first.csv"
    assert reasons == Counter({None: 1, "duplicate": 1})


def test_invalid_rows_never_shadow_a_valid_one(spark: SparkSession, tmp_path: Path) -> None:
    _write(tmp_path, "part.csv", ["k,100,maybe", "k,20,True"])
    kept, reasons = _kept(spark, tmp_path)
    assert kept == {"k": ("part.csv", "k,20,True")}
    assert reasons == Counter({None: 1, "invalid_boolean": 1})
