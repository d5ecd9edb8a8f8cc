"""Benchmark the pipeline on generated data with local Spark.

    python -m spotify_etl.bench --tracks 100000 --workdir /tmp/spotify-bench

Generates (or reuses) a seeded staging set with defects, runs the pipeline once on a fresh
output directory, and prints rows per second and the warehouse size against the CSV size.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def tree_bytes(root: Path, suffix: str) -> int:
    """Total size of the files under ``root`` whose name ends with ``suffix``."""
    return sum(path.stat().st_size for path in root.rglob(f"*{suffix}") if path.is_file())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m spotify_etl.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, required=True, help="tracks to generate")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/spotify-bench"), help="where data and output go")
    parser.add_argument("--seed", type=int, default=7, help="generator seed")
    parser.add_argument("--cores", type=int, default=2, help="local Spark cores")
    parser.add_argument("--driver-memory", default="4g", help="local Spark driver memory")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate if needed, run once, print the figures (table to stdout, JSON last line)."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s bench: %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    from spotify_etl import sample  # noqa: PLC0415 - keep --help free of the JVM
    from spotify_etl.pipeline import run_pipeline  # noqa: PLC0415
    from spotify_etl.session import local_session  # noqa: PLC0415

    staging = args.workdir / f"staging-{args.tracks}-seed{args.seed}"
    if not (staging / sample.MANIFEST).exists():
        shutil.rmtree(staging, ignore_errors=True)
        started = time.monotonic()
        sample.generate(staging, args.tracks, args.seed, defects=True)
        logging.info("generated %s in %.1fs", staging, time.monotonic() - started)
    out = args.workdir / f"out-{args.tracks}-seed{args.seed}"
    shutil.rmtree(out, ignore_errors=True)

    spark = local_session("spotify-etl-bench", cores=args.cores, driver_memory=args.driver_memory)
    started = time.monotonic()
    summary = run_pipeline(spark, str(staging), str(out))
    seconds = time.monotonic() - started
    spark.stop()

    csv_bytes = tree_bytes(staging, ".csv")
    parquet_bytes = tree_bytes(out / "warehouse", ".parquet")
    assert summary.output is not None
    figures = {
        "tracks": args.tracks,
        "cores": args.cores,
        "input_rows": summary.input_rows,
        "output_rows": summary.output.rows,
        "seconds": round(seconds, 1),
        "input_rows_per_second": round(summary.input_rows / seconds),
        "output_rows_per_second": round(summary.output.rows / seconds),
        "csv_bytes": csv_bytes,
        "warehouse_parquet_bytes": parquet_bytes,
        "parquet_to_csv_ratio": round(parquet_bytes / csv_bytes, 3),
        "partitions": summary.output.partitions,
    }
    width = max(len(key) for key in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
