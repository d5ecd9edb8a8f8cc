"""Restore the warehouse table to the snapshot before a given run: a bad delivery undone with one
command. ``python -m spotify_etl.rollback --out out/local --run <run_id>`` (``npm run local --
rollback --run <run_id>``) does it locally; ``--list`` shows which run committed which snapshot.
On AWS the Glue job does it when started with ``--rollback_before_run <run_id>`` (etl/README.md).

The table's main branch is pointed back at the parent of the run's snapshot (Iceberg's
``set_current_snapshot``): one metadata commit, no data file rewritten, and the undone snapshot
stays in the table's history (until expiry), so the rollback itself can be undone the same way.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import SparkSession

from spotify_etl.errors import EtlError, RollbackError
from spotify_etl.iceberg import CATALOG, WarehouseTable
from spotify_etl.table import RUN_ID_PROPERTY, current_snapshot_id, snapshot_of_run

LOG = logging.getLogger("spotify_etl")


@dataclass(frozen=True)
class Rollback:
    """What a rollback did."""

    run_id: str
    undone_snapshot: str
    restored_snapshot: str
    current_before: str | None


def rollback_before(spark: SparkSession, table: WarehouseTable, run_id: str) -> Rollback:
    """Make the snapshot before ``run_id``'s the table's current one; raise `RollbackError` with
    the reason when there is none to restore."""
    found = snapshot_of_run(spark, table, run_id)
    if found is None:
        raise RollbackError(
            f"{table.identifier} keeps no snapshot committed by run {run_id}: a failed run commits none, "
            "and expired snapshots are gone (see --list for the runs the table still holds)"
        )
    snapshot, parent = found
    if parent is None:
        raise RollbackError(f"run {run_id} made the first snapshot of {table.identifier} ({snapshot}); there is no earlier one to restore")
    before = current_snapshot_id(spark, table)
    spark.sql(f"CALL {CATALOG}.system.set_current_snapshot(table => '{table.database}.{table.table}', snapshot_id => {parent})")
    LOG.info("%s: run %s's snapshot %s undone, snapshot %s is current again", table.identifier, run_id, snapshot, parent)
    return Rollback(run_id=run_id, undone_snapshot=snapshot, restored_snapshot=parent, current_before=before)


def history(spark: SparkSession, table: WarehouseTable) -> list[tuple[str, str, str, bool]]:
    """(committed at, snapshot, run id, current) of every snapshot the table keeps, oldest first."""
    current = current_snapshot_id(spark, table)
    rows = spark.sql(
        f"SELECT committed_at, snapshot_id, summary['{RUN_ID_PROPERTY}'] AS run_id FROM {table.identifier}.snapshots ORDER BY committed_at"
    ).collect()
    return [(str(row["committed_at"]), str(row["snapshot_id"]), str(row["run_id"]), str(row["snapshot_id"]) == current) for row in rows]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options of the local rollback."""
    parser = argparse.ArgumentParser(prog="python -m spotify_etl.rollback", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output root of the local ETL (holds warehouse/)")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--run", help="the run to undo: the table returns to the snapshot before it")
    action.add_argument("--list", action="store_true", help="list the table's snapshots and the runs that committed them")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Roll back (or list) the local table; exit 1 with the reason when it cannot."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s rollback: %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    from spotify_etl.pipeline import OutputPaths  # noqa: PLC0415 - keep --help free of the JVM
    from spotify_etl.session import local_session  # noqa: PLC0415
    from spotify_etl.table import open_local_catalog  # noqa: PLC0415

    paths = OutputPaths.under(str(args.out.resolve()))
    warehouse_root = paths.warehouse.rsplit("/", 1)[0]
    if not (Path(warehouse_root) / "catalog.db").is_file():
        print(f"error: {warehouse_root} holds no warehouse catalog: run the local ETL first (npm run local -- etl)", file=sys.stderr)
        return 1
    spark = open_local_catalog(local_session("spotify-etl-rollback", cores=1), warehouse_root)
    if args.list:
        for committed_at, snapshot, run_id, current in history(spark, paths.table):
            print(f"{committed_at}  snapshot {snapshot}  run {run_id}{'  (current)' if current else ''}")
        return 0
    try:
        done = rollback_before(spark, paths.table, args.run)
    except EtlError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{paths.table.identifier}: undid run {done.run_id} (snapshot {done.undone_snapshot}); current snapshot: {done.restored_snapshot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
