"""The whole job as one function over a SparkSession: read → validate → clean → dedupe →
join → conform → reconcile → (quality gate) → write. Used by the Glue entry script, the
local runner, the benchmark and the SQL tests, so all of them run the same code."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import reduce

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spotify_etl import dedupe, join, reconcile
from spotify_etl.clean import clean, typed_names
from spotify_etl.contract import conform, load_contract
from spotify_etl.read import LINE, SOURCE_FILE, parse_lines, read_lines
from spotify_etl.schemas import ALBUMS, ARTISTS, SOURCES, TRACKS, SourceSpec
from spotify_etl.summary import RunSummary, SourceCounts
from spotify_etl.validate import DETAIL, REASON, validate
from spotify_etl.write import write_rejected, write_text, write_unmatched, write_warehouse

LOG = logging.getLogger("spotify_etl")

QualityGate = Callable[[DataFrame], None]
"""Called with the conformed output before anything is written; raises to stop the run."""


@dataclass(frozen=True)
class OutputPaths:
    """Where a run writes. `under` gives the standard layout below one root."""

    warehouse: str
    """Table directory: ``<warehouse>/release_year=YYYY/*.parquet``."""
    rejected: str
    unmatched: str
    runs: str

    @classmethod
    def under(cls, root: str) -> OutputPaths:
        """``<root>/warehouse/tracks``, ``<root>/rejected``, ``<root>/unmatched``, ``<root>/_runs``."""
        base = root.rstrip("/")
        return cls(
            warehouse=f"{base}/warehouse/{load_contract().table}",
            rejected=f"{base}/rejected",
            unmatched=f"{base}/unmatched",
            runs=f"{base}/_runs",
        )


def classify(spark: SparkSession, staging_path: str, spec: SourceSpec) -> tuple[DataFrame, int, tuple[str, ...]]:
    """Every data line of a source with its typed fields and a rejection reason (NULL = accepted).

    Returns the classified rows, the independently counted input rows and the files read.
    """
    lines = read_lines(spark, staging_path, spec)
    classified = dedupe.mark_duplicates(validate(clean(parse_lines(lines.lines, spec), spec), spec), spec)
    # The raw string columns were only needed to validate; the raw line keeps them all.
    kept = classified.select(*typed_names(spec), SOURCE_FILE, LINE, REASON, DETAIL)
    return kept, lines.input_rows, lines.files


def accepted(classified: DataFrame, spec: SourceSpec) -> DataFrame:
    """The accepted rows: typed fields plus provenance."""
    return classified.where(F.col(REASON).isNull()).select(*typed_names(spec), SOURCE_FILE, LINE)


def rejected(classified: DataFrame, spec: SourceSpec) -> DataFrame:
    """The rejected rows in the ``rejected/`` layout.

    ``line`` is the raw line as valid UTF-8 text (undecodable bytes become U+FFFD, so any
    reader can open the files); ``line_bytes`` keeps the exact bytes as delivered.
    """
    return classified.where(F.col(REASON).isNotNull()).select(
        F.lit(spec.name).alias("source"),
        SOURCE_FILE,
        REASON,
        DETAIL,
        F.decode(F.encode(F.col(LINE), "UTF-8"), "UTF-8").alias(LINE),
        F.col(LINE).cast("binary").alias("line_bytes"),
    )


def run_pipeline(spark: SparkSession, staging_path: str, output_path: str) -> RunSummary:
    """Run the job from ``staging_path`` into the standard layout under ``output_path``.

    Writes ``<output>/warehouse/tracks/release_year=YYYY/*.parquet``, ``<output>/rejected/``,
    ``<output>/unmatched/{tracks,artists}/`` and ``<output>/_runs/<run_id>.json``.
    """
    return run(spark, staging_path, OutputPaths.under(output_path))


def _new_run_id(started: datetime) -> str:
    return f"{started.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class ClassifiedSource:
    """One source's rows, each with its verdict (cached), and their counts."""

    spec: SourceSpec
    rows: DataFrame
    counts: SourceCounts


def classify_source(spark: SparkSession, staging_path: str, spec: SourceSpec) -> ClassifiedSource:
    """Classify a source, cache the result (the caller unpersists it) and count it."""
    LOG.info("%s: reading and validating", spec.name)
    clock = time.monotonic()
    frame, input_rows, files = classify(spark, staging_path, spec)
    rows = frame.persist(StorageLevel.MEMORY_AND_DISK)
    accepted_rows, rejected_rows = reconcile.reason_counts(rows)
    counts = SourceCounts(input_rows, accepted_rows, rejected_rows, 0, files, round(time.monotonic() - clock, 3))
    LOG.info("%s: %d input, %d accepted, %d rejected", spec.name, input_rows, accepted_rows, counts.rejected_total)
    return ClassifiedSource(spec, rows, counts)


def publish(
    paths: OutputPaths,
    sources: dict[str, ClassifiedSource],
    unmatched_rows: dict[str, DataFrame],
    output: DataFrame,
) -> None:
    """Write rejected/, unmatched/ and the warehouse partitions, the table last so that a
    failure in between never leaves new table data without its quarantine."""
    LOG.info("writing rejected rows to %s", paths.rejected)
    write_rejected(reduce(DataFrame.unionByName, [rejected(s.rows, s.spec) for s in sources.values()]), paths.rejected)
    LOG.info("writing unmatched tracks and artists to %s", paths.unmatched)
    for name, rows in unmatched_rows.items():
        write_unmatched(rows, f"{paths.unmatched}/{name}", "id")
    LOG.info("writing the warehouse table to %s", paths.warehouse)
    write_warehouse(output, paths.warehouse, load_contract().partition_keys[0].name, ("track_id", "album_id"))


def run(
    spark: SparkSession,
    staging_path: str,
    paths: OutputPaths,
    quality_gate: QualityGate | None = None,
) -> RunSummary:
    """Run the job with explicit output locations; raise `EtlError` subclasses on bad input,
    unbalanced reconciliation or a failed quality gate (after writing the run summary)."""
    started = datetime.now(timezone.utc)
    clock = time.monotonic()
    summary = RunSummary(
        run_id=_new_run_id(started),
        status="failed",
        started_at=started.isoformat(),
        duration_seconds=0.0,
        staging_path=staging_path,
        outputs={"warehouse": paths.warehouse, "rejected": paths.rejected, "unmatched": paths.unmatched, "runs": paths.runs},
        sources={},
        output=None,
    )
    cached: list[DataFrame] = []
    try:
        sources: dict[str, ClassifiedSource] = {}
        for spec in SOURCES:
            sources[spec.name] = classify_source(spark, staging_path, spec)
            cached.append(sources[spec.name].rows)
        albums, tracks, artists = (accepted(sources[s.name].rows, s) for s in (ALBUMS, TRACKS, ARTISTS))
        unmatched_rows = {
            TRACKS.name: join.unmatched(tracks, "id", albums, "track_id"),
            ARTISTS.name: join.unmatched(artists, "id", albums, "artist_id"),
        }
        counts = {name: source.counts for name, source in sources.items()}
        for name, rows in unmatched_rows.items():
            counts[name] = replace(counts[name], unmatched=rows.count())

        LOG.info("joining and conforming to the warehouse contract")
        output = conform(join.join_sources(albums, tracks, artists), load_contract()).persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(output)
        output_counts = reconcile.output_counts(output)
        checks = reconcile.checks(counts, output_counts)
        summary = replace(summary, sources=counts, output=output_counts, checks=checks)
        reconcile.raise_if_failed(checks)
        if quality_gate is not None:
            LOG.info("evaluating the data-quality gate")
            quality_gate(output)
        publish(paths, sources, unmatched_rows, output)
        summary = replace(summary, status="succeeded")
    except Exception as error:
        summary = replace(summary, error=f"{type(error).__name__}: {error}")
        raise
    finally:
        summary = replace(summary, duration_seconds=round(time.monotonic() - clock, 3))
        write_text(spark, f"{paths.runs.rstrip('/')}/{summary.run_id}.json", summary.to_json() + "\n")
        for frame in cached:
            frame.unpersist()
        LOG.info("run %s %s in %.1fs", summary.run_id, summary.status, summary.duration_seconds)
    return summary
