"""Typed values of accepted rows, compared with values computed here in plain Python."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Callable, Sequence

from pyspark.sql import Row

from spotify_etl.schemas import ALBUMS, ARTISTS, SourceSpec

Classify = Callable[[SourceSpec, Sequence[str | bytes]], list[Row]]


def _expected_date(text: str) -> tuple[dt.date, str]:
    """Independent reading of the four formats with the standard library."""
    for pattern, precision in (("%Y-%m-%d %H:%M:%S UTC", "day"), ("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year")):
        try:
            return dt.datetime.strptime(text, pattern).date(), precision
        except ValueError:
            continue
    raise AssertionError(f"test input {text!r} is not a valid date")


def _random_dates(count: int) -> list[str]:
    rng = random.Random(11)
    dates = []
    for index in range(count):
        year, month = rng.randint(1900, 2100), rng.randint(1, 12)
        day = rng.randint(1, calendar.monthrange(year, month)[1])
        shape = index % 4
        dates.append(
            [f"{year:04d}", f"{year:04d}-{month:02d}", f"{year:04d}-{month:02d}-{day:02d}",
             f"{year:04d}-{month:02d}-{day:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} UTC"][shape]
        )
    return dates


def test_albums_typed_values(classify_lines: Classify) -> None:
    dates = _random_dates(40)
    lines = []
    for index, date in enumerate(dates):
        values = {column: "" for column in ALBUMS.columns}
        values.update(
            track_name=f"  Song {index}  ",
            track_id=f" tr{index} ",
            album_id="al",
            artist_id="ar",
            duration_ms=str(1000 + index * 7),
            album_type=["ALBUM", "Single", " compilation "][index % 3],
            release_date=date,
            album_popularity=f"{index}.0",
            label="" if index % 5 == 0 else f" Label {index} ",
        )
        lines.append(",".join(f'"{values[column]}"' for column in ALBUMS.columns))
    rows = {row["track_id"]: row for row in classify_lines(ALBUMS, lines)}
    assert all(row["reason"] is None for row in rows.values())
    for index, date in enumerate(dates):
        row = rows[f"tr{index}"]
        expected_date, expected_precision = _expected_date(date)
        assert (row["release_date"], row["release_date_precision"]) == (expected_date, expected_precision), date
        assert row["track_name"] == f"Song {index}"
        assert row["duration_ms"] == 1000 + index * 7
        assert row["album_type"] == ["album", "single", "compilation"][index % 3]
        assert row["album_popularity"] == index
        assert row["label"] == (None if index % 5 == 0 else f"Label {index}")


def test_every_bigint_is_a_number_and_nothing_past_one(classify_lines: Classify) -> None:
    """followers is a bigint: all 19 digits of its largest value are accepted, one more is not."""
    largest = str(2**63 - 1)
    values = {"a1": largest, "a2": f"+{largest}", "a3": f"{largest}.0", "a4": str(2**63), "a5": "1" + "0" * 19}
    lines = [f"{artist},Name,50,[],{followers},pop,,,,,," for artist, followers in values.items()]
    rows = {row["id"]: row for row in classify_lines(ARTISTS, lines)}
    for artist in ("a1", "a2", "a3"):
        assert (rows[artist]["reason"], rows[artist]["followers"]) == (None, 2**63 - 1), artist
    for artist in ("a4", "a5"):
        assert rows[artist]["reason"] == "invalid_number", artist
