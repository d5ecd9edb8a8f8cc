"""Every query parses as exactly one Athena statement and transpiles to DuckDB."""

from __future__ import annotations

import pytest
import sqlglot

from athena_sql.catalog import Catalog
from athena_sql.transpile import TranspileError, parse_one_statement, to_duckdb


def test_every_query_is_one_athena_statement_and_transpiles(catalog: Catalog) -> None:
    for spec in catalog:
        statements = [s for s in sqlglot.parse(spec.sql, read="athena") if s is not None]
        assert len(statements) == 1, f"{spec.sql_path}: {len(statements)} statements"
        duckdb_sql = to_duckdb(spec.sql, spec.sql_path)
        # The DuckDB text parses back as DuckDB: the transpiled SQL is well-formed.
        assert len(sqlglot.parse(duckdb_sql, read="duckdb")) == 1


def test_views_and_named_queries_are_plain_queries(catalog: Catalog) -> None:
    """A view body is the SELECT itself: no CREATE, no trailing semicolon, for Glue views."""
    for spec in catalog:
        assert not spec.sql.rstrip().endswith(";"), f"{spec.sql_path}: trailing semicolon"
        statement = parse_one_statement(spec.sql, spec.sql_path)
        assert statement.key in {"select", "union"}, f"{spec.sql_path}: {statement.key}"


def test_named_queries_order_their_rows(catalog: Catalog) -> None:
    for spec in catalog.named_queries:
        statement = parse_one_statement(spec.sql, spec.sql_path)
        order = statement.args.get("order")
        assert order is not None, f"{spec.sql_path}: a named query returns rows: ORDER BY them"


@pytest.mark.parametrize(
    "sql, message",
    [
        ("SELECT 1 AS a; SELECT 2 AS b", "exactly one SQL statement"),
        ("SELECT FROM WHERE", "not valid athena SQL"),
        ("CREATE TABLE x (a INT)", "must be a query"),
        ("", "exactly one SQL statement"),
    ],
)
def test_rejects_files_that_are_not_one_query(sql: str, message: str) -> None:
    with pytest.raises(TranspileError, match=message) as raised:
        to_duckdb(sql, "bad.sql")
    assert "bad.sql" in str(raised.value)
