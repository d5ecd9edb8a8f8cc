"""The column type table as the Python side reads it: contracts/column_types.json, written from
model/columnTypes.ts by `npm run python:json` (test/pythonJson.spec.ts checks it is current)."""

from __future__ import annotations

import dataclasses

import pytest
from pyspark.sql.types import DecimalType

from spotify_etl import contract
from spotify_etl.column_types import ColumnType, ColumnTypes, UnknownColumnTypeError, column_types
from spotify_etl.contract import parse_contract, spark_type
from spotify_etl.errors import ContractError


def every_type(table: ColumnTypes) -> list[ColumnType]:
    """Each scalar row and two decimals, one at the largest precision."""
    return [*table.scalars, table.get("decimal(10,2)", "presto"), table.get("decimal(38,38)", "presto")]


def test_each_spark_rendering_builds_a_pyspark_type_that_spark_spells_as_the_hive_type() -> None:
    for row in every_type(column_types()):
        assert spark_type(row.hive).simpleString() == row.hive, row


def test_the_spellings_of_a_type_lead_back_to_it() -> None:
    table = column_types()
    for row in every_type(table):
        assert table.get(row.presto, "presto") == row
        assert table.get(row.hive, "hive") == row
        assert table.find(row.duckdb, "duckdb") == row


def test_decimal_is_a_rule_with_athenas_limits() -> None:
    table = column_types()
    assert table.get("decimal(18,3)", "hive") == ColumnType(
        presto="decimal(18,3)", hive="decimal(18,3)", duckdb="DECIMAL(18,3)", spark="DecimalType(18,3)", trino="decimal(18,3)"
    )
    for outside in ("decimal(0,0)", "decimal(39,2)", "decimal(5,6)", "decimal(10, 2)", "decimal"):
        assert table.find(outside, "presto") is None, outside


def test_an_unknown_type_fails_naming_it_and_the_known_ones_in_its_spelling() -> None:
    table = column_types()
    with pytest.raises(UnknownColumnTypeError, match=r"^column type 'varchar' is not one of bigint, boolean, .*, tinyint, decimal\(p,s\) with 1 <= p <= 38 and s <= p$"):
        table.get("varchar", "hive")
    with pytest.raises(UnknownColumnTypeError, match=r"^column type 'string' is not one of bigint, boolean, .*, varchar, decimal\(p,s\) with"):
        table.get("string", "presto")
    assert table.find("HUGEINT", "duckdb") is None


def test_the_contract_takes_any_type_of_the_table() -> None:
    text = '{"table": "t", "format": "iceberg", "compression": "snappy", "columns": [{"name": "price", "type": "decimal(10,2)", "nullable": true}], "partition_keys": []}'
    assert parse_contract(text).struct_type().fields[0].dataType == DecimalType(10, 2)


def test_a_spark_rendering_that_is_no_pyspark_type_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    table = column_types()
    broken = dataclasses.replace(table, scalars=tuple(dataclasses.replace(row, spark="Column()") if row.hive == "int" else row for row in table.scalars))
    monkeypatch.setattr(contract, "column_types", lambda: broken)
    with pytest.raises(ContractError, match=r"column type 'int': 'Column\(\)' is not a pyspark\.sql\.types constructor call"):
        spark_type("int")
