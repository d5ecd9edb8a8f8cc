"""DuckDB executes every query over the warehouse Parquet; outputs match their declarations."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from query_engines import local
from query_engines.bench import main as bench
from query_engines.catalog import Catalog, Column, QuerySpec
from query_engines.local import WAREHOUSE_CONTRACT, QueryResult, WarehouseError, connect, create_views, main, run_all
from query_engines.schemas import ActualColumn, duckdb_to_athena, schema_mismatches

QUERIES_DIR = Path(__file__).resolve().parents[1]


def test_every_query_executes(results: dict[str, QueryResult], catalog: Catalog) -> None:
    assert set(results) == {spec.name for spec in catalog}
    for name in ("hit_score_insights", "genre_ranked_hits", "genre_summary",
                 "popularity_trends", "track_vs_artist_popularity", "popularity_needs"):
        assert results[name].rows, f"{name} returned no rows"


def test_outputs_match_declared_schemas(results: dict[str, QueryResult]) -> None:
    problems = {
        name: list(result.mismatches) for name, result in results.items() if result.mismatches
    }
    assert not problems, json.dumps(problems, indent=2)


@pytest.mark.parametrize(
    "duckdb_type, athena_type",
    [
        ("VARCHAR", "varchar"),
        ("INTEGER", "integer"),
        ("BIGINT", "bigint"),
        ("DOUBLE", "double"),
        ("BOOLEAN", "boolean"),
        ("DATE", "date"),
        ("DECIMAL(18,3)", "decimal(18,3)"),
        ("HUGEINT", None),
        ("INTEGER[]", None),
    ],
)
def test_type_mapping(duckdb_type: str, athena_type: str | None) -> None:
    assert duckdb_to_athena(duckdb_type) == athena_type


def test_schema_comparison_reports_each_kind_of_difference() -> None:
    declared = [Column("a", "varchar"), Column("b", "bigint")]
    assert schema_mismatches(declared, [ActualColumn("a", "VARCHAR"), ActualColumn("b", "BIGINT")]) == []
    assert "declared bigint, the SQL produces integer" in " ".join(
        schema_mismatches(declared, [ActualColumn("a", "VARCHAR"), ActualColumn("b", "INTEGER")])
    )
    assert "not produced by the SQL: ['b']" in " ".join(
        schema_mismatches(declared, [ActualColumn("a", "VARCHAR")])
    )
    assert "not declared: ['c']" in " ".join(
        schema_mismatches(declared, [ActualColumn("a", "VARCHAR"), ActualColumn("b", "BIGINT"),
                                     ActualColumn("c", "DOUBLE")])
    )
    assert "order differs" in " ".join(
        schema_mismatches(declared, [ActualColumn("b", "BIGINT"), ActualColumn("a", "VARCHAR")])
    )
    assert "no Athena equivalent" in " ".join(
        schema_mismatches(declared, [ActualColumn("a", "VARCHAR"), ActualColumn("b", "HUGEINT")])
    )


# --- the declaration and the SQL cannot drift apart ------------------------------------


def mismatches_of(edge_warehouse: Path, catalog: Catalog) -> dict[str, list[str]]:
    return {
        result.spec.name: list(result.mismatches)
        for result in run_all(edge_warehouse, catalog)
        if result.mismatches
    }


def test_the_committed_catalog_matches(edge_warehouse: Path, catalog: Catalog) -> None:
    assert mismatches_of(edge_warehouse, catalog) == {}


def with_spec(catalog: Catalog, spec: QuerySpec) -> Catalog:
    return dataclasses.replace(catalog, specs=tuple(spec if old.name == spec.name else old for old in catalog))


def edit_columns(catalog: Catalog, query: str, index: int, **change: str) -> Catalog:
    """``catalog`` with column ``index`` of ``query``'s declaration changed, as an edit of its schema file would."""
    spec = catalog[query]
    columns = list(spec.columns)
    columns[index] = dataclasses.replace(columns[index], **change)
    return with_spec(catalog, dataclasses.replace(spec, columns=tuple(columns)))


def edit_sql(catalog: Catalog, query: str, old: str, new: str) -> Catalog:
    """``catalog`` with the first ``old`` in ``query``'s SQL replaced by ``new``."""
    spec = catalog[query]
    assert old in spec.sql, f"{old!r} not in {spec.sql_path.name}"
    return with_spec(catalog, dataclasses.replace(spec, sql=spec.sql.replace(old, new, 1)))


def test_declared_type_changed_without_sql_fails(edge_warehouse: Path, catalog: Catalog) -> None:
    found = mismatches_of(edge_warehouse, edit_columns(catalog, "genre_summary", 1, type="integer"))  # track_count is bigint
    assert list(found) == ["genre_summary"]
    assert "column 'track_count': declared integer, the SQL produces bigint" in found["genre_summary"][0]


def test_declared_name_changed_without_sql_fails(edge_warehouse: Path, catalog: Catalog) -> None:
    found = mismatches_of(edge_warehouse, edit_columns(catalog, "popularity_trends", 3, name="mean_hit_score"))
    assert list(found) == ["popularity_trends"]
    assert any("['mean_hit_score']" in problem for problem in found["popularity_trends"])
    assert any("['avg_hit_score']" in problem for problem in found["popularity_trends"])


def test_sql_alias_changed_without_declaration_fails(edge_warehouse: Path, catalog: Catalog) -> None:
    found = mismatches_of(edge_warehouse, edit_sql(catalog, "popularity_trends", "AS explicit_share", "AS explicit_ratio"))
    assert found == {
        "popularity_trends": [
            "declared but not produced by the SQL: ['explicit_share']",
            "produced by the SQL but not declared: ['explicit_ratio']",
        ]
    }


def test_sql_type_changed_without_declaration_fails(edge_warehouse: Path, catalog: Catalog) -> None:
    edited = edit_sql(
        catalog,
        "popularity_needs",
        "count(factor_value) AS sample_size",
        "cast(count(factor_value) AS INTEGER) AS sample_size",
    )
    found = mismatches_of(edge_warehouse, edited)
    assert list(found) == ["popularity_needs"]
    assert "declared bigint, the SQL produces integer" in found["popularity_needs"][0]


def test_sql_column_added_without_declaration_fails(edge_warehouse: Path, catalog: Catalog) -> None:
    edited = edit_sql(
        catalog,
        "track_vs_artist_popularity",
        "    track_popularity > artist_popularity AS outperforms_artist\n",
        "    track_popularity > artist_popularity AS outperforms_artist,\n    album_type\n",
    )
    found = mismatches_of(edge_warehouse, edited)
    assert found == {
        "track_vs_artist_popularity": ["produced by the SQL but not declared: ['album_type']"]
    }


# --- the warehouse must follow the contract --------------------------------------------


def test_missing_warehouse_is_reported(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match=r"holds no warehouse catalog .*npm run local -- etl"):
        connect(tmp_path)


def test_warehouse_off_contract_is_reported(edge_warehouse: Path, tmp_path: Path) -> None:
    contract_path = QUERIES_DIR.parent / "etl" / "spotify_etl" / "contracts" / "warehouse_schema.json"
    contract = json.loads(contract_path.read_text(encoding="utf-8"))
    contract["columns"] = [c for c in contract["columns"] if c["name"] != "label"]
    contract["columns"][0]["type"] = "bigint"
    changed = tmp_path / "contract.json"
    changed.write_text(json.dumps(contract), encoding="utf-8")
    with pytest.raises(WarehouseError) as raised:
        connect(edge_warehouse, changed)
    assert "track_id: contract BIGINT, Iceberg table VARCHAR" in str(raised.value)
    assert "label: in the Iceberg table but not in the contract" in str(raised.value)


def test_a_contract_naming_another_table_fails_before_the_views(
    edge_warehouse: Path, catalog: Catalog, tmp_path: Path
) -> None:
    contract = json.loads(WAREHOUSE_CONTRACT.read_text(encoding="utf-8"))
    contract["table"] = "songs"
    renamed = tmp_path / "contract.json"
    renamed.write_text(json.dumps(contract), encoding="utf-8")
    # The table is loaded under the contract's name, here songs, which the SQL does not read.
    connection = connect(edge_warehouse, renamed)
    try:
        with pytest.raises(WarehouseError, match="the SQL reads the warehouse table 'tracks'"):
            create_views(connection, catalog)
    finally:
        connection.close()


# --- CLI -------------------------------------------------------------------------------


def test_cli_prints_every_query(warehouse: Path, catalog: Catalog, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--warehouse", str(warehouse), "--rows", "3"]) == 0
    out = capsys.readouterr().out
    for spec in catalog:
        assert f"{spec.name} ({spec.kind})" in out
    assert "every output matches its declared schema" in out


def test_cli_reads_a_warehouse_named_relative_to_the_working_directory(
    edge_warehouse: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As `npm run local -- queries` and the help's example name it: out/local/warehouse.
    monkeypatch.chdir(edge_warehouse.parent)
    assert main(["--warehouse", edge_warehouse.name, "--only", "genre_summary", "--rows", "1"]) == 0
    assert "genre_summary (view)" in capsys.readouterr().out


def test_cli_fails_on_mismatch_and_missing_warehouse(
    edge_warehouse: Path,
    catalog: Catalog,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The CLI runs queries/ as query_catalog.json holds it: here, with one declaration edited.
    monkeypatch.setattr(local, "load_catalog", lambda: edit_columns(catalog, "genre_summary", 1, type="integer"))
    assert main(["--warehouse", str(edge_warehouse)]) == 1
    assert "SCHEMA MISMATCH" in capsys.readouterr().out
    assert main(["--warehouse", str(tmp_path / "nowhere")]) == 2
    assert "npm run local -- etl" in capsys.readouterr().err


def test_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--help"])
    assert raised.value.code == 0
    assert "--warehouse" in capsys.readouterr().out


def test_bench_runs_on_a_small_synthetic_warehouse(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench(["--rows", "3000", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "| popularity_needs |" in out
