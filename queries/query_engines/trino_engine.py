"""A local Trino server for the tests: the engine Athena v3 is built on, reading the Glue tables
the Pulumi program declares and the warehouse's Iceberg table.

- ``install()`` runs ``tools/trino.sh`` (Trino and its Iceberg plugin from Maven Central, cached)
  and returns where the server and its JDK are.
- ``TrinoServer`` starts one single-node server on a free port of 127.0.0.1 with one catalog,
  ``awsdatacatalog`` (Athena's name for the Glue Data Catalog, the catalog every declared view
  names): Trino's Iceberg connector over a file metastore on the local file system
  (``iceberg.catalog.type=TESTING_FILE_METASTORE``: the Iceberg connector's ``hive_metastore``
  type only speaks Thrift), which reads the Presto views the program declares as Athena does in
  Glue. It waits for readiness with a bounded timeout, fails naming its log, and stops the
  process group on exit.
- ``TrinoServer.register_warehouse(root)`` (re)registers the warehouse table of a local Iceberg
  warehouse root (``<out>/warehouse``) at its current snapshot: ``system.register_table`` with the
  metadata file the local catalog names (``spotify_etl.local_table.load_table``), never the newest
  file of the folder (a killed run can leave an uncommitted, newer one).
  ``TrinoServer.warehouse_rows()`` selects every row of it.
- ``TrinoServer.install_catalog`` writes the declared Glue databases and views into the file
  metastore (``query_engines.glue_catalog``) and registers the declared warehouse table from a local
  Iceberg warehouse root.

CLI, for a look by hand (the tests do the same)::

    .venv/bin/python -m query_engines.trino_engine --manifests out/synth/dev \
        --warehouse out/local/warehouse --sql 'SELECT * FROM genre_summary'
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import trino.dbapi
import trino.exceptions

from query_engines.glue_catalog import (
    EXTERNAL_TABLE,
    DeclaredCatalog,
    GlueTable,
    database_metadata,
    database_metadata_path,
    load_declared_catalog,
    write_file_metastore,
)
from spotify_etl.contract import load_contract
from spotify_etl.iceberg import LOCAL_NAMESPACE
from spotify_etl.local_table import load_table

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "tools" / "trino.sh"
TRINO_VERSION = "476"
CATALOG = "awsdatacatalog"
"""The Trino catalog name: Athena's name for the Glue Data Catalog (``PRESTO_VIEW_CATALOG`` in
infra/queries/prestoView.ts), so the views' unqualified names resolve as they do in Athena."""
USER = "spotify-pipeline-tests"
WAREHOUSE_SCHEMA = LOCAL_NAMESPACE
"""The schema ``register_warehouse`` uses when given none: the local catalog's namespace."""
FILE_SYSTEM_ROOT = Path("/")
"""The local file system root of the catalog (``local.location``). Spark's Iceberg metadata
holds absolute ``file:/...`` paths, which Trino's local file system resolves below this root, so
it is ``/``."""


class TrinoError(RuntimeError):
    """The server could not be installed, started or queried."""


@dataclass(frozen=True)
class TrinoInstall:
    home: Path
    java_home: Path
    version: str = TRINO_VERSION


def install(script: Path = INSTALL_SCRIPT, version: str = TRINO_VERSION) -> TrinoInstall:
    """Run ``tools/trino.sh`` (a no-op once installed) and return the server and JDK it reports."""
    environment = {**os.environ, "TRINO_VERSION": version}
    completed = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, env=environment, check=False
    )
    if completed.returncode != 0:
        raise TrinoError(f"{script} failed (exit {completed.returncode}):\n{completed.stderr.strip()}")
    values = dict(
        line.split("=", 1) for line in completed.stdout.splitlines() if "=" in line
    )
    try:
        return TrinoInstall(Path(values["TRINO_HOME"]), Path(values["TRINO_JAVA_HOME"]), version)
    except KeyError as error:
        raise TrinoError(f"{script} did not print {error.args[0]}: {completed.stdout!r}") from error


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: How long a query retries Trino's start-up NO_NODES_AVAILABLE before the error stands.
NO_NODES_RETRY_SECONDS = 20.0


@dataclass(frozen=True)
class QueryOutput:
    """Column names and Trino types (as the server reports them), then the rows."""

    columns: tuple[tuple[str, str], ...]
    rows: list[tuple[Any, ...]]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def records(self) -> list[dict[str, Any]]:
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in self.rows]


class TrinoServer:
    """One single-node Trino over a file metastore in ``workdir``, reading files under ``root``.

    ``root`` is the local file system root of the catalog (``local.location``, default ``/``):
    the metastore and every table location must lie under it, and the absolute ``file:`` paths in
    Iceberg metadata resolve below it, so anything but ``/`` only suits tests of the harness.
    """

    def __init__(
        self,
        trino: TrinoInstall,
        workdir: Path,
        root: Path = FILE_SYSTEM_ROOT,
        *,
        heap: str = "1G",
        startup_timeout: float = 240.0,
    ) -> None:
        self.trino = trino
        self.workdir = workdir.resolve()
        self.root = root.resolve()
        self.heap = heap
        self.startup_timeout = startup_timeout
        self.metastore_dir = self.workdir / "metastore"
        self.log_path = self.workdir / "server.log"
        self.console_path = self.workdir / "launcher.log"
        self.port = 0
        self.startup_seconds = 0.0
        """Seconds from the launch until the server started (its log's "SERVER STARTED")."""
        self._launched_at = 0.0
        self._launched_wall = 0.0
        self._process: subprocess.Popen[bytes] | None = None
        if self.metastore_dir != self.root and self.root not in self.metastore_dir.parents:
            raise TrinoError(f"the metastore {self.metastore_dir} must lie under the file system root {self.root}")

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> TrinoServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def local_uri(self, path: Path) -> str:
        """``local:///...`` of ``path`` as this catalog's local file system sees it."""
        resolved = path.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            raise TrinoError(f"{resolved} is outside the catalog's file system root {self.root}")
        relative = resolved.relative_to(self.root).as_posix()
        return "local:///" + ("" if relative == "." else relative)

    def start(self) -> None:
        """Launch the server and wait until it answers queries (``launch`` + ``wait_ready``)."""
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the server process and return at once; ``wait_ready`` waits for it."""
        if self._process is not None:
            raise TrinoError("the server is already running")
        self.port = free_port()
        etc = self.write_config()
        self.metastore_dir.mkdir(parents=True, exist_ok=True)
        self._launched_at = time.monotonic()
        self._launched_wall = time.time()
        log = self.console_path.open("wb")
        try:
            self._process = subprocess.Popen(
                [
                    str(self.trino.home / "bin" / "launcher"),
                    "run",
                    f"--etc-dir={etc}",
                    f"--data-dir={self.workdir / 'data'}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "JAVA_HOME": str(self.trino.java_home)},
                start_new_session=True,
            )
        finally:
            log.close()

    def wait_ready(self) -> None:
        """Wait (at most ``startup_timeout`` from the launch) until the server answers queries;
        on failure stop it and raise naming its logs. Sets ``startup_seconds``."""
        if self._process is None:
            raise TrinoError("the server was not launched")
        if self.startup_seconds:
            return
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = self._server_started_seconds() or (time.monotonic() - self._launched_at)

    def _server_started_seconds(self) -> float | None:
        """Seconds from the launch to the log's "SERVER STARTED" line (the server's own start
        time, also when ``wait_ready`` was called long after it)."""
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return None
        for line in lines:
            if "SERVER STARTED" in line:
                try:
                    stamp = datetime.fromisoformat(line.split("\t", 1)[0])
                except ValueError:
                    return None
                return max(0.0, stamp.timestamp() - self._launched_wall)
        return None

    def write_config(self) -> Path:
        etc = self.workdir / "etc"
        (etc / "catalog").mkdir(parents=True, exist_ok=True)
        # Only the Iceberg plugin is loaded: a plugin directory of its own with a link to it.
        plugins = self.workdir / "plugin"
        plugins.mkdir(parents=True, exist_ok=True)
        if not (plugins / "iceberg").exists():
            (plugins / "iceberg").symlink_to(self.trino.home / "plugin" / "iceberg", target_is_directory=True)
        files = {
            "node.properties": {
                "node.environment": "test",
                "node.id": "spotify-pipeline-tests",
                "node.data-dir": str(self.workdir / "data"),
                "node.bind-ip": "127.0.0.1",
                "node.internal-address": "127.0.0.1",
            },
            "config.properties": {
                "coordinator": "true",
                "node-scheduler.include-coordinator": "true",
                "http-server.http.port": str(self.port),
                "discovery.uri": f"http://127.0.0.1:{self.port}",
                "plugin.dir": str(plugins),
                "query.max-memory": "512MB",
                "query.max-memory-per-node": "512MB",
                # Two cores shared with Spark and other work: few threads.
                "task.concurrency": "2",
                "task.max-worker-threads": "4",
                # One node: under CPU starvation (Spark in the same session) missed heartbeats made
                # the coordinator drop its only worker ("No nodes available"); nothing to detect here.
                "failure-detector.enabled": "false",
                "log.path": str(self.log_path),
            },
            "log.properties": {"io.trino": "INFO"},
            "catalog/awsdatacatalog.properties": {
                "connector.name": "iceberg",
                # The Hive file metastore (the Glue model: databases, tables, Presto views); the
                # Iceberg connector's hive_metastore type would need a Thrift metastore service.
                "iceberg.catalog.type": "TESTING_FILE_METASTORE",
                "hive.metastore.catalog.dir": self.local_uri(self.metastore_dir),
                "fs.native-local.enabled": "true",
                "local.location": str(self.root),
                # The warehouse table is registered at the snapshot its catalog names.
                "iceberg.register-table-procedure.enabled": "true",
            },
        }
        for name, properties in files.items():
            (etc / name).write_text(
                "".join(f"{key}={value}\n" for key, value in properties.items()), encoding="utf-8"
            )
        (etc / "jvm.config").write_text(
            "\n".join(
                [
                    "-server",
                    f"-Xmx{self.heap}",
                    "-XX:+UseSerialGC",
                    # Start fast on two shared cores; the test queries are small.
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+ExitOnOutOfMemoryError",
                    "-XX:-OmitStackTraceInFastThrow",
                    "-XX:ReservedCodeCacheSize=256M",
                    "-Djdk.attach.allowAttachSelf=true",
                    "-Dfile.encoding=UTF-8",
                    "-XX:+EnableDynamicAgentLoading",
                    "--enable-native-access=ALL-UNNAMED",
                    f"-Djava.io.tmpdir={self.workdir / 'tmp'}",
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        (self.workdir / "tmp").mkdir(exist_ok=True)
        return etc

    def _wait_ready(self) -> None:
        deadline = self._launched_at + self.startup_timeout
        while True:
            process = self._process
            assert process is not None
            if process.poll() is not None:
                raise TrinoError(
                    f"Trino exited with code {process.returncode} while starting; its logs: {self.log_path}, "
                    f"{self.console_path}\n"
                    + self.log_tail()
                )
            try:
                with urllib.request.urlopen(f"{self.url}/v1/info", timeout=2) as response:
                    info = json.loads(response.read())
                if not info.get("starting", True):
                    self.query("SELECT 1")
                    return
            except (urllib.error.URLError, OSError, TrinoError, json.JSONDecodeError):
                pass
            if time.monotonic() > deadline:
                raise TrinoError(
                    f"Trino did not become ready within {self.startup_timeout:.0f} s on {self.url}; "
                    f"its logs: {self.log_path}, {self.console_path}\n" + self.log_tail()
                )
            time.sleep(0.5)

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the console output (startup errors) and of the server log."""
        parts = []
        for path in (self.console_path, self.log_path):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            all_lines = text.splitlines()
            errors = [line for line in all_lines if "ERROR" in line or "Error:" in line][:10]
            if errors:
                parts.append(f"--- errors in {path}\n" + "\n".join(errors))
            parts.append(f"--- {path} (last {lines} lines)\n" + "\n".join(all_lines[-lines:]))
        return "\n".join(parts) or "(no log written)"

    def stop(self, timeout: float = 30.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)
        except ProcessLookupError:
            pass

    # --- queries -----------------------------------------------------------------------------

    def query(self, sql: str, schema: str | None = None) -> QueryOutput:
        """Run one statement in ``awsdatacatalog.<schema>``; fail with Trino's message.

        Right after the start, the scheduler's node map (cached for a few seconds) can still be
        empty, and a query that reads a table fails with NO_NODES_AVAILABLE although SELECT 1
        works: that one error is retried, for a bounded time."""
        deadline = time.monotonic() + NO_NODES_RETRY_SECONDS
        while True:
            try:
                return self._query_once(sql, schema)
            except TrinoError as error:
                if not str(error).startswith("NO_NODES_AVAILABLE") or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def _query_once(self, sql: str, schema: str | None) -> QueryOutput:
        connection = trino.dbapi.connect(
            host="127.0.0.1",
            port=self.port,
            user=USER,
            catalog=CATALOG,
            schema=schema,
            http_scheme="http",
            request_timeout=120,
        )
        try:
            cursor = connection.cursor()
            cursor.execute(sql)
            rows = [tuple(row) for row in cursor.fetchall()]
            columns = tuple((str(column[0]), str(column[1])) for column in cursor.description or ())
            return QueryOutput(columns=columns, rows=rows)
        except trino.exceptions.TrinoQueryError as error:
            raise TrinoError(f"{error.error_name}: {error.message}") from error
        except trino.exceptions.HttpError as error:
            raise TrinoError(str(error)) from error
        finally:
            connection.close()

    def node_version(self) -> str:
        return str(self.query("SELECT node_version FROM system.runtime.nodes").rows[0][0])

    # --- the declared catalog ----------------------------------------------------------------

    def install_catalog(
        self,
        catalog: DeclaredCatalog,
        warehouse: Path | None,
        tables: Sequence[GlueTable] | None = None,
    ) -> None:
        """Write the declared databases and the views of ``tables`` (default: all) into the
        metastore, then register each external table of ``tables`` (the warehouse table, the one
        the etl layer declares) from the local Iceberg warehouse root ``warehouse`` at its
        current snapshot, in its declared database, under its declared name."""
        installed = list(catalog.tables if tables is None else tables)
        external = [table for table in installed if table.table_type == EXTERNAL_TABLE or table.iceberg is not None]
        write_file_metastore(
            self.metastore_dir, catalog, self.trino.version, {}, [t for t in installed if t not in external]
        )
        for table in external:
            if warehouse is None:
                raise TrinoError(f"{table.database}.{table.name}: no local warehouse given to register it from")
            self.register_warehouse(warehouse, table.database, table.name)

    def register_warehouse(
        self, root: Path, schema: str = WAREHOUSE_SCHEMA, table: str | None = None
    ) -> str:
        """(Re)register the warehouse table of the local Iceberg warehouse root ``root`` as
        ``awsdatacatalog.<schema>.<table>`` (default: the contract's table name) at the snapshot
        its catalog names now; the schema is created if missing. Returns the metadata file name
        registered.

        ``system.register_table`` is always given the catalog's metadata file: left to itself it
        picks the newest ``*.metadata.json`` of the folder, which may be a killed run's
        uncommitted one. An earlier registration of the name is dropped first
        (``system.unregister_table``: the files stay)."""
        name = table or load_contract().table
        current = load_table(root)
        metadata_file = current.metadata_location.rsplit("/", 1)[-1]
        schema_file = database_metadata_path(self.metastore_dir, schema)
        if not schema_file.exists():
            (self.metastore_dir / schema).mkdir(parents=True, exist_ok=True)
            schema_file.write_text(json.dumps(database_metadata(None, self.trino.version)) + "\n", encoding="utf-8")
        if self.query(
            f"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}' AND table_name = '{name}'"
        ).rows[0][0]:
            self.query(f"CALL system.unregister_table(schema_name => '{schema}', table_name => '{name}')")
        self.query(
            "CALL system.register_table("
            f"schema_name => '{schema}', table_name => '{name}', "
            f"table_location => '{_sql_text(current.metadata.location)}', "
            f"metadata_file_name => '{_sql_text(metadata_file)}')"
        )
        return metadata_file

    def warehouse_rows(self, schema: str = WAREHOUSE_SCHEMA, table: str | None = None) -> QueryOutput:
        """Every row of the registered warehouse table (``SELECT *``, in no particular order)."""
        return self.query(f'SELECT * FROM "{table or load_contract().table}"', schema)


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m query_engines.trino_engine",
        description="Start Trino over the Glue tables of synthesized manifests and run SQL on it.",
    )
    parser.add_argument("--manifests", type=Path, required=True, help="e.g. out/synth/dev")
    parser.add_argument(
        "--warehouse",
        type=Path,
        required=True,
        help="the ETL's local Iceberg warehouse root (holds catalog.db and tracks/)",
    )
    parser.add_argument("--workdir", type=Path, default=REPO_ROOT / "out" / "trino")
    parser.add_argument("--sql", action="append", default=[], help="a statement to run (repeatable)")
    args = parser.parse_args(argv)

    catalog = load_declared_catalog(args.manifests)
    warehouse_tables = [table for table in catalog.tables if table.table_type == EXTERNAL_TABLE]
    try:
        with TrinoServer(install(), args.workdir) as server:
            print(f"Trino {server.node_version()} started in {server.startup_seconds:.1f} s on {server.url}; "
                  f"log {server.log_path}")
            server.install_catalog(catalog, args.warehouse)
            schema = warehouse_tables[0].database if warehouse_tables else None
            for sql in args.sql:
                output = server.query(sql, schema)
                print(" | ".join(f"{name} {kind}" for name, kind in output.columns))
                for row in output.rows:
                    print(" | ".join("NULL" if value is None else str(value) for value in row))
    except (TrinoError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
