"""The catalog loader: the declarations are complete and invalid ones fail naming the file."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from athena_sql.catalog import Catalog, CatalogError, load_catalog

QUERIES_DIR = Path(__file__).resolve().parents[1]

EXPECTED = {
    "hit_score_insights": "view",
    "genre_ranked_hits": "view",
    "popularity_needs": "query",
    "popularity_trends": "view",
    "genre_summary": "view",
    "track_vs_artist_popularity": "view",
}


def test_catalog_has_every_required_query(catalog: Catalog) -> None:
    assert {spec.name: spec.kind for spec in catalog} == EXPECTED


def test_views_come_after_the_views_they_read(catalog: Catalog) -> None:
    seen: set[str] = set()
    for spec in catalog:
        assert set(spec.depends_on) <= seen, f"{spec.name} before {spec.depends_on}"
        if spec.is_view:
            seen.add(spec.name)
    kinds = [spec.kind for spec in catalog]
    assert kinds == sorted(kinds, key=lambda kind: kind != "view"), "views first"


def test_hit_score_change_is_documented() -> None:
    header = (QUERIES_DIR / "hit_score_insights.sql").read_text(encoding="utf-8").lower()
    assert "clamped to [0, 100]" in header and "negative" in header
    readme = (QUERIES_DIR / "README.md").read_text(encoding="utf-8").lower()
    assert "negative" in readme and "hit score" in readme


@pytest.fixture
def copy_queries(tmp_path: Path) -> Path:
    for path in QUERIES_DIR.glob("*.sql"):
        shutil.copy(path, tmp_path / path.name)
    for path in QUERIES_DIR.glob("*.schema.json"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def edit_schema(directory: Path, name: str, change: Callable[[dict], None]) -> Path:
    path = directory / f"{name}.schema.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_copy_loads(copy_queries: Path) -> None:
    assert len(load_catalog(copy_queries)) == len(EXPECTED)


SCHEMA_BREAKAGES: dict[str, tuple[str, Callable[[dict], None], str]] = {
    "bad type": (
        "genre_summary",
        lambda d: d["columns"][0].update(type="string"),
        "not an Athena type",
    ),
    "bad kind": ("genre_summary", lambda d: d.update(kind="table"), "kind 'table'"),
    "wrong name": ("genre_summary", lambda d: d.update(name="other"), "must equal the file name"),
    "no description": ("genre_summary", lambda d: d.update(description=" "), "description"),
    "no columns": ("genre_summary", lambda d: d.update(columns=[]), "non-empty list"),
    "duplicate column": (
        "genre_summary",
        lambda d: d["columns"].append(dict(d["columns"][0])),
        "duplicate column",
    ),
    "unknown key": ("genre_summary", lambda d: d.update(owner="me"), "unknown key"),
    "missing key": ("genre_summary", lambda d: d.pop("kind"), "missing key"),
    "undeclared dependency": (
        "genre_summary",
        lambda d: d.pop("depends_on"),
        r"reads \['hit_score_insights'\]; declare them in depends_on",
    ),
    "unused dependency": (
        "track_vs_artist_popularity",
        lambda d: d.update(depends_on=["hit_score_insights"]),
        "does not read",
    ),
    "unknown dependency": (
        "genre_summary",
        lambda d: d.update(depends_on=["nope"]),
        "no such query",
    ),
    "depends on a named query": (
        "genre_summary",
        lambda d: d.update(depends_on=["popularity_needs"]),
        "only views can be read",
    ),
}


@pytest.mark.parametrize("case", sorted(SCHEMA_BREAKAGES))
def test_invalid_schema_fails_naming_the_file(copy_queries: Path, case: str) -> None:
    name, change, message = SCHEMA_BREAKAGES[case]
    path = edit_schema(copy_queries, name, change)
    with pytest.raises(CatalogError, match=message) as raised:
        load_catalog(copy_queries)
    assert str(path) in str(raised.value)


def test_missing_schema_fails(copy_queries: Path) -> None:
    (copy_queries / "genre_summary.schema.json").unlink()
    with pytest.raises(CatalogError, match="genre_summary.sql: missing its schema declaration"):
        load_catalog(copy_queries)


def test_orphan_schema_fails(copy_queries: Path) -> None:
    (copy_queries / "genre_summary.sql").unlink()
    with pytest.raises(CatalogError, match="genre_summary.schema.json: declares a query without"):
        load_catalog(copy_queries)


def test_qualified_table_fails(copy_queries: Path) -> None:
    path = copy_queries / "track_vs_artist_popularity.sql"
    path.write_text(
        path.read_text(encoding="utf-8").replace("FROM tracks", "FROM spotify_dev_warehouse.tracks"),
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="reference tables and views unqualified"):
        load_catalog(copy_queries)


def test_unknown_table_fails(copy_queries: Path) -> None:
    path = copy_queries / "track_vs_artist_popularity.sql"
    path.write_text(
        path.read_text(encoding="utf-8").replace("FROM tracks", "FROM albums"), encoding="utf-8"
    )
    with pytest.raises(CatalogError, match="reads 'albums'"):
        load_catalog(copy_queries)


def test_dependency_cycle_fails(copy_queries: Path) -> None:
    sql = copy_queries / "hit_score_insights.sql"
    sql.write_text(
        sql.read_text(encoding="utf-8").replace(
            "FROM tracks", "FROM tracks CROSS JOIN (SELECT 1 AS one FROM genre_summary) AS g"
        ),
        encoding="utf-8",
    )
    edit_schema(copy_queries, "hit_score_insights", lambda d: d.update(depends_on=["genre_summary"]))
    with pytest.raises(CatalogError, match="cycle"):
        load_catalog(copy_queries)


def test_two_statements_fail(copy_queries: Path) -> None:
    sql = copy_queries / "genre_summary.sql"
    sql.write_text(sql.read_text(encoding="utf-8") + ";\nSELECT 1 AS one\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="genre_summary.sql: expected exactly one SQL statement"):
        load_catalog(copy_queries)
