"""The whole job as one function over a SparkSession: list → read records → parse → clean →
validate → dedupe → join → conform → reconcile → (quality gate) → write. Used by the Glue entry
script, the local runner, the benchmark and the SQL tests, so all of them run the same code.

Passes over the data, in order (every count comes out of one aggregation, nothing is
computed twice):
  1. per source, in parallel: the files read and split into records, parsed, validated and
     deduplicated (one shuffle, on the key), kept as a local checkpoint, and counted per file
     and reason (`reconcile.record_counts`);
  2. the join into the warehouse rows, distributed by release year and checkpointed, and the
     unmatched tracks and artists (cached), counted together (`reconcile.output_counts`);
  3. the writes, from the checkpoints: rejected/, unmatched/ (two), the warehouse table.

Checkpoints rather than ``cache()``: Spark's columnar cache compresses every column as it
builds, which cost more than all the counting it saved; a local checkpoint keeps the rows as
they are (memory, spilling to disk) and cuts the lineage, so nothing upstream is recomputed.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import reduce

from pyspark import StorageLevel
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F

from spotify_etl import dedupe, join, reconcile
from spotify_etl.clean import typed_names
from spotify_etl.columns import DETAIL, LINE_NUMBER, PROVENANCE, REASON, RECORD, RECORD_NUMBER, SOURCE_FILE
from spotify_etl.contract import conform, load_contract
from spotify_etl.errors import error_text
from spotify_etl.read import SourceFile, list_files, read_rows
from spotify_etl.records import FILE_VERDICTS
from spotify_etl.runs import RUNNING, record_killed_runs, write_summary
from spotify_etl.schemas import ALBUMS, ARTISTS, SOURCES, TRACKS, SourceSpec
from spotify_etl.summary import RunSummary
from spotify_etl.write import distribute, write_rejected, write_unmatched, write_warehouse

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


RECORD_KEPT_WHEN_ACCEPTED: frozenset[str] = frozenset({TRACKS.name, ARTISTS.name})
"""Sources whose accepted rows may be written with their record (under unmatched/). An
accepted albums row never is (albums are the base of the join), so once deduplication has
used it, its record is dropped: the checkpoint then holds the records of rejected rows only."""


def classify(
    spark: SparkSession,
    staging_path: str,
    spec: SourceSpec,
    cache: list[DataFrame] | None = None,
    files: tuple[SourceFile, ...] | None = None,
) -> tuple[DataFrame, tuple[SourceFile, ...]]:
    """Every record of a source with its typed fields and a verdict in ``reason``: NULL for an
    accepted row, a rejection reason, or a file verdict (``header`` for each file's header).

    Returns the classified records and the files listed under the source prefix (``files``,
    if the caller has listed them already: listing stops a bad delivery early). Records come
    out of `read.read_rows` typed and validated, one task per file or group of files; they are
    hash-distributed on their key once, so deduplication, which ranks rows per key, runs in
    parallel. With ``cache``, the result is a local checkpoint (appended to it, for the caller
    to `release`): counting, joining and writing then start from it; the records of accepted
    rows that will never be written (`RECORD_KEPT_WHEN_ACCEPTED`) are not kept in it.
    """
    files = list_files(spark, staging_path, spec) if files is None else files
    rows = read_rows(spark, staging_path, spec).repartition(spec.key)
    classified = dedupe.mark_duplicates(rows.select(*typed_names(spec), *PROVENANCE, REASON, DETAIL), spec)
    if cache is not None:
        if spec.name not in RECORD_KEPT_WHEN_ACCEPTED:
            classified = classified.withColumn(RECORD, F.when(F.col(REASON).isNotNull(), F.col(RECORD)))
        classified = classified.localCheckpoint(eager=False)
        cache.append(classified)
    return classified, files


def release(frame: DataFrame) -> None:
    """Free a checkpointed or cached frame now rather than whenever the JVM collects it."""
    plan = frame._jdf.queryExecution().analyzed()  # noqa: SLF001 - a local checkpoint is only reachable here
    if plan.getClass().getSimpleName() == "LogicalRDD":
        plan.rdd().unpersist(False)
    else:
        frame.unpersist()


def accepted(classified: DataFrame, spec: SourceSpec) -> DataFrame:
    """The accepted rows: typed fields plus provenance."""
    return classified.where(F.col(REASON).isNull()).select(*typed_names(spec), SOURCE_FILE, RECORD_NUMBER, RECORD)


def rejected(classified: DataFrame, spec: SourceSpec) -> DataFrame:
    """The rejected records in the ``rejected/`` layout (file verdicts such as the header are not rejections).

    ``record`` is the record as valid UTF-8 text (undecodable bytes become U+FFFD, so any
    reader can open the files); ``record_bytes`` keeps the exact bytes as delivered.
    """
    reason = F.col(REASON)
    return classified.where(reason.isNotNull() & ~reason.isin(*FILE_VERDICTS)).select(
        F.lit(spec.name).alias("source"),
        SOURCE_FILE,
        RECORD_NUMBER,
        LINE_NUMBER,
        REASON,
        DETAIL,
        F.decode(F.encode(F.col(RECORD), "UTF-8"), "UTF-8").alias(RECORD),
        F.col(RECORD).cast("binary").alias("record_bytes"),
    )


def run_pipeline(spark: SparkSession, staging_path: str, output_path: str) -> RunSummary:
    """Run the job from ``staging_path`` into the standard layout under ``output_path``.

    Writes ``<output>/warehouse/tracks/release_year=YYYY/*.parquet``, ``<output>/rejected/``,
    ``<output>/unmatched/{tracks,artists}/`` and ``<output>/_runs/<run_id>.json``.
    """
    return run(spark, staging_path, OutputPaths.under(output_path))


def _new_run_id(started: datetime) -> str:
    return f"{started.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


class _Phases:
    """Wall time per phase, for the run summary."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._clock = time.monotonic()

    def done(self, name: str) -> dict[str, float]:
        now = time.monotonic()
        self.seconds[name] = round(now - self._clock, 3)
        self._clock = now
        LOG.info("%s done in %.1fs", name, self.seconds[name])
        return dict(self.seconds)


def _classify_and_count(
    spark: SparkSession, staging_path: str, cache: list[DataFrame]
) -> tuple[dict[str, DataFrame], dict[str, tuple[SourceFile, ...]], list[Row]]:
    """List every source's files (stopping a bad delivery before any Spark job), then `classify`
    every source and collect its `reconcile.record_counts`, all sources at once.

    Each source runs in its own thread: with adaptive execution, checkpointing a plan that
    contains a shuffle runs that shuffle in the calling thread, so from a single thread the
    sources would be read one after the other, each on as few cores as it has files.
    """

    listed = {spec.name: list_files(spark, staging_path, spec) for spec in SOURCES}

    def one(spec: SourceSpec) -> tuple[DataFrame, list[Row]]:
        frame, _ = classify(spark, staging_path, spec, cache, listed[spec.name])
        return frame, reconcile.record_counts(spec.name, frame).collect()

    with ThreadPoolExecutor(max_workers=len(SOURCES), thread_name_prefix="classify") as pool:
        results = dict(zip((spec.name for spec in SOURCES), pool.map(one, SOURCES), strict=True))
    frames = {name: frame for name, (frame, _) in results.items()}
    return frames, listed, [row for _, rows in results.values() for row in rows]


def publish(
    paths: OutputPaths,
    sources: dict[str, DataFrame],
    unmatched_rows: dict[str, DataFrame],
    output: DataFrame,
) -> None:
    """Write rejected/, unmatched/ and the warehouse partitions, the table last so that a
    failure in between never leaves new table data without its quarantine."""
    specs = {spec.name: spec for spec in SOURCES}
    LOG.info("writing rejected records to %s", paths.rejected)
    write_rejected(reduce(DataFrame.unionByName, [rejected(rows, specs[name]) for name, rows in sources.items()]), paths.rejected)
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
    started = datetime.now(UTC)
    clock = time.monotonic()
    phases = _Phases()
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
    for killed in record_killed_runs(spark, paths.runs, summary.run_id):
        LOG.warning("run %s never ended (killed?): its summary now says so", killed)
    write_summary(spark, paths.runs, summary.run_id, replace(summary, status=RUNNING).to_json() + "\n")
    cached: list[DataFrame] = []
    try:
        LOG.info("reading, validating and counting %s", ", ".join(spec.name for spec in SOURCES))
        sources, listed, counted = _classify_and_count(spark, staging_path, cached)
        found = reconcile.tally(counted, listed)
        summary = replace(summary, sources=found.sources, phase_seconds=phases.done("read_validate_count"))
        for name, counts in found.sources.items():
            LOG.info("%s: %d input, %d accepted, %d rejected", name, counts.input_records, counts.accepted, counts.rejected_total)
        reconcile.raise_on_layout_problems(found, sources)

        albums, tracks, artists = (accepted(sources[s.name], s) for s in (ALBUMS, TRACKS, ARTISTS))
        unmatched_rows = {
            TRACKS.name: join.unmatched(tracks, "id", albums, "track_id").persist(StorageLevel.MEMORY_AND_DISK),
            ARTISTS.name: join.unmatched(artists, "id", albums, "artist_id").persist(StorageLevel.MEMORY_AND_DISK),
        }
        cached.extend(unmatched_rows.values())
        LOG.info("joining, conforming to the warehouse contract and counting")
        contract = load_contract()
        accepted_rows = {name: counts.accepted for name, counts in found.sources.items()}
        joined = conform(
            join.join_sources(albums, tracks, artists, accepted_rows[TRACKS.name], accepted_rows[ARTISTS.name]), contract
        )
        output = distribute(joined, contract.partition_keys[0].name).localCheckpoint(eager=False)
        cached.append(output)
        output_counts, unmatched_counts = reconcile.output_counts(output, unmatched_rows)
        source_counts = {name: replace(c, unmatched=unmatched_counts.get(name, 0)) for name, c in found.sources.items()}
        checks = reconcile.checks(source_counts, output_counts, found.file_checks)
        summary = replace(summary, sources=source_counts, output=output_counts, checks=checks, phase_seconds=phases.done("join_count"))
        reconcile.raise_if_failed(checks)
        if quality_gate is not None:
            LOG.info("evaluating the data-quality gate")
            quality_gate(output)
            summary = replace(summary, phase_seconds=phases.done("quality_gate"))
        publish(paths, sources, unmatched_rows, output)
        summary = replace(summary, status="succeeded", phase_seconds=phases.done("write"))
    except Exception as error:
        summary = replace(summary, error=f"{type(error).__name__}: {error_text(error)}")
        raise
    finally:
        summary = replace(summary, duration_seconds=round(time.monotonic() - clock, 3))
        write_summary(spark, paths.runs, summary.run_id, summary.to_json() + "\n")
        for frame in cached:
            release(frame)
        LOG.info("run %s %s in %.1fs", summary.run_id, summary.status, summary.duration_seconds)
    return summary
