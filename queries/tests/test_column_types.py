"""The column type table as the Python side reads it: query_engines/column_types.json, written from
model/columnTypes.ts by `npm run python:json` (test/pythonJson.spec.ts checks it is current), and the
Glue job's own Spark types, which must be the table's."""

from __future__ import annotations

import re

import pytest
from pyspark.sql import types as T

from query_engines.column_types import ColumnType, ColumnTypes, UnknownColumnTypeError, column_types
from spotify_etl.contract import SPARK_TYPES, load_contract

_SPARK_CALL = re.compile(r"(\w+)\(((?:\d+(?:,\d+)*)?)\)")


def built(rendering: str) -> T.DataType:
    """The pyspark type a Spark rendering of the table spells (``LongType()``, ``DecimalType(10,2)``)."""
    call = _SPARK_CALL.fullmatch(rendering)
    assert call is not None, f"{rendering!r} is not a constructor call"
    constructor = getattr(T, call.group(1))
    assert isinstance(constructor, type) and issubclass(constructor, T.DataType), rendering
    return constructor(*(int(argument) for argument in call.group(2).split(",") if argument))


def every_type(table: ColumnTypes) -> list[ColumnType]:
    """Each scalar row and two decimals, one at the largest precision."""
    return [*table.scalars, table.get("decimal(10,2)", "presto"), table.get("decimal(38,38)", "presto")]


def test_each_spark_rendering_builds_a_pyspark_type_that_spark_spells_as_the_hive_type() -> None:
    for row in every_type(column_types()):
        assert built(row.spark).simpleString() == row.hive, row


def test_the_glue_jobs_spark_types_are_the_tables() -> None:
    """The job's package keeps its own table (its zip is deployed code, named by its content): it
    may hold fewer types than the table, never a different one."""
    table = column_types()
    for hive, spark in SPARK_TYPES.items():
        assert built(table.get(hive, "hive").spark) == spark, hive
    assert {column.type for column in load_contract().all_columns} <= set(SPARK_TYPES)


def test_the_spellings_of_a_type_lead_back_to_it() -> None:
    table = column_types()
    for row in every_type(table):
        assert table.get(row.presto, "presto") == row
        assert table.get(row.hive, "hive") == row
        assert table.find(row.duckdb, "duckdb") == row


def test_decimal_is_a_rule_with_athenas_limits() -> None:
    table = column_types()
    assert table.get("decimal(18,3)", "hive") == ColumnType(
        presto="decimal(18,3)",
        hive="decimal(18,3)",
        duckdb="DECIMAL(18,3)",
        spark="DecimalType(18,3)",
        trino="decimal(18,3)",
    )
    for outside in ("decimal(0,0)", "decimal(39,2)", "decimal(5,6)", "decimal(10, 2)", "decimal"):
        assert table.find(outside, "presto") is None, outside


def test_an_unknown_type_fails_naming_it_and_the_known_ones_in_its_spelling() -> None:
    table = column_types()
    with pytest.raises(
        UnknownColumnTypeError,
        match=r"^column type 'varchar' is not one of bigint, boolean, .*, tinyint, decimal\(p,s\) with 1 <= p <= 38 and s <= p$",
    ):
        table.get("varchar", "hive")
    with pytest.raises(
        UnknownColumnTypeError,
        match=r"^column type 'string' is not one of bigint, boolean, .*, varchar, decimal\(p,s\) with",
    ):
        table.get("string", "presto")
    assert table.find("HUGEINT", "duckdb") is None
