"""The left-join policy: album rows are never lost, matches are flagged, leftovers are found."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import SparkSession

from spotify_etl.join import join_sources, unmatched


def test_left_joins_keep_every_album_row_and_flag_matches(spark: SparkSession) -> None:
    albums = spark.createDataFrame(
        [
            ("t1", "One", 1, 1000, "album", 10, "Alb", dt.date(2001, 1, 1), "day", "L", 50, "al", "ar1"),
            ("t2", "Two", 2, 2500, "album", 10, "Alb", dt.date(2001, 1, 1), "day", "L", 50, "al", "ar_missing"),
            ("t_missing", "Three", 3, 3000, "album", 10, "Alb", dt.date(2001, 1, 1), "day", "L", 50, "al", "ar1"),
        ],
        "track_id string, track_name string, track_number bigint, duration_ms bigint, album_type string, "
        "total_tracks bigint, album_name string, release_date date, release_date_precision string, label string, "
        "album_popularity bigint, album_id string, artist_id string",
    )
    tracks = spark.createDataFrame(
        [("t1", 70, True), ("t2", 20, False), ("t_orphan", 5, False)],
        "id string, track_popularity bigint, explicit boolean",
    )
    artists = spark.createDataFrame(
        [("ar1", "Artist", 80, 1000, "pop"), ("ar_orphan", "Nobody", 1, 2, None)],
        "id string, name string, artist_popularity bigint, followers bigint, genre string",
    )
    rows = {row["track_id"]: row for row in join_sources(albums, tracks, artists).collect()}
    assert set(rows) == {"t1", "t2", "t_missing"}
    assert (rows["t1"]["track_matched"], rows["t1"]["artist_matched"]) == (True, True)
    assert (rows["t1"]["track_popularity"], rows["t1"]["artist_name"], rows["t1"]["genre"]) == (70, "Artist", "pop")
    assert (rows["t2"]["track_matched"], rows["t2"]["artist_matched"]) == (True, False)
    assert (rows["t2"]["artist_name"], rows["t2"]["artist_popularity"], rows["t2"]["artist_followers"]) == (None, None, None)
    assert (rows["t_missing"]["track_matched"], rows["t_missing"]["explicit"], rows["t_missing"]["track_popularity"]) == (False, None, None)
    assert rows["t2"]["duration_sec"] == 2.5
    assert rows["t1"]["release_year"] == 2001

    assert [row["id"] for row in unmatched(tracks, "id", albums, "track_id").collect()] == ["t_orphan"]
    assert [row["id"] for row in unmatched(artists, "id", albums, "artist_id").collect()] == ["ar_orphan"]
