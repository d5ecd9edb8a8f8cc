"""Local SparkSession settings shared by the local runner, the benchmark and the tests,
mirroring what matters of the Glue 5.1 runtime (Spark 3.5, UTC, Iceberg 1.10 with its SQL
extensions; the catalog is set per warehouse by `spotify_etl.table.open_local_catalog`)."""

from __future__ import annotations

import os
import sys

from pyspark.sql import SparkSession

from spotify_etl.iceberg import local_jars, runtime_extensions


def local_session(app_name: str, cores: int = 2, shuffle_partitions: int = 4, driver_memory: str = "4g") -> SparkSession:
    """A quiet local SparkSession; ``driver_memory`` only applies if no JVM is running yet.

    The record splitter runs in Spark's Python workers, which PySpark starts with
    ``$PYSPARK_PYTHON`` (default: the first ``python3`` on PATH); unless set, it becomes this
    interpreter, the venv where ``spotify_etl`` is installed.
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.jars", ",".join(local_jars()))
        .config("spark.sql.extensions", runtime_extensions()["spark.sql.extensions"])
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark
