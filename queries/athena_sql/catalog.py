"""The query catalog: every ``queries/<name>.sql`` with its ``<name>.schema.json``.

The schema sidecar is the one declaration of a query's output, read by the tests,
by the local runner and by infra (Glue views, QuickSight datasets)::

    {"name": "<name>", "kind": "view" | "query", "description": "...",
     "depends_on": ["<view>", ...],            # optional, views this SQL reads
     "columns": [{"name": "...", "type": "<athena type>"}, ...]}

Loading validates both files and fails with a ``CatalogError`` naming the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from athena_sql.transpile import TranspileError, parse_one_statement, referenced_relations

QUERIES_DIR = Path(__file__).resolve().parent.parent
CATALOG_TABLE = "tracks"
"""The warehouse table every query ultimately reads (etl contract ``warehouse_schema.json``)."""

Kind = Literal["view", "query"]
KINDS: tuple[Kind, ...] = ("view", "query")
SCHEMA_KEYS = {"name", "kind", "description", "columns", "depends_on"}
REQUIRED_KEYS = {"name", "kind", "description", "columns"}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
ATHENA_TYPE_PATTERN = re.compile(
    r"^(?:varchar|char|boolean|tinyint|smallint|integer|bigint|real|double|date|timestamp"
    r"|decimal\(\d+,\d+\))$"
)


def _is_athena_type(text: str) -> bool:
    if not ATHENA_TYPE_PATTERN.match(text):
        return False
    decimal = re.match(r"^decimal\((\d+),(\d+)\)$", text)
    if decimal:
        precision, scale = int(decimal.group(1)), int(decimal.group(2))
        return 1 <= precision <= 38 and scale <= precision
    return True


class CatalogError(ValueError):
    """A query file or its schema declaration is missing or invalid."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class QuerySpec:
    name: str
    kind: Kind
    description: str
    columns: tuple[Column, ...]
    depends_on: tuple[str, ...]
    sql: str
    sql_path: Path
    schema_path: Path

    @property
    def is_view(self) -> bool:
        return self.kind == "view"


@dataclass(frozen=True)
class Catalog:
    """All queries, views first in dependency order, then named queries by name."""

    specs: tuple[QuerySpec, ...]
    directory: Path

    def __iter__(self) -> Iterator[QuerySpec]:
        return iter(self.specs)

    def __len__(self) -> int:
        return len(self.specs)

    def __getitem__(self, name: str) -> QuerySpec:
        for spec in self.specs:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def views(self) -> tuple[QuerySpec, ...]:
        return tuple(spec for spec in self.specs if spec.is_view)

    @property
    def named_queries(self) -> tuple[QuerySpec, ...]:
        return tuple(spec for spec in self.specs if not spec.is_view)


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and validate every ``*.sql`` + ``*.schema.json`` pair in ``directory``."""
    directory = (directory or QUERIES_DIR).resolve()
    sql_paths = sorted(directory.glob("*.sql"))
    schema_paths = sorted(directory.glob("*.schema.json"))
    if not sql_paths:
        raise CatalogError(f"{directory}: no *.sql files")
    sql_names = {path.stem for path in sql_paths}
    for schema_path in schema_paths:
        stem = schema_path.name.removesuffix(".schema.json")
        if stem not in sql_names:
            raise CatalogError(f"{schema_path}: declares a query without {stem}.sql beside it")
    specs = [_load_spec(path) for path in sql_paths]
    _check_dependencies(specs)
    return Catalog(specs=tuple(_dependency_order(specs)), directory=directory)


def _load_spec(sql_path: Path) -> QuerySpec:
    schema_path = sql_path.with_name(f"{sql_path.stem}.schema.json")
    if not schema_path.is_file():
        raise CatalogError(f"{sql_path}: missing its schema declaration {schema_path.name}")
    try:
        raw = json.loads(schema_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CatalogError(f"{schema_path}: not valid JSON: {error}") from error
    if not isinstance(raw, dict):
        raise CatalogError(f"{schema_path}: must be a JSON object")
    data = cast(Mapping[str, object], raw)
    missing = REQUIRED_KEYS - data.keys()
    if missing:
        raise CatalogError(f"{schema_path}: missing key(s) {sorted(missing)}")
    unknown = data.keys() - SCHEMA_KEYS
    if unknown:
        raise CatalogError(f"{schema_path}: unknown key(s) {sorted(unknown)}")

    name = data["name"]
    if name != sql_path.stem:
        raise CatalogError(
            f"{schema_path}: name {name!r} must equal the file name {sql_path.stem!r}"
        )
    if not NAME_PATTERN.match(sql_path.stem):
        raise CatalogError(f"{sql_path}: name must be lowercase snake_case")
    if sql_path.stem == CATALOG_TABLE:
        raise CatalogError(f"{sql_path}: {CATALOG_TABLE!r} is the warehouse table; choose another name")
    kind = data["kind"]
    if kind not in KINDS:
        raise CatalogError(f"{schema_path}: kind {kind!r} must be one of {list(KINDS)}")
    description = data["description"]
    if not isinstance(description, str) or not description.strip():
        raise CatalogError(f"{schema_path}: description must be a non-empty string")

    columns = _load_columns(schema_path, data["columns"])
    depends_on = _load_depends_on(schema_path, data.get("depends_on", []))

    sql = sql_path.read_text(encoding="utf-8")
    if not sql.strip():
        raise CatalogError(f"{sql_path}: is empty")
    return QuerySpec(
        name=sql_path.stem,
        kind=kind,
        description=description.strip(),
        columns=columns,
        depends_on=depends_on,
        sql=sql,
        sql_path=sql_path,
        schema_path=schema_path,
    )


def _load_columns(schema_path: Path, raw: object) -> tuple[Column, ...]:
    if not isinstance(raw, list) or not raw:
        raise CatalogError(f"{schema_path}: columns must be a non-empty list")
    columns: list[Column] = []
    seen: set[str] = set()
    for index, item in enumerate(cast(list[object], raw)):
        where = f"{schema_path}: columns[{index}]"
        if not isinstance(item, dict) or set(item) != {"name", "type"}:
            raise CatalogError(f"{where} must be an object with exactly 'name' and 'type'")
        entry = cast(Mapping[str, object], item)
        column_name, column_type = entry["name"], entry["type"]
        if not isinstance(column_name, str) or not NAME_PATTERN.match(column_name):
            raise CatalogError(f"{where}: name {column_name!r} must be lowercase snake_case")
        if column_name in seen:
            raise CatalogError(f"{where}: duplicate column {column_name!r}")
        if not isinstance(column_type, str) or not _is_athena_type(column_type):
            raise CatalogError(
                f"{where}: type {column_type!r} of {column_name!r} is not an Athena type "
                "(varchar, integer, bigint, double, boolean, date, timestamp, decimal(p,s), ...)"
            )
        seen.add(column_name)
        columns.append(Column(column_name, column_type))
    return tuple(columns)


def _load_depends_on(schema_path: Path, raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise CatalogError(f"{schema_path}: depends_on must be a list of view names")
    names = cast(list[str], raw)
    if len(set(names)) != len(names):
        raise CatalogError(f"{schema_path}: depends_on lists a view twice")
    return tuple(names)


def _check_dependencies(specs: list[QuerySpec]) -> None:
    by_name = {spec.name: spec for spec in specs}
    for spec in specs:
        for dependency in spec.depends_on:
            target = by_name.get(dependency)
            if target is None:
                raise CatalogError(f"{spec.schema_path}: depends_on {dependency!r}: no such query")
            if not target.is_view:
                raise CatalogError(
                    f"{spec.schema_path}: depends_on {dependency!r}, a named query; "
                    "only views can be read by other SQL"
                )
        try:
            statement = parse_one_statement(spec.sql, spec.sql_path)
        except TranspileError as error:
            raise CatalogError(str(error)) from error
        read: set[str] = set()
        for qualifier, relation in referenced_relations(statement):
            if qualifier:
                raise CatalogError(
                    f"{spec.sql_path}: reads {qualifier}.{relation}; reference tables and "
                    "views unqualified, the stage's database is chosen by infra"
                )
            if relation != CATALOG_TABLE and relation not in by_name:
                raise CatalogError(
                    f"{spec.sql_path}: reads {relation!r}, which is neither the warehouse "
                    f"table {CATALOG_TABLE!r} nor a view in {spec.sql_path.parent}"
                )
            if relation != CATALOG_TABLE:
                read.add(relation)
        undeclared = read - set(spec.depends_on)
        if undeclared:
            raise CatalogError(
                f"{spec.schema_path}: the SQL reads {sorted(undeclared)}; "
                "declare them in depends_on"
            )
        unused = set(spec.depends_on) - read
        if unused:
            raise CatalogError(
                f"{spec.schema_path}: depends_on {sorted(unused)}, which the SQL does not read"
            )


def _dependency_order(specs: list[QuerySpec]) -> list[QuerySpec]:
    """Views first, each after the views it reads, then named queries by name.

    Depth-first over the views by name, dependencies by name: the same order as
    ``infra/queries/catalog.ts`` creates them in.
    """
    by_name = {spec.name: spec for spec in specs}
    ordered: list[QuerySpec] = []
    done: set[str] = set()

    def visit(spec: QuerySpec, chain: tuple[str, ...]) -> None:
        if spec.name in done:
            return
        if spec.name in chain:
            cycle = [*chain[chain.index(spec.name):], spec.name]
            raise CatalogError(
                f"{spec.schema_path}: depends_on forms a cycle: {' -> '.join(cycle)}"
            )
        for dependency in sorted(spec.depends_on):
            visit(by_name[dependency], (*chain, spec.name))
        done.add(spec.name)
        ordered.append(spec)

    for spec in sorted(specs, key=lambda s: s.name):
        if spec.is_view:
            visit(spec, ())
    ordered.extend(sorted((s for s in specs if not s.is_view), key=lambda s: s.name))
    return ordered


def main() -> None:
    """Print the catalog as JSON (views in creation order, then named queries)."""
    catalog = load_catalog()
    print(
        json.dumps(
            [
                {
                    "name": spec.name,
                    "kind": spec.kind,
                    "sql": spec.sql_path.name,
                    "schema": spec.schema_path.name,
                    "depends_on": list(spec.depends_on),
                }
                for spec in catalog
            ],
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
