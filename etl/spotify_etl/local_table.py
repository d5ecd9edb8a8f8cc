"""The local warehouse table as its readers open it: through the catalog, at its current snapshot.

Every local reader (the DuckDB runner, the scan-cost estimate, the dashboard preview, the tests)
goes through here rather than globbing Parquet files: a killed run's data files, an expired
snapshot's files and an uncommitted metadata file all lie in the table's folder, and only the
catalog says which of them the table is. pyiceberg is a local tool: the Glue job never imports
this module.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.table import Table

from spotify_etl.contract import load_contract
from spotify_etl.iceberg import CATALOG, LOCAL_CATALOG_FILE, LOCAL_NAMESPACE


def warehouse_root(out: Path) -> Path:
    """The warehouse root of a local output folder (``<out>/warehouse``): the catalog file and the table."""
    return out / "warehouse"


def open_catalog(root: Path) -> SqlCatalog:
    """The local catalog under a warehouse root (relative to the working directory, or absolute),
    opened read-write but never created: a missing catalog is an error that says how to make one."""
    # The catalog names its warehouse by file URI, which only an absolute path has.
    root = root.resolve()
    database = root / LOCAL_CATALOG_FILE
    if not database.is_file():
        raise FileNotFoundError(f"{root} holds no warehouse catalog ({LOCAL_CATALOG_FILE}): run the local ETL first (npm run local -- etl)")
    # The catalog was created by Iceberg's Java JDBC catalog in its first schema version; pyiceberg
    # says so at every open, which tells a reader nothing.
    logging.getLogger("pyiceberg.catalog.sql").setLevel(logging.ERROR)
    return SqlCatalog(CATALOG, uri=f"sqlite:///{database}", warehouse=root.as_uri(), init_catalog_tables="false")


def load_table(root: Path) -> Table:
    """The warehouse table at its current snapshot."""
    identifier = f"{LOCAL_NAMESPACE}.{load_contract().table}"
    try:
        return open_catalog(root).load_table(identifier)
    except NoSuchTableError:
        raise FileNotFoundError(f"the catalog under {root} has no table {identifier}: run the local ETL first (npm run local -- etl)") from None


def current_files(table: Table) -> list[str]:
    """The data files of the current snapshot, as local paths, sorted: what a reader of the table reads."""
    return sorted(_local_path(task.file.file_path) for task in table.scan().plan_files())


def _local_path(location: str) -> str:
    """A ``file:`` location as a path: Spark writes ``file:/…``, pyiceberg ``file:///…``."""
    return "/" + location.removeprefix("file:").lstrip("/") if location.startswith("file:") else location


def read_current(root: Path) -> pa.Table:
    """Every row of the current snapshot as an Arrow table, partition column included."""
    return load_table(root).scan().to_arrow()
