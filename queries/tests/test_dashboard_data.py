"""query_engines.dashboard_data: each dashboard visual's Athena SQL, run on DuckDB over the views.

The SQL here is written as workbench/dashboard/visualQueries.ts writes it (quoted identifiers,
aggregates aliased by role, total ORDER BY); the expected values are computed in Python from the
view's rows, not by the module under test.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from query_engines.catalog import load_catalog
from query_engines.dashboard_data import (
    DashboardDataError,
    json_value,
    load_visual_queries,
    main,
    run_visual_queries,
)
from query_engines.local import connect, create_views
from query_engines.transpile import TranspileError

VIEW = "hit_score_insights"


def view_rows(warehouse: Path, view: str = VIEW) -> list[dict[str, Any]]:
    """Every row of a catalog view, as plain dicts."""
    connection = connect(warehouse)
    try:
        create_views(connection, load_catalog())
        relation = connection.sql(f"SELECT * FROM {view}")
        return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
    finally:
        connection.close()


def write_queries(directory: Path, queries: dict[str, object]) -> Path:
    path = directory / "visual-queries.json"
    path.write_text(json.dumps(queries), encoding="utf-8")
    return path


def run_cli(warehouse: Path, queries: Path, out: Path) -> int:
    return main(["--warehouse", str(warehouse), "--queries", str(queries), "--out", str(out)])


def test_each_visual_gets_its_rows_in_the_order_of_the_queries(warehouse: Path) -> None:
    rows = view_rows(warehouse)
    scores = [row["hit_score"] for row in rows if row["hit_score"] is not None]
    by_genre: dict[str | None, list[float]] = defaultdict(list)
    for row in rows:
        if row["hit_score"] is not None:
            by_genre[row["genre"]].append(row["hit_score"])
    top_genres = sorted(
        ((genre, statistics.fmean(values)) for genre, values in by_genre.items()),
        key=lambda item: (-item[1], item[0] is None, item[0] or ""),
    )[:3]

    data = run_visual_queries(
        warehouse,
        {
            "tracks-kpi": f'SELECT count(DISTINCT "track_id") AS "value"\nFROM "{VIEW}"',
            "median-kpi": f'SELECT approx_percentile("hit_score", 0.5) AS "value"\nFROM "{VIEW}"',
            "genre-bar": (
                f'SELECT "genre" AS "category", avg("hit_score") AS "value"\nFROM "{VIEW}"\n'
                'WHERE "hit_score" IS NOT NULL\nGROUP BY "genre"\n'
                'ORDER BY avg("hit_score") DESC, "genre"\nLIMIT 3'
            ),
            "histogram": (
                f'SELECT "hit_score" AS "value"\nFROM "{VIEW}"\n'
                'WHERE "hit_score" IS NOT NULL\nORDER BY "hit_score"'
            ),
        },
    )

    assert list(data) == ["tracks-kpi", "median-kpi", "genre-bar", "histogram"]
    assert data["tracks-kpi"].columns == ("value",)
    assert data["tracks-kpi"].rows == [[len({row["track_id"] for row in rows})]]
    median = data["median-kpi"].rows[0][0]
    assert isinstance(median, float) and min(scores) <= median <= max(scores)
    assert data["genre-bar"].columns == ("category", "value")
    assert [row[0] for row in data["genre-bar"].rows] == [genre for genre, _ in top_genres]
    for (_, shown), (_, expected) in zip(data["genre-bar"].rows, top_genres, strict=True):
        assert shown == pytest.approx(expected)
    assert data["histogram"].rows == [[score] for score in sorted(scores)]


def test_dates_decimals_and_nan_become_json_values(edge_warehouse: Path, tmp_path: Path) -> None:
    queries = write_queries(
        tmp_path,
        {
            "types": (
                'SELECT DATE \'2020-05-01\' AS "day", CAST(1.25 AS decimal(6, 2)) AS "amount", '
                "CAST('NaN' AS double) AS \"nan\", CAST(NULL AS varchar) AS \"nothing\", "
                f'TRUE AS "flag"\nFROM "{VIEW}"\nLIMIT 1'
            ),
            "release-dates": (
                f'SELECT DISTINCT "release_date"\nFROM "{VIEW}"\n'
                'WHERE "release_year" = 1999'
            ),
        },
    )
    out = tmp_path / "visual-data.json"

    assert run_cli(edge_warehouse, queries, out) == 0

    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == {
        "types": {
            "columns": ["day", "amount", "nan", "nothing", "flag"],
            "rows": [["2020-05-01", 1.25, None, None, True]],
        },
        "release-dates": {"columns": ["release_date"], "rows": [["1999-01-01"]]},
    }


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        (True, True),
        (7, 7),
        ("pop", "pop"),
        (2.5, 2.5),
        (float("nan"), None),
        (float("-inf"), None),
        (Decimal("1.50"), 1.5),
        (date(2020, 5, 1), "2020-05-01"),
        (datetime(2020, 5, 1, 12, 30), "2020-05-01T12:30:00"),
        (time(8, 15), "08:15:00"),
    ],
)
def test_json_value(value: object, expected: object) -> None:
    converted = json_value(value, "visual 'x'")
    assert converted == expected and type(converted) is type(expected)


def test_a_value_json_cannot_hold_is_refused_naming_the_visual_and_column() -> None:
    with pytest.raises(DashboardDataError, match=r"visual 'x', column 'tags': a list value"):
        json_value(["a", "b"], "visual 'x', column 'tags'")


def test_a_failing_query_names_its_visual(edge_warehouse: Path) -> None:
    queries = {
        "fine": f'SELECT count(*) AS "value"\nFROM "{VIEW}"',
        "broken": f'SELECT "no_such_column" AS "value"\nFROM "{VIEW}"',
    }
    with pytest.raises(DashboardDataError) as raised:
        run_visual_queries(edge_warehouse, queries)
    message = str(raised.value)
    assert message.startswith("visual 'broken': DuckDB failed:")
    assert "no_such_column" in message


@pytest.mark.parametrize(
    "sql, problem",
    [
        ("SELEC value FROM x", "not valid athena SQL"),
        (
            f'SELECT 1 AS "a" FROM "{VIEW}"; SELECT 2 AS "b" FROM "{VIEW}"',
            "exactly one SQL statement",
        ),
        (f"DROP VIEW {VIEW}", "must be a query"),
    ],
)
def test_sql_that_is_not_one_query_is_refused_naming_the_visual(
    edge_warehouse: Path, sql: str, problem: str
) -> None:
    with pytest.raises(TranspileError, match=rf"^visual 'bad': .*{problem}"):
        run_visual_queries(edge_warehouse, {"bad": sql})


@pytest.mark.parametrize(
    "content, problem",
    [
        ("[]", "must be a non-empty JSON object"),
        ("{}", "must be a non-empty JSON object"),
        ('{"kpi": ""}', "visual 'kpi': the SQL must be a non-empty string"),
        ('{"kpi": 1}', "visual 'kpi': the SQL must be a non-empty string"),
        ("{", "not valid JSON"),
    ],
)
def test_a_malformed_queries_file_is_refused(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "visual-queries.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DashboardDataError, match=problem):
        load_visual_queries(path)


def test_cli_reports_errors_on_stderr_and_writes_nothing(
    edge_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = write_queries(tmp_path, {"broken": f'SELECT "nope" AS "value"\nFROM "{VIEW}"'})
    out = tmp_path / "visual-data.json"

    status = run_cli(edge_warehouse, queries, out)

    assert status == 2
    assert capsys.readouterr().err.startswith("error: visual 'broken': DuckDB failed:")
    assert not out.exists()


def test_cli_output_is_byte_identical_across_runs(edge_warehouse: Path, tmp_path: Path) -> None:
    queries = write_queries(
        tmp_path,
        {
            "by-year": (
                f'SELECT "release_year" AS "category", avg("hit_score") AS "value"\n'
                f'FROM "{VIEW}"\nGROUP BY "release_year"\nORDER BY "release_year", avg("hit_score")'
            )
        },
    )
    outputs = [tmp_path / "first.json", tmp_path / "second.json"]
    for out in outputs:
        assert run_cli(edge_warehouse, queries, out) == 0
    first, second = (out.read_bytes() for out in outputs)
    assert first == second
    rows = json.loads(first)["by-year"]["rows"]
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)
    assert all(row[1] is None or math.isfinite(row[1]) for row in rows)
