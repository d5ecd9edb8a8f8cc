"""The Glue entry script compiles, and its arguments and ruleset agree with what infra reads."""

from __future__ import annotations

import ast
import py_compile
import re
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from spotify_etl.contract import load_contract, load_ruleset

ETL_ROOT = Path(__file__).resolve().parents[1]
JOB = ETL_ROOT / "jobs" / "spotify_etl_job.py"
README = ETL_ROOT / "README.md"


def _job_arguments() -> list[str]:
    tree = ast.parse(JOB.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "JOB_ARGUMENTS":
            assert node.value is not None
            return list(ast.literal_eval(node.value))
    raise AssertionError("JOB_ARGUMENTS not found")


def _readme_arguments() -> list[str]:
    section = README.read_text(encoding="utf-8").split("Job arguments", 1)[1].split("\n\n", 2)[1]
    return re.findall(r"^\| `--([A-Za-z_]+)` \|", section, flags=re.MULTILINE)


def test_job_compiles(tmp_path: Path) -> None:
    py_compile.compile(str(JOB), cfile=str(tmp_path / "job.pyc"), doraise=True)


def test_job_arguments_are_documented_in_readme() -> None:
    assert _job_arguments() == _readme_arguments()
    assert _job_arguments()[0] == "JOB_NAME"


def test_job_uses_glue_data_quality_and_commits() -> None:
    source = JOB.read_text(encoding="utf-8")
    assert "from awsgluedq.transforms import EvaluateDataQuality" in source
    assert "load_ruleset()" in source and "quality_gate=" in source
    assert source.rstrip().splitlines()[-1].strip() == "main(sys.argv)"
    assert "job.commit()" in source


RULE = re.compile(
    r'^(?:RowCount (?P<rc_op>>|>=) (?P<rc_n>\d+)'
    r'|(?P<kind>IsComplete|IsUnique) "(?P<col>\w+)"'
    r'|ColumnValues "(?P<cv_col>\w+)" (?:(?P<op>>=|<=|>|<) (?P<n>-?\d+)|in \[(?P<values>[^\]]+)\])'
    r'(?: where "(?P<where>[^"]+)")?)$'
)


def _rules() -> list[str]:
    body = load_ruleset().split("[", 1)[1].rsplit("]", 1)[0]
    return [line.strip().rstrip(",") for line in body.splitlines() if line.strip()]


def test_ruleset_only_names_contract_columns() -> None:
    columns = {column.name for column in load_contract().all_columns}
    rules = _rules()
    assert rules and all(RULE.match(rule) for rule in rules), [r for r in rules if not RULE.match(r)]
    named = set(re.findall(r'"(\w+)"', "\n".join(rules))) - {"year", "month", "day"}
    assert named <= columns
    assert {"RowCount > 0", 'IsComplete "track_id"', 'IsUnique "track_id"'} <= set(rules)
    for popularity in ("track_popularity", "album_popularity", "artist_popularity"):
        assert any(f'"{popularity}" >= 0' in rule for rule in rules)
        assert any(f'"{popularity}" <= 100' in rule for rule in rules)


def test_sample_output_satisfies_the_ruleset(spark: SparkSession, sample_run) -> None:  # type: ignore[no-untyped-def]
    """A small evaluator for the rule shapes the ruleset uses, run on the real output."""
    table = spark.read.parquet(str(sample_run.table))
    failures = []
    for rule in _rules():
        match = RULE.match(rule)
        assert match
        if match["rc_op"]:
            ok = table.count() > int(match["rc_n"])
        elif match["kind"] == "IsComplete":
            ok = table.where(F.col(match["col"]).isNull()).count() == 0
        elif match["kind"] == "IsUnique":
            ok = table.groupBy(match["col"]).count().where("count > 1").count() == 0
        else:
            rows = table.where(match["where"]) if match["where"] else table
            column = F.col(match["cv_col"])
            if match["values"]:
                allowed = [value.strip().strip('"') for value in match["values"].split(",")]
                condition = column.isin(*allowed)
            else:
                condition = {">=": column >= int(match["n"]), "<=": column <= int(match["n"]),
                             ">": column > int(match["n"]), "<": column < int(match["n"])}[match["op"]]
            ok = rows.where(~condition | column.isNull()).count() == 0
        if not ok:
            failures.append(rule)
    assert failures == []
