"""The warehouse table is an Apache Iceberg table: how Spark reaches it, on Glue and locally.

On Glue the table lives in the Glue Data Catalog, where the program declares it (etl layer); the
job's Spark catalog ``spotify`` is Iceberg's GlueCatalog over S3. Locally the same catalog name is
Iceberg's JDBC catalog on a SQLite file beside the table, which pyiceberg reads too
(`spotify_etl.local_table`): the catalog row holds the current metadata file, and swapping it is
the commit, as the Glue table's ``metadata_location`` parameter is on AWS. The Iceberg Spark
runtime is the release Glue 5.1 ships (etl/glue_runtime.json), fetched from Maven Central by
tools/iceberg.sh.

Run as ``python -m spotify_etl.iceberg --maven-artifacts`` it prints the Maven coordinates of the
local runtime, one per line, for tools/iceberg.sh; this module imports nothing outside the
standard library at its top so that works before the venv exists.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

CATALOG = "spotify"
"""The Spark catalog name the job writes through, on Glue and locally."""

LOCAL_NAMESPACE = "warehouse"
"""The local catalog's namespace, standing for the stage's Glue database."""

LOCAL_CATALOG_FILE = "catalog.db"
"""The SQLite file of the local catalog, in the warehouse root (``<out>/warehouse/``)."""

SQLITE_JDBC = ("org.xerial", "sqlite-jdbc", "3.51.1.0")
"""The JDBC driver of the local catalog (Maven Central)."""

_RUNTIME_FILE = Path(__file__).resolve().parents[1] / "glue_runtime.json"


@dataclass(frozen=True)
class WarehouseTable:
    """The warehouse table in the job's Spark catalog."""

    database: str
    table: str

    @property
    def identifier(self) -> str:
        """``spotify.<database>.<table>``, the name Spark writes and reads."""
        return f"{CATALOG}.{self.database}.{self.table}"


def _runtime() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(_RUNTIME_FILE.read_text(encoding="utf-8"))
    return loaded


def format_version() -> int:
    """The Iceberg format version of the table (etl/glue_runtime.json, ``icebergFormatVersion``)."""
    return int(str(_runtime()["icebergFormatVersion"]))


def maven_artifacts() -> list[tuple[str, str, str]]:
    """(group, artifact, version) of the jars the local job loads: the Iceberg Spark runtime of
    Glue's Iceberg release, for Glue's Spark and Scala, and the SQLite driver of the local catalog."""
    runtime = _runtime()
    spark_minor = ".".join(str(runtime["spark"]).split(".")[:2])
    return [("org.apache.iceberg", f"iceberg-spark-runtime-{spark_minor}_2.12", str(runtime["iceberg"])), SQLITE_JDBC]


def local_jars() -> list[str]:
    """The local runtime's jars in the Maven repository; a clear error names the command that fetches them."""
    repository = Path(os.environ.get("MAVEN_REPO_LOCAL", Path.home() / ".m2" / "repository"))
    jars = [
        repository.joinpath(*group.split("."), artifact, version, f"{artifact}-{version}.jar")
        for group, artifact, version in maven_artifacts()
    ]
    missing = [str(jar) for jar in jars if not jar.is_file()]
    if missing:
        raise FileNotFoundError(f"the local Iceberg runtime is not fetched ({', '.join(missing)} missing): run bash tools/iceberg.sh")
    return [str(jar) for jar in jars]


def runtime_extensions() -> dict[str, str]:
    """Iceberg's SQL extensions (the stored procedures: rollback, snapshot expiry, orphan removal):
    a setting of the whole Spark application, made before its first session."""
    return {"spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"}


def local_catalog_conf(warehouse_root: str) -> dict[str, str]:
    """Spark settings of the local catalog: JDBC on ``<warehouse_root>/catalog.db``."""
    prefix = f"spark.sql.catalog.{CATALOG}"
    return {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "jdbc",
        f"{prefix}.uri": f"jdbc:sqlite:{warehouse_root.rstrip('/')}/{LOCAL_CATALOG_FILE}?journal_mode=WAL&busy_timeout=10000",
        f"{prefix}.warehouse": warehouse_root,
    }


def glue_catalog_conf(warehouse_root: str) -> dict[str, str]:
    """Spark settings of the Glue Data Catalog as the job's Iceberg catalog (AWS Glue's "Using the
    Iceberg framework in AWS Glue"), with S3FileIO for the data and metadata files, and the
    extensions: on Glue all of them are made before the Spark context starts."""
    prefix = f"spark.sql.catalog.{CATALOG}"
    return {
        **runtime_extensions(),
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        f"{prefix}.warehouse": warehouse_root,
    }


def main(argv: list[str]) -> int:
    """``--maven-artifacts``: print ``group:artifact:version`` per line."""
    if argv != ["--maven-artifacts"]:
        print("usage: python -m spotify_etl.iceberg --maven-artifacts", file=sys.stderr)
        return 2
    for group, artifact, version in maven_artifacts():
        print(f"{group}:{artifact}:{version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
