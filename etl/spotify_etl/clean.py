"""Type normalisation of the parsed string columns, over Arrow arrays (in Spark's Python workers).

Each source declares its typed fields once (`FIELDS`); `validate` derives its rules from the
same declarations, so a field cannot be typed one way and validated another. Parsing never
relies on a cast failing to NULL: values are matched against a pattern first, and only a
matching value is ever converted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from spotify_etl.schemas import ALBUMS, ARTISTS, TRACKS, SourceSpec

Kind = Literal["key", "text", "lower", "integer", "boolean", "date"]

INTEGER_PATTERN = r"^[+-]?[0-9]{1,19}(\.0+)?$"
"""Whole numbers of up to 19 digits, as many as a bigint holds (`integer` checks the range); a
trailing ``.0`` is accepted because pandas exports nullable ints as floats."""

BIGINT_LIMITS = {"-": "9223372036854775808", "": "9223372036854775807"}
"""The largest magnitude of a 19-digit bigint, by sign: a string comparison decides it, as
both sides have 19 digits."""

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


def text(raw: pa.StringArray) -> pa.Array:
    """The string as it is: `file_rows` already trimmed it and made empty values NULL."""
    return raw


def lower(raw: pa.StringArray) -> pa.Array:
    """Lower-cased, for values compared case-insensitively (album type, genre)."""
    return pc.utf8_lower(raw)


def integer(raw: pa.StringArray) -> pa.Array:
    """Whole number as int64, NULL when absent or not a whole number."""
    # Once the pattern matched, dropping a leading "+" and any ".0" leaves a plain integer literal.
    digits = pc.replace_substring_regex(raw, r"^\+|\.0+$", "")
    magnitude = pc.replace_substring_regex(digits, r"^-", "")
    negative = pc.starts_with(digits, "-")
    limit = pc.if_else(negative, BIGINT_LIMITS["-"], BIGINT_LIMITS[""])
    in_range = pc.or_(pc.less(pc.utf8_length(magnitude), 19), pc.less_equal(magnitude, limit))
    whole = pc.and_(pc.match_substring_regex(raw, INTEGER_PATTERN), in_range)
    return pc.cast(pc.if_else(whole, digits, pa.nulls(len(raw), pa.string())), pa.int64())


def boolean(raw: pa.StringArray) -> pa.Array:
    """``true``/``false`` in any case as boolean, NULL otherwise."""
    value = pc.utf8_lower(raw)
    known = pc.is_in(value, value_set=pa.array(["true", "false"]))
    return pc.if_else(known, pc.equal(value, "true"), pa.nulls(len(raw), pa.bool_()))


def _part(value: pa.StringArray, start: int, present: np.ndarray, default: int) -> np.ndarray:
    """The two- or four-digit number at ``start`` where ``present``, else ``default``."""
    width = 4 if start == 0 else 2
    digits = pc.utf8_slice_codeunits(pc.if_else(pa.array(present), value, "0000-00-00"), start, start + width)
    parsed = pc.cast(digits, pa.int32()).to_numpy(zero_copy_only=False)
    return np.where(present, parsed, default)


def release_date(raw: pa.StringArray) -> tuple[pa.Array, pa.Array]:
    """Date (missing month/day filled with 01) and its precision, both NULL when invalid.

    Components are range-checked, so an impossible date such as 2021-02-30 is reported as
    invalid instead of rolling over.
    """
    matches = pc.fill_null(pc.match_substring_regex(raw, DATE_PATTERN), False).to_numpy(zero_copy_only=False)
    # The four forms are fixed-width, so once the pattern matched the parts are substrings.
    size = pc.fill_null(pc.utf8_length(raw), 0).to_numpy(zero_copy_only=False)
    year = _part(raw, 0, matches, 1970)
    month = _part(raw, 5, matches & (size >= 7), 1)
    day = _part(raw, 8, matches & (size >= 10), 1)
    plausible = matches & (year >= MIN_RELEASE_YEAR) & (year <= MAX_RELEASE_YEAR) & (month >= 1) & (month <= 12)
    first_of_month = (year - 1970).astype("datetime64[Y]") + np.clip(month - 1, 0, 11).astype("timedelta64[M]")
    month_days = ((first_of_month + np.timedelta64(1, "M")).astype("datetime64[D]") - first_of_month.astype("datetime64[D]")).astype(int)
    valid = plausible & (day >= 1) & (day <= month_days)
    days = first_of_month.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    precision = np.where(size >= 10, "day", np.where(size == 7, "month", "year"))
    return (
        pa.array(days.astype("datetime64[D]"), type=pa.date32(), mask=~valid),
        pa.array(precision, type=pa.string(), mask=~valid),
    )


_CONVERTERS: dict[Kind, Callable[[pa.StringArray], pa.Array]] = {
    "key": text,
    "text": text,
    "lower": lower,
    "integer": integer,
    "boolean": boolean,
}

ARROW_TYPES: dict[Kind, pa.DataType] = {
    "key": pa.string(),
    "text": pa.string(),
    "lower": pa.string(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}
"""The type of each kind's cleaned column (a date also gets a string ``_precision`` column)."""


def typed_columns(field: Field, raw: pa.StringArray) -> dict[str, pa.Array]:
    """The cleaned column(s) of one field, by name."""
    if field.kind == "date":
        date, precision = release_date(raw)
        return {field.name: date, field.name + PRECISION_SUFFIX: precision}
    return {field.name: _CONVERTERS[field.kind](raw)}


def typed_fields(spec: SourceSpec) -> list[tuple[str, pa.DataType]]:
    """Names and Arrow types of the cleaned columns of a source, in declaration order."""
    fields: list[tuple[str, pa.DataType]] = []
    for field in FIELDS[spec.name]:
        fields.append((field.name, ARROW_TYPES[field.kind]))
        if field.kind == "date":
            fields.append((field.name + PRECISION_SUFFIX, pa.string()))
    return fields


def typed_names(spec: SourceSpec) -> list[str]:
    """Names of the cleaned columns of a source, in declaration order."""
    return [name for name, _ in typed_fields(spec)]
