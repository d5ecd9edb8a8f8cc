"""Run summaries: ``running`` while a run runs, never partial, and a killed run recorded as killed."""

from __future__ import annotations

import json
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from spotify_etl import sample
from spotify_etl.pipeline import OutputPaths, local_warehouse, run
from spotify_etl.runs import KILLED, RUNNING, settle_previous_runs, write_summary


def _staging(root: Path) -> str:
    sample.generate(root, tracks=40, seed=3, defects=False)
    return str(root)


def test_a_run_says_running_while_it_runs_and_its_outcome_when_it_ends(spark: SparkSession, tmp_path: Path) -> None:
    paths = OutputPaths.under(str(tmp_path / "out"))
    seen: list[dict[str, object]] = []

    def read_own_summary(_: DataFrame) -> None:
        (summary,) = (tmp_path / "out" / "_runs").glob("*.json")
        seen.append(json.loads(summary.read_text(encoding="utf-8")))

    finished = run(local_warehouse(spark, paths), _staging(tmp_path / "staging"), paths, quality_gate=read_own_summary)
    assert [(entry["run_id"], entry["status"]) for entry in seen] == [(finished.run_id, RUNNING)]
    written = json.loads((tmp_path / "out" / "_runs" / f"{finished.run_id}.json").read_text(encoding="utf-8"))
    assert written["status"] == "succeeded"
    assert [path.name for path in (tmp_path / "out" / "_runs").iterdir() if not path.name.endswith(".crc")] == [f"{finished.run_id}.json"]


def test_a_run_left_running_is_recorded_as_killed_by_the_next_and_its_leftovers_removed(spark: SparkSession, tmp_path: Path) -> None:
    runs = tmp_path / "out" / "_runs"
    runs.mkdir(parents=True)
    # What a run killed mid-way leaves: its start summary, and a temporary file it was writing.
    (runs / "20261201T000000Z-deadbeef.json").write_text(json.dumps({"run_id": "20261201T000000Z-deadbeef", "status": RUNNING}), encoding="utf-8")
    (runs / ".20261201T000000Z-deadbeef.0123.tmp").write_bytes(b"")
    (runs / "20261130T000000Z-finished.json").write_text(json.dumps({"run_id": "20261130T000000Z-finished", "status": "succeeded"}), encoding="utf-8")

    paths = OutputPaths.under(str(tmp_path / "out"))
    finished = run(local_warehouse(spark, paths), _staging(tmp_path / "staging"), paths)
    killed = json.loads((runs / "20261201T000000Z-deadbeef.json").read_text(encoding="utf-8"))
    assert killed["status"] == KILLED
    assert f"found still running by run {finished.run_id}; it committed nothing to the table" in killed["error"]
    assert json.loads((runs / "20261130T000000Z-finished.json").read_text(encoding="utf-8"))["status"] == "succeeded"
    assert not [path.name for path in runs.iterdir() if path.name.endswith(".tmp")], "the killed write's temporary file is removed"
    again = settle_previous_runs(spark, str(runs), "another", lambda _: None)
    assert again.killed == (), "a killed run is recorded once"
    assert again.last_succeeded == finished.run_id


def test_a_summary_is_replaced_whole_and_no_temporary_file_stays(spark: SparkSession, tmp_path: Path) -> None:
    runs = str(tmp_path / "_runs")
    write_summary(spark, runs, "r1", '{"status": "running"}\n')
    write_summary(spark, runs, "r1", '{"status": "succeeded"}\n')
    assert (tmp_path / "_runs" / "r1.json").read_text(encoding="utf-8") == '{"status": "succeeded"}\n'
    assert sorted(path.name for path in (tmp_path / "_runs").iterdir() if not path.name.endswith(".crc")) == ["r1.json"]
