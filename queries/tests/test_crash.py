"""The local job killed (SIGKILL, the whole process group: driver, JVM and Python workers) at each
phase of its writes, then run again: after every kill and after every rerun, the warehouse table
as DuckDB and Trino read it is the clean run's, the quarantine of the last successful run is
readable and whole, and the killed run's summary ends up saying so.

The kills are placed by watching what the job leaves on disk, never by hooks inside it:
- ``task-writes``: the first data file of the run appears in the table's folder;
- ``commit``: the run's data files are written and its new metadata file too, but the catalog row
  that makes it current is not yet swapped (the test holds SQLite's write lock on the catalog
  from the first data file on, so the swap waits and the kill lands inside the commit);
- ``rejected``: the run's first folder appears under ``rejected/``;
- ``summary``: the table has the run's snapshot, the final summary not yet written.
The same input goes in every time, so the table must hold the same rows whether the killed run
committed or not.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from query_engines.local import connect
from query_engines.trino_engine import TrinoServer
from spotify_etl import sample
from spotify_etl.local_table import current_files, load_table

CRASH_SCHEMA = "crash"
REPO_ROOT = Path(__file__).resolve().parents[2]
PHASES = ("task-writes", "commit", "rejected", "summary")


@dataclass(frozen=True)
class Workspace:
    staging: Path
    out: Path

    @property
    def warehouse(self) -> Path:
        return self.out / "warehouse"

    @property
    def data(self) -> Path:
        return self.warehouse / "tracks" / "data"

    def run_ids(self) -> set[str]:
        return {path.stem for path in (self.out / "_runs").glob("*.json")}

    def summary(self, run_id: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.out / "_runs" / f"{run_id}.json").read_text(encoding="utf-8"))
        return loaded

    def metadata_location(self) -> str:
        with sqlite3.connect(self.warehouse / "catalog.db") as catalog:
            (location,) = catalog.execute("SELECT metadata_location FROM iceberg_tables").fetchone()
        return str(location)


def _job(workspace: Workspace) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "spotify_etl.local", "--staging", str(workspace.staging), "--out", str(workspace.out)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_for(job: subprocess.Popen[bytes], condition: Callable[[], bool], what: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if job.poll() is not None:
            raise AssertionError(f"the job ended (exit {job.returncode}) before {what}")
        if time.monotonic() > deadline:
            os.killpg(job.pid, signal.SIGKILL)
            raise AssertionError(f"no {what} within {timeout:.0f} s")
        time.sleep(0.005)


def _kill(job: subprocess.Popen[bytes]) -> None:
    os.killpg(job.pid, signal.SIGKILL)
    job.wait()


@contextmanager
def _catalog_write_lock(workspace: Workspace) -> Iterator[None]:
    """Hold SQLite's write lock on the catalog: a commit then waits (the job's busy timeout)."""
    catalog = sqlite3.connect(workspace.warehouse / "catalog.db", isolation_level=None, timeout=30)
    try:
        catalog.execute("BEGIN IMMEDIATE")
        yield
    finally:
        catalog.execute("ROLLBACK")
        catalog.close()


def _kill_at(phase: str, workspace: Workspace) -> None:
    data_before = set(workspace.data.rglob("*.parquet"))
    metadata_before = set((workspace.warehouse / "tracks" / "metadata").glob("*.metadata.json"))
    location_before = workspace.metadata_location()
    quarantine_before = set((workspace.out / "rejected").iterdir())
    job = _job(workspace)

    def new_data_file() -> bool:
        return bool(set(workspace.data.rglob("*.parquet")) - data_before)

    if phase == "task-writes":
        _wait_for(job, new_data_file, "data file")
    elif phase == "commit":
        _wait_for(job, new_data_file, "data file")
        with _catalog_write_lock(workspace):
            _wait_for(
                job,
                lambda: bool(
                    set((workspace.warehouse / "tracks" / "metadata").glob("*.metadata.json")) - metadata_before
                ),
                "new metadata file",
            )
            _kill(job)
        assert workspace.metadata_location() == location_before, "the kill landed before the catalog swap"
    elif phase == "rejected":
        _wait_for(
            job, lambda: bool(set((workspace.out / "rejected").iterdir()) - quarantine_before), "rejected/ folder"
        )
    elif phase == "summary":
        _wait_for(job, lambda: workspace.metadata_location() != location_before, "table commit")
    _kill(job)


def _duckdb_rows(workspace: Workspace) -> list[tuple[Any, ...]]:
    return sorted(connect(workspace.warehouse).sql("SELECT * FROM tracks").fetchall(), key=repr)


def _trino_rows(server: TrinoServer, workspace: Workspace) -> list[tuple[Any, ...]]:
    server.register_warehouse(workspace.warehouse, CRASH_SCHEMA)
    return sorted((tuple(row) for row in server.warehouse_rows(CRASH_SCHEMA).rows), key=repr)


def _quarantine(workspace: Workspace, run_id: str) -> dict[str, int]:
    folder = workspace.out / "rejected" / run_id
    return {str(path.relative_to(folder).parent): path.stat().st_size for path in sorted(folder.rglob("*.parquet"))}


def _last_succeeded(workspace: Workspace) -> str:
    return max(run for run in workspace.run_ids() if workspace.summary(run)["status"] == "succeeded")


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("crash")
    workspace = Workspace(root / "staging", root / "out")
    sample.generate(workspace.staging, tracks=400, seed=5, defects=True, rows_per_file=100)
    job = _job(workspace)
    assert job.wait() == 0
    return workspace


@dataclass(frozen=True)
class Reads:
    """The clean run as each reader sees it."""

    duckdb: list[tuple[Any, ...]]
    trino: list[tuple[Any, ...]]
    quarantine: dict[str, int]


@pytest.fixture(scope="module")
def clean_reads(clean: Workspace, trino_server: TrinoServer) -> Reads:
    return Reads(_duckdb_rows(clean), _trino_rows(trino_server, clean), _quarantine(clean, _last_succeeded(clean)))


@pytest.mark.parametrize("phase", PHASES)
def test_a_kill_at_each_phase_leaves_the_clean_table_and_the_rerun_too(
    phase: str, clean: Workspace, clean_reads: Reads, trino_server: TrinoServer
) -> None:
    duckdb_rows, trino_rows, quarantine = clean_reads.duckdb, clean_reads.trino, clean_reads.quarantine
    runs_before = clean.run_ids()

    _kill_at(phase, clean)
    (killed,) = clean.run_ids() - runs_before
    assert clean.summary(killed)["status"] == "running"
    assert _duckdb_rows(clean) == duckdb_rows
    assert _trino_rows(trino_server, clean) == trino_rows
    assert _quarantine(clean, _last_succeeded(clean)) == quarantine
    if phase in ("task-writes", "commit"):
        in_snapshot = {Path(file) for file in current_files(load_table(clean.warehouse))}
        assert set(clean.data.rglob("*.parquet")) - in_snapshot, (
            "the killed run left data files the readers had to ignore"
        )

    assert _job(clean).wait() == 0
    (rerun,) = clean.run_ids() - runs_before - {killed}
    assert clean.summary(rerun)["status"] == "succeeded"
    recorded = clean.summary(killed)
    assert recorded["status"] == "killed" and f"found still running by run {rerun}" in recorded["error"]
    assert (recorded["snapshot_id"] is not None) == (phase == "summary"), (
        "the killed run's snapshot is named exactly when it committed one"
    )
    assert _duckdb_rows(clean) == duckdb_rows
    assert _trino_rows(trino_server, clean) == trino_rows
    assert _quarantine(clean, rerun) == quarantine
    assert not (clean.out / "rejected" / killed).exists(), "the killed run's partial quarantine is removed"


def test_npm_run_local_rollback_restores_the_snapshot_before_a_run_and_refuses_the_first(clean: Workspace) -> None:
    """The entry point as users call it (`npm run local -- rollback`), over the crash runs' table;
    every run wrote the same rows, so the rows are compared by the crash test, the snapshots here."""
    ordered = sorted(run for run in clean.run_ids() if clean.summary(run)["status"] == "succeeded")
    last = clean.summary(ordered[-1])
    rolled = subprocess.run(
        ["npm", "run", "--silent", "local", "--", "rollback", "--out", str(clean.out), "--run", last["run_id"]],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert rolled.returncode == 0, rolled.stderr
    assert (
        f"undid run {last['run_id']} (snapshot {last['snapshot_id']}); current snapshot: {last['previous_snapshot_id']}"
        in rolled.stdout
    )
    current = load_table(clean.warehouse).current_snapshot()
    assert current is not None and str(current.snapshot_id) == last["previous_snapshot_id"]

    first = clean.summary(ordered[0])["run_id"]
    refused = subprocess.run(
        ["npm", "run", "--silent", "local", "--", "rollback", "--out", str(clean.out), "--run", first],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1
    assert f"run {first} made the first snapshot" in refused.stderr
