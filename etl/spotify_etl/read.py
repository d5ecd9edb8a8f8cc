"""Reading staging CSV as RFC 4180 records with their exact bytes, typed and judged.

Two steps:

* `list_files` asks the file system (no Spark job) for every file under the source prefix:
  anything that is not ``*.csv`` stops the run, and 0-byte files, which Spark's file sources
  skip silently, are kept so that every file is accounted for.
* `read_rows` hands each file whole to Python (Spark's ``binaryFile`` source into
  ``mapInArrow``, so the bytes cross as Arrow, never pickled), where `file_rows` cuts it into
  records, parses, types and validates them, column by column; the rows come back to the JVM
  as Arrow batches. Every row carries ``file_records``, the number of records the splitter
  found in its file: the count the reconciliation compares with what comes out of
  validation, taken before any parser ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

from spotify_etl.columns import RECORD
from spotify_etl.errors import InputContractError, error_text
from spotify_etl.file_rows import arrow_schema, file_batches
from spotify_etl.records import UTF8_BOM
from spotify_etl.schemas import SourceSpec


@dataclass(frozen=True)
class SourceFile:
    """A file under a source prefix, as listed by the file system."""

    path: str
    """Fully qualified, as Spark names it (``file:/...``, ``s3://...``)."""
    bytes: int
    empty: bool = False
    """No header and no records: 0 bytes, or a UTF-8 BOM alone (`records.split_file` gives
    such a file no records, so the reconciliation expects none)."""


def source_path(staging_path: str, spec: SourceSpec) -> str:
    """Location of a source's files under the staging root."""
    return f"{staging_path.rstrip('/')}/{spec.prefix}"


def _bom_only(filesystem: Any, path: Any) -> bool:
    """Whether a 3-byte file holds a UTF-8 BOM and nothing else (read through py4j, byte by byte)."""
    stream = filesystem.open(path)
    try:
        return bytes(int(stream.read()) & 0xFF for _ in UTF8_BOM) == UTF8_BOM
    finally:
        stream.close()


def _hidden(relative: str) -> bool:
    """Hadoop's and Spark's file readers skip these: ``_*`` and ``.*`` at any level."""
    return any(part.startswith(("_", ".")) for part in relative.split("/"))


def list_files(spark: SparkSession, staging_path: str, spec: SourceSpec) -> tuple[SourceFile, ...]:
    """Every ``*.csv`` file under the source prefix, 0-byte files included, sorted by path.

    Stops the run when the prefix is missing, when every ``*.csv`` file in it is empty (0 bytes
    or a BOM alone), or when it holds any other file (``.csv.gz``, notes...), which would
    otherwise be skipped unseen. Uses the Hadoop FileSystem API, so s3:// and local paths behave the same.
    """
    jvm = spark.sparkContext._jvm  # noqa: SLF001 - the Hadoop API is only reachable through py4j
    assert jvm is not None
    root = jvm.org.apache.hadoop.fs.Path(source_path(staging_path, spec))
    filesystem = root.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())  # noqa: SLF001
    try:
        qualified = filesystem.makeQualified(root).toString().rstrip("/")
        listing = filesystem.listFiles(root, True)
        statuses = []
        while listing.hasNext():
            statuses.append(listing.next())
    except Exception as error:  # py4j wraps java.io.FileNotFoundException
        raise InputContractError(f"{spec.name}: cannot read CSV files under {root.toString()}: {error_text(error)}") from error
    files: list[SourceFile] = []
    others: list[str] = []
    for status in statuses:
        path = str(status.getPath().toString())
        if _hidden(path.removeprefix(qualified).lstrip("/")):
            continue
        if path.endswith(".csv"):
            size = int(status.getLen())
            files.append(SourceFile(path, size, empty=size == 0 or (size == len(UTF8_BOM) and _bom_only(filesystem, status.getPath()))))
        else:
            others.append(path)
    if others:
        raise InputContractError(
            f"{spec.name}: only *.csv files are read, so these would be skipped unread; "
            f"remove them or deliver them as CSV: {', '.join(sorted(others))}"
        )
    if all(file.empty for file in files):
        raise InputContractError(f"{spec.name}: no non-empty *.csv file under {root.toString()}")
    return tuple(sorted(files, key=lambda file: file.path))


def read_rows(spark: SparkSession, staging_path: str, spec: SourceSpec) -> DataFrame:
    """Every record of every non-empty ``*.csv`` file of the source, the header included, as a
    row of `file_rows.arrow_schema` (``record`` as a string: Spark keeps undecodable bytes).

    A file is read whole, so it must fit in a task's memory (and below 2 GiB, the JVM's limit
    for one array); deliver large exports as several files, which also lets the job read them
    in parallel. Sub-directories are read too; like every Spark file source, the binary file
    source skips hidden files (`_hidden`), which `list_files` leaves out the same way.
    """
    files = (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .option("pathGlobFilter", "*.csv")
        .load(source_path(staging_path, spec))
        .select("path", "content")
    )
    rows = files.mapInArrow(partial(file_batches, spec), from_arrow_schema(arrow_schema(spec)))
    return rows.withColumn(RECORD, F.col(RECORD).cast("string"))
