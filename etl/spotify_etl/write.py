"""Writers of the quarantine prefixes (the warehouse table is committed by `spotify_etl.table`).
Each is deterministic for the same input rows: a fixed partitioning, one file per partition
directory, rows sorted within the file. Every run writes below its own folder
(``rejected/<run_id>/``, ``unmatched/<run_id>/``), so a killed write never touches the folders of
an earlier run, which stay readable until a later run succeeds (`spotify_etl.runs`)."""

from __future__ import annotations

from pyspark.sql import DataFrame


def distribute(output: DataFrame, partition_key: str) -> DataFrame:
    """Hash-repartition on the table's partition key: each year lands in exactly one task,
    hence in exactly one file. Done before caching the output, so the commit needs no shuffle."""
    return output.repartition(partition_key)


def write_rejected(rejected: DataFrame, path: str) -> None:
    """Write this run's rejections into its own folder, one directory per source."""
    (
        rejected.repartition("source")
        .sortWithinPartitions("source", "source_file", "record_number")
        .write.mode("errorifexists")
        .option("compression", "snappy")
        .partitionBy("source")
        .parquet(path)
    )


def write_unmatched(rows: DataFrame, path: str, sort_key: str) -> None:
    """Write one ``unmatched/<run_id>/<source>/`` directory as a single sorted Parquet file."""
    (
        rows.repartition(1)
        .sortWithinPartitions(sort_key, "source_file", "record_number")
        .write.mode("errorifexists")
        .option("compression", "snappy")
        .parquet(path)
    )
