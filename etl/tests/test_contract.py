"""The warehouse contract is loaded from the shipped JSON and enforced on the output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, cast

import pytest
from pyspark.sql import DataFrame, SparkSession

from spotify_etl.contract import conform, load_contract, load_ruleset, parse_contract
from spotify_etl.errors import ContractError

CONTRACT_FILE = Path(__file__).resolve().parents[1] / "spotify_etl" / "contracts" / "warehouse_schema.json"
RULESET_FILE = CONTRACT_FILE.with_name("warehouse_ruleset.dqdl")


def _raw() -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(CONTRACT_FILE.read_text(encoding="utf-8")))


def test_struct_type_matches_the_json_file() -> None:
    raw = _raw()
    declared = [(c["name"], c["type"], c["nullable"]) for c in raw["columns"] + raw["partition_keys"]]
    actual = [(f.name, f.dataType.simpleString(), f.nullable) for f in load_contract().struct_type().fields]
    assert actual == declared
    assert load_contract().compression == "snappy"


def test_package_data_is_the_repository_file() -> None:
    assert load_ruleset() == RULESET_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not a valid warehouse contract"),
        ('{"table": "t", "format": "parquet", "compression": "snappy", "columns": [{"name": "a", "type": "varchar", "nullable": true}], "partition_keys": []}', "unsupported type"),
        ('{"table": "t", "format": "parquet", "compression": "snappy", "columns": [{"name": "a", "type": "int"}], "partition_keys": []}', "lacks key"),
        ('{"table": "t", "format": "parquet", "compression": "snappy", "columns": [{"name": "a", "type": "int", "nullable": true}], "partition_keys": [{"name": "a", "type": "int", "nullable": false}]}', "duplicate column"),
    ],
)
def test_invalid_contracts_fail_clearly(text: str, message: str) -> None:
    with pytest.raises(ContractError, match=message):
        parse_contract(text, "test.json")


def _one_row(spark: SparkSession, **overrides: object) -> DataFrame:
    contract = load_contract()
    values = {
        "string": "x", "int": 1, "bigint": 2, "double": 1.5, "boolean": True, "date": dt.date(2020, 1, 1),
    }
    row = {c.name: values[c.type] for c in contract.all_columns}
    row.update(overrides)
    schema = ", ".join(f"{c.name} {c.type if c.type != 'int' else 'int'}" for c in contract.all_columns)
    return spark.createDataFrame([tuple(row[c.name] for c in contract.all_columns)], schema)


def test_conform_orders_and_types_columns(spark: SparkSession) -> None:
    contract = load_contract()
    shuffled = _one_row(spark)
    shuffled = shuffled.select(*reversed(shuffled.columns), shuffled["track_id"].alias("extra"))
    conformed = conform(shuffled, contract)
    assert [(f.name, f.dataType.simpleString()) for f in conformed.schema.fields] == [
        (c.name, c.type) for c in contract.all_columns
    ]


def test_conform_rejects_a_missing_column(spark: SparkSession) -> None:
    with pytest.raises(ContractError, match="album_id"):
        conform(_one_row(spark).drop("album_id"), load_contract())


def test_null_in_a_non_nullable_column_fails_the_job(spark: SparkSession) -> None:
    frame = _one_row(spark, album_id=None)
    with pytest.raises(Exception, match="NULL in non-nullable column album_id"):
        conform(frame, load_contract()).collect()
