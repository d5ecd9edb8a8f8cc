"""Type mapping between the warehouse contract, DuckDB, Trino and Athena, by the one column type
table (``query_engines.column_types``), and schema comparison."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from query_engines.catalog import Column
from query_engines.column_types import column_types


def duckdb_to_athena(duckdb_type: str) -> str | None:
    """The declared Athena type of a DuckDB result type, or None when no contract may declare one
    (HUGEINT, LIST, STRUCT, ...): the SQL must cast it to a type Athena would also produce."""
    normalized = re.sub(r",\s+", ",", duckdb_type.strip().upper())
    found = column_types().find(normalized, "duckdb")
    return None if found is None else found.presto


def hive_to_duckdb(hive_type: str) -> str:
    """The DuckDB type of a warehouse contract type (read back from the Parquet); raises
    ``UnknownColumnTypeError`` for a type no contract may declare."""
    return column_types().get(hive_type.strip().lower(), "hive").duckdb


@dataclass(frozen=True)
class ActualColumn:
    name: str
    duckdb_type: str


def _name_problems(declared_names: list[str], actual_names: list[str]) -> list[str]:
    """What differs between the declared and the produced column names: missing, extra, or order."""
    if declared_names == actual_names:
        return []
    missing = [name for name in declared_names if name not in actual_names]
    extra = [name for name in actual_names if name not in declared_names]
    problems: list[str] = []
    if missing:
        problems.append(f"declared but not produced by the SQL: {missing}")
    if extra:
        problems.append(f"produced by the SQL but not declared: {extra}")
    if not missing and not extra:
        problems.append(f"column order differs: declared {declared_names}, SQL produces {actual_names}")
    return problems


def schema_mismatches(
    declared: Sequence[Column], actual: Sequence[ActualColumn]
) -> list[str]:
    """Differences between a declared output schema and what DuckDB produced (empty if equal).

    Names are compared in order; types after mapping DuckDB types to Athena types.
    """
    problems = _name_problems([column.name for column in declared], [column.name for column in actual])
    actual_by_name = {column.name: column for column in actual}
    for column in declared:
        produced = actual_by_name.get(column.name)
        if produced is None:
            continue
        athena_type = duckdb_to_athena(produced.duckdb_type)
        if athena_type is None:
            problems.append(
                f"column {column.name!r}: DuckDB type {produced.duckdb_type} has no Athena "
                f"equivalent (declared {column.type}); cast it in the SQL"
            )
        elif athena_type != column.type:
            problems.append(
                f"column {column.name!r}: declared {column.type}, the SQL produces {athena_type} "
                f"(DuckDB {produced.duckdb_type})"
            )
    return problems


# --- Trino ------------------------------------------------------------------------------

def trino_spelling(declared_type: str) -> str:
    """How Trino names the declared Athena type ``declared_type``: exactly, so `varchar(5)` (a
    literal's type) is not `varchar` and `real` is not `double`."""
    return column_types().get(declared_type, "presto").trino


def hive_to_trino(hive_type: str) -> str:
    """Trino's spelling of a warehouse contract type; raises ``UnknownColumnTypeError`` for a type
    no contract may declare."""
    return column_types().get(re.sub(r"\s+", "", hive_type.lower()), "hive").trino


def trino_schema_mismatches(
    declared: Sequence[Column], actual: Sequence[tuple[str, str]]
) -> list[str]:
    """Differences between a declared output schema and the (name, type) columns Trino computed,
    empty if equal. Types must be equal exactly, after ``trino_spelling``."""
    problems = _name_problems([column.name for column in declared], [name for name, _ in actual])
    computed = dict(actual)
    for column in declared:
        trino_type = computed.get(column.name)
        if trino_type is not None and trino_type != trino_spelling(column.type):
            problems.append(
                f"column {column.name!r}: declared {column.type}, Trino computes {trino_type}"
            )
    return problems
