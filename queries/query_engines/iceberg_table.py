"""Iceberg warehouse tables written without Spark, for the SQL tests and the query benchmark.

The ETL writes the real warehouse table with Spark (``spotify_etl.pipeline``); the SQL tests'
edge-case warehouse, the scan-cost tests' tiny table and ``query_engines.bench``'s synthetic one are
written here with pyiceberg, in the same layout the ETL's local run leaves and every local reader
opens (``spotify_etl.local_table``): the catalog ``<root>/catalog.db`` (Iceberg's SQL catalog on
SQLite, catalog ``spotify``, namespace ``warehouse``) and the table at ``<root>/<table>/``,
partitioned by identity on the contract's partition key, in the contract's format version, with
one snapshot holding ``data``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.table import Table

from spotify_etl.contract import load_contract
from spotify_etl.iceberg import CATALOG, LOCAL_CATALOG_FILE, LOCAL_NAMESPACE, format_version


def write_warehouse_table(root: Path, data: pa.Table, row_group_rows: int | None = None) -> Table:
    """Create the warehouse table under the new warehouse root ``root`` and commit ``data`` to it
    (one append: one snapshot). ``row_group_rows`` caps the rows of a Parquet row group."""
    contract = load_contract()
    # The catalog names its warehouse by file URI, which only an absolute path has.
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    if (root / LOCAL_CATALOG_FILE).exists():
        raise FileExistsError(f"{root / LOCAL_CATALOG_FILE} exists: a warehouse root is written once")
    logging.getLogger("pyiceberg").setLevel(logging.ERROR)
    catalog = SqlCatalog(CATALOG, uri=f"sqlite:///{root / LOCAL_CATALOG_FILE}", warehouse=root.as_uri())
    catalog.create_namespace(LOCAL_NAMESPACE)
    properties = {"format-version": str(format_version()), "write.parquet.compression-codec": contract.compression}
    if row_group_rows is not None:
        properties["write.parquet.row-group-limit"] = str(row_group_rows)
    table = catalog.create_table(
        f"{LOCAL_NAMESPACE}.{contract.table}",
        schema=data.schema,
        location=(root / contract.table).as_uri(),
        properties=properties,
    )
    with table.update_spec() as spec:
        for key in contract.partition_keys:
            spec.add_identity(key.name)
    table = catalog.load_table(f"{LOCAL_NAMESPACE}.{contract.table}")
    table.append(data)
    return table
