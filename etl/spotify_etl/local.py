"""Run the pipeline on local Spark: ``python -m spotify_etl.local --staging etl/sample --out out/local``.

Commits the Iceberg table ``<out>/warehouse/tracks/`` (its catalog: ``<out>/warehouse/catalog.db``),
writes ``<out>/rejected/<run_id>/``, ``<out>/unmatched/<run_id>/`` and ``<out>/_runs/<run_id>.json``; progress goes to stderr, the final summary table to stdout.
Exits 1 with the reason on a bad delivery or a failed reconciliation.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from spotify_etl.errors import EtlError
from spotify_etl.summary import RunSummary


def summary_table(summary: RunSummary) -> str:
    """Fixed-width table of a run: per-source accounting, reasons, output, checks and phases."""
    lines = [f"{'source':<8} {'input':>9} {'accepted':>9} {'rejected':>9} {'unmatched':>9} {'files':>6}"]
    for name, counts in summary.sources.items():
        lines.append(
            f"{name:<8} {counts.input_records:>9} {counts.accepted:>9} {counts.rejected_total:>9} "
            f"{counts.unmatched:>9} {len(counts.files):>6}"
        )
    for name, counts in summary.sources.items():
        if counts.rejected:
            reasons = ", ".join(f"{reason}={count}" for reason, count in counts.rejected.items())
            lines.append(f"rejected {name}: {reasons}")
    if summary.output is not None:
        output = summary.output
        lines.append(
            f"output: {output.rows} rows in {output.partitions} release_year partitions "
            f"(track matched {output.track_matched}, artist matched {output.artist_matched})"
        )
    bad = [check for check in summary.checks if not check.ok]
    lines.append(f"checks: {len(summary.checks) - len(bad)}/{len(summary.checks)} balanced")
    lines.extend(f"  FAILED {check.name}: expected {check.expected}, got {check.actual}" for check in bad)
    if summary.phase_seconds:
        lines.append("phases: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in summary.phase_seconds.items()))
    lines.append(f"status: {summary.status} in {summary.duration_seconds:.1f}s (run {summary.run_id})")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options of the local runner."""
    parser = argparse.ArgumentParser(prog="python -m spotify_etl.local", description=__doc__.split("\n\n")[0])
    parser.add_argument("--staging", type=Path, required=True, help="staging root with tracks/, albums/, artists/")
    parser.add_argument("--out", type=Path, required=True, help="output root (warehouse/, rejected/, unmatched/, _runs/)")
    parser.add_argument("--cores", type=int, default=2, help="local Spark cores (default 2, like the benchmark)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run once and print the summary table."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s etl: %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    from spotify_etl.pipeline import OutputPaths, local_warehouse, run  # noqa: PLC0415 - keep --help free of the JVM
    from spotify_etl.session import local_session  # noqa: PLC0415

    if not args.staging.is_dir():
        print(f"error: --staging {args.staging} is not a directory", file=sys.stderr)
        return 1
    spark = local_session("spotify-etl-local", cores=args.cores)
    paths = OutputPaths.under(str(args.out.resolve()))
    try:
        summary = run(local_warehouse(spark, paths), str(args.staging.resolve()), paths)
    except EtlError as error:
        print(f"error: {error}", file=sys.stderr)
        print(f"run summary written under {paths.runs}", file=sys.stderr)
        return 1
    print(summary_table(summary))
    print(f"summary: {paths.runs}/{summary.run_id}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
