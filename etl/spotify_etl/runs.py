"""The run summaries under ``_runs/``, and the quarantine folders of each run: written so that a
crash never leaves a partial summary, and a run that was killed is recorded as killed by the next
run, its partial quarantine folders removed.

A summary is written when the run starts (status ``running``) and again when it ends. Each write
goes to a hidden temporary name in ``_runs/`` and is then renamed over the summary, so a reader
sees the previous version or the new one, never a truncated file (on S3, where a rename is a copy,
the object store's own PUT is whole or absent). A run killed before its end leaves its summary
at ``running``: the next run rewrites it as ``killed``, naming itself, and removes the temporary
files a kill can leave. Hidden names (``.…``) are skipped by every Spark and Hadoop reader.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession

RUNNING = "running"
KILLED = "killed"
SUCCEEDED = "succeeded"
_TEMPORARY_SUFFIX = ".tmp"


def summary_path(runs: str, run_id: str) -> str:
    """Where a run's summary lives."""
    return f"{runs.rstrip('/')}/{run_id}.json"


def write_summary(spark: SparkSession, runs: str, run_id: str, text: str) -> None:
    """Write a run's summary under its final name through a temporary one (module docstring)."""
    filesystem, jvm = _filesystem(spark, runs)
    final = jvm.org.apache.hadoop.fs.Path(summary_path(runs, run_id))
    temporary = jvm.org.apache.hadoop.fs.Path(f"{runs.rstrip('/')}/.{run_id}.{uuid.uuid4().hex}{_TEMPORARY_SUFFIX}")
    stream = filesystem.create(temporary, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()
    # Hadoop's rename does not replace an existing file; FileContext's does, atomically where the
    # file system can (local, HDFS). Object stores copy either way, and their PUT is atomic.
    context = jvm.org.apache.hadoop.fs.FileContext.getFileContext(final.toUri(), spark.sparkContext._jsc.hadoopConfiguration())  # noqa: SLF001
    gateway = spark.sparkContext._gateway  # noqa: SLF001 - Java arrays are made through py4j's gateway
    assert gateway is not None
    options = gateway.new_array(jvm.org.apache.hadoop.fs.Options.Rename, 1)
    options[0] = jvm.org.apache.hadoop.fs.Options.Rename.OVERWRITE
    context.rename(temporary, final, options)


@dataclass(frozen=True)
class PreviousRuns:
    """What the summaries under ``_runs/`` say when a run starts."""

    killed: tuple[str, ...]
    """Runs found still ``running``, now recorded as killed, sorted."""
    last_succeeded: str | None
    """The newest run that succeeded (run ids sort by start time)."""


def settle_previous_runs(spark: SparkSession, runs: str, by_run: str, committed: Callable[[str], str | None]) -> PreviousRuns:
    """Rewrite every summary still at ``running`` as ``killed`` (found by ``by_run``), naming the
    snapshot it committed before it stopped if ``committed(run_id)`` finds one, and remove the
    temporary files a killed write left."""
    filesystem, jvm = _filesystem(spark, runs)
    directory = jvm.org.apache.hadoop.fs.Path(runs)
    if not filesystem.exists(directory):
        return PreviousRuns((), None)
    killed: list[str] = []
    succeeded: list[str] = []
    for status in filesystem.listStatus(directory):
        name = str(status.getPath().getName())
        if name.startswith(".") and name.endswith(_TEMPORARY_SUFFIX):
            filesystem.delete(status.getPath(), False)
            continue
        if not name.endswith(".json") or name.startswith((".", "_")):
            continue
        summary = _read_json(filesystem, jvm, status.getPath())
        run_id = str(summary.get("run_id", name.removesuffix(".json")))
        if summary.get("status") == SUCCEEDED:
            succeeded.append(run_id)
        if summary.get("status") != RUNNING:
            continue
        snapshot = committed(run_id)
        summary["status"] = KILLED
        summary["snapshot_id"] = snapshot
        summary["error"] = f"the run stopped before it ended (killed, or its machine lost); found still running by run {by_run}" + (
            f"; it had committed table snapshot {snapshot}" if snapshot is not None else "; it committed nothing to the table"
        )
        write_summary(spark, runs, run_id, json.dumps(summary, indent=2, sort_keys=True) + "\n")
        killed.append(run_id)
    return PreviousRuns(tuple(sorted(killed)), max(succeeded, default=None))


def remove_run_folders(spark: SparkSession, parents: Iterable[str], keep: Iterable[str]) -> list[str]:
    """Delete every ``<parent>/<run_id>/`` folder whose run is not in ``keep``; return what was deleted."""
    kept = set(keep)
    removed: list[str] = []
    for parent in parents:
        filesystem, jvm = _filesystem(spark, parent)
        directory = jvm.org.apache.hadoop.fs.Path(parent)
        if not filesystem.exists(directory):
            continue
        for status in filesystem.listStatus(directory):
            if status.isDirectory() and str(status.getPath().getName()) not in kept:
                filesystem.delete(status.getPath(), True)
                removed.append(str(status.getPath()))
    return sorted(removed)


def _filesystem(spark: SparkSession, path: str) -> tuple[Any, Any]:
    """The Hadoop FileSystem of ``path`` and the JVM view, so s3:// and local paths behave the same."""
    jvm = spark.sparkContext._jvm  # noqa: SLF001 - the Hadoop API is only reachable through py4j
    assert jvm is not None
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    return hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), jvm  # noqa: SLF001


def _read_json(filesystem: Any, jvm: Any, path: Any) -> dict[str, Any]:
    """A small JSON file read whole; an unreadable one is reported as what it is."""
    stream = filesystem.open(path)
    try:
        data = bytes(jvm.org.apache.commons.io.IOUtils.toByteArray(stream))
    finally:
        stream.close()
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"status": "unreadable"}
    return parsed if isinstance(parsed, dict) else {"status": "unreadable"}
