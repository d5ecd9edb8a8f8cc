"""The type mappings of query_engines.schemas, read from the column type table (model/columnTypes.ts,
through queries/query_engines/column_types.json), against DuckDB itself."""

from __future__ import annotations

import re

import duckdb
import pytest

from query_engines.column_types import UnknownColumnTypeError, column_types
from query_engines.schemas import duckdb_to_athena, hive_to_duckdb, hive_to_trino, trino_spelling


def test_each_duckdb_rendering_is_what_duckdb_names_a_column_of_that_type() -> None:
    table = column_types()
    for row in [*table.scalars, table.get("decimal(18,3)", "presto")]:
        relation = duckdb.sql(f"SELECT CAST(NULL AS {row.duckdb}) AS c")
        assert relation is not None
        named = str(relation.types[0])
        assert named == row.duckdb
        assert duckdb_to_athena(named) == row.presto
        assert hive_to_duckdb(row.hive) == named


def test_spellings_are_normalized_as_the_engines_print_them() -> None:
    assert duckdb_to_athena(" decimal(10, 2) ") == "decimal(10,2)"
    assert hive_to_duckdb(" INT ") == "INTEGER"
    assert hive_to_trino("DECIMAL(10, 2)") == "decimal(10,2)"
    assert trino_spelling("timestamp") == "timestamp(3)"


def test_types_no_contract_may_declare_fail_or_have_no_athena_type() -> None:
    assert duckdb_to_athena("HUGEINT") is None
    for call, name in ((hive_to_duckdb, "varchar"), (hive_to_trino, "char(1)"), (trino_spelling, "char")):
        with pytest.raises(UnknownColumnTypeError, match=rf"column type '{re.escape(name)}' is not one of"):
            call(name)
