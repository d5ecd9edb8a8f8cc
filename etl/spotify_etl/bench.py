"""Benchmark the pipeline on generated data with local Spark, beside a DuckDB reference.

    python -m spotify_etl.bench --tracks 100000 --workdir /tmp/spotify-bench

Generates (or reuses) a seeded staging set with defects, then runs, one after the other and
each in a fresh child process: the Spark job (`run_pipeline`, local Spark), the floor (what
any run of the job pays, `child_floor`) and the single-node DuckDB reference (`bench_reference`: the same validation, dedupe, join and
writes in DuckDB SQL). For each it prints the wall time and the peak memory, and the ratio
of the two times.

Times: ``etl_seconds`` is `run_pipeline` end to end (read, validate, dedupe, join,
reconcile, write everything); ``etl_session_seconds`` is starting the JVM and the local
SparkSession before it, which a Glue job pays before the script runs; ``reference_seconds``
is the whole reference from connecting to DuckDB to its last file written. The ratio is
``etl_seconds / reference_seconds``; ``etl_process_ratio`` also counts the session start.

Floor: ``floor_arrow_seconds`` is the first Python Arrow round trip of a fresh session and
``floor_write_seconds`` committing the job's own rows to a new Iceberg table, both in a fresh JVM
(``floor_parquet_write_seconds`` writes the same rows as the job wrote them before its table was an
Iceberg table, Hive-style Parquet partitions, and ``iceberg_commit_to_parquet_write_ratio`` is what
Iceberg costs); the job pays
both on every run before it has parsed, validated, joined or counted anything, so
``floor_ratio``, their sum over ``reference_seconds``, is a ratio the job cannot go below.

CPU: ``etl_jit_cpu_seconds`` and ``etl_gc_cpu_seconds`` are the CPU seconds of the JVM's JIT
compiler and garbage collector threads during the timed part (part of ``etl_cpu_seconds``).
``etl_cpu_seconds`` and ``reference_cpu_seconds`` are the user + system seconds of the
child's process tree over exactly the timed part (read from /proc before and after it), and
``cpu_ratio`` their ratio: less moved than wall time by other work on a shared machine.

Peak memory: the resident set size (RSS) of the child's whole process tree (the Python
driver, the JVM it starts and Spark's Python workers; for the reference, the one Python
process running DuckDB), summed over the tree and sampled from /proc every 50 ms; the peak
of those sums is reported. Short spikes between two samples can be missed, so it is a
lower bound of the true peak, accurate to the sampling interval.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def tree_bytes(root: Path, suffix: str) -> int:
    """Total size of the files under ``root`` whose name ends with ``suffix``."""
    return sum(path.stat().st_size for path in root.rglob(f"*{suffix}") if path.is_file())


def table_bytes(etl_out: Path) -> int:
    """Size of the data files of the warehouse table's current snapshot (what a reader scans)."""
    from spotify_etl.local_table import current_files, load_table  # noqa: PLC0415 - pyiceberg only where a table is read

    return sum(Path(file).stat().st_size for file in current_files(load_table(etl_out / "warehouse")))


def _stat_fields(path: str) -> list[str] | None:
    """The fields of a /proc ``stat`` file after the command name (field 3 of proc(5) first),
    or None when the process or thread is gone."""
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _process_table() -> dict[int, tuple[int, int, float]]:
    """pid -> (parent pid, RSS bytes, CPU seconds) for every process we can read; the CPU
    seconds are user + system time of the process and of its children it has waited for."""
    page = os.sysconf("SC_PAGE_SIZE")
    tick = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[int, int, float]] = {}
    for entry in os.listdir("/proc"):
        fields = _stat_fields(f"/proc/{entry}/stat") if entry.isdigit() else None
        if fields is None:
            continue
        table[int(entry)] = (int(fields[1]), int(fields[21]) * page, sum(int(value) for value in fields[11:15]) / tick)
    return table


def _descendants(root: int, table: dict[int, tuple[int, int, float]]) -> list[int]:
    """``root`` and every process below it in ``table`` (`_process_table`)."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        if pid in table:
            found.append(pid)
        pending.extend(children.get(pid, ()))
    return found


def _tree(root: int) -> list[tuple[int, int, float]]:
    """The `_process_table` rows of ``root`` and all its descendants."""
    table = _process_table()
    return [table[pid] for pid in _descendants(root, table)]


def tree_rss(root: int) -> int:
    """Summed RSS of ``root`` and all its descendants, in bytes."""
    return sum(rss for _, rss, _ in _tree(root))


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by ``root`` and its descendants. The difference
    of two readings is the tree's CPU in between, processes started and reaped in between
    included (a reaped process's time moves into its parent's children's time)."""
    return sum(cpu for _, _, cpu in _tree(root))


JVM_THREAD_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("jit", ("C1 CompilerThre", "C2 CompilerThre")),
    ("gc", ("GC Thread", "G1 ")),
)
"""HotSpot's thread names (as /proc shows them, cut to 15 characters) of its JIT compilers and
its garbage collector: CPU they use is the engine's, not the job's."""


def jvm_thread_cpu_seconds(root: int) -> dict[str, float]:
    """CPU seconds used so far by the JIT compiler and the garbage collector threads of every
    JVM under ``root`` (`JVM_THREAD_KINDS`)."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = dict.fromkeys((kind for kind, _ in JVM_THREAD_KINDS), 0.0)
    for pid in _descendants(root, _process_table()):
        try:
            threads = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for thread in threads:
            try:
                with open(f"/proc/{pid}/task/{thread}/comm", encoding="ascii", errors="replace") as handle:
                    name = handle.read().strip()
            except OSError:
                continue
            fields = _stat_fields(f"/proc/{pid}/task/{thread}/stat")
            if fields is None:
                continue
            for kind, prefixes in JVM_THREAD_KINDS:
                if name.startswith(prefixes):
                    totals[kind] += (int(fields[11]) + int(fields[12])) / tick
    return totals


def run_child(argv: list[str], interval: float = 0.05) -> tuple[dict[str, Any], int]:
    """Run ``python -m spotify_etl.bench <argv>``, sampling its tree's RSS; return its JSON and the peak."""
    process = subprocess.Popen([sys.executable, "-m", "spotify_etl.bench", *argv], stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"benchmark child {argv[:2]} failed with exit code {process.returncode}")
    return json.loads(stdout.strip().splitlines()[-1]), peak


def child_etl(staging: Path, out: Path, cores: int, driver_memory: str) -> dict[str, Any]:
    """In the child: start local Spark, run the pipeline once, return its figures."""
    from spotify_etl.pipeline import run_pipeline  # noqa: PLC0415 - keep --help free of the JVM
    from spotify_etl.session import local_session  # noqa: PLC0415

    started = time.monotonic()
    spark = local_session("spotify-etl-bench", cores=cores, driver_memory=driver_memory)
    spark.range(1).count()  # the session is lazy: make sure the JVM and executor are up
    session_seconds = time.monotonic() - started
    started, cpu_before, engine_before = time.monotonic(), tree_cpu_seconds(os.getpid()), jvm_thread_cpu_seconds(os.getpid())
    summary = run_pipeline(spark, str(staging), str(out))
    seconds, cpu_seconds = time.monotonic() - started, tree_cpu_seconds(os.getpid()) - cpu_before
    engine = {kind: round(used - engine_before[kind], 2) for kind, used in jvm_thread_cpu_seconds(os.getpid()).items()}
    spark.stop()
    assert summary.output is not None
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "session_seconds": round(session_seconds, 2),
        "jit_cpu_seconds": engine["jit"],
        "gc_cpu_seconds": engine["gc"],
        "input_records": summary.input_records,
        "sources": {
            name: {"input": c.input_records, "accepted": c.accepted, "rejected": c.rejected_total}
            for name, c in summary.sources.items()
        },
        "output_rows": summary.output.rows,
        "partitions": summary.output.partitions,
        "track_matched": summary.output.track_matched,
        "artist_matched": summary.output.artist_matched,
    }


def _identity(batches: Iterable[Any]) -> Iterable[Any]:
    yield from batches


def child_floor(etl_out: Path, scratch: Path, cores: int, driver_memory: str) -> dict[str, Any]:
    """In the child: two things any run of the job pays, timed in a fresh JVM and session like
    the job's (the session start not counted): the first Python Arrow round trip (an identity
    ``mapInArrow`` over two rows: starting the Python workers and Arrow on both sides), and
    writing the job's own table again (the ETL run's output, read into memory first, then
    distributed and committed to a table of its own exactly as the job does). Neither parses,
    validates, joins or counts."""
    from spotify_etl.contract import load_contract  # noqa: PLC0415 - keep --help free of the JVM
    from spotify_etl.local_table import current_files, load_table  # noqa: PLC0415
    from spotify_etl.pipeline import OutputPaths, local_warehouse  # noqa: PLC0415
    from spotify_etl.session import local_session  # noqa: PLC0415
    from spotify_etl.table import commit_rows  # noqa: PLC0415
    from spotify_etl.write import distribute  # noqa: PLC0415

    spark = local_session("spotify-etl-bench-floor", cores=cores, driver_memory=driver_memory)
    spark.range(1).count()
    started = time.monotonic()
    spark.range(2).mapInArrow(_identity, "id long").write.format("noop").mode("overwrite").save()
    arrow_seconds = time.monotonic() - started
    key = load_contract().partition_keys[0].name
    # In memory before the clock starts, as the job writes from its checkpoint, not from Parquet.
    target = OutputPaths.under(str(scratch))
    shutil.rmtree(scratch, ignore_errors=True)
    session = local_warehouse(spark, target)
    rows = session.read.parquet(*current_files(load_table(etl_out / "warehouse"))).localCheckpoint(eager=True)
    started = time.monotonic()
    commit_rows(distribute(rows, key), target.table, "floor", key, ("track_id", "album_id"))
    write_seconds = time.monotonic() - started
    # What Iceberg costs: the same rows written the way the job wrote its table before it was an
    # Iceberg table (Hive-style Parquet partitions overwritten in place), same session, same sort.
    started = time.monotonic()
    (
        distribute(rows, key)
        .sortWithinPartitions(key, "track_id", "album_id")
        .write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .option("compression", "snappy")
        .partitionBy(key)
        .parquet(str(scratch / "parquet"))
    )
    parquet_write_seconds = time.monotonic() - started
    spark.stop()
    return {"arrow_seconds": round(arrow_seconds, 2), "write_seconds": round(write_seconds, 2), "parquet_write_seconds": round(parquet_write_seconds, 2)}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m spotify_etl.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, required=True, help="tracks to generate")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/spotify-bench"), help="where data and output go")
    parser.add_argument("--seed", type=int, default=7, help="generator seed")
    parser.add_argument("--cores", type=int, default=2, help="local Spark cores and DuckDB threads")
    parser.add_argument("--driver-memory", default="4g", help="local Spark driver memory")
    parser.add_argument("--skip-reference", action="store_true", help="run only the Spark job")
    parser.add_argument("--child", choices=("etl", "floor", "reference"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _staging(args: argparse.Namespace) -> Path:
    """The generated data set; the generator version is in the name, so older data is never reused."""
    from spotify_etl.sample import GENERATOR_VERSION  # noqa: PLC0415

    workdir: Path = args.workdir
    return workdir / f"staging-{args.tracks}-seed{args.seed}-v{GENERATOR_VERSION}"


def main(argv: Sequence[str] | None = None) -> int:
    """Generate if needed, run both sides, print the figures (table to stdout, JSON last line)."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s bench: %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    staging = _staging(args)
    if args.child == "etl":
        print(json.dumps(child_etl(staging, args.workdir / f"out-{args.tracks}-etl", args.cores, args.driver_memory)))
        return 0
    if args.child == "floor":
        etl_out = args.workdir / f"out-{args.tracks}-etl"
        print(json.dumps(child_floor(etl_out, etl_out / "floor", args.cores, args.driver_memory)))
        return 0
    if args.child == "reference":
        from spotify_etl.bench_reference import run_reference  # noqa: PLC0415

        importlib.import_module("duckdb")  # loaded before the CPU reading, as before run_reference's timer
        cpu_before = tree_cpu_seconds(os.getpid())
        measured = run_reference(staging, args.workdir / f"out-{args.tracks}-reference", args.cores)
        print(json.dumps(measured | {"cpu_seconds": round(tree_cpu_seconds(os.getpid()) - cpu_before, 2)}))
        return 0

    from spotify_etl import sample  # noqa: PLC0415

    if not (staging / sample.MANIFEST).exists():
        shutil.rmtree(staging, ignore_errors=True)
        started = time.monotonic()
        sample.generate(staging, args.tracks, args.seed, defects=True)
        logging.info("generated %s in %.1fs", staging, time.monotonic() - started)
    common = ["--tracks", str(args.tracks), "--workdir", str(args.workdir), "--seed", str(args.seed), "--cores", str(args.cores)]
    for side in ("etl", "reference"):
        shutil.rmtree(args.workdir / f"out-{args.tracks}-{side}", ignore_errors=True)
    load_before = os.getloadavg()[0]
    logging.info("running the Spark job")
    etl, etl_peak = run_child(["--child", "etl", "--driver-memory", args.driver_memory, *common])
    figures: dict[str, Any] = {
        "tracks": args.tracks,
        "cores": args.cores,
        "input_records": etl["input_records"],
        "output_rows": etl["output_rows"],
        "partitions": etl["partitions"],
        "etl_seconds": etl["seconds"],
        "etl_session_seconds": etl["session_seconds"],
        "etl_cpu_seconds": etl["cpu_seconds"],
        "etl_jit_cpu_seconds": etl["jit_cpu_seconds"],
        "etl_gc_cpu_seconds": etl["gc_cpu_seconds"],
        "etl_peak_rss_mib": round(etl_peak / 2**20),
        "input_records_per_second": round(etl["input_records"] / etl["seconds"]),
    }
    logging.info("timing what any run of the Spark job pays (first Arrow round trip, the table write)")
    floor, _ = run_child(["--child", "floor", "--driver-memory", args.driver_memory, *common])
    figures |= {
        "floor_arrow_seconds": floor["arrow_seconds"],
        "floor_write_seconds": floor["write_seconds"],
        "floor_parquet_write_seconds": floor["parquet_write_seconds"],
        "iceberg_commit_to_parquet_write_ratio": round(floor["write_seconds"] / floor["parquet_write_seconds"], 2),
    }
    if not args.skip_reference:
        logging.info("running the DuckDB reference")
        reference, reference_peak = run_child(["--child", "reference", *common])
        figures |= {
            "reference_seconds": reference["seconds"],
            "reference_peak_rss_mib": round(reference_peak / 2**20),
            "reference_cpu_seconds": reference["cpu_seconds"],
            "cpu_ratio": round(etl["cpu_seconds"] / reference["cpu_seconds"], 2),
            "ratio": round(etl["seconds"] / reference["seconds"], 2),
            "etl_process_ratio": round((etl["seconds"] + etl["session_seconds"]) / reference["seconds"], 2),
            "floor_ratio": round((floor["arrow_seconds"] + floor["write_seconds"]) / reference["seconds"], 2),
            "reference_output_rows": reference["output_rows"],
        }
        for name, counts in etl["sources"].items():
            ref = reference["sources"][name]
            figures[f"{name}_accepted_etl_vs_reference"] = f"{counts['accepted']} / {ref['accepted']}"
            figures[f"{name}_rejected_etl_vs_reference"] = f"{counts['rejected']} / {ref['rejected']}"
    csv_bytes = tree_bytes(staging, ".csv")
    parquet_bytes = table_bytes(args.workdir / f"out-{args.tracks}-etl")
    figures |= {
        "csv_bytes": csv_bytes,
        "warehouse_parquet_bytes": parquet_bytes,
        "parquet_to_csv_ratio": round(parquet_bytes / csv_bytes, 3),
        "load_average_1m_before_after": f"{load_before:.2f} / {os.getloadavg()[0]:.2f}",
    }
    width = max(len(key) for key in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
