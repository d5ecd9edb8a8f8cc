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
  3. the writes, from the checkpoints: this run's rejected/ and unmatched/ folders, then the
     warehouse table's one commit (`spotify_etl.table`), then the run summary.

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
from spotify_etl.iceberg import LOCAL_NAMESPACE, WarehouseTable
from spotify_etl.read import SourceFile, list_files, read_rows
from spotify_etl.records import FILE_VERDICTS
from spotify_etl.runs import RUNNING, SUCCEEDED, remove_run_folders, settle_previous_runs, write_summary
from spotify_etl.schemas import ALBUMS, ARTISTS, SOURCES, TRACKS, SourceSpec
from spotify_etl.summary import RunSummary
from spotify_etl.table import (
    commit_rows,
    create_table_if_missing,
    current_snapshot_id,
    open_local_catalog,
    snapshot_of_run,
)
from spotify_etl.write import distribute, write_rejected, write_unmatched

LOG = logging.getLogger("spotify_etl")

QualityGate = Callable[[DataFrame], None]
"""Called with the conformed output before anything is written; raises to stop the run."""


@dataclass(frozen=True)
class OutputPaths:
    """Where a run writes. `under` gives the local layout below one root."""

    warehouse: str
    """The Iceberg table's location (``data/``, ``metadata/``)."""
    table: WarehouseTable
    """The table in the job's catalog; its commits are what readers see."""
    rejected: str
    """Parent of each run's ``<run_id>/source=<source>/`` folder."""
    unmatched: str
    """Parent of each run's ``<run_id>/<tracks|artists>/`` folders."""
    runs: str

    @classmethod
    def under(cls, root: str) -> OutputPaths:
        """``<root>/warehouse/`` (the local catalog and the ``tracks`` table), ``<root>/rejected``,
        ``<root>/unmatched``, ``<root>/_runs``."""
        base = root.rstrip("/")
        table = load_contract().table
        return cls(
            warehouse=f"{base}/warehouse/{table}",
            table=WarehouseTable(LOCAL_NAMESPACE, table),
            rejected=f"{base}/rejected",
            unmatched=f"{base}/unmatched",
            runs=f"{base}/_runs",
        )

    def quarantine_of(self, run_id: str) -> tuple[str, str]:
        """(rejected, unmatched) folders of one run."""
        return f"{self.rejected.rstrip('/')}/{run_id}", f"{self.unmatched.rstrip('/')}/{run_id}"


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
    """Run the job from ``staging_path`` into the local layout under ``output_path``.

    Commits ``<output>/warehouse/tracks`` (catalog ``<output>/warehouse/catalog.db``), writes
    ``<output>/rejected/<run_id>/``, ``<output>/unmatched/<run_id>/{tracks,artists}/`` and
    ``<output>/_runs/<run_id>.json``.
    """
    paths = OutputPaths.under(output_path)
    return run(local_warehouse(spark, paths), staging_path, paths)


def local_warehouse(spark: SparkSession, paths: OutputPaths) -> SparkSession:
    """A session whose catalog is the local one of ``paths`` (`OutputPaths.under`), with the
    table created from the contract if this is its first run (on AWS the program declares it)."""
    session = open_local_catalog(spark, paths.warehouse.rsplit("/", 1)[0])
    create_table_if_missing(session, paths.table, paths.warehouse, load_contract())
    return session


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
    run_id: str,
    sources: dict[str, DataFrame],
    unmatched_rows: dict[str, DataFrame],
    output: DataFrame,
) -> str:
    """Write this run's rejected/ and unmatched/ folders, then commit the table; return the
    snapshot. The table comes last so that a failure in between never leaves new table data
    without its quarantine; a run's folders are its own, so nothing earlier is touched."""
    specs = {spec.name: spec for spec in SOURCES}
    rejected_path, unmatched_path = paths.quarantine_of(run_id)
    LOG.info("writing rejected records to %s", rejected_path)
    write_rejected(reduce(DataFrame.unionByName, [rejected(rows, specs[name]) for name, rows in sources.items()]), rejected_path)
    LOG.info("writing unmatched tracks and artists to %s", unmatched_path)
    for name, rows in unmatched_rows.items():
        write_unmatched(rows, f"{unmatched_path}/{name}", "id")
    LOG.info("committing the warehouse table %s", paths.table.identifier)
    return commit_rows(output, paths.table, run_id, load_contract().partition_keys[0].name, ("track_id", "album_id"))


def run(
    spark: SparkSession,
    staging_path: str,
    paths: OutputPaths,
    quality_gate: QualityGate | None = None,
) -> RunSummary:
    """Run the job with explicit output locations; raise `EtlError` subclasses on bad input,
    unbalanced reconciliation or a failed quality gate (after writing the run summary).

    ``spark``'s catalog ``spotify`` must hold ``paths.table`` (`local_warehouse` locally; on Glue
    the program declares it)."""
    started = datetime.now(UTC)
    clock = time.monotonic()
    phases = _Phases()
    run_id = _new_run_id(started)
    rejected_path, unmatched_path = paths.quarantine_of(run_id)
    summary = RunSummary(
        run_id=run_id,
        status="failed",
        started_at=started.isoformat(),
        duration_seconds=0.0,
        staging_path=staging_path,
        outputs={"warehouse": paths.warehouse, "table": paths.table.identifier, "rejected": rejected_path, "unmatched": unmatched_path, "runs": paths.runs},
        sources={},
        output=None,
        previous_snapshot_id=current_snapshot_id(spark, paths.table),
    )

    def committed(killed_run: str) -> str | None:
        found = snapshot_of_run(spark, paths.table, killed_run)
        return None if found is None else found[0]

    previous = settle_previous_runs(spark, paths.runs, run_id, committed)
    for killed in previous.killed:
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
        snapshot = publish(paths, run_id, sources, unmatched_rows, output)
        summary = replace(summary, status=SUCCEEDED, snapshot_id=snapshot, phase_seconds=phases.done("write"))
    except Exception as error:
        summary = replace(summary, error=f"{type(error).__name__}: {error_text(error)}")
        raise
    finally:
        summary = replace(summary, duration_seconds=round(time.monotonic() - clock, 3))
        write_summary(spark, paths.runs, summary.run_id, summary.to_json() + "\n")
        for frame in cached:
            release(frame)
        LOG.info("run %s %s in %.1fs", summary.run_id, summary.status, summary.duration_seconds)
    # Only now, with this run's summary written: the previous successful run's folders stay
    # (what a rollback of this run returns to), every other run's go, killed runs' partial ones included.
    kept = (run_id,) if previous.last_succeeded is None else (run_id, previous.last_succeeded)
    for removed in remove_run_folders(spark, (paths.rejected, paths.unmatched), kept):
        LOG.info("removed %s (an earlier run's quarantine)", removed)
    return summary
