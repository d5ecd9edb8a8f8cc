"""Trimming and type normalisation of the parsed string columns.

Each source declares its typed fields once (`FIELDS`); `validate` derives its rules from the
same declarations, so a field cannot be typed one way and validated another. Parsing never
relies on a Spark cast failing to NULL: values are matched against a pattern first, which
keeps the behaviour identical with and without ANSI mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from spotify_etl.read import raw_name
from spotify_etl.schemas import ALBUMS, ARTISTS, TRACKS, SourceSpec

Kind = Literal["key", "text", "lower", "integer", "boolean", "date"]

INTEGER_PATTERN = r"^[+-]?[0-9]{1,18}(\.0+)?$"
"""Whole numbers; a trailing ``.0`` is accepted because pandas exports nullable ints as floats."""

DATE_PATTERN = (
    r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?: (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] UTC)?)?)?$"
)
"""The four delivered forms: YYYY, YYYY-MM, YYYY-MM-DD and YYYY-MM-DD HH:MM:SS UTC."""

MIN_RELEASE_YEAR = 1900
MAX_RELEASE_YEAR = 2100
"""Plausible recording years; Spotify uses 0000 for unknown dates, which must not become a partition."""

PRECISION_SUFFIX = "_precision"


@dataclass(frozen=True)
class Field:
    """A typed output field of a source and the rules its value must satisfy."""

    name: str
    """Column name after cleaning."""
    source: str
    """Raw CSV column it is parsed from."""
    kind: Kind
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    range_reason: str = "out_of_range"
    allowed: tuple[str, ...] = ()


FIELDS: dict[str, tuple[Field, ...]] = {
    TRACKS.name: (
        Field("id", "id", "key"),
        Field("track_popularity", "track_popularity", "integer", minimum=0, maximum=100),
        Field("explicit", "explicit", "boolean"),
    ),
    ALBUMS.name: (
        Field("track_id", "track_id", "key"),
        Field("album_id", "album_id", "key"),
        Field("artist_id", "artist_id", "key"),
        Field("track_name", "track_name", "text"),
        Field("track_number", "track_number", "integer", minimum=1, maximum=2_147_483_647),
        Field(
            "duration_ms",
            "duration_ms",
            "integer",
            required=True,
            minimum=1,
            range_reason="non_positive_duration",
        ),
        Field("album_type", "album_type", "lower", allowed=("album", "single", "compilation")),
        Field("total_tracks", "total_tracks", "integer", minimum=1, maximum=2_147_483_647),
        Field("album_name", "album_name", "text"),
        Field("release_date", "release_date", "date", required=True),
        Field("label", "label", "text"),
        Field("album_popularity", "album_popularity", "integer", minimum=0, maximum=100),
    ),
    ARTISTS.name: (
        Field("id", "id", "key"),
        Field("name", "name", "text"),
        Field("artist_popularity", "artist_popularity", "integer", minimum=0, maximum=100),
        Field("followers", "followers", "integer", minimum=0),
        Field("genre", "genre_0", "lower"),
    ),
}


def text(raw: Column) -> Column:
    """The string as it is: `read.parse_records` already trimmed it and made empty values NULL."""
    return raw


def integer(raw: Column) -> Column:
    """Whole number as bigint, NULL when absent or not a whole number."""
    value = text(raw)
    # Once the pattern matched, the part before any ".0" is a plain integer literal.
    return F.when(value.rlike(INTEGER_PATTERN), F.substring_index(value, ".", 1).cast("bigint"))


def boolean(raw: Column) -> Column:
    """``true``/``false`` in any case as boolean, NULL otherwise."""
    value = F.lower(text(raw))
    return F.when(value == "true", F.lit(True)).when(value == "false", F.lit(False))


def release_date(raw: Column) -> tuple[Column, Column]:
    """Date (missing month/day filled with 01) and its precision, both NULL when invalid.

    Components are range-checked before ``make_date`` so an impossible date such as
    2021-02-30 is reported as invalid instead of raising or rolling over.
    """
    value = text(raw)
    matches = value.rlike(DATE_PATTERN)
    # The four forms are fixed-width, so once the pattern matched the parts are substrings.
    size = F.length(value)
    year = F.substring(value, 1, 4).cast("int")
    month = F.when(size >= 7, F.substring(value, 6, 2).cast("int")).otherwise(F.lit(1))
    day = F.when(size >= 10, F.substring(value, 9, 2).cast("int")).otherwise(F.lit(1))
    plausible = matches & year.between(MIN_RELEASE_YEAR, MAX_RELEASE_YEAR) & month.between(1, 12)
    month_days = F.dayofmonth(F.last_day(F.make_date(year, month, F.lit(1))))
    valid = plausible & (day >= 1) & (day <= month_days)
    precision = F.when(size >= 10, "day").when(size == 7, "month").otherwise("year")
    return F.when(valid, F.make_date(year, month, day)), F.when(valid, precision)


def typed_columns(field: Field) -> list[Column]:
    """The cleaned column(s) of one field."""
    raw = F.col(raw_name(field.source))
    if field.kind == "date":
        date, precision = release_date(raw)
        return [date.alias(field.name), precision.alias(field.name + PRECISION_SUFFIX)]
    converters = {
        "key": text,
        "text": text,
        "lower": lambda column: F.lower(text(column)),
        "integer": integer,
        "boolean": boolean,
    }
    return [converters[field.kind](raw).alias(field.name)]


def clean(parsed: DataFrame, spec: SourceSpec) -> DataFrame:
    """Add the typed fields of a source next to its raw string columns (`read.parse_records`),
    except those already there (`key_column`, added earlier to distribute rows by key).

    The raw columns stay so that validation can tell "absent" from "present but invalid".
    """
    present = set(parsed.columns)
    fields = [field for field in FIELDS[spec.name] if field.name not in present]
    return parsed.select("*", *[column for field in fields for column in typed_columns(field)])


def key_column(spec: SourceSpec) -> Column:
    """The cleaned key of a source, named as in `FIELDS` (what `clean` would compute for it)."""
    (field,) = [field for field in FIELDS[spec.name] if field.name == spec.key]
    (column,) = typed_columns(field)
    return column


def typed_names(spec: SourceSpec) -> list[str]:
    """Names of the cleaned columns of a source, in declaration order."""
    names: list[str] = []
    for field in FIELDS[spec.name]:
        names.append(field.name)
        if field.kind == "date":
            names.append(field.name + PRECISION_SUFFIX)
    return names
