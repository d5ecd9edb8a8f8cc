"""The column types a contract may declare and how each system spells them. The one table is
``model/columnTypes.ts``; ``npm run python:json`` copies it into ``column_types.json`` beside this
module. The Glue job keeps its own Spark types (``spotify_etl.contract.SPARK_TYPES``, in its deployed
package), checked against this table's Spark rendering by ``queries/tests/test_column_types.py``.

Contracts declare a type in one of two spellings: the queries' schemas in Athena's query (Presto)
spelling (``varchar``, ``integer``), the warehouse contract in its DDL (Hive) spelling (``string``,
``int``). ``decimal(p,s)`` is a rule, not a row: each of its renderings is a template in which
``{precision}`` and ``{scale}`` stand for p and s.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, cast

RESOURCE = "column_types.json"

Spelling = Literal["presto", "hive", "duckdb"]


class UnknownColumnTypeError(ValueError):
    """A type no contract may declare."""


@dataclass(frozen=True)
class ColumnType:
    """One declarable type, as each system the Python side drives spells it."""

    presto: str
    """Athena's query spelling: what ``queries/*.schema.json`` declare."""
    hive: str
    """Athena's DDL spelling: what the warehouse contract declares."""
    duckdb: str
    """DuckDB's name of a result column of this type."""
    spark: str
    """The ``pyspark.sql.types`` constructor call, e.g. ``LongType()``."""
    trino: str
    """Trino's name of a result column of this type."""


def _template_pattern(template: str) -> re.Pattern[str]:
    """``template`` as a pattern capturing the precision and the scale it spells."""
    parts = re.split(r"\{(precision|scale)\}", template)
    return re.compile(
        "".join(rf"(?P<{part}>\d+)" if index % 2 else re.escape(part) for index, part in enumerate(parts))
    )


@dataclass(frozen=True)
class ColumnTypes:
    """The table: the scalar types, and the decimal rule (its largest precision, its templates)."""

    scalars: tuple[ColumnType, ...]
    max_precision: int
    decimal: ColumnType

    def known(self, spelling: Spelling) -> str:
        """The declarable types in ``spelling``, for messages."""
        names = ", ".join(sorted(getattr(row, spelling) for row in self.scalars))
        decimal = getattr(self.decimal, spelling).format(precision="p", scale="s")
        return f"{names}, {decimal} with 1 <= p <= {self.max_precision} and s <= p"

    def find(self, name: str, spelling: Spelling) -> ColumnType | None:
        """The type ``spelling`` names ``name``, or None when no contract may declare it."""
        decimal = _template_pattern(getattr(self.decimal, spelling)).fullmatch(name)
        if decimal is None:
            return next((row for row in self.scalars if getattr(row, spelling) == name), None)
        precision, scale = int(decimal["precision"]), int(decimal["scale"])
        if not (1 <= precision <= self.max_precision and scale <= precision):
            return None
        return ColumnType(
            **{field.name: getattr(self.decimal, field.name).format(precision=precision, scale=scale) for field in fields(ColumnType)}
        )

    def get(self, name: str, spelling: Spelling) -> ColumnType:
        """The type ``spelling`` names ``name``; an undeclarable one raises, naming it and the declarable ones."""
        found = self.find(name, spelling)
        if found is None:
            raise UnknownColumnTypeError(f"column type {name!r} is not one of {self.known(spelling)}")
        return found


def _column_type(raw: dict[str, Any]) -> ColumnType:
    return ColumnType(**{field.name: str(raw[field.name]) for field in fields(ColumnType)})


def parse_column_types(text: str) -> ColumnTypes:
    """The table from the JSON ``npm run python:json`` writes."""
    raw = cast(dict[str, Any], json.loads(text))
    return ColumnTypes(
        scalars=tuple(_column_type(row) for row in raw["scalars"].values()),
        max_precision=int(raw["decimal"]["maxPrecision"]),
        decimal=_column_type(raw["decimal"]["renderings"]),
    )


@lru_cache(maxsize=1)
def column_types() -> ColumnTypes:
    """The table shipped as package data."""
    return parse_column_types(resources.files("query_engines").joinpath(RESOURCE).read_text(encoding="utf-8"))
