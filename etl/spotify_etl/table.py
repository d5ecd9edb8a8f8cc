"""The warehouse table's side of a run, in Spark: open the local catalog, create the table from the
contract, commit a run's rows as one snapshot, and find the snapshots runs made.

Each run commits the table once: its rows replace the table's whole contents in one Iceberg
``overwrite`` snapshot, so a track that moved to another release year or left the delivery does
not survive, and a reader sees the previous snapshot or this one, never a mix. The snapshot
carries the run id (`RUN_ID_PROPERTY`), which is how rollback and the run summaries find it.
"""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spotify_etl.contract import ContractColumn, WarehouseContract
from spotify_etl.iceberg import CATALOG, WarehouseTable, format_version, local_catalog_conf

RUN_ID_PROPERTY = "spotify.run-id"
"""Snapshot summary property naming the run that committed the snapshot."""


def open_local_catalog(spark: SparkSession, warehouse_root: str) -> SparkSession:
    """A session of ``spark`` whose catalog ``spotify`` is the local one under ``warehouse_root``.

    Catalog settings are per session and read when the catalog is first used, so each warehouse
    root gets its own session (sharing the Spark context, the cache and the JVM)."""
    Path(warehouse_root).mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
    session = spark.newSession()
    for key, value in local_catalog_conf(warehouse_root).items():
        session.conf.set(key, value)
    return session


def _column_ddl(column: ContractColumn) -> str:
    comment = column.comment.replace("'", "\\'")
    return f"`{column.name}` {column.type} COMMENT '{comment}'"


def create_table_if_missing(spark: SparkSession, table: WarehouseTable, location: str, contract: WarehouseContract) -> None:
    """Create the table as the etl layer declares it on AWS: the contract's columns, identity
    partitions on its partition keys, Parquet data files with its compression, and the format
    version of etl/glue_runtime.json. Every column is optional in Iceberg's terms, as in the
    catalog the program declares; the job's reconciliation and quality gate enforce the rest."""
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{table.database}")
    columns = ", ".join(_column_ddl(column) for column in contract.all_columns)
    partitions = ", ".join(f"`{column.name}`" for column in contract.partition_keys)
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {table.identifier} ({columns}) USING iceberg PARTITIONED BY ({partitions}) "
        f"LOCATION '{location}' TBLPROPERTIES ('format-version' = '{format_version()}', "
        f"'write.format.default' = 'parquet', 'write.parquet.compression-codec' = '{contract.compression}')"
    )


def current_snapshot_id(spark: SparkSession, table: WarehouseTable) -> str | None:
    """The snapshot the table's main branch points at, or None for a table never written.

    Snapshot ids are 64-bit; they are kept as decimal strings so no JSON reader rounds them."""
    rows = spark.sql(f"SELECT snapshot_id FROM {table.identifier}.refs WHERE name = 'main'").collect()
    return str(rows[0]["snapshot_id"]) if rows else None


def snapshot_of_run(spark: SparkSession, table: WarehouseTable, run_id: str) -> tuple[str, str | None] | None:
    """(snapshot, its parent) of the snapshot committed by ``run_id``, or None if it committed none
    (or the snapshot has been expired)."""
    rows = spark.sql(
        f"SELECT snapshot_id, parent_id FROM {table.identifier}.snapshots WHERE summary['{RUN_ID_PROPERTY}'] = '{run_id}'"
    ).collect()
    if not rows:
        return None
    parent = rows[0]["parent_id"]
    return str(rows[0]["snapshot_id"]), None if parent is None else str(parent)


def commit_rows(output: DataFrame, table: WarehouseTable, run_id: str, partition_key: str, sort_keys: tuple[str, ...]) -> str:
    """Replace the table's contents with ``output`` in one snapshot tagged with ``run_id``; return
    the snapshot id.

    ``output`` must come from `write.distribute` (hash-partitioned on the partition key): each
    task then writes one sorted Parquet file per year it holds, and the same input gives the same
    rows in the same files. Iceberg's own distribution is turned off for the write: its default
    (``hash``) shuffles the rows again on its partition transform, which Spark does not see as the
    partitioning they have: a second full shuffle of the output for nothing.
    """
    (
        output.sortWithinPartitions(partition_key, *sort_keys)
        .writeTo(table.identifier)
        .option("distribution-mode", "none")
        .option(f"snapshot-property.{RUN_ID_PROPERTY}", run_id)
        .overwrite(F.lit(True))
    )
    committed = snapshot_of_run(output.sparkSession, table, run_id)
    if committed is None:
        raise RuntimeError(f"{table.identifier}: the write of run {run_id} left no snapshot tagged with it")
    return committed[0]
