"""Reading staging CSV as raw lines, then parsing them with an explicit schema.

Files are first read as text so that every row keeps its exact raw line and source file
(needed to quarantine it), and so that input rows are counted from the files themselves,
independently of the parser (the reconciliation must be able to fail). Records are one per
line: a quoted field spanning lines is not supported and is rejected, never merged.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.errors import AnalysisException
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from spotify_etl.errors import InputContractError
from spotify_etl.schemas import CORRUPT_RECORD, SourceSpec

SOURCE_FILE = "source_file"
LINE = "line"
_BOM = "\ufeff"

CSV_OPTIONS: dict[str, str] = {
    "mode": "PERMISSIVE",
    "columnNameOfCorruptRecord": CORRUPT_RECORD,
    # RFC 4180 escapes a quote by doubling it; Spark's default escape is a backslash.
    "escape": '"',
}


@dataclass(frozen=True)
class SourceLines:
    """Data lines of one source (headers removed) and how many there are in the files."""

    spec: SourceSpec
    lines: DataFrame
    """Columns: source_file, line."""
    input_rows: int
    """Lines in the files minus one header per file, counted before any parsing."""
    files: tuple[str, ...]


def source_path(staging_path: str, spec: SourceSpec) -> str:
    """Location of a source's files under the staging root."""
    return f"{staging_path.rstrip('/')}/{spec.prefix}"


def _is_header(spec: SourceSpec) -> Column:
    return F.regexp_replace(F.col(LINE), f"^{_BOM}", "") == F.lit(spec.header)


def _files_other_than_csv(spark: SparkSession, path: str) -> list[str]:
    """Files under ``path`` the CSV reader would pass over (Spark already hides ``_*``/``.*``)."""
    listing = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(path).select("path")
    return sorted(str(row["path"]) for row in listing.collect() if not str(row["path"]).endswith(".csv"))


def read_lines(spark: SparkSession, staging_path: str, spec: SourceSpec) -> SourceLines:
    """Read every ``*.csv`` under the source prefix as lines and check each file's header.

    Each file must contain exactly one header line equal to the declared header; anything
    else means the column layout is unknown, so the run stops with the files named rather
    than guessing. A file that is not ``*.csv`` stops the run too, rather than being skipped
    unseen.
    """
    path = source_path(staging_path, spec)
    try:
        others = _files_other_than_csv(spark, path)
        text = (
            spark.read.option("recursiveFileLookup", "true")
            .option("pathGlobFilter", "*.csv")
            .text(path)
        )
    except AnalysisException as error:
        raise InputContractError(f"{spec.name}: cannot read CSV files under {path}: {error}") from error
    if others:
        raise InputContractError(
            f"{spec.name}: only *.csv files are read, so these would be skipped unread; "
            f"remove them or deliver them as CSV: {', '.join(others)}"
        )
    text = text.select(F.input_file_name().alias(SOURCE_FILE), F.col("value").alias(LINE))
    per_file = (
        text.groupBy(SOURCE_FILE)
        .agg(F.count(F.lit(1)).alias("lines"), F.sum(_is_header(spec).cast("int")).alias("headers"))
        .collect()
    )
    if not per_file:
        raise InputContractError(f"{spec.name}: no non-empty *.csv file under {path}")
    bad = sorted(f"{row[SOURCE_FILE]} ({row['headers']} header lines)" for row in per_file if row["headers"] != 1)
    if bad:
        raise InputContractError(
            f"{spec.name}: every file must contain exactly one header line {spec.header!r}; "
            f"offending files: {', '.join(bad)}"
        )
    return SourceLines(
        spec=spec,
        lines=text.where(~_is_header(spec)),
        input_rows=sum(int(row["lines"]) - 1 for row in per_file),
        files=tuple(sorted(str(row[SOURCE_FILE]) for row in per_file)),
    )


def parse_lines(lines: DataFrame, spec: SourceSpec) -> DataFrame:
    """Split raw lines into the source's string columns, flagging unsplittable lines.

    A line whose field count differs from the header is kept with its text in
    ``_corrupt_record`` (PERMISSIVE mode) instead of being dropped or failing the job.
    """
    ddl = ", ".join(f"`{field.name}` STRING" for field in spec.raw_schema.fields)
    parsed = F.from_csv(F.col(LINE), ddl, CSV_OPTIONS).alias("parsed")
    return lines.select(SOURCE_FILE, LINE, parsed).select(SOURCE_FILE, LINE, "parsed.*")
