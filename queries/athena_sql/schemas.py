"""Type mapping between the warehouse contract, DuckDB and Athena, and schema comparison."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from athena_sql.catalog import Column

# DuckDB result type -> Athena (Trino) type, as written in *.schema.json.
# Types without an Athena equivalent (HUGEINT, LIST, STRUCT, ...) map to nothing and
# are reported: the SQL must cast them to a type Athena would also produce.
DUCKDB_TO_ATHENA: dict[str, str] = {
    "VARCHAR": "varchar",
    "BOOLEAN": "boolean",
    "TINYINT": "tinyint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "FLOAT": "real",
    "DOUBLE": "double",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")

# Warehouse contract (Hive/Glue types) -> DuckDB type read back from the Parquet.
HIVE_TO_DUCKDB: dict[str, str] = {
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}


def duckdb_to_athena(duckdb_type: str) -> str | None:
    """The Athena type for a DuckDB type name, or None when Athena has no equivalent."""
    normalized = duckdb_type.strip().upper()
    decimal = _DECIMAL.match(normalized)
    if decimal:
        return f"decimal({decimal.group(1)},{decimal.group(2)})"
    return DUCKDB_TO_ATHENA.get(normalized)


def hive_to_duckdb(hive_type: str) -> str:
    """The DuckDB type of a warehouse contract type; raises KeyError for unknown types."""
    return HIVE_TO_DUCKDB[hive_type.strip().lower()]


@dataclass(frozen=True)
class ActualColumn:
    name: str
    duckdb_type: str


def schema_mismatches(
    declared: Sequence[Column], actual: Sequence[ActualColumn]
) -> list[str]:
    """Differences between a declared output schema and what DuckDB produced (empty if equal).

    Names are compared in order; types after mapping DuckDB types to Athena types.
    """
    problems: list[str] = []
    declared_names = [column.name for column in declared]
    actual_names = [column.name for column in actual]
    if declared_names != actual_names:
        missing = [name for name in declared_names if name not in actual_names]
        extra = [name for name in actual_names if name not in declared_names]
        if missing:
            problems.append(f"declared but not produced by the SQL: {missing}")
        if extra:
            problems.append(f"produced by the SQL but not declared: {extra}")
        if not missing and not extra:
            problems.append(
                f"column order differs: declared {declared_names}, SQL produces {actual_names}"
            )
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

# Declared (Athena) type -> Trino's spelling of the same type, where they differ: Athena's
# `timestamp` is Trino's timestamp(3), a bare `char` is char(1). Every other type must match
# exactly: `varchar(5)` (a literal's type) is not `varchar`, `real` is not `double`.
TRINO_SPELLING: dict[str, str] = {"timestamp": "timestamp(3)", "char": "char(1)"}

# Warehouse contract (Hive/Glue types) -> the Trino type the Hive connector reads them as.
HIVE_TO_TRINO: dict[str, str] = {
    "string": "varchar",
    "boolean": "boolean",
    "tinyint": "tinyint",
    "smallint": "smallint",
    "int": "integer",
    "bigint": "bigint",
    "float": "real",
    "double": "double",
    "date": "date",
    "timestamp": "timestamp(3)",
}


def trino_spelling(declared_type: str) -> str:
    """How Trino names the declared Athena type ``declared_type``."""
    return TRINO_SPELLING.get(declared_type, declared_type)


def hive_to_trino(hive_type: str) -> str:
    """The Trino type of a warehouse contract type; raises KeyError for unknown types."""
    normalized = hive_type.strip().lower()
    if normalized.startswith("decimal("):
        return normalized.replace(" ", "")
    return HIVE_TO_TRINO[normalized]


def trino_schema_mismatches(
    declared: Sequence[Column], actual: Sequence[tuple[str, str]]
) -> list[str]:
    """Differences between a declared output schema and the (name, type) columns Trino computed,
    empty if equal. Types must be equal exactly, after ``trino_spelling``."""
    problems: list[str] = []
    declared_names = [column.name for column in declared]
    actual_names = [name for name, _ in actual]
    if declared_names != actual_names:
        missing = [name for name in declared_names if name not in actual_names]
        extra = [name for name in actual_names if name not in declared_names]
        if missing:
            problems.append(f"declared but not produced by the SQL: {missing}")
        if extra:
            problems.append(f"produced by the SQL but not declared: {extra}")
        if not missing and not extra:
            problems.append(
                f"column order differs: declared {declared_names}, SQL produces {actual_names}"
            )
    computed = dict(actual)
    for column in declared:
        trino_type = computed.get(column.name)
        if trino_type is not None and trino_type != trino_spelling(column.type):
            problems.append(
                f"column {column.name!r}: declared {column.type}, Trino computes {trino_type}"
            )
    return problems
