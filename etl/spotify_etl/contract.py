"""The warehouse schema contract: the single place that reads `contracts/warehouse_schema.json`.

The JSON is shared with the catalog/crawler (infra) and the SQL tests (queries); the job
enforces it by conforming its output to it, so a change on either side fails a test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DataType,
    DateType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from spotify_etl.errors import ContractError

SCHEMA_RESOURCE = "warehouse_schema.json"
RULESET_RESOURCE = "warehouse_ruleset.dqdl"

SPARK_TYPES: dict[str, DataType] = {
    "string": StringType(),
    "int": IntegerType(),
    "bigint": LongType(),
    "double": DoubleType(),
    "boolean": BooleanType(),
    "date": DateType(),
}
"""Contract type names (Glue/Hive spelling) and their Spark types."""


@dataclass(frozen=True)
class ContractColumn:
    """One column of the contract."""

    name: str
    type: str
    nullable: bool
    comment: str

    @property
    def spark_type(self) -> DataType:
        """The Spark type of the column."""
        return SPARK_TYPES[self.type]


@dataclass(frozen=True)
class WarehouseContract:
    """Table name, storage settings, data columns and partition keys, in order."""

    table: str
    format: str
    compression: str
    columns: tuple[ContractColumn, ...]
    partition_keys: tuple[ContractColumn, ...]

    @property
    def all_columns(self) -> tuple[ContractColumn, ...]:
        """Data columns followed by partition keys: the layout of a read-back table."""
        return self.columns + self.partition_keys

    def struct_type(self) -> StructType:
        """Spark schema of the table including partition keys, nullability as declared."""
        return StructType(
            [StructField(column.name, column.spark_type, column.nullable) for column in self.all_columns]
        )


def _column(raw: dict[str, Any], where: str) -> ContractColumn:
    try:
        column = ContractColumn(str(raw["name"]), str(raw["type"]), bool(raw["nullable"]), str(raw.get("comment", "")))
    except KeyError as missing:
        raise ContractError(f"{where}: column entry {raw!r} lacks key {missing}") from None
    if column.type not in SPARK_TYPES:
        raise ContractError(f"{where}: column {column.name!r} has unsupported type {column.type!r}; known: {sorted(SPARK_TYPES)}")
    return column


def parse_contract(text: str, where: str = SCHEMA_RESOURCE) -> WarehouseContract:
    """Build a contract from its JSON text, failing with the offending entry named."""
    try:
        raw = json.loads(text)
        contract = WarehouseContract(
            table=str(raw["table"]),
            format=str(raw["format"]),
            compression=str(raw["compression"]),
            columns=tuple(_column(column, where) for column in raw["columns"]),
            partition_keys=tuple(_column(column, where) for column in raw["partition_keys"]),
        )
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ContractError(f"{where}: not a valid warehouse contract: {error!r}") from error
    names = [column.name for column in contract.all_columns]
    if len(set(names)) != len(names):
        raise ContractError(f"{where}: duplicate column names in {names}")
    return contract


@lru_cache(maxsize=1)
def load_contract() -> WarehouseContract:
    """The contract shipped as package data."""
    text = resources.files("spotify_etl.contracts").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    return parse_contract(text)


def load_ruleset() -> str:
    """The Glue Data Quality ruleset (DQDL) shipped as package data."""
    return resources.files("spotify_etl.contracts").joinpath(RULESET_RESOURCE).read_text(encoding="utf-8")


def _conformed(column: ContractColumn) -> Column:
    value = F.col(column.name).cast(column.spark_type)
    if column.nullable:
        return value.alias(column.name)
    guard = F.raise_error(F.lit(f"contract violation: NULL in non-nullable column {column.name}"))
    return F.coalesce(value, guard.cast(column.spark_type)).alias(column.name)


def conform(frame: DataFrame, contract: WarehouseContract) -> DataFrame:
    """Select exactly the contract's columns, in order, with its types.

    A missing column fails immediately; a NULL in a non-nullable column fails the Spark
    job that computes it, so a contract breach can never be written silently.
    """
    missing = [column.name for column in contract.all_columns if column.name not in frame.columns]
    if missing:
        raise ContractError(f"output lacks contract columns {missing}; it has {frame.columns}")
    return frame.select(*[_conformed(column) for column in contract.all_columns])
