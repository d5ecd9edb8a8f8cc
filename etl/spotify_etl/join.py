"""The joins that build the warehouse table, and the leftovers they must not lose.

Policy: the albums rows are the base (one output row per album x track). Tracks and artists
are LEFT joined, so an album row whose track or artist is missing is still published, with
NULL attributes and ``track_matched`` / ``artist_matched`` false. Tracks and artists that no
album row references cannot appear in the table; they are returned by `unmatched` so the
pipeline can write them under ``unmatched/``.
Both right-hand sides are unique on their key after `dedupe`, so the joins never fan out.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

BROADCAST_ROWS = 2_000_000
"""Up to this many accepted rows, a right-hand side (3 or 5 narrow columns, well under 100 MB
in memory) is broadcast to every task: the albums rows then join where they are, with no
shuffle and no sort. Above it, Spark's own choice (a sort-merge join) applies."""


def _side(frame: DataFrame, rows: int | None) -> DataFrame:
    return F.broadcast(frame) if rows is not None and rows <= BROADCAST_ROWS else frame


def join_sources(
    albums: DataFrame,
    tracks: DataFrame,
    artists: DataFrame,
    track_rows: int | None = None,
    artist_rows: int | None = None,
) -> DataFrame:
    """Albums rows enriched with track and artist attributes, named as in the contract.

    Inputs are the accepted, cleaned rows of each source (see `clean.FIELDS` for columns);
    ``track_rows`` and ``artist_rows``, when known, are their counts (`BROADCAST_ROWS`).
    """
    track_side = tracks.select(
        F.col("id").alias("_track_key"),
        "track_popularity",
        "explicit",
    )
    artist_side = artists.select(
        F.col("id").alias("_artist_key"),
        F.col("name").alias("artist_name"),
        "artist_popularity",
        F.col("followers").alias("artist_followers"),
        "genre",
    )
    joined = albums.join(_side(track_side, track_rows), albums["track_id"] == track_side["_track_key"], "left").join(
        _side(artist_side, artist_rows), albums["artist_id"] == artist_side["_artist_key"], "left"
    )
    return joined.select(
        "track_id",
        "track_name",
        "track_number",
        "explicit",
        "track_popularity",
        "duration_ms",
        (F.col("duration_ms") / F.lit(1000.0)).alias("duration_sec"),
        "album_id",
        "album_name",
        "album_type",
        "album_popularity",
        "total_tracks",
        "label",
        "release_date",
        "release_date_precision",
        "artist_id",
        "artist_name",
        "artist_popularity",
        "artist_followers",
        "genre",
        F.col("_track_key").isNotNull().alias("track_matched"),
        F.col("_artist_key").isNotNull().alias("artist_matched"),
        F.year("release_date").alias("release_year"),
    )


def unmatched(rows: DataFrame, key: str, albums: DataFrame, album_key: str) -> DataFrame:
    """Rows whose ``key`` no albums row references through ``album_key``. (An anti join only
    asks whether a match exists, so the references are not made distinct first: that would be
    one more aggregation and shuffle of every albums row.)"""
    referenced = albums.select(F.col(album_key).alias("_referenced"))
    return rows.join(referenced, rows[key] == referenced["_referenced"], "left_anti")
