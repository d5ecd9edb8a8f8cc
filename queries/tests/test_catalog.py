"""The catalog as the Python side receives it from the program's loader (model/queryCatalog.ts,
whose own validation test/queries.spec.ts tests) through query_catalog.json (written and checked
by test/pythonJson.spec.ts), and the SQL checks only a parser can make."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from query_engines import catalog as catalog_module
from query_engines.catalog import (
    Catalog,
    CatalogError,
    QuerySpec,
    check_current,
    check_references,
    load_catalog,
    parse_catalog,
)
from spotify_etl.contract import load_contract

QUERIES_DIR = Path(__file__).resolve().parents[1]

EXPECTED = {
    "hit_score_insights": "view",
    "genre_ranked_hits": "view",
    "popularity_needs": "view",
    "popularity_trends": "view",
    "genre_summary": "view",
    "track_vs_artist_popularity": "view",
}


def test_catalog_has_every_required_query(catalog: Catalog) -> None:
    assert {spec.name: spec.kind for spec in catalog} == EXPECTED


def test_the_warehouse_table_is_the_one_the_etl_contract_names(catalog: Catalog) -> None:
    assert catalog.warehouse_table == load_contract().table


def test_specs_hold_the_files_as_written(catalog: Catalog) -> None:
    for spec in catalog:
        assert spec.sql_path == QUERIES_DIR / f"{spec.name}.sql"
        assert spec.sql == spec.sql_path.read_text(encoding="utf-8")
        declared = json.loads(spec.schema_path.read_text(encoding="utf-8"))
        assert [dataclasses.asdict(column) for column in spec.columns] == declared["columns"]
        assert list(spec.depends_on) == declared.get("depends_on", [])


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


def test_the_catalog_file_is_refused_once_a_query_file_changed(catalog: Catalog) -> None:
    check_current(catalog, "query_catalog.json")  # as written: current
    changed = dataclasses.replace(catalog, sources={**catalog.sources, "queries/genre_summary.sql": "0" * 64})
    with pytest.raises(CatalogError, match=r"^query_catalog\.json is stale: queries/genre_summary\.sql changed.*; run npm run python:json$"):
        check_current(changed, "query_catalog.json")


def test_the_catalog_file_is_refused_once_a_query_file_appeared_or_went(catalog: Catalog) -> None:
    went = {**catalog.sources, "queries/albums.sql": "0" * 64}
    with pytest.raises(CatalogError, match=r"stale: queries/albums\.sql changed, appeared or went"):
        check_current(dataclasses.replace(catalog, sources=went), "query_catalog.json")
    appeared = {path: digest for path, digest in catalog.sources.items() if path != "queries/genre_summary.schema.json"}
    with pytest.raises(CatalogError, match=r"stale: queries/genre_summary\.schema\.json changed"):
        check_current(dataclasses.replace(catalog, sources=appeared), "query_catalog.json")


def test_a_missing_catalog_file_names_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_module, "CATALOG_FILE", catalog_module.CATALOG_FILE.with_name("absent.json"))
    with pytest.raises(CatalogError, match=r"^queries/query_engines/absent\.json is missing: run npm run python:json$"):
        load_catalog()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "invalid JSON"),
        ('{"directory": "/q", "warehouse_table": "tracks", "queries": {}}', "queries must be a list"),
        ('{"directory": "/q", "queries": []}', "warehouse_table must be a str"),
        ('{"directory": "/q", "warehouse_table": "t", "queries": []}', "sources must be a dict"),
        ('{"directory": "/q", "warehouse_table": "t", "queries": [], "sources": {"a.sql": 1}}', "sources: expected a string"),
        ('{"directory": "/q", "warehouse_table": "t", "queries": [{"name": "a", "kind": "table"}]}', r"queries\[0\]: kind 'table'"),
    ],
)
def test_unexpected_catalog_content_fails_naming_it(text: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message) as raised:
        parse_catalog(text, "query_catalog.json")
    assert str(raised.value).startswith("query_catalog.json")


def edited(catalog: Catalog, name: str, *, sql: str | None = None, depends_on: tuple[str, ...] | None = None) -> Catalog:
    """``catalog`` with the SQL or the depends_on of the spec ``name`` replaced."""

    def edit(spec: QuerySpec) -> QuerySpec:
        return dataclasses.replace(
            spec,
            sql=spec.sql if sql is None else sql,
            depends_on=spec.depends_on if depends_on is None else depends_on,
        )

    return dataclasses.replace(catalog, specs=tuple(edit(spec) if spec.name == name else spec for spec in catalog))


def test_the_committed_sql_reads_what_it_declares(catalog: Catalog) -> None:
    check_references(catalog)


def test_undeclared_dependency_fails(catalog: Catalog) -> None:
    broken = edited(catalog, "genre_summary", depends_on=())
    with pytest.raises(CatalogError, match=r"genre_summary\.schema\.json: the SQL reads \['hit_score_insights'\]"):
        check_references(broken)


def test_unused_dependency_fails(catalog: Catalog) -> None:
    broken = edited(catalog, "track_vs_artist_popularity", depends_on=("hit_score_insights", "genre_summary"))
    with pytest.raises(CatalogError, match=r"track_vs_artist_popularity\.schema\.json: depends_on .* does not read"):
        check_references(broken)


def test_qualified_table_fails(catalog: Catalog) -> None:
    sql = catalog["hit_score_insights"].sql.replace("FROM tracks", "FROM spotify_dev_warehouse.tracks")
    with pytest.raises(CatalogError, match="reference tables and views unqualified"):
        check_references(edited(catalog, "hit_score_insights", sql=sql))


def test_unknown_table_fails(catalog: Catalog) -> None:
    sql = catalog["hit_score_insights"].sql.replace("FROM tracks", "FROM albums")
    with pytest.raises(CatalogError, match=r"hit_score_insights\.sql: reads 'albums'"):
        check_references(edited(catalog, "hit_score_insights", sql=sql))


def test_two_statements_fail(catalog: Catalog) -> None:
    sql = catalog["genre_summary"].sql + ";\nSELECT 1 AS one\n"
    with pytest.raises(CatalogError, match=r"genre_summary\.sql: expected exactly one SQL statement"):
        check_references(edited(catalog, "genre_summary", sql=sql))
