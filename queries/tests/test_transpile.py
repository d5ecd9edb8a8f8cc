"""Every query parses as exactly one Athena statement and transpiles to DuckDB."""

from __future__ import annotations

import pytest
import sqlglot

from query_engines.catalog import Catalog
from query_engines.transpile import TranspileError, parse_one_statement, to_duckdb


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


def decimal_literals_in_aggregates(sql: str) -> list[str]:
    """Decimal literals (``1.0``) inside avg()/sum(): Trino keeps those decimal, DuckDB does not."""
    statement = sqlglot.parse_one(sql, read="athena")
    found = []
    for aggregate in statement.find_all(sqlglot.exp.Avg, sqlglot.exp.Sum):
        for literal in aggregate.find_all(sqlglot.exp.Literal):
            if literal.is_number and "." in literal.this and "e" not in literal.this.lower():
                found.append(aggregate.sql(dialect="athena"))
    return found


def test_no_decimal_literals_in_averages_or_sums(catalog: Catalog) -> None:
    """DuckDB's types cannot show this Athena difference, so it is checked on the SQL text."""
    for spec in catalog:
        assert not decimal_literals_in_aggregates(spec.sql), (
            f"{spec.sql_path}: avg/sum over a decimal literal stays decimal in Athena: "
            f"{decimal_literals_in_aggregates(spec.sql)}; cast to DOUBLE"
        )


def test_decimal_literal_check_can_fail() -> None:
    assert decimal_literals_in_aggregates(
        "SELECT avg(CASE WHEN explicit THEN 1.0 ELSE 0.0 END) AS share FROM tracks"
    )
    assert not decimal_literals_in_aggregates(
        "SELECT avg(cast(explicit AS DOUBLE)) AS share, avg(1E0) AS one FROM tracks"
    )
