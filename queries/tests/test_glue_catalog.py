"""The synthesized Glue tables and their file-metastore translation (no Trino needed).

The translation must be mechanical: every declared field lands in its place, nothing is added but
the local location, and an input it does not know fails instead of being dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from query_engines.glue_catalog import (
    EXTERNAL_TABLE,
    VIRTUAL_VIEW,
    DeclaredCatalog,
    TranslationError,
    database_metadata_path,
    decode_presto_view,
    encode_presto_view,
    glue_table_from_inputs,
    load_declared_catalog,
    table_metadata,
    write_file_metastore,
)
from query_engines.schemas import hive_to_trino
from spotify_etl.iceberg import format_version

LOCAL = "local:///etl/warehouse/tracks"


def manifest_inputs(manifests: Path, resource_type: str, name: str) -> dict[str, Any]:
    for path in sorted(manifests.glob("*.json")):
        for resource in json.loads(path.read_text(encoding="utf-8"))["resources"]:
            if resource["type"] == resource_type and resource["inputs"].get("name") == name:
                return dict(resource["inputs"])
    raise AssertionError(f"no {resource_type} named {name} in {manifests}")


def test_the_stage_declares_the_warehouse_table_the_views_and_the_named_queries(
    declared_catalog: DeclaredCatalog, contract: dict[str, Any]
) -> None:
    kinds = {table.name: table.table_type for table in declared_catalog.tables}
    assert kinds.pop(contract["table"]) == EXTERNAL_TABLE
    assert set(kinds.values()) == {VIRTUAL_VIEW}
    assert sorted(kinds) == sorted(q.name for q in declared_catalog.named_queries if q.name in kinds)
    assert {table.database for table in declared_catalog.tables} == set(declared_catalog.databases)


HIVE_TO_ICEBERG = {"string": "string", "int": "int", "bigint": "long", "double": "double", "boolean": "boolean", "date": "date"}


def test_the_warehouse_table_is_declared_as_the_contracts_iceberg_table(
    synthesized_manifests: Path, declared_catalog: DeclaredCatalog, contract: dict[str, Any]
) -> None:
    """The warehouse table is an Iceberg table (read by Trino from its Iceberg metadata, so it is
    registered rather than written into the file metastore): its declared schema is the ETL's
    contract, in the contract's order and types, partitioned by identity on the contract's keys,
    in the format version of etl/glue_runtime.json."""
    inputs = manifest_inputs(synthesized_manifests, "aws:glue/catalogTable:CatalogTable", contract["table"])
    table = declared_catalog.table(inputs["databaseName"], inputs["name"])
    assert table.table_type == EXTERNAL_TABLE and table.iceberg is not None
    columns = contract["columns"] + contract["partition_keys"]
    assert list(table.iceberg.columns) == [(c["name"], HIVE_TO_ICEBERG[c["type"]]) for c in columns]
    assert list(table.iceberg.partition_fields) == [(c["name"], "identity") for c in contract["partition_keys"]]
    assert table.iceberg.format_version == str(format_version())
    assert table.iceberg.location == inputs["openTableFormatInput"]["icebergInput"]["icebergTableInput"]["location"]
    for column in columns:
        hive_to_trino(column["type"])  # every contract type has a Trino reading


def test_each_view_translates_with_its_presto_view_text_unchanged(
    synthesized_manifests: Path, declared_catalog: DeclaredCatalog
) -> None:
    for table in declared_catalog.tables:
        if not table.is_view:
            continue
        inputs = manifest_inputs(synthesized_manifests, "aws:glue/catalogTable:CatalogTable", table.name)
        metadata = table_metadata(table, "476", {})
        assert metadata["tableType"] == "VIRTUAL_VIEW"
        assert metadata["viewOriginalText"] == inputs["viewOriginalText"]
        assert metadata["viewExpandedText"] == inputs["viewExpandedText"]
        assert metadata["parameters"] == inputs["parameters"], "a view's parameters are kept as declared"
        assert "externalLocation" not in metadata and "owner" not in metadata
        assert metadata["dataColumns"] == inputs["storageDescriptor"]["columns"]
        assert metadata["originalStorageFormat"] == {"serde": None, "inputFormat": None, "outputFormat": None}
        definition = decode_presto_view(inputs["viewOriginalText"])
        assert encode_presto_view(definition).startswith("/* Presto View: ")
        assert decode_presto_view(encode_presto_view(definition)) == definition


def test_a_description_replaces_the_comment_parameter_as_trinos_glue_metastore_does() -> None:
    inputs = {
        "name": "v",
        "databaseName": "db",
        "description": "what v is",
        "tableType": "VIRTUAL_VIEW",
        "parameters": {"presto_view": "true", "comment": "Presto View"},
        "storageDescriptor": {"columns": [{"name": "a", "type": "string"}], "serDeInfo": {"name": "-"}},
        "viewOriginalText": "/* Presto View: e30= */",
        "viewExpandedText": "/* Presto View */",
    }
    metadata = table_metadata(glue_table_from_inputs("v", inputs), "476")
    assert metadata["parameters"] == {"presto_view": "true", "comment": "what v is"}


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda i: i.update(targetTable={"name": "x"}), r"\['targetTable'\]"),
        (lambda i: i["storageDescriptor"].update(numberOfBuckets=4), r"\['storageDescriptor.numberOfBuckets'\]"),
        (lambda i: i["storageDescriptor"]["serDeInfo"].update(serdeInfoType="x"), r"serDeInfo.serdeInfoType"),
        (lambda i: i["storageDescriptor"]["columns"][0].update(sensitive=True), r"columns\[0\].sensitive"),
    ],
)
def test_an_input_without_translation_fails_naming_it(change: Any, message: str) -> None:
    inputs: dict[str, Any] = {
        "name": "t",
        "databaseName": "db",
        "storageDescriptor": {
            "columns": [{"name": "a", "type": "string"}],
            "location": "s3://bucket/t/",
            "serDeInfo": {"serializationLibrary": "x"},
        },
    }
    change(inputs)
    with pytest.raises(TranslationError, match=rf"db\.t \(t\): input\(s\) .*{message}"):
        glue_table_from_inputs("t", inputs)


def test_an_external_table_needs_a_local_location_and_a_view_none() -> None:
    inputs: dict[str, Any] = {
        "name": "t",
        "databaseName": "db",
        "storageDescriptor": {"columns": [], "location": "s3://bucket/t/", "serDeInfo": {}},
    }
    table = glue_table_from_inputs("t", inputs)
    assert table.table_type == EXTERNAL_TABLE  # no tableType: external, as Athena treats it
    with pytest.raises(TranslationError, match="no local directory given for its location s3://bucket/t/"):
        table_metadata(table, "476", {})
    view = glue_table_from_inputs("v", {**inputs, "name": "v", "tableType": "VIRTUAL_VIEW"})
    with pytest.raises(TranslationError, match="VIRTUAL_VIEW table with a location"):
        table_metadata(view, "476", {})


def test_the_metastore_layout(tmp_path: Path, declared_catalog: DeclaredCatalog) -> None:
    locations = {str(t.location): LOCAL for t in declared_catalog.tables if t.location}
    written = write_file_metastore(tmp_path, declared_catalog, "476", locations)
    for database in declared_catalog.databases:
        data = json.loads(database_metadata_path(tmp_path, database).read_text(encoding="utf-8"))
        assert data["writerVersion"] == "476"
        assert database_metadata_path(tmp_path, database).name == f".{database}.trinoSchema"
    # Every table but the Iceberg one (registered from its metadata: TrinoServer.register_warehouse).
    assert sorted(path.relative_to(tmp_path).as_posix() for path in written) == sorted(
        f"{t.database}/{t.name}/.trinoSchema" for t in declared_catalog.tables if t.iceberg is None
    )
    (iceberg,) = [t for t in declared_catalog.tables if t.iceberg is not None]
    with pytest.raises(TranslationError, match="an Iceberg table is registered from its Iceberg metadata"):
        table_metadata(iceberg, "476", locations)
    # Written again, a table directory is replaced whole.
    (written[0].parent / "stale").mkdir()
    write_file_metastore(tmp_path, declared_catalog, "476", locations)
    assert not (written[0].parent / "stale").exists()


def test_manifests_are_required(tmp_path: Path) -> None:
    with pytest.raises(TranslationError, match="no synthesized manifests"):
        load_declared_catalog(tmp_path)
