"""Reconciliation: proof that no row was lost or invented between the files and the outputs.

Equations, each checked separately so a failure names the exact leak:
  * every source:  input rows (counted from the files) = accepted + rejected
  * albums:        accepted = output rows (albums are the base of a non-fanning left join)
  * tracks:        accepted = output rows with a track match + unmatched tracks
  * artists:       accepted = distinct matched artist ids in the output + unmatched artists
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spotify_etl.errors import ReconciliationError
from spotify_etl.schemas import ALBUMS, ARTISTS, TRACKS
from spotify_etl.summary import Check, OutputCounts, SourceCounts
from spotify_etl.validate import REASON


def reason_counts(classified: DataFrame) -> tuple[int, dict[str, int]]:
    """Accepted rows and rejected rows per reason, in one pass."""
    rows = classified.groupBy(REASON).count().collect()
    rejected = {str(row[REASON]): int(row["count"]) for row in rows if row[REASON] is not None}
    accepted = sum(int(row["count"]) for row in rows if row[REASON] is None)
    return accepted, dict(sorted(rejected.items()))


def output_counts(output: DataFrame) -> OutputCounts:
    """Row, partition and match counts of the conformed output, in one pass."""
    row = output.agg(
        F.count(F.lit(1)).alias("rows"),
        F.countDistinct("release_year").alias("partitions"),
        F.count(F.when(F.col("track_matched"), 1)).alias("track_matched"),
        F.count(F.when(F.col("artist_matched"), 1)).alias("artist_matched"),
        F.countDistinct(F.when(F.col("artist_matched"), F.col("artist_id"))).alias("artists_referenced"),
    ).first()
    assert row is not None  # a global aggregate always yields one row
    return OutputCounts(
        rows=int(row["rows"]),
        partitions=int(row["partitions"]),
        track_matched=int(row["track_matched"]),
        artist_matched=int(row["artist_matched"]),
        artists_referenced=int(row["artists_referenced"]),
    )


def checks(sources: dict[str, SourceCounts], output: OutputCounts) -> tuple[Check, ...]:
    """All reconciliation equations for a run."""
    per_source = tuple(
        Check(f"{name}: input = accepted + rejected", counts.input_rows, counts.accepted + counts.rejected_total)
        for name, counts in sources.items()
    )
    tracks, albums, artists = sources[TRACKS.name], sources[ALBUMS.name], sources[ARTISTS.name]
    return per_source + (
        Check("albums: accepted = output rows", albums.accepted, output.rows),
        Check("tracks: accepted = matched + unmatched", tracks.accepted, output.track_matched + tracks.unmatched),
        Check(
            "artists: accepted = referenced + unmatched",
            artists.accepted,
            output.artists_referenced + artists.unmatched,
        ),
    )


def failed(all_checks: tuple[Check, ...]) -> tuple[Check, ...]:
    """The checks that do not balance."""
    return tuple(check for check in all_checks if not check.ok)


def raise_if_failed(all_checks: tuple[Check, ...]) -> None:
    """Raise `ReconciliationError` naming every unbalanced equation and both its sides."""
    bad = failed(all_checks)
    if bad:
        details = "; ".join(f"{check.name}: expected {check.expected}, got {check.actual}" for check in bad)
        raise ReconciliationError(f"reconciliation failed ({len(bad)} check(s)): {details}")
