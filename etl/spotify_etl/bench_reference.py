"""Benchmark-only reference: the job's validation, dedupe, join and writes in DuckDB SQL.

Used by `spotify_etl.bench` (and nothing else) as a single-node yardstick for the Spark job:
how long does the same work take when a vectorised engine does it on one machine? It is not
a second implementation of the job to keep in sync with every detail, so differences are
listed here and the benchmark prints both sides' counts next to each other:

* records come from DuckDB's own RFC 4180 reader (``strict_mode``, rejects stored), whose
  error recovery differs from the job's on malformed quoting: a bare ``"`` inside an unquoted
  field is data for DuckDB, while the job rejects the record;
* DuckDB skips empty lines, which the job rejects as ``blank_line``;
* the ``detail`` column of rejected rows is not produced.

Everything else follows etl/README.md: trimmed strings, the same integer and date patterns,
the same rules in the same precedence, duplicates ranked the same way, albums left-joined to
tracks and artists, unmatched tracks and artists, the table written as snappy Parquet
partitioned by ``release_year`` and sorted by ``track_id, album_id``, plus ``rejected/`` and
``unmatched/``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from spotify_etl.clean import DATE_PATTERN, INTEGER_PATTERN, MAX_RELEASE_YEAR, MIN_RELEASE_YEAR
from spotify_etl.schemas import ALBUMS, ARTISTS, TRACKS, SourceSpec

_CSV_ERRORS = {
    "INVALID ENCODING": "invalid_utf8",
    "INVALID UNICODE": "invalid_utf8",
    "UNQUOTED VALUE": "unbalanced_quotes",
    "TOO MANY COLUMNS": "wrong_column_count",
    "MISSING COLUMNS": "wrong_column_count",
}


def _text(column: str) -> str:
    return f"nullif(trim(\"{column}\"), '')"


def _integer(column: str) -> str:
    value = _text(column)
    return (
        f"CASE WHEN regexp_full_match({value}, '{INTEGER_PATTERN[1:-1]}') "
        f"THEN CAST(regexp_extract({value}, '^([+-]?[0-9]+)', 1) AS BIGINT) END"
    )


def _read(spec: SourceSpec, staging: Path) -> str:
    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in spec.columns)
    return (
        f"read_csv('{staging / spec.name}/**/*.csv', columns={{{columns}}}, header=true, auto_detect=false, "
        f"delim=',', quote='\"', escape='\"', new_line='\\n', strict_mode=true, filename=true, "
        f"store_rejects=true, rejects_table='{spec.name}_errors', rejects_scan='{spec.name}_scans')"
    )


def _first_reason(cases: list[tuple[str, str]]) -> str:
    return "CASE " + " ".join(f"WHEN {condition} THEN '{reason}'" for reason, condition in cases) + " END"


def _tracks_sql(staging: Path) -> str:
    pop, explicit = _integer("track_popularity"), f"lower({_text('explicit')})"
    typed = f"""
        SELECT {_text('id')} AS id, {pop} AS track_popularity,
               CASE {explicit} WHEN 'true' THEN true WHEN 'false' THEN false END AS explicit,
               {_text('track_popularity')} IS NOT NULL AS pop_present, {explicit} IS NOT NULL AS explicit_present,
               filename AS source_file, concat_ws(',', id, track_popularity, explicit) AS line
        FROM {_read(TRACKS, staging)}"""
    reason = _first_reason(
        [
            ("null_key", "id IS NULL"),
            ("invalid_number", "pop_present AND track_popularity IS NULL"),
            ("out_of_range", "track_popularity < 0 OR track_popularity > 100"),
            ("invalid_boolean", "explicit_present AND explicit IS NULL"),
        ]
    )
    return f"SELECT *, {reason} AS reason FROM ({typed})"


def _albums_sql(staging: Path) -> str:
    date = _text("release_date")

    def part(group: int) -> str:
        return f"regexp_extract({date}, '{DATE_PATTERN}', {group})"

    integers = {name: _integer(name) for name in ("track_number", "duration_ms", "total_tracks", "album_popularity")}
    presence = ", ".join(f"{_text(name)} IS NOT NULL AS {name}_present" for name in integers)
    typed = f"""
        SELECT {_text('track_id')} AS track_id, {_text('album_id')} AS album_id, {_text('artist_id')} AS artist_id,
               {_text('track_name')} AS track_name, {_text('album_name')} AS album_name, {_text('label')} AS label,
               lower({_text('album_type')}) AS album_type,
               {', '.join(f'{sql} AS {name}' for name, sql in integers.items())}, {presence},
               {date} IS NOT NULL AS date_present,
               CASE WHEN regexp_full_match({date}, '{DATE_PATTERN[1:-1]}') THEN CAST({part(1)} AS INTEGER) END AS y,
               CASE WHEN {part(2)} <> '' THEN CAST({part(2)} AS INTEGER) ELSE 1 END AS m,
               CASE WHEN {part(3)} <> '' THEN CAST({part(3)} AS INTEGER) ELSE 1 END AS d,
               CASE WHEN {part(3)} <> '' THEN 'day' WHEN {part(2)} <> '' THEN 'month' ELSE 'year' END AS precision,
               filename AS source_file, concat_ws(',', {', '.join(f'"{c}"' for c in ALBUMS.columns)}) AS line
        FROM {_read(ALBUMS, staging)}"""
    month_days = (
        "CASE WHEN m = 2 THEN CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0 THEN 29 ELSE 28 END "
        "WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    )
    valid_date = (
        f"y BETWEEN {MIN_RELEASE_YEAR} AND {MAX_RELEASE_YEAR} AND m BETWEEN 1 AND 12 AND d BETWEEN 1 AND {month_days}"
    )
    dated = f"""
        SELECT *, CASE WHEN {valid_date} THEN make_date(y, m, d) END AS release_date,
               CASE WHEN {valid_date} THEN precision END AS release_date_precision
        FROM ({typed})"""
    integer_cases = [(name, f"{name}_present AND {name} IS NULL") for name in integers]
    reason = _first_reason(
        [
            ("null_key", "track_id IS NULL OR album_id IS NULL OR artist_id IS NULL"),
            ("missing_value", "NOT duration_ms_present OR NOT date_present"),
            *[("invalid_number", condition) for _, condition in integer_cases],
            ("out_of_range", "track_number < 1 OR total_tracks < 1 OR album_popularity < 0 OR album_popularity > 100"),
            ("non_positive_duration", "duration_ms < 1"),
            ("invalid_date", "release_date IS NULL"),
            ("invalid_enum", "album_type IS NOT NULL AND album_type NOT IN ('album', 'single', 'compilation')"),
        ]
    )
    return f"SELECT *, {reason} AS reason FROM ({dated})"


def _artists_sql(staging: Path) -> str:
    pop, followers = _integer("artist_popularity"), _integer("followers")
    typed = f"""
        SELECT {_text('id')} AS id, {_text('name')} AS name, {pop} AS artist_popularity, {followers} AS followers,
               lower({_text('genre_0')}) AS genre,
               {_text('artist_popularity')} IS NOT NULL AS pop_present, {_text('followers')} IS NOT NULL AS followers_present,
               filename AS source_file, concat_ws(',', {', '.join(f'"{c}"' for c in ARTISTS.columns)}) AS line
        FROM {_read(ARTISTS, staging)}"""
    reason = _first_reason(
        [
            ("null_key", "id IS NULL"),
            ("invalid_number", "(pop_present AND artist_popularity IS NULL) OR (followers_present AND followers IS NULL)"),
            ("out_of_range", "artist_popularity < 0 OR artist_popularity > 100 OR followers < 0"),
        ]
    )
    return f"SELECT *, {reason} AS reason FROM ({typed})"


_PREFERENCE = {
    TRACKS.name: ("track_popularity",),
    ALBUMS.name: ("album_popularity",),
    ARTISTS.name: ("artist_popularity", "followers"),
}


def _deduped(spec: SourceSpec, validated: str) -> str:
    order = ", ".join(f"{name} DESC NULLS LAST" for name in _PREFERENCE[spec.name])
    rank = f"row_number() OVER (PARTITION BY reason IS NULL, {spec.key} ORDER BY {order}, source_file, line)"
    return f"""
        SELECT * EXCLUDE (rank, reason), CASE WHEN reason IS NULL AND rank > 1 THEN 'duplicate' ELSE reason END AS reason
        FROM (SELECT *, {rank} AS rank FROM ({validated}))"""


def run_reference(staging: Path, out: Path, threads: int) -> dict[str, Any]:
    """Run the reference once into ``out``; return its seconds and counts."""
    import duckdb  # noqa: PLC0415 - benchmark-only dependency (pinned in queries/requirements-dev.txt)

    started = time.monotonic()
    connection = duckdb.connect(":memory:", config={"threads": threads})
    try:
        builders = {TRACKS.name: _tracks_sql, ALBUMS.name: _albums_sql, ARTISTS.name: _artists_sql}
        counts: dict[str, dict[str, Any]] = {}
        for spec in (TRACKS, ALBUMS, ARTISTS):
            connection.execute(f"CREATE TEMP TABLE {spec.name}_rows AS {_deduped(spec, builders[spec.name](staging))}")
            errors = ", ".join(f"('{kind}', '{reason}')" for kind, reason in _CSV_ERRORS.items())
            connection.execute(
                f"""CREATE TEMP TABLE {spec.name}_bad AS
                    SELECT any_value(s.file_path) AS source_file, any_value(r.reason) AS reason,
                           any_value(e.csv_line) AS line
                    FROM {spec.name}_errors e JOIN {spec.name}_scans s USING (scan_id, file_id)
                    LEFT JOIN (VALUES {errors}) r(kind, reason) ON r.kind = e.error_type
                    GROUP BY e.scan_id, e.file_id, e.line"""
            )
            rows = connection.execute(
                f"SELECT count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL) FROM {spec.name}_rows"
            ).fetchone()
            bad = connection.execute(f"SELECT count(*) FROM {spec.name}_bad").fetchone()
            assert rows is not None and bad is not None
            counts[spec.name] = {"accepted": rows[0], "rejected": rows[1] + bad[0]}
        connection.execute(
            """CREATE TEMP TABLE output AS
               SELECT a.track_id, a.track_name, a.track_number, t.explicit, t.track_popularity, a.duration_ms,
                      a.duration_ms / 1000.0 AS duration_sec, a.album_id, a.album_name, a.album_type,
                      a.album_popularity, a.total_tracks, a.label, a.release_date, a.release_date_precision,
                      a.artist_id, r.name AS artist_name, r.artist_popularity, r.followers AS artist_followers,
                      r.genre, t.id IS NOT NULL AS track_matched, r.id IS NOT NULL AS artist_matched,
                      year(a.release_date) AS release_year
               FROM (SELECT * FROM albums_rows WHERE reason IS NULL) a
               LEFT JOIN (SELECT * FROM tracks_rows WHERE reason IS NULL) t ON a.track_id = t.id
               LEFT JOIN (SELECT * FROM artists_rows WHERE reason IS NULL) r ON a.artist_id = r.id"""
        )
        (out / "warehouse").mkdir(parents=True, exist_ok=True)
        connection.execute(
            f"""COPY (SELECT * FROM output ORDER BY release_year, track_id, album_id)
                TO '{out / "warehouse" / "tracks"}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (release_year))"""
        )
        rejected = " UNION ALL ".join(
            f"SELECT '{s}' AS source, source_file, reason, line FROM {s}_rows WHERE reason IS NOT NULL "
            f"UNION ALL SELECT '{s}', source_file, reason, line FROM {s}_bad"
            for s in (TRACKS.name, ALBUMS.name, ARTISTS.name)
        )
        connection.execute(
            f"""COPY (SELECT * FROM ({rejected}) ORDER BY source, source_file, line, reason)
                TO '{out / "rejected"}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (source))"""
        )
        for name, key, album_key in ((TRACKS.name, "id", "track_id"), (ARTISTS.name, "id", "artist_id")):
            (out / "unmatched").mkdir(exist_ok=True)
            connection.execute(
                f"""COPY (SELECT * EXCLUDE (reason) FROM {name}_rows s WHERE reason IS NULL
                          AND NOT EXISTS (SELECT 1 FROM albums_rows a WHERE a.reason IS NULL AND a.{album_key} = s.{key})
                          ORDER BY {key}, source_file, line)
                    TO '{out / "unmatched" / name}.parquet' (FORMAT parquet, COMPRESSION snappy)"""
            )
        output = connection.execute(
            "SELECT count(*), count(DISTINCT release_year), count(*) FILTER (WHERE track_matched), "
            "count(*) FILTER (WHERE artist_matched) FROM output"
        ).fetchone()
        assert output is not None
    finally:
        connection.close()
    return {
        "seconds": round(time.monotonic() - started, 2),
        "sources": counts,
        "output_rows": output[0],
        "partitions": output[1],
        "track_matched": output[2],
        "artist_matched": output[3],
    }
