"""The Glue entry script, run as Glue runs it (as ``__main__``, arguments in ``sys.argv``) over
stand-ins for the Glue-only modules, and its ruleset checked against the contract and the sample.

The stand-ins record what the script asks of Glue (job init and commit, the Data Quality
evaluation and its options) and evaluate the DQDL rules with the small evaluator below, on the
real output of the pipeline; nothing here decides a rule's outcome by itself.
"""

from __future__ import annotations

import json
import operator
import re
import runpy
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

import spotify_etl.contract
from spotify_etl.contract import load_contract, load_ruleset
from spotify_etl.errors import QualityGateError
from spotify_etl.iceberg import LOCAL_NAMESPACE
from spotify_etl.local_table import load_table
from spotify_etl.pipeline import OutputPaths, local_warehouse

if TYPE_CHECKING:
    from conftest import SampleRun

ETL_ROOT = Path(__file__).resolve().parents[1]
JOB = ETL_ROOT / "jobs" / "spotify_etl_job.py"
README = ETL_ROOT / "README.md"
SAMPLE = ETL_ROOT / "sample"
JOB_NAME = "spotify-etl-test"

RULE = re.compile(
    r'^(?:RowCount (?P<rc_op>>|>=) (?P<rc_n>\d+)'
    r'|(?P<kind>IsComplete|IsUnique) "(?P<col>\w+)"'
    r'|ColumnValues "(?P<cv_col>\w+)" (?:(?P<op>>=|<=|>|<) (?P<n>-?\d+)|in \[(?P<values>[^\]]+)\])'
    r'(?: where "(?P<where>[^"]+)")?)$'
)
COMPARISONS: Mapping[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def rules_of(ruleset: str) -> list[str]:
    body = ruleset.split("[", 1)[1].rsplit("]", 1)[0]
    return [line.strip().rstrip(",") for line in body.splitlines() if line.strip()]


def rule_holds(table: DataFrame, rule: str) -> bool:
    """A small evaluator for the DQDL rule shapes the ruleset uses."""
    match = RULE.match(rule)
    assert match, f"{rule}: a rule shape this evaluator does not know"
    if match["rc_op"]:
        return bool(COMPARISONS[match["rc_op"]](table.count(), int(match["rc_n"])))
    if match["kind"] == "IsComplete":
        return table.where(F.col(match["col"]).isNull()).count() == 0
    if match["kind"] == "IsUnique":
        return table.groupBy(match["col"]).count().where("count > 1").count() == 0
    rows = table.where(match["where"]) if match["where"] else table
    column = F.col(match["cv_col"])
    condition: Column
    if match["values"]:
        condition = column.isin(*[value.strip().strip('"') for value in match["values"].split(",")])
    else:
        condition = COMPARISONS[match["op"]](column, int(match["n"]))
    return rows.where(~condition | column.isNull()).count() == 0


@pytest.mark.parametrize(
    ("rule", "holds"),
    [
        ("RowCount > 3", False),
        ("RowCount >= 3", True),
        ('ColumnValues "n" > 1', False),
        ('ColumnValues "n" >= 1', True),
        ('ColumnValues "n" <= 2 where "n < 3"', True),
        ('ColumnValues "n" < 3', False),
        ('ColumnValues "tag" in ["a", "b"]', True),
        ('IsUnique "tag"', False),
        ('IsComplete "n"', True),
    ],
)
def test_the_evaluator_applies_each_operator(spark: SparkSession, rule: str, holds: bool) -> None:
    table = spark.createDataFrame([(1, "a"), (2, "b"), (3, "a")], "n int, tag string")
    assert rule_holds(table, rule) is holds


def test_ruleset_only_names_contract_columns() -> None:
    columns = {column.name for column in load_contract().all_columns}
    rules = rules_of(load_ruleset())
    assert rules
    assert [rule for rule in rules if not RULE.match(rule)] == []
    named = set(re.findall(r'"(\w+)"', "\n".join(rules))) - {"year", "month", "day"}
    assert named <= columns
    assert {"RowCount > 0", 'IsComplete "track_id"', 'IsUnique "track_id"'} <= set(rules)
    for popularity in ("track_popularity", "album_popularity", "artist_popularity"):
        assert f'ColumnValues "{popularity}" >= 0 where "{popularity} is not null"' in rules
        assert f'ColumnValues "{popularity}" <= 100 where "{popularity} is not null"' in rules


def test_sample_output_satisfies_the_ruleset(spark: SparkSession, sample_run: SampleRun) -> None:
    table = sample_run.rows(spark)
    assert [rule for rule in rules_of(load_ruleset()) if not rule_holds(table, rule)] == []


# --- the entry script over stand-ins for the Glue runtime ------------------------------------


@dataclass
class GlueCalls:
    """What the script asked of the Glue stand-ins, in order."""

    events: list[str] = field(default_factory=list)
    evaluations: list[dict[str, Any]] = field(default_factory=list)


def glue_modules(spark: SparkSession, calls: GlueCalls, out: Path) -> dict[str, types.ModuleType]:
    """``awsglue.*`` and ``awsgluedq.transforms`` as far as the script uses them."""

    def get_resolved_options(argv: list[str], names: list[str]) -> dict[str, str]:
        # Glue's contract: every requested name is given as `--name value`, or the job fails.
        given = dict(zip(argv[1::2], argv[2::2], strict=True))
        missing = [name for name in names if f"--{name}" not in given]
        assert missing == [], f"the job requires {missing}"
        return {name: given[f"--{name}"] for name in names}

    class GlueContext:
        def __init__(self, context: object) -> None:
            assert context is spark.sparkContext
            # The Glue Data Catalog's stand-in: the local catalog, holding the table the program declares.
            self.spark_session = local_warehouse(spark, OutputPaths.under(str(out)))

    class Job:
        def __init__(self, context: GlueContext) -> None:
            assert isinstance(context, GlueContext)

        def init(self, name: str, args: Mapping[str, str]) -> None:
            calls.events.append(f"init {name}")

        def commit(self) -> None:
            calls.events.append("commit")

    @dataclass
    class DynamicFrame:
        frame: DataFrame

        @classmethod
        def fromDF(cls, frame: DataFrame, context: GlueContext, name: str) -> DynamicFrame:
            return cls(frame)

        def toDF(self) -> DataFrame:
            return self.frame

    class EvaluateDataQuality:
        @staticmethod
        def apply(frame: DynamicFrame, ruleset: str, publishing_options: Mapping[str, object]) -> DynamicFrame:
            calls.events.append("evaluate")
            calls.evaluations.append({"ruleset": ruleset, "publishing_options": dict(publishing_options)})
            outcomes = [
                (rule, "Passed", None) if rule_holds(frame.frame, rule) else (rule, "Failed", "rule failed")
                for rule in rules_of(ruleset)
            ]
            return DynamicFrame(spark.createDataFrame(outcomes, "Rule string, Outcome string, FailureReason string"))

    contents: dict[str, dict[str, object]] = {
        "awsglue.context": {"GlueContext": GlueContext},
        "awsglue.dynamicframe": {"DynamicFrame": DynamicFrame},
        "awsglue.job": {"Job": Job},
        "awsglue.utils": {"getResolvedOptions": get_resolved_options},
        "awsgluedq.transforms": {"EvaluateDataQuality": EvaluateDataQuality},
    }
    modules = {name: types.ModuleType(name) for name in ["awsglue", "awsgluedq", *contents]}
    for name, attributes in contents.items():
        vars(modules[name]).update(attributes)
    return modules


@pytest.fixture
def glue(spark: SparkSession, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> GlueCalls:
    calls = GlueCalls()
    for name, module in glue_modules(spark, calls, tmp_path).items():
        monkeypatch.setitem(sys.modules, name, module)
    return calls


def run_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **optional: str) -> None:
    """Run the script as Glue does, with the job arguments infra passes (and ``optional`` ones)."""
    arguments = {
        "JOB_NAME": JOB_NAME,
        "staging_path": str(SAMPLE),
        "warehouse_path": str(tmp_path / "warehouse" / "tracks"),
        "warehouse_database": LOCAL_NAMESPACE,
        "warehouse_table": load_contract().table,
        "rejected_path": str(tmp_path / "rejected"),
        "unmatched_path": str(tmp_path / "unmatched"),
        "runs_path": str(tmp_path / "_runs"),
        **optional,
    }
    monkeypatch.setattr(sys, "argv", [str(JOB), *(part for name, value in arguments.items() for part in (f"--{name}", value))])
    runpy.run_path(str(JOB), run_name="__main__")


def test_job_writes_through_the_quality_gate_then_commits(glue: GlueCalls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_job(tmp_path, monkeypatch)
    assert glue.events == [f"init {JOB_NAME}", "evaluate", "commit"]
    [evaluation] = glue.evaluations
    assert evaluation["ruleset"] == load_ruleset()
    assert evaluation["publishing_options"]["dataQualityEvaluationContext"] == JOB_NAME
    assert any((tmp_path / "warehouse" / "tracks" / "data").glob("release_year=*/*.parquet"))


def _current_snapshot(out: Path) -> int:
    snapshot = load_table(out / "warehouse").current_snapshot()
    assert snapshot is not None
    return snapshot.snapshot_id


def test_started_with_a_run_to_roll_back_the_job_restores_the_snapshot_before_it(
    glue: GlueCalls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_job(tmp_path, monkeypatch)
    run_job(tmp_path, monkeypatch)
    first, second = (json.loads(path.read_text(encoding="utf-8")) for path in sorted((tmp_path / "_runs").glob("*.json")))
    assert second["previous_snapshot_id"] == first["snapshot_id"] != second["snapshot_id"]
    assert str(_current_snapshot(tmp_path)) == second["snapshot_id"]
    events = len(glue.events)
    run_job(tmp_path, monkeypatch, rollback_before_run=second["run_id"])
    assert glue.events[events:] == [f"init {JOB_NAME}", "commit"], "a rollback evaluates and writes nothing else"
    assert str(_current_snapshot(tmp_path)) == first["snapshot_id"]
    assert len(list((tmp_path / "_runs").glob("*.json"))) == 2


def test_a_failed_rule_stops_the_job_before_writing_and_committing(
    glue: GlueCalls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    impossible = "Rules = [\n    RowCount > 0,\n    RowCount > 1000000000\n]\n"
    monkeypatch.setattr(spotify_etl.contract, "load_ruleset", lambda: impossible)
    with pytest.raises(QualityGateError, match="1 data-quality rule"):
        run_job(tmp_path, monkeypatch)
    assert glue.events == [f"init {JOB_NAME}", "evaluate"]
    assert not any((tmp_path / "warehouse").rglob("*.parquet"))


def test_job_arguments_are_documented_in_readme(glue: GlueCalls) -> None:
    documented = README.read_text(encoding="utf-8").split("Job arguments", 1)[1].split("\n\n", 2)[1]
    job = runpy.run_path(str(JOB))
    assert job["JOB_ARGUMENTS"][0] == "JOB_NAME"
    assert job["JOB_ARGUMENTS"] == re.findall(r"^\| `--([A-Za-z_]+)` \|", documented, flags=re.MULTILINE)
