"""The Glue Data Catalog the Pulumi program declares, read from its synthesized manifests, and the
same entries as Trino's file metastore.

``npm run synth -- <stage> --out DIR`` writes one manifest per stack (``DIR/<stage>/<stack>.json``)
with every resource's inputs as the program declares them. This module reads the Glue databases,
the Glue tables (the etl layer's warehouse table, the queries layer's views) and the Athena named
queries out of them, and writes each Glue table into a Trino file metastore
(``hive.metastore=file``) so that a local Trino reads exactly what Glue would hold.

Why the metastore files and not SQL: ``CREATE TABLE ... WITH (format = 'PARQUET')`` lets Trino pick
the SerDe and input/output formats, and ``CREATE VIEW`` re-encodes the view; either would test a
hand-written copy. The file metastore stores the Hive metastore model, which is Glue's model too,
so every declared field has a place there. The translation is the one Trino's own Glue metastore
applies when it reads a Glue table (``io.trino.plugin.hive.metastore.glue.GlueConverter.fromGlueTable``
in Trino 476), field by field:

- ``tableType`` (EXTERNAL_TABLE when absent, as Athena treats it), ``owner``, ``parameters``,
  ``viewOriginalText``, ``viewExpandedText``: unchanged;
- ``description``: becomes the table parameter ``comment`` (it replaces a ``comment`` parameter);
- ``storageDescriptor.columns`` and ``partitionKeys``: name, Hive type (lower case) and comment
  (OpenCSVSerde data columns read as ``string``, as Trino does);
- ``storageDescriptor.serDeInfo.serializationLibrary``, ``inputFormat``, ``outputFormat``: the
  storage format, verbatim (``originalStorageFormat``: Trino does not substitute a known format);
  ``serDeInfo.parameters``: the SerDe parameters;
- ``storageDescriptor.location``: the one deliberate substitution, an S3 location replaced by a
  local directory the caller names (``locations``), for external tables.

Inputs the translation does not know make it fail, naming the table and the input, so a new
declared field cannot be dropped silently. The warehouse table is an Iceberg table: Trino's
Iceberg connector reads it from its Iceberg metadata, so the test engine registers it from the
local warehouse (``query_engines.trino_engine.TrinoServer.register_warehouse``) and writes only the
databases and the views here; its declared columns are compared with what Trino reads.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

CATALOG_DATABASE_TYPE = "aws:glue/catalogDatabase:CatalogDatabase"
CATALOG_TABLE_TYPE = "aws:glue/catalogTable:CatalogTable"
NAMED_QUERY_TYPE = "aws:athena/namedQuery:NamedQuery"

EXTERNAL_TABLE = "EXTERNAL_TABLE"
VIRTUAL_VIEW = "VIRTUAL_VIEW"
OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
SCHEMA_FILE = ".trinoSchema"
"""The file metastore's metadata file: in a table or partition directory, and (prefixed with the
schema name) beside a schema directory."""

# CatalogTable inputs, by where they go. Anything else fails the translation.
_TABLE_INPUTS_USED = {
    "name", "databaseName", "description", "tableType", "owner", "parameters", "partitionKeys",
    "storageDescriptor", "viewOriginalText", "viewExpandedText", "openTableFormatInput",
}
# Inputs with no effect on how Trino reads the table (Glue bookkeeping).
_TABLE_INPUTS_IGNORED = {"catalogId", "retention"}
_STORAGE_INPUTS_USED = {"columns", "location", "inputFormat", "outputFormat", "serDeInfo"}
# `compressed` and the descriptor's own parameters are not read by Trino's Glue converter either.
_STORAGE_INPUTS_IGNORED = {"compressed", "parameters", "storedAsSubDirectories"}
_SERDE_INPUTS_USED = {"serializationLibrary", "parameters"}
_SERDE_INPUTS_IGNORED = {"name"}
_COLUMN_INPUTS_USED = {"name", "type", "comment", "parameters"}


class TranslationError(ValueError):
    """A declared Glue table has an input the file-metastore translation does not handle."""


@dataclass(frozen=True)
class GlueColumn:
    name: str
    type: str
    """The Hive type as declared (``string``, ``int``, ``decimal(10,2)``, ...)."""
    comment: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IcebergDeclaration:
    """``openTableFormatInput.icebergInput`` of a declared table: the Iceberg table Glue creates."""

    format_version: str
    location: str
    columns: tuple[tuple[str, str], ...]
    """(name, Iceberg type) of each schema field, in order."""
    partition_fields: tuple[tuple[str, str], ...]
    """(source column name, transform) of each partition field, in order."""


def _iceberg_declaration(where: str, raw: object) -> IcebergDeclaration | None:
    if raw is None:
        return None
    try:
        iceberg = cast(Mapping[str, Any], cast(Mapping[str, Any], raw)["icebergInput"])
        table = cast(Mapping[str, Any], iceberg["icebergTableInput"])
        fields = cast(list[Mapping[str, Any]], table["schema"]["fields"])
        columns = tuple((str(field["name"]), str(json.loads(field["type"]))) for field in fields)
        by_id = {int(field["id"]): str(field["name"]) for field in fields}
        partition = cast(list[Mapping[str, Any]], (table.get("partitionSpec") or {}).get("fields") or [])
        return IcebergDeclaration(
            format_version=str(iceberg["version"]),
            location=str(table["location"]),
            columns=columns,
            partition_fields=tuple((by_id[int(item["sourceId"])], str(item["transform"])) for item in partition),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise TranslationError(f"{where}: openTableFormatInput is not an Iceberg table input this reads: {error!r}") from error


@dataclass(frozen=True)
class GlueTable:
    """One declared ``aws.glue.CatalogTable``, its inputs as the program declares them."""

    resource: str
    """The Pulumi resource name (for messages)."""
    database: str
    name: str
    table_type: str
    description: str | None
    owner: str | None
    parameters: Mapping[str, str]
    columns: tuple[GlueColumn, ...]
    partition_keys: tuple[GlueColumn, ...]
    location: str | None
    input_format: str | None
    output_format: str | None
    serde_library: str | None
    serde_parameters: Mapping[str, str]
    view_original_text: str | None
    view_expanded_text: str | None
    iceberg: IcebergDeclaration | None = None
    """The Iceberg table it declares (``openTableFormatInput``), if any."""

    @property
    def is_view(self) -> bool:
        return self.table_type == VIRTUAL_VIEW


@dataclass(frozen=True)
class NamedQuery:
    resource: str
    name: str
    database: str
    workgroup: str
    query: str


@dataclass(frozen=True)
class DeclaredCatalog:
    """What the synthesized stacks of one stage declare for Glue and Athena."""

    databases: Mapping[str, str | None]
    """Glue database name -> its description."""
    tables: tuple[GlueTable, ...]
    named_queries: tuple[NamedQuery, ...]

    def table(self, database: str, name: str) -> GlueTable:
        for table in self.tables:
            if table.database == database and table.name == name:
                return table
        raise KeyError(f"{database}.{name}")

    def named_query(self, name: str) -> NamedQuery:
        for query in self.named_queries:
            if query.name == name:
                return query
        raise KeyError(name)


def load_declared_catalog(manifest_dir: Path) -> DeclaredCatalog:
    """Read every ``*.json`` manifest of ``manifest_dir`` (one stage's stacks).

    The all-in-one stack repeats the layer stacks' resources, so a resource declared twice with
    the same inputs counts once; the same Glue name with different inputs fails.
    """
    paths = sorted(manifest_dir.glob("*.json"))
    if not paths:
        raise TranslationError(f"{manifest_dir}: no synthesized manifests (npm run synth -- <stage> --out ...)")
    databases: dict[str, str | None] = {}
    tables: dict[tuple[str, str], tuple[GlueTable, Mapping[str, Any]]] = {}
    queries: dict[str, tuple[NamedQuery, Mapping[str, Any]]] = {}
    for path in paths:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        for resource in manifest["resources"]:
            inputs = cast(Mapping[str, Any], resource.get("inputs") or {})
            kind = resource["type"]
            if kind == CATALOG_DATABASE_TYPE:
                databases[str(inputs["name"])] = _optional_str(inputs.get("description"))
            elif kind == CATALOG_TABLE_TYPE:
                table = glue_table_from_inputs(resource["name"], inputs)
                key = (table.database, table.name)
                if key in tables and tables[key][1] != inputs:
                    raise TranslationError(f"{path}: Glue table {table.database}.{table.name} declared twice, differently")
                tables[key] = (table, inputs)
            elif kind == NAMED_QUERY_TYPE:
                query = NamedQuery(
                    resource=resource["name"],
                    name=str(inputs["name"]),
                    database=str(inputs["database"]),
                    workgroup=str(inputs["workgroup"]),
                    query=str(inputs["query"]),
                )
                if query.name in queries and queries[query.name][1] != inputs:
                    raise TranslationError(f"{path}: named query {query.name} declared twice, differently")
                queries[query.name] = (query, inputs)
    return DeclaredCatalog(
        databases=databases,
        tables=tuple(table for table, _ in sorted(tables.values(), key=lambda item: (item[0].database, item[0].name))),
        named_queries=tuple(query for query, _ in sorted(queries.values(), key=lambda item: item[0].name)),
    )


def glue_table_from_inputs(resource: str, inputs: Mapping[str, Any]) -> GlueTable:
    """A ``GlueTable`` from a CatalogTable's manifest inputs; unknown inputs raise."""
    where = f"Glue table {inputs.get('databaseName')}.{inputs.get('name')} ({resource})"
    _check_keys(where, "", inputs, _TABLE_INPUTS_USED, _TABLE_INPUTS_IGNORED)
    storage = cast(Mapping[str, Any], inputs.get("storageDescriptor") or {})
    _check_keys(where, "storageDescriptor.", storage, _STORAGE_INPUTS_USED, _STORAGE_INPUTS_IGNORED)
    serde = cast(Mapping[str, Any], storage.get("serDeInfo") or {})
    _check_keys(where, "storageDescriptor.serDeInfo.", serde, _SERDE_INPUTS_USED, _SERDE_INPUTS_IGNORED)
    return GlueTable(
        resource=resource,
        database=str(inputs["databaseName"]),
        name=str(inputs["name"]),
        # GlueConverter.getTableType: a table without a type is an external table, as in Athena.
        table_type=str(inputs.get("tableType") or EXTERNAL_TABLE),
        description=_optional_str(inputs.get("description")),
        owner=_optional_str(inputs.get("owner")),
        parameters=_str_map(inputs.get("parameters")),
        columns=_columns(where, "storageDescriptor.columns", storage.get("columns")),
        partition_keys=_columns(where, "partitionKeys", inputs.get("partitionKeys")),
        location=_optional_str(storage.get("location")),
        input_format=_optional_str(storage.get("inputFormat")),
        output_format=_optional_str(storage.get("outputFormat")),
        serde_library=_optional_str(serde.get("serializationLibrary")),
        serde_parameters=_str_map(serde.get("parameters")),
        view_original_text=_optional_str(inputs.get("viewOriginalText")),
        view_expanded_text=_optional_str(inputs.get("viewExpandedText")),
        iceberg=_iceberg_declaration(where, inputs.get("openTableFormatInput")),
    )


def _check_keys(where: str, prefix: str, data: Mapping[str, Any], used: set[str], ignored: set[str]) -> None:
    unknown = sorted(set(data) - used - ignored)
    if unknown:
        raise TranslationError(
            f"{where}: input(s) {[prefix + key for key in unknown]} have no file-metastore translation; "
            "extend query_engines/glue_catalog.py before declaring them"
        )


def _columns(where: str, path: str, raw: object) -> tuple[GlueColumn, ...]:
    if raw is None:
        return ()
    columns: list[GlueColumn] = []
    for index, item in enumerate(cast(list[Mapping[str, Any]], raw)):
        _check_keys(where, f"{path}[{index}].", item, _COLUMN_INPUTS_USED, set())
        columns.append(
            GlueColumn(
                name=str(item["name"]),
                type=str(item["type"]),
                comment=_optional_str(item.get("comment")),
                parameters=_str_map(item.get("parameters")),
            )
        )
    return tuple(columns)


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _str_map(value: object) -> dict[str, str]:
    return {str(key): str(item) for key, item in cast(Mapping[str, object], value or {}).items()}


# --- the file metastore -------------------------------------------------------------------------


def table_metadata(
    table: GlueTable, writer_version: str, locations: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The file metastore's ``.trinoSchema`` JSON of ``table`` (Trino's ``TableMetadata``).

    ``locations`` maps a declared location to the local one Trino reads instead; an external
    table whose location is not mapped fails (the test engine reads no S3).
    """
    if table.iceberg is not None:
        raise TranslationError(
            f"{table.database}.{table.name}: an Iceberg table is registered from its Iceberg metadata "
            "(TrinoServer.register_warehouse), not written into the metastore"
        )
    is_csv = table.serde_library == OPEN_CSV_SERDE
    parameters = dict(table.parameters)
    if table.description is not None:
        # GlueConverter.fromGlueTable: `parameters.put("comment", glueTable.description())`.
        parameters["comment"] = table.description
    metadata: dict[str, Any] = {
        "writerVersion": writer_version,
        "tableType": table.table_type,
        # GlueConverter.fromGlueColumn: OpenCSVSerde data columns are read as strings.
        "dataColumns": [_column_json(column, as_string=is_csv) for column in table.columns],
        "partitionColumns": [_column_json(column) for column in table.partition_keys],
        "parameters": parameters,
        # GlueConverter.fromGlueStorage: StorageFormat.createNullable(serde, inputFormat, outputFormat).
        "originalStorageFormat": {
            "serde": table.serde_library,
            "inputFormat": table.input_format,
            "outputFormat": table.output_format,
        },
        "serdeParameters": dict(table.serde_parameters),
        "columnStatistics": {},
    }
    if table.owner is not None:
        metadata["owner"] = table.owner
    if table.view_original_text is not None:
        metadata["viewOriginalText"] = table.view_original_text
    if table.view_expanded_text is not None:
        metadata["viewExpandedText"] = table.view_expanded_text
    if table.table_type == EXTERNAL_TABLE:
        if table.location is None:
            raise TranslationError(f"{table.database}.{table.name}: an external table needs a location")
        local = (locations or {}).get(table.location)
        if local is None:
            raise TranslationError(
                f"{table.database}.{table.name}: no local directory given for its location {table.location}"
            )
        metadata["externalLocation"] = local
    elif table.location:
        raise TranslationError(
            f"{table.database}.{table.name}: a {table.table_type} table with a location ({table.location}) "
            "is not supported by the file metastore"
        )
    return metadata


def _column_json(column: GlueColumn, as_string: bool = False) -> dict[str, Any]:
    # GlueConverter.fromGlueColumn: `HiveType.valueOf(type.toLowerCase(Locale.ROOT))`.
    data: dict[str, Any] = {"name": column.name, "type": "string" if as_string else column.type.lower()}
    if column.comment is not None:
        data["comment"] = column.comment
    if column.parameters:
        data["properties"] = dict(column.parameters)
    return data


def database_metadata(description: str | None, writer_version: str) -> dict[str, Any]:
    """The file metastore's ``.trinoSchema`` JSON of a Glue database (owner: the PUBLIC role, as
    Trino's Glue metastore reports every Glue database)."""
    return {
        "writerVersion": writer_version,
        "ownerName": "PUBLIC",
        "ownerType": "ROLE",
        "parameters": {} if description is None else {"comment": description},
    }


def database_metadata_path(catalog_dir: Path, database: str) -> Path:
    """Where the file metastore keeps a schema: ``<catalog dir>/.<schema>.trinoSchema`` (tables
    live in ``<catalog dir>/<schema>/<table>/.trinoSchema``)."""
    return catalog_dir / f".{database}{SCHEMA_FILE}"


def write_file_metastore(
    catalog_dir: Path,
    catalog: DeclaredCatalog,
    writer_version: str,
    locations: Mapping[str, str],
    tables: Iterable[GlueTable] | None = None,
) -> list[Path]:
    """Write the declared databases and ``tables`` (default: all but the Iceberg tables, which are
    registered from their metadata) under ``catalog_dir``.

    Each table directory is replaced whole (with any partitions registered before). Returns the
    table metadata files written.
    """
    written: list[Path] = []
    for database, description in sorted(catalog.databases.items()):
        (catalog_dir / database).mkdir(parents=True, exist_ok=True)
        _write_json(database_metadata_path(catalog_dir, database), database_metadata(description, writer_version))
    for table in [t for t in catalog.tables if t.iceberg is None] if tables is None else tables:
        if table.database not in catalog.databases:
            raise TranslationError(f"{table.database}.{table.name}: its database is not declared")
        table_dir = catalog_dir / table.database / table.name
        if table_dir.exists():
            shutil.rmtree(table_dir)
        table_dir.mkdir(parents=True)
        path = table_dir / SCHEMA_FILE
        _write_json(path, table_metadata(table, writer_version, locations))
        written.append(path)
    return written


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# --- Presto views -------------------------------------------------------------------------------

PRESTO_VIEW_PREFIX = "/* Presto View: "
PRESTO_VIEW_SUFFIX = " */"


def decode_presto_view(text: str) -> dict[str, Any]:
    """The view definition JSON inside ``/* Presto View: <base64> */`` (as Trino's PrestoViewReader)."""
    if not (text.startswith(PRESTO_VIEW_PREFIX) and text.endswith(PRESTO_VIEW_SUFFIX)):
        raise TranslationError(f"not a Presto view encoding: {text[:40]!r}")
    payload = text[len(PRESTO_VIEW_PREFIX): -len(PRESTO_VIEW_SUFFIX)]
    return cast(dict[str, Any], json.loads(base64.b64decode(payload, validate=True).decode("utf-8")))


def encode_presto_view(definition: Mapping[str, Any]) -> str:
    """The inverse of ``decode_presto_view`` (for tests that alter a declared view)."""
    data = base64.b64encode(json.dumps(definition).encode("utf-8")).decode("ascii")
    return f"{PRESTO_VIEW_PREFIX}{data}{PRESTO_VIEW_SUFFIX}"
