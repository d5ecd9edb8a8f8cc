"""Shared fixtures: one local SparkSession for the whole run, and one pipeline run over the
committed sample that many tests inspect (a full run is the expensive part of the suite)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, Row, SparkSession

from spotify_etl.pipeline import OutputPaths, classify, local_warehouse, run_pipeline
from spotify_etl.schemas import SourceSpec
from spotify_etl.session import local_session
from spotify_etl.summary import RunSummary

ETL_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ETL_ROOT / "sample"


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = local_session("spotify-etl-tests", cores=2, shuffle_partitions=2, driver_memory="2g")
    yield session


@dataclass(frozen=True)
class SampleRun:
    summary: RunSummary
    out: Path
    manifest: dict[str, Any]
    bytes_read: int
    """Bytes Hadoop's local file system read during the run (input files, nothing else)."""

    @property
    def paths(self) -> OutputPaths:
        return OutputPaths.under(str(self.out))

    def rows(self, spark: SparkSession) -> DataFrame:
        """The warehouse table at its current snapshot, read through its catalog."""
        return local_warehouse(spark, self.paths).table(self.paths.table.identifier)

    def quarantine(self, prefix: str) -> Path:
        """This run's folder under ``rejected`` or ``unmatched``."""
        return self.out / prefix / self.summary.run_id


@pytest.fixture(scope="session")
def sample_run(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    out = tmp_path_factory.mktemp("sample_run")
    before = local_bytes_read(spark)
    summary = run_pipeline(spark, str(SAMPLE), str(out))
    bytes_read = local_bytes_read(spark) - before
    manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    return SampleRun(summary, out, manifest, bytes_read)


def local_bytes_read(spark: SparkSession) -> int:
    """Bytes read so far through Hadoop's ``file:`` file system, by every thread of the JVM."""
    jvm = spark.sparkContext._jvm  # noqa: SLF001 - Hadoop's statistics are only reachable through py4j
    assert jvm is not None
    statistics = jvm.org.apache.hadoop.fs.FileSystem.getAllStatistics()
    return sum(int(entry.getBytesRead()) for entry in statistics if str(entry.getScheme()) == "file")


def csv_row(values: Sequence[object]) -> str:
    """One RFC 4180 record without its terminator (CR LF as the writer's terminator, so that
    fields holding line breaks are quoted)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue().removesuffix("\r\n")


Classifier = Callable[[SourceSpec, Sequence[str | bytes]], list[Row]]


@pytest.fixture
def classify_lines(spark: SparkSession, tmp_path: Path) -> Classifier:
    """Write records (after the header, each ended by LF) to a staging file and classify them
    as the job does; returns the data records (the header row left out)."""

    def run(spec: SourceSpec, lines: Sequence[str | bytes], file_name: str = "part-0.csv") -> list[Row]:
        directory = tmp_path / "staging" / spec.prefix
        directory.mkdir(parents=True, exist_ok=True)
        body = b"".join((line.encode("utf-8") if isinstance(line, str) else line) + b"\n" for line in lines)
        (directory / file_name).write_bytes(spec.header.encode("utf-8") + b"\n" + body)
        frame, _ = classify(spark, str(tmp_path / "staging"), spec)
        return [row for row in frame.collect() if row["reason"] != "header"]

    return run
