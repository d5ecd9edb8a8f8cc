"""The query catalog, as the Pulumi program loads it.

``model/queryCatalog.ts`` is the one loader of ``queries/<name>.sql`` and its
``<name>.schema.json`` (format in ``queries/README.md``): it validates both files and orders the
views. ``npm run python:json`` writes what it loaded to ``query_catalog.json`` beside this module,
with the SHA-256 of every file it read (the Pulumi program must not need Python, so the owner is
the TypeScript side), and ``load_catalog`` reads that file: a copy older than a query file is
refused, naming the file and the command. It then checks what only a SQL parser can: every SQL
reads the warehouse table and the views its ``depends_on`` lists, unqualified, and nothing else.
A problem raises ``CatalogError`` naming the file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar, cast

from query_engines.transpile import TranspileError, parse_one_statement, referenced_relations

QUERIES_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = QUERIES_DIR.parent
CATALOG_FILE = Path(__file__).resolve().with_name("query_catalog.json")
REGENERATE = "npm run python:json"

Kind = Literal["view", "query"]
T = TypeVar("T")


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
    """All queries, views first in creation order, then named queries by name."""

    specs: tuple[QuerySpec, ...]
    directory: Path
    warehouse_table: str
    """The table the SQL reads unqualified, as the ETL's warehouse contract names it."""
    sources: Mapping[str, str] = field(hash=False)
    """The SHA-256 of each file the catalog was loaded from, by repository-relative path."""

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


def load_catalog() -> Catalog:
    """Every ``*.sql`` + ``*.schema.json`` pair of ``queries/`` as the program's loader read them
    (``query_catalog.json``), refused when a file changed since, with each SQL's references
    checked against its declaration."""
    source = str(CATALOG_FILE.relative_to(REPO_ROOT))
    try:
        text = CATALOG_FILE.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"{source} is missing: run {REGENERATE}") from None
    catalog = parse_catalog(text, source)
    check_current(catalog, source)
    check_references(catalog)
    return catalog


def parse_catalog(text: str, source: str) -> Catalog:
    """The catalog from the JSON ``npm run python:json`` writes, its paths relative to the
    repository root; ``source`` names it in errors."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogError(f"{source}: invalid JSON: {error}") from error
    root = _mapping(raw, source)
    queries = _field(root, "queries", list, source)
    specs = tuple(_spec(_mapping(item, f"{source}: queries[{index}]"), f"{source}: queries[{index}]")
                  for index, item in enumerate(cast(list[object], queries)))
    return Catalog(
        specs=specs,
        directory=REPO_ROOT / _field(root, "directory", str, source),
        warehouse_table=_field(root, "warehouse_table", str, source),
        sources={path: _text(digest, f"{source}: sources")
                 for path, digest in _field(root, "sources", dict, source).items()},
    )


def check_current(catalog: Catalog, source: str) -> None:
    """The query files are the ones ``catalog`` (read from ``source``) was loaded from: none
    changed, added or removed since."""
    on_disk = {
        path.relative_to(REPO_ROOT).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in catalog.directory.iterdir()
        if path.name.endswith((".sql", ".schema.json"))
    }
    changed = sorted(path for path in on_disk.keys() | catalog.sources.keys()
                     if on_disk.get(path) != catalog.sources.get(path))
    if changed:
        raise CatalogError(f"{source} is stale: {', '.join(changed)} changed, appeared or went since it was written; run {REGENERATE}")


def _spec(entry: Mapping[str, object], where: str) -> QuerySpec:
    kind = _field(entry, "kind", str, where)
    if kind not in ("view", "query"):
        raise CatalogError(f"{where}: kind {kind!r} is neither 'view' nor 'query'")
    columns = tuple(
        Column(_field(column, "name", str, where), _field(column, "type", str, where))
        for column in (_mapping(item, where) for item in _field(entry, "columns", list, where))
    )
    depends_on = tuple(_text(item, where) for item in _field(entry, "depends_on", list, where))
    return QuerySpec(
        name=_field(entry, "name", str, where),
        kind=cast(Kind, kind),
        description=_field(entry, "description", str, where),
        columns=columns,
        depends_on=depends_on,
        sql=_field(entry, "sql", str, where),
        sql_path=REPO_ROOT / _field(entry, "sql_file", str, where),
        schema_path=REPO_ROOT / _field(entry, "schema_file", str, where),
    )


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: expected a JSON object, got {value!r}")
    return cast(Mapping[str, object], value)


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise CatalogError(f"{where}: expected a string, got {value!r}")
    return value


def _field(entry: Mapping[str, object], key: str, kind: type[T], where: str) -> T:
    value = entry.get(key)
    if not isinstance(value, kind):
        raise CatalogError(f"{where}: {key} must be a {kind.__name__}, got {value!r}")
    return value


def check_references(catalog: Catalog) -> None:
    """Each SQL is one query reading, unqualified, the warehouse table and exactly the views
    its declaration lists in ``depends_on``."""
    names = {spec.name for spec in catalog}
    for spec in catalog:
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
            if relation != catalog.warehouse_table and relation not in names:
                raise CatalogError(
                    f"{spec.sql_path}: reads {relation!r}, which is neither the warehouse "
                    f"table {catalog.warehouse_table!r} nor a view in {spec.sql_path.parent}"
                )
            if relation != catalog.warehouse_table:
                read.add(relation)
        undeclared = read - set(spec.depends_on)
        if undeclared:
            raise CatalogError(
                f"{spec.schema_path}: the SQL reads {sorted(undeclared)}; declare them in depends_on"
            )
        unused = set(spec.depends_on) - read
        if unused:
            raise CatalogError(
                f"{spec.schema_path}: depends_on {sorted(unused)}, which the SQL does not read"
            )
