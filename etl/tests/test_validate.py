"""Each defect kind gets its documented reason; valid variants are accepted.

Every case goes through the real read → split → parse → clean → validate → dedupe path, one
Spark run per source, and the expectation is written next to the input record. Records may
span lines (quoted line breaks); an unterminated quoted field runs to the end of the file, so
it is always the last case."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Sequence

from pyspark.sql import Row

from spotify_etl.schemas import ALBUMS, ARTISTS, TRACKS, SourceSpec
from spotify_etl.validate import REASONS

Classify = Callable[[SourceSpec, Sequence[str | bytes]], list[Row]]


def _verdicts(rows: list[Row]) -> Counter[tuple[str, str | None]]:
    return Counter((row["record"], row["reason"]) for row in rows)


def _expect(cases: list[tuple[str | bytes, str | None]]) -> Counter[tuple[str, str | None]]:
    decoded = [(line.decode("utf-8", errors="replace") if isinstance(line, bytes) else line, reason) for line, reason in cases]
    return Counter(decoded)


def test_tracks_reasons(classify_lines: Classify) -> None:
    cases: list[tuple[str | bytes, str | None]] = [
        ("t_ok,50,True", None),
        ("  t_trim , 7 ,FALSE ", None),
        ("t_float,12.0,false", None),
        ("t_bounds0,0,True", None),
        ("t_bounds100,100,False", None),
        ("t_empty,,", None),
        (",50,True", "null_key"),
        ("   ,50,True", "null_key"),
        ("t_high,101,True", "out_of_range"),
        ("t_low,-1,True", "out_of_range"),
        ("t_text,abc,True", "invalid_number"),
        ("t_frac,12.5,True", "invalid_number"),
        ("t_bool,5,yes", "invalid_boolean"),
        ("t_extra,1,True,extra", "wrong_column_count"),
        ("t_short,1", "wrong_column_count"),
        ('t_quote,1"2,True', "invalid_csv"),
        ('t_after,"1"2,True', "invalid_csv"),
        ("t_cr,1\r,True", "invalid_csv"),
        ('t_quoted,"7","true"', None),
        ('"t_multi\nline",8,False', None),
        ('t_lines,"3\nt_fragment,4,True\n",True', "invalid_number"),
        ("", "blank_line"),
        ("   ", "blank_line"),
        (b"t_latin\xe9,1,True", "invalid_utf8"),
        ("t_dup,60,False", None),
        ("t_dup,40,True", "duplicate"),
        ("t_same,5,True", None),
        ("t_same,5,True", "duplicate"),
        ('t_open,"1,True\nt_swallowed,2,False', "unbalanced_quotes"),
    ]
    rows = classify_lines(TRACKS, [line for line, _ in cases])
    expected = _expect(cases[:-1]) + Counter({('t_open,"1,True\nt_swallowed,2,False\n', "unbalanced_quotes"): 1})
    assert _verdicts(rows) == expected
    assert not any(row["id"] in ("t_fragment", "t_swallowed") for row in rows), "a line inside a record is not a row"


def _csv(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)  # CR LF: fields with line breaks get quoted
    return buffer.getvalue().removesuffix("\r\n")


def _album(**overrides: str) -> str:
    values = {column: "" for column in ALBUMS.columns}
    values.update(
        track_name="Song",
        track_id="tr",
        track_number="1",
        duration_ms="200000",
        album_type="album",
        artists="['A']",
        total_tracks="10",
        album_name="Album",
        release_date="2019-07-04",
        label="Label",
        album_popularity="50",
        album_id="al",
        artist_id="ar",
        artist_0="A",
        duration_sec="200.0",
    )
    values.update(overrides)
    return _csv([values[column] for column in ALBUMS.columns])


def test_albums_reasons(classify_lines: Classify) -> None:
    cases: list[tuple[str | bytes, str | None]] = [
        (_album(track_id="ok_day"), None),
        (_album(track_id="ok_year", release_date="2019"), None),
        (_album(track_id="ok_month", release_date="2019-07"), None),
        (_album(track_id="ok_ts", release_date="2019-07-04 23:59:59 UTC"), None),
        (_album(track_id="ok_leap", release_date="2020-02-29"), None),
        (_album(track_id="ok_type", album_type=" Single "), None),
        (_album(track_id="ok_nulls", track_number="", total_tracks="", album_popularity="", label="", album_type=""), None),
        (_album(track_id=""), "null_key"),
        (_album(track_id="k_album", album_id=""), "null_key"),
        (_album(track_id="k_artist", artist_id=" "), "null_key"),
        (_album(track_id="d_zero", duration_ms="0"), "non_positive_duration"),
        (_album(track_id="d_neg", duration_ms="-5"), "non_positive_duration"),
        (_album(track_id="d_text", duration_ms="long"), "invalid_number"),
        (_album(track_id="d_missing", duration_ms=""), "missing_value"),
        (_album(track_id="r_missing", release_date=""), "missing_value"),
        (_album(track_id="r_month", release_date="2019-13-01"), "invalid_date"),
        (_album(track_id="r_noleap", release_date="2021-02-29"), "invalid_date"),
        (_album(track_id="r_zero", release_date="0000"), "invalid_date"),
        (_album(track_id="r_old", release_date="1899-12-31"), "invalid_date"),
        (_album(track_id="r_short", release_date="2019-7-4"), "invalid_date"),
        (_album(track_id="r_iso", release_date="2019-07-04T12:30:00Z"), "invalid_date"),
        (_album(track_id="r_hour", release_date="2019-07-04 24:00:00 UTC"), "invalid_date"),
        (_album(track_id="p_high", album_popularity="101"), "out_of_range"),
        (_album(track_id="n_zero", track_number="0"), "out_of_range"),
        (_album(track_id="n_text", total_tracks="x"), "invalid_number"),
        (_album(track_id="e_type", album_type="EP"), "invalid_enum"),
        (_album(track_id="w_cols") + ",extra", "wrong_column_count"),
        ('"Song" ' + _album(track_id="q_after")[len("Song"):], "invalid_csv"),
        (_album(track_id="ml_lf", track_name="Two\nLines"), None),
        (_album(track_id="ml_crlf", track_name="Two\r\nLines", label='Say "Hi",\nLabel'), None),
        (_album(track_id="u_bad", track_name="Beyoncé").encode("latin-1"), "invalid_utf8"),
        (_album(track_id="dup", album_popularity="10"), "duplicate"),
        (_album(track_id="dup", album_popularity="90"), None),
    ]
    rows = classify_lines(ALBUMS, [line for line, _ in cases])
    assert _verdicts(rows) == _expect(cases)


def _artist(**overrides: str) -> str:
    values = {column: "" for column in ARTISTS.columns}
    values.update(id="ar", name="Artist", artist_popularity="50", artist_genres="['pop']", followers="1000", genre_0="pop")
    values.update(overrides)
    return _csv([values[column] for column in ARTISTS.columns])


def test_artists_reasons(classify_lines: Classify) -> None:
    cases: list[tuple[str | bytes, str | None]] = [
        (_artist(id="ok"), None),
        (_artist(id="ok_float", followers="1000.0"), None),
        (_artist(id="ok_empty", followers="", artist_popularity="", genre_0=""), None),
        (_artist(id=""), "null_key"),
        (_artist(id="f_sci", followers="1e5"), "invalid_number"),
        (_artist(id="f_neg", followers="-1"), "out_of_range"),
        (_artist(id="p_high", artist_popularity="120"), "out_of_range"),
        (_artist(id="u_bad", name="Sigur Rós").encode("latin-1"), "invalid_utf8"),
        (_artist(id="w_cols") + ",", "wrong_column_count"),
        (_artist(id="dup", artist_popularity="50", followers="10"), "duplicate"),
        (_artist(id="dup", artist_popularity="50", followers="99"), None),
    ]
    rows = classify_lines(ARTISTS, [line for line, _ in cases])
    assert _verdicts(rows) == _expect(cases)


def test_every_reason_has_a_case_in_this_module() -> None:
    source = open(__file__, encoding="utf-8").read()
    assert [reason for reason in REASONS if f'"{reason}"),' not in source] == []
