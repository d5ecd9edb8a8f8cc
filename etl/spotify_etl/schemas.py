"""Input contract of the three staging CSV sources (layout of the public "Spotify Dataset 2023").

Everything is declared here, nothing is inferred: Spark's schema inference would silently
turn a malformed value into NULL or widen a column, which hides exactly the defects this
pipeline must quarantine. Columns are read as strings and typed later by `clean`, so that
every bad value is seen and rejected with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceSpec:
    """One staging source: where it lives, its exact header, and its identity."""

    name: str
    columns: tuple[str, ...]
    key: str
    """Column that identifies a row; NULL keys are rejected, duplicates are deduplicated on it."""

    @property
    def prefix(self) -> str:
        """Staging prefix of the source, e.g. ``tracks/``."""
        return f"{self.name}/"

    @property
    def header(self) -> str:
        """The exact header line every file of the source must carry."""
        return ",".join(self.columns)


TRACKS = SourceSpec(
    name="tracks",
    columns=("id", "track_popularity", "explicit"),
    key="id",
)

ALBUMS = SourceSpec(
    name="albums",
    columns=(
        "track_name",
        "track_id",
        "track_number",
        "duration_ms",
        "album_type",
        "artists",
        "total_tracks",
        "album_name",
        "release_date",
        "label",
        "album_popularity",
        "album_id",
        "artist_id",
        *(f"artist_{i}" for i in range(12)),
        "duration_sec",
    ),
    key="track_id",
)

ARTISTS = SourceSpec(
    name="artists",
    columns=(
        "id",
        "name",
        "artist_popularity",
        "artist_genres",
        "followers",
        *(f"genre_{i}" for i in range(7)),
    ),
    key="id",
)

SOURCES: tuple[SourceSpec, ...] = (TRACKS, ALBUMS, ARTISTS)
"""All sources, in the order they are processed and reported."""
