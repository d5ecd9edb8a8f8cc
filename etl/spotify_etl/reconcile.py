"""Reconciliation: proof that no record was lost or invented between the files and the outputs.

Equations, each checked separately so a failure names the exact leak:
  * every source:  input records (counted by the splitter) = accepted + rejected
  * every file:    the same, file by file (listed only when it fails), and every non-empty
                   file listed by the file system reached validation with its one header
  * albums:        accepted = output rows (albums are the base of a non-fanning left join)
  * tracks:        accepted = output rows with a track match + unmatched tracks
  * artists:       accepted = distinct matched artist ids in the output + unmatched artists
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from spotify_etl.columns import DETAIL, FILE_RECORDS, LINE_NUMBER, REASON, SOURCE_FILE
from spotify_etl.errors import InputContractError, ReconciliationError
from spotify_etl.read import SourceFile
from spotify_etl.records import BAD_HEADER, FILE_VERDICTS, HEADER, REPEATED_HEADER
from spotify_etl.schemas import ALBUMS, ARTISTS, TRACKS
from spotify_etl.summary import Check, FileCounts, OutputCounts, SourceCounts

SOURCE = "source"


def record_counts(name: str, classified: DataFrame) -> DataFrame:
    """Rows per (file, reason) of one source, with the splitter's record count of the file and
    the first line of a file-layout problem: all of its accounting in one small aggregation
    (fixed-width values only, so Spark can aggregate in a hash map without sorting)."""
    problem = F.col(REASON).isin(BAD_HEADER, REPEATED_HEADER)
    return classified.groupBy(SOURCE_FILE, REASON).agg(
        F.lit(name).alias(SOURCE),
        F.count(F.lit(1)).alias("rows"),
        F.max(FILE_RECORDS).alias(FILE_RECORDS),
        F.min(F.when(problem, F.col(LINE_NUMBER))).alias("problem_line"),
    )


def layout_details(classified: DataFrame, files: Iterable[str]) -> dict[str, str]:
    """The detail of the first file-layout problem of each of ``files`` (a query run only when
    `record_counts` found one)."""
    problem = F.col(REASON).isin(BAD_HEADER, REPEATED_HEADER) & F.col(SOURCE_FILE).isin(*files)
    rows = classified.where(problem).groupBy(SOURCE_FILE).agg(F.min(F.struct(LINE_NUMBER, DETAIL)).alias("first"))
    return {str(row[SOURCE_FILE]): str(row["first"][DETAIL]) for row in rows.collect()}


@dataclass(frozen=True)
class Tally:
    """What `tally` makes of the counts: per-source accounting and what is wrong with the files."""

    sources: dict[str, SourceCounts]
    layout_problems: tuple[tuple[str, str, int], ...]
    """(source, file, first line) of every file that breaks the input contract (header)."""
    file_checks: tuple[Check, ...]
    """Per-file equations that do not balance, and listed files that never reached validation."""


def tally(rows: Iterable[Row], listed: Mapping[str, tuple[SourceFile, ...]]) -> Tally:
    """Turn `record_counts` rows into `SourceCounts` (``unmatched`` still 0) for every listed file."""
    per_file: dict[tuple[str, str], dict[str | None, int]] = defaultdict(dict)
    expected: dict[tuple[str, str], int] = {}
    problems: list[tuple[str, str, int]] = []
    for row in rows:
        key = (str(row[SOURCE]), str(row[SOURCE_FILE]))
        per_file[key][row[REASON]] = int(row["rows"])
        expected[key] = max(expected.get(key, 0), int(row[FILE_RECORDS]))
        if row["problem_line"] is not None:
            problems.append((key[0], key[1], int(row["problem_line"])))
    sources: dict[str, SourceCounts] = {}
    failed: list[Check] = []
    for name, files in listed.items():
        file_counts: list[FileCounts] = []
        reasons: dict[str, int] = defaultdict(int)
        for file in files:
            seen = per_file.pop((name, file.path), {})
            if not file.empty and not seen:
                failed.append(Check(f"{name}: {file.path} was listed but none of its records was read", 1, 0))
            headers = seen.get(HEADER, 0)
            if not file.empty and seen and headers != 1:
                failed.append(Check(f"{name}: {file.path}: one header record", 1, headers))
            accepted = seen.get(None, 0)
            rejected = {str(reason): count for reason, count in seen.items() if reason is not None and reason not in FILE_VERDICTS}
            records = max(0, expected.get((name, file.path), 0) - 1)
            if seen and records != accepted + sum(rejected.values()):
                failed.append(Check(f"{name}: {file.path}: records = accepted + rejected", records, accepted + sum(rejected.values())))
            for reason, count in rejected.items():
                reasons[reason] += count
            file_counts.append(FileCounts(file.path, file.bytes, records, accepted, sum(rejected.values())))
        sources[name] = SourceCounts(
            input_records=sum(file.records for file in file_counts),
            accepted=sum(file.accepted for file in file_counts),
            rejected=dict(sorted(reasons.items())),
            unmatched=0,
            files=tuple(file_counts),
        )
    for name, path in sorted(per_file):
        failed.append(Check(f"{name}: {path} was read but is not in the file listing (written during the run?)", 0, 1))
    return Tally(sources, tuple(sorted(problems)), tuple(failed))


def raise_on_layout_problems(found: Tally, classified: Mapping[str, DataFrame]) -> None:
    """Stop the run with every file that breaks the input contract named, and why."""
    if not found.layout_problems:
        return
    messages: list[str] = []
    for name in sorted({source for source, _, _ in found.layout_problems}):
        problems = [(path, line) for source, path, line in found.layout_problems if source == name]
        details = layout_details(classified[name], [path for path, _ in problems])
        for path, line in problems:
            where = "" if line == 1 else f" (line {line})"
            messages.append(f"{name}: {path}{where}: {details.get(path, 'file layout problem')}")
    raise InputContractError(
        "every non-empty file must start with exactly one header record, the declared columns "
        "in order, and never repeat it; offending files: " + "; ".join(messages)
    )


def output_counts(output: DataFrame, unmatched: Mapping[str, DataFrame]) -> tuple[OutputCounts, dict[str, int]]:
    """Row, partition and match counts of the conformed output, and the size of each
    unmatched frame, in one query: single-row aggregates stacked with a union (a cross join
    of them would broadcast each one, a Spark job apiece)."""
    measures = ("rows", "partitions", "track_matched", "artist_matched", "artists_referenced")
    stacked = output.agg(
        F.lit("output").alias(SOURCE),
        F.count(F.lit(1)).alias("rows"),
        F.countDistinct("release_year").alias("partitions"),
        F.count(F.when(F.col("track_matched"), 1)).alias("track_matched"),
        F.count(F.when(F.col("artist_matched"), 1)).alias("artist_matched"),
        F.countDistinct(F.when(F.col("artist_matched"), F.col("artist_id"))).alias("artists_referenced"),
    )
    for name, rows in unmatched.items():
        only_rows = [F.count(F.lit(1)).alias("rows"), *[F.lit(0).cast("bigint").alias(measure) for measure in measures[1:]]]
        stacked = stacked.unionByName(rows.agg(F.lit(name).alias(SOURCE), *only_rows))
    found = {str(row[SOURCE]): row for row in stacked.collect()}
    totals = found["output"]
    counts = OutputCounts(**{measure: int(totals[measure]) for measure in measures})
    return counts, {name: int(found[name]["rows"]) for name in unmatched}


def checks(sources: dict[str, SourceCounts], output: OutputCounts, file_checks: tuple[Check, ...] = ()) -> tuple[Check, ...]:
    """All reconciliation equations for a run (per-file ones only where they fail)."""
    per_source = tuple(
        Check(f"{name}: input = accepted + rejected", counts.input_records, counts.accepted + counts.rejected_total)
        for name, counts in sources.items()
    )
    tracks, albums, artists = sources[TRACKS.name], sources[ALBUMS.name], sources[ARTISTS.name]
    return per_source + (
        Check("albums: accepted = output rows", albums.accepted, output.rows),
        Check("tracks: accepted = matched + unmatched", tracks.accepted, output.track_matched + tracks.unmatched),
        Check(
            "artists: accepted = referenced + unmatched",
            artists.accepted,
            output.artists_referenced + artists.unmatched,
        ),
    ) + file_checks


def failed(all_checks: tuple[Check, ...]) -> tuple[Check, ...]:
    """The checks that do not balance."""
    return tuple(check for check in all_checks if not check.ok)


def raise_if_failed(all_checks: tuple[Check, ...]) -> None:
    """Raise `ReconciliationError` naming every unbalanced equation and both its sides."""
    bad = failed(all_checks)
    if bad:
        details = "; ".join(f"{check.name}: expected {check.expected}, got {check.actual}" for check in bad)
        raise ReconciliationError(f"reconciliation failed ({len(bad)} check(s)): {details}")
