"""Writers for every output prefix. Each one is deterministic for the same input rows:
a fixed partitioning, one file per partition directory, rows sorted within the file."""

from __future__ import annotations

from pyspark.sql import DataFrame

PARTITION_OVERWRITE_MODE = "spark.sql.sources.partitionOverwriteMode"
"""Session setting whose per-write option ``partitionOverwriteMode`` the writers below set
explicitly, so the behaviour does not depend on how the caller configured its session."""


def distribute(output: DataFrame, partition_key: str) -> DataFrame:
    """Hash-repartition on the table's partition key: each year lands in exactly one task,
    hence in exactly one file. Done before caching the output, so the write needs no shuffle."""
    return output.repartition(partition_key)


def write_warehouse(output: DataFrame, table_path: str, partition_key: str, sort_keys: tuple[str, ...]) -> None:
    """Overwrite only the partitions present in ``output`` (dynamic partition overwrite).

    ``output`` must come from `distribute`. Re-running on the same input replaces the same
    partitions with the same rows, and a run on a subset of years leaves the other years
    untouched; one task per year writes exactly one snappy Parquet file.
    """
    (
        output.sortWithinPartitions(partition_key, *sort_keys)
        .write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .option("compression", "snappy")
        .partitionBy(partition_key)
        .parquet(table_path)
    )


def write_rejected(rejected: DataFrame, path: str) -> None:
    """Replace ``rejected/`` with this run's rejections, one directory per source.

    A static overwrite is used on purpose: the prefix describes the latest delivery, so a
    source with no rejections this time must not keep last run's files.
    """
    (
        rejected.repartition("source")
        .sortWithinPartitions("source", "source_file", "record_number")
        .write.mode("overwrite")
        .option("partitionOverwriteMode", "static")
        .option("compression", "snappy")
        .partitionBy("source")
        .parquet(path)
    )


def write_unmatched(rows: DataFrame, path: str, sort_key: str) -> None:
    """Replace one ``unmatched/<source>/`` directory with a single sorted Parquet file."""
    (
        rows.repartition(1)
        .sortWithinPartitions(sort_key, "source_file", "record_number")
        .write.mode("overwrite")
        .option("compression", "snappy")
        .parquet(path)
    )
