"""Fixtures for the SQL tests: the catalog, the warehouses the SQL runs on, and results.

The SQL runs on two engines: DuckDB (transpiled, fast) and a local Trino 476 server
(``query_engines.trino_engine``: the engine of Athena v3, reading the Glue tables exactly as the
Pulumi program declares them, started once per session; see test_trino.py).

Two warehouses, local Iceberg warehouse roots (the catalog ``catalog.db`` and the table
``tracks/``), every execution test runs on both:
- ``etl_sample``: the Iceberg table the real ETL (``spotify_etl.pipeline.run_pipeline``) commits
  from the committed sample ``etl/sample/`` on local Spark (the acceptance data);
- ``edge_cases``: a small Iceberg table written here with pyiceberg
  (``query_engines.iceberg_table``) to the warehouse contract, with the edge cases the sample may
  lack (unmatched rows, NULL popularities, score ties, repeated names, one-track and constant
  genres, tracks past 6 minutes).
Every reader, the tests' own included, reads a table's current snapshot through its catalog
(``spotify_etl.local_table``), never a glob of its data files.
"""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, cast

import duckdb
import pytest

from query_engines.catalog import Catalog, load_catalog
from query_engines.glue_catalog import DeclaredCatalog, load_declared_catalog
from query_engines.iceberg_table import write_warehouse_table
from query_engines.local import WAREHOUSE_CONTRACT, QueryResult, connect, create_views, run_query
from query_engines.schemas import hive_to_duckdb
from query_engines.trino_engine import TrinoServer, install
from spotify_etl.local_table import current_files, load_table, read_current
from spotify_etl.pipeline import run_pipeline
from spotify_etl.session import local_session

QUERIES_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = QUERIES_DIR.parent
ETL_SAMPLE = REPO_ROOT / "etl" / "sample"

Row = dict[str, Any]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def contract() -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(WAREHOUSE_CONTRACT.read_text(encoding="utf-8")))


# --- warehouses -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def etl_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the real ETL on the committed sample into a tmp dir; return its warehouse root."""
    assert (ETL_SAMPLE / "albums").is_dir(), f"{ETL_SAMPLE}: the committed sample is missing"
    # The ETL's own local settings: local[2], UI off, UTC, dynamic partition overwrite.
    spark = local_session("queries-tests", cores=2)
    output = tmp_path_factory.mktemp("etl_output")
    run_pipeline(spark, str(ETL_SAMPLE), str(output))
    warehouse = output / "warehouse"
    assert current_files(load_table(warehouse)), f"run_pipeline committed no data file to the table under {warehouse}"
    return warehouse


def _edge_rows() -> list[Row]:
    """Rows covering the edge cases, plus seeded random rows for the statistics."""

    def row(track_id: str, album_id: str, artist_id: str, **overrides: Any) -> Row:
        base: Row = {
            "track_id": track_id,
            "track_name": f"Song {track_id}",
            "track_number": 1,
            "explicit": False,
            "track_popularity": 50,
            "duration_ms": 180_000,
            "album_id": album_id,
            "album_name": f"Album {album_id}",
            "album_type": "album",
            "album_popularity": 50,
            "total_tracks": 10,
            "label": "Label",
            "release_date": date(2020, 5, 1),
            "release_date_precision": "day",
            "artist_id": artist_id,
            "artist_name": f"Artist {artist_id}",
            "artist_popularity": 60,
            "artist_followers": 1000,
            "genre": "pop",
            "track_matched": True,
            "artist_matched": True,
        }
        base.update(overrides)
        base["duration_sec"] = base["duration_ms"] / 1000
        base["release_year"] = base["release_date"].year
        return base

    rows = [
        # Exact ties in pop: same inputs -> same hit score; tie-break on track_id.
        row("t02", "al1", "a1", track_popularity=70, album_popularity=60, artist_popularity=80),
        row("t01", "al1", "a1", track_popularity=70, album_popularity=60, artist_popularity=80),
        # The same track on a second album (compilation): same track_id, tie-break on album_id.
        row("t01", "al0", "a1", track_popularity=70, album_popularity=60, artist_popularity=80,
            album_type="compilation"),
        # Past 6 minutes: the original formula went negative, duration_fit is clamped to 0.
        row("t03", "al2", "a1", duration_ms=400_000, track_popularity=90, artist_popularity=80),
        row("t04", "al2", "a1", duration_ms=720_000, explicit=True, artist_popularity=80),
        row("t05", "al2", "a1", duration_ms=360_000, artist_popularity=80),
        row("t06", "al2", "a1", duration_ms=90_000, artist_popularity=80, explicit=None),
        row("t07", "al2", "a1", duration_ms=1, artist_popularity=80),
        # Repeated track names across genres and albums; a NULL name.
        row("t08", "al3", "a2", track_name="Hello", genre="rock", track_popularity=40,
            release_date=date(1999, 1, 1), release_date_precision="year"),
        row("t09", "al4", "a1", track_name="Hello", track_popularity=40,
            artist_popularity=80),
        row("t10", "al3", "a2", track_name="Hello", genre="rock", track_popularity=40,
            release_date=date(1999, 1, 1), release_date_precision="year"),
        row("t11", "al3", "a2", track_name=None, genre="rock", track_popularity=33,
            release_date=date(1999, 1, 1), release_date_precision="year"),
        # Matched artist without a genre -> 'unknown'.
        row("t12", "al5", "a3", genre=None, artist_popularity=40),
        # One-track genre: correlations undefined (NULL).
        row("t13", "al6", "a4", genre="jazz", artist_popularity=20),
        # Constant track popularity within a genre: correlations undefined (NULL).
        row("t14", "al7", "a5", genre="folk", track_popularity=30, artist_popularity=10),
        row("t15", "al7", "a5", genre="folk", track_popularity=30, artist_popularity=10,
            duration_ms=200_000),
        # Unmatched track: no track popularity or explicit flag -> not scored.
        row("t16", "al8", "a1", track_matched=False, track_popularity=None, explicit=None,
            artist_popularity=80),
        # Unmatched artist: no artist attributes -> not scored, genre NULL.
        row("t17", "al9", "a9", artist_matched=False, artist_popularity=None,
            artist_name=None, artist_followers=None, genre=None),
        # Matched but album popularity unknown -> not scored.
        row("t18", "al10", "a2", genre="rock", album_popularity=None),
        # A year whose rows are all unscored: avg_hit_score NULL.
        row("t19", "al11", "a9", artist_matched=False, artist_popularity=None,
            artist_name=None, artist_followers=None, genre=None,
            release_date=date(1987, 6, 1), release_date_precision="month"),
    ]
    generator = random.Random(20240611)
    genres = ["pop", "rock", "hip hop", "edm"]
    for index in range(60):
        genre = genres[index % len(genres)]
        rows.append(
            row(
                f"r{index:03d}",
                f"ra{index % 9}",
                f"ar{index % 7}",
                genre=genre,
                track_name=f"Random {index % 23}",
                track_popularity=generator.randint(0, 100),
                album_popularity=generator.randint(0, 100),
                artist_popularity=generator.randint(0, 100),
                duration_ms=generator.randint(30_000, 600_000),
                explicit=generator.random() < 0.3,
                release_date=date(generator.choice([2005, 2010, 2020]), 1, 1),
            )
        )
    return rows


def write_contract_table(rows: list[Row], warehouse: Path, contract: dict[str, Any]) -> None:
    """Write ``rows`` as the Iceberg warehouse table under the warehouse root ``warehouse``, with
    the contract's columns and types, partitioned by its partition key."""
    columns = contract["columns"] + contract["partition_keys"]
    names = [column["name"] for column in columns]
    ddl = ", ".join(f'"{c["name"]}" {hive_to_duckdb(c["type"])}' for c in columns)
    with duckdb.connect(":memory:") as connection:
        connection.execute(f"CREATE TABLE rows ({ddl})")
        placeholders = ", ".join("?" for _ in names)
        connection.executemany(
            f"INSERT INTO rows VALUES ({placeholders})",
            [[row[name] for name in names] for row in rows],
        )
        data = connection.sql("SELECT * FROM rows").to_arrow_table()
    write_warehouse_table(warehouse, data)


@pytest.fixture(scope="session")
def edge_warehouse(tmp_path_factory: pytest.TempPathFactory, contract: dict[str, Any]) -> Path:
    warehouse = tmp_path_factory.mktemp("edge_warehouse") / "warehouse"
    write_contract_table(_edge_rows(), warehouse, contract)
    return warehouse


@pytest.fixture
def fresh_edge_warehouse(tmp_path: Path, contract: dict[str, Any]) -> Path:
    """The edge-case table in a warehouse root of this test's own, to alter."""
    warehouse = tmp_path / "warehouse"
    write_contract_table(_edge_rows(), warehouse, contract)
    return warehouse


@pytest.fixture(scope="session", params=["etl_sample", "edge_cases"])
def warehouse(request: pytest.FixtureRequest) -> Path:
    name = "etl_warehouse" if request.param == "etl_sample" else "edge_warehouse"
    return cast(Path, request.getfixturevalue(name))


# --- results ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def results(warehouse: Path, catalog: Catalog) -> Iterator[dict[str, QueryResult]]:
    """Every query run once on DuckDB over ``warehouse``, by name."""
    connection = connect(warehouse)
    try:
        create_views(connection, catalog)
        yield {spec.name: run_query(connection, spec) for spec in catalog}
    finally:
        connection.close()


@pytest.fixture(scope="session")
def raw_rows(warehouse: Path, contract: dict[str, Any]) -> list[Row]:
    """The warehouse rows as plain dicts, read straight from the table's current snapshot (no
    catalog SQL)."""
    rows = cast(list[Row], read_current(warehouse).to_pylist())
    assert rows, f"no rows in the table under {warehouse}"
    return rows


# --- Trino ------------------------------------------------------------------------------
#
# The declared Glue tables come from the program itself: `npm run synth -- dev` into a tmp dir
# (never out/synth, which other runs rewrite), read by query_engines.glue_catalog. One Trino server
# per session (query_engines.trino_engine.TrinoServer), its work dir in the pytest base temp dir; the
# warehouse table is registered from each warehouse root in turn. When the session has Trino
# tests, the server and the synthesis are launched before the first test of this folder, so they
# start while the ETL runs on Spark; their fixtures wait for them.

SYNTH_STAGE = "dev"
TRINO_STARTUP = pytest.StashKey[tuple[str, float, str]]()


class TrinoSession:
    """What the session launched early: the synthesis process and the Trino server."""

    def __init__(self, root: Path) -> None:
        # The pytest base temp dir: the synthesis output and Trino's work dir.
        self.root = root
        self.synth_dir = root / "synth"
        self.synth_log = root / "synth.log"
        self.synth: subprocess.Popen[bytes] | None = None
        self.server: TrinoServer | None = None
        self.error: BaseException | None = None

    def launch_synth(self) -> None:
        self.synth_dir.mkdir(exist_ok=True)
        with self.synth_log.open("wb") as log:
            self.synth = subprocess.Popen(
                [
                    "bash",
                    "-c",
                    'source tools/node-runtime.sh && exec npm run --silent synth -- "$1" --out "$2" --quiet',
                    "synth",
                    SYNTH_STAGE,
                    str(self.synth_dir),
                ],
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def manifests(self) -> Path:
        if self.synth is None:
            self.launch_synth()
        assert self.synth is not None
        returncode = self.synth.wait(timeout=600)
        output = self.synth_log.read_text(encoding="utf-8", errors="replace")
        assert returncode == 0, f"npm run synth -- {SYNTH_STAGE} failed ({self.synth_log}):\n{output[-3000:]}"
        manifests = self.synth_dir / SYNTH_STAGE
        assert any(manifests.glob("*.json")), f"npm run synth wrote no manifest under {manifests}"
        return manifests

    def launch_server(self) -> None:
        try:
            self.server = TrinoServer(install(), self.root / "trino")
            self.server.launch()
        except Exception as error:  # reported by the tests that need the server
            self.error = error

    def ready_server(self) -> TrinoServer:
        if self.server is None and self.error is None:
            self.launch_server()
        if self.error is not None:
            raise self.error
        assert self.server is not None
        self.server.wait_ready()
        return self.server

    def stop(self) -> None:
        if self.synth is not None and self.synth.poll() is None:
            self.synth.kill()
            self.synth.wait()
        if self.server is not None:
            self.server.stop()


@pytest.fixture(scope="session", autouse=True)
def trino_session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrinoSession]:
    session = TrinoSession(tmp_path_factory.getbasetemp())
    used = set().union(*(getattr(item, "fixturenames", ()) for item in request.session.items))
    if "synthesized_manifests" in used or "declared_catalog" in used:
        session.launch_synth()
    if "trino_server" in used:
        session.launch_server()
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture(scope="session")
def synthesized_manifests(trino_session: TrinoSession) -> Path:
    """The stage's manifests as ``npm run synth -- dev`` writes them (``<dir>/dev/*.json``)."""
    return trino_session.manifests()


@pytest.fixture(scope="session")
def declared_catalog(synthesized_manifests: Path) -> DeclaredCatalog:
    """The Glue databases, tables and Athena named queries the stage declares."""
    return load_declared_catalog(synthesized_manifests)


@pytest.fixture(scope="session")
def trino_server(request: pytest.FixtureRequest, trino_session: TrinoSession) -> TrinoServer:
    """The session's Trino server (installed by tools/trino.sh, cached), ready; stopped at the end."""
    server = trino_session.ready_server()
    request.config.stash[TRINO_STARTUP] = (server.node_version(), server.startup_seconds, str(server.log_path))
    return server


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    started = config.stash.get(TRINO_STARTUP, None)
    if started is not None:
        version, seconds, log = started
        terminalreporter.write_line(
            f"Trino {version} test engine: started in {seconds:.1f} s, launched with the session (log: {log})"
        )
