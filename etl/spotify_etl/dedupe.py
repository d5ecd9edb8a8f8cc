"""Deterministic deduplication of valid rows on each source's key.

Among valid rows sharing a key, the kept row is the first in this total order:
  1. highest popularity (artists: then most followers), NULLs last: the freshest snapshot
     of a Spotify entity has the most recent, usually highest, metrics;
  2. smallest source file path, then smallest raw record: an arbitrary but stable tie-break,
     so the same input always keeps the same row whatever the partitioning.
Every other row with that key is rejected with reason ``duplicate``: counted, never dropped.
Rows already rejected by validation take no part, so a bad row can never shadow a good one.

The window is partitioned by the key alone (valid rows ordered first), so when the rows
already arrive hash-partitioned by the key (`pipeline.classify` distributes them so, once,
right after reading), ranking them needs no further shuffle.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from spotify_etl.columns import DETAIL, REASON, RECORD, SOURCE_FILE
from spotify_etl.schemas import ALBUMS, ARTISTS, TRACKS, SourceSpec

_DUPLICATE = "_is_duplicate"

PREFERENCE: dict[str, tuple[str, ...]] = {
    TRACKS.name: ("track_popularity",),
    ALBUMS.name: ("album_popularity",),
    ARTISTS.name: ("artist_popularity", "followers"),
}
"""Columns preferred in descending order (NULLs last) before the file/record tie-break."""


def mark_duplicates(validated: DataFrame, spec: SourceSpec) -> DataFrame:
    """Set ``reason = 'duplicate'`` on every valid row that is not the kept row of its key."""
    is_valid = F.col(REASON).isNull()
    window = Window.partitionBy(F.col(spec.key)).orderBy(
        is_valid.desc(),
        *[F.col(name).desc_nulls_last() for name in PREFERENCE[spec.name]],
        F.col(SOURCE_FILE).asc(),
        F.col(RECORD).asc(),
    )
    flagged = validated.withColumn(_DUPLICATE, is_valid & (F.row_number().over(window) > 1))
    duplicate = F.col(_DUPLICATE)
    return flagged.select(
        *[F.col(name) for name in validated.columns if name not in (REASON, DETAIL)],
        F.when(duplicate, F.lit("duplicate")).otherwise(F.col(REASON)).alias(REASON),
        F.when(duplicate, F.concat(F.lit(f"{spec.key}="), F.col(spec.key))).otherwise(F.col(DETAIL)).alias(DETAIL),
    )
