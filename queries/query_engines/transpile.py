"""Parsing the Athena (Trino) SQL with sqlglot and transpiling it to DuckDB."""

from __future__ import annotations

from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

READ_DIALECT = "athena"
WRITE_DIALECT = "duckdb"


class TranspileError(ValueError):
    """The SQL of one file cannot be parsed as one Athena statement or transpiled."""


def parse_one_statement(sql: str, source: Path | str) -> exp.Query:
    """Parse ``sql`` as Athena SQL and require exactly one statement."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=READ_DIALECT) if s is not None]
    except SqlglotError as error:
        raise TranspileError(f"{source}: not valid {READ_DIALECT} SQL: {error}") from error
    if len(statements) != 1:
        raise TranspileError(
            f"{source}: expected exactly one SQL statement, found {len(statements)}"
        )
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        raise TranspileError(
            f"{source}: the statement must be a query (SELECT/WITH), "
            f"found {statement.key.upper()}"
        )
    return statement


def to_duckdb(sql: str, source: Path | str) -> str:
    """Transpile one Athena statement to DuckDB SQL (unsupported constructs raise)."""
    statement = parse_one_statement(sql, source)
    try:
        return statement.sql(dialect=WRITE_DIALECT, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except SqlglotError as error:
        raise TranspileError(f"{source}: cannot transpile to {WRITE_DIALECT}: {error}") from error


def referenced_relations(statement: exp.Query) -> list[tuple[str, str]]:
    """(qualifier, name) of every table or view the statement reads, CTE names excluded."""
    cte_names = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
    found: set[tuple[str, str]] = set()
    for table in statement.find_all(exp.Table):
        qualifier = ".".join(part for part in (table.catalog, table.db) if part)
        if not qualifier and table.name in cte_names:
            continue
        found.add((qualifier, table.name))
    return sorted(found)
