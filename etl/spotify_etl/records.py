"""RFC 4180 records of one CSV file, found in its exact bytes: Python and NumPy, no Spark.

The unit of input is the CSV *record*, not the line: a quoted field may hold commas, doubled
quotes and line breaks. `split_file` cuts a whole file into records and returns where each one
starts and ends, so the job keeps the exact bytes of every record (a rejected record is
quarantined as delivered) and counts records here, independently of the parser that later
accepts or rejects them. The records partition the file: every byte belongs to exactly one
record or its terminator, which `split_file` checks before returning.

Record boundaries (a small state machine over bytes; ASCII ``"``, ``,``, CR and LF never occur
inside a UTF-8 or Latin-1 multi-byte character, so it is safe on any of them):

========== ============================= ==========================================================
state      byte                          then
========== ============================= ==========================================================
FIELD      ``"``                         QUOTED (a quote opens a field only at its start)
FIELD      ``,``                         FIELD
FIELD      LF, or CR LF                  end of record (the LF or CR LF is its terminator)
FIELD      anything else                 UNQUOTED
UNQUOTED   ``,``                         FIELD
UNQUOTED   LF, or CR LF                  end of record
UNQUOTED   ``"``                         UNQUOTED, record marked ``invalid_csv`` (quote in data)
UNQUOTED   CR not followed by LF         UNQUOTED, record marked ``invalid_csv`` (bare CR)
QUOTED     ``"``                         CLOSING
QUOTED     anything else (LF included)   QUOTED
CLOSING    ``"``                         QUOTED (``""`` is an escaped quote)
CLOSING    ``,`` / LF / CR LF            as in UNQUOTED
CLOSING    anything else                 UNQUOTED, record marked ``invalid_csv`` (text after
                                         the closing quote)
QUOTED     end of file                   the record runs to the end of the file and is marked
                                         ``unbalanced_quotes`` (a quoted field never closed)
========== ============================= ==========================================================

On valid RFC 4180 input these are exactly RFC 4180's records (tested against Python's ``csv``
module on random fields full of quotes, commas, CR and LF). On invalid input the rule is still
total and deterministic, and a record containing any invalidity is marked, never repaired, so
nothing but a whole, well-formed record can become a row. The recovery matches Python's
``csv``, DuckDB and Spark's own CSV reader on the common mistake of a stray ``"`` inside an
unquoted value (``12" Mix``): it does not open a quoted field, so it costs one record, not the
rest of the file. A quoted field that is never closed has no recoverable end: it takes the rest
of the file with it, as one rejected record (the detail says how many lines).

Besides boundaries, each record gets the file-level verdicts that need its bytes: the first
record must be the declared header (after an optional UTF-8 BOM), no later record may repeat
it, and bytes that are not UTF-8 are found here, once per file, with their offset.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

HEADER = "header"
"""Verdict of the first record of a file when it is the declared header (not a data record)."""
BAD_HEADER = "bad_header"
"""Verdict of a file whose first record is not the declared header: the file is not split."""
REPEATED_HEADER = "repeated_header"
"""Verdict of a data record equal to the header: concatenated files, which stop the run."""
FILE_VERDICTS: tuple[str, ...] = (HEADER, BAD_HEADER, REPEATED_HEADER)
"""Verdicts about the file layout rather than a data record; never counted as accepted or rejected."""

RECORD_REASONS: tuple[str, ...] = ("invalid_utf8", "blank_line", "unbalanced_quotes", "invalid_csv")
"""Rejection reasons decided from a record's bytes alone, in precedence order."""

UTF8_BOM = b"\xef\xbb\xbf"
_REPLACEMENT_CHARACTER = "\ufffd".encode()
_QUOTE, _COMMA, _CR, _LF, _SPACE = 0x22, 0x2C, 0x0D, 0x0A, 0x20
_SPECIAL = re.compile(rb'[",\r\n]')
_FIELD = rb'(?:"[^"]*+(?:""[^"]*+)*+"|[^",\r\n]*+)'
_LEADING_FIELDS = re.compile(rb"(?:" + _FIELD + rb",)*+")
"""Complete, well-formed fields each followed by its comma: after them the state machine is
in state FIELD with no problem seen, so it can start there instead of byte by byte."""

COMPRESSION_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"PK\x03\x04", "zip"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"\xff\x06\x00\x00sNaPpY", "snappy"),
)
"""Leading bytes of compressed formats a delivery might carry under a ``.csv`` name."""


@dataclass(frozen=True)
class Record:
    """One record: ``data[start:start + length]`` is its content, its terminator excluded."""

    start: int
    length: int
    line: int
    """1-based physical line on which the record starts."""
    verdict: str | None = None
    """A `FILE_VERDICTS` or `RECORD_REASONS` value, or None for a record the parser must judge."""
    detail: str | None = None


@dataclass(frozen=True)
class FileRecords:
    """Every record of one file, header first, as parallel lists (what Spark receives)."""

    size: int
    starts: list[int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    verdicts: list[str | None] = field(default_factory=list)
    details: list[str | None] = field(default_factory=list)

    @property
    def records(self) -> list[Record]:
        """The records as objects (for tests and diagnostics; the job uses the lists)."""
        return [Record(*values) for values in zip(self.starts, self.lengths, self.lines, self.verdicts, self.details, strict=True)]

    @property
    def data_records(self) -> int:
        """Records after the header (0 for an empty or refused file)."""
        return max(0, len(self.starts) - 1)


_BARE_CR = "carriage return outside quotes that does not end the record"


def _scan(data: bytes, start: int) -> tuple[int, int, str | None]:
    """The state machine of the module docstring from ``start`` (state FIELD): returns where the
    record's content ends, where the next record starts, and the first problem seen."""
    size = len(data)
    position, state, problem = start, "FIELD", None
    while position < size:
        if state == "QUOTED":
            quote = data.find(b'"', position)
            if quote < 0:
                return size, size, "unbalanced_quotes"
            position, state = quote + 1, "CLOSING"
            continue
        byte = data[position]
        if state == "CLOSING":
            if byte == _QUOTE:
                position, state = position + 1, "QUOTED"
                continue
            state = "UNQUOTED"
            if byte not in (_COMMA, _CR, _LF):
                problem = problem or "text after the closing quote of a field"
        if byte == _COMMA:
            position, state = position + 1, "FIELD"
        elif byte == _LF:
            return position, position + 1, problem
        elif byte == _CR:
            if position + 1 < size and data[position + 1] == _LF:
                return position, position + 2, problem
            problem = problem or _BARE_CR
            position, state = position + 1, "UNQUOTED"
        elif byte == _QUOTE:
            if state == "FIELD":
                position, state = position + 1, "QUOTED"
            else:
                problem = problem or 'double quote inside an unquoted field (quote the field and double the ")'
                position += 1
        else:
            state = "UNQUOTED"
            special = _SPECIAL.search(data, position)
            position = special.start() if special else size
    return size, size, "unbalanced_quotes" if state == "QUOTED" else problem


def scan_records(data: bytes) -> list[tuple[int, int, int, str | None]]:
    """``(start, content end, next start, problem)`` of every record, by the state machine
    alone: the definition `cut_records` is tested against."""
    cuts: list[tuple[int, int, int, str | None]] = []
    position = 0
    while position < len(data):
        end, following, problem = _scan(data, position)
        cuts.append((position, end, following, problem))
        position = following
    return cuts


def _after_leading_fields(data: bytes, start: int) -> int:
    """Where `_LEADING_FIELDS` stops from ``start``: a multi-line record is mostly well-formed
    fields, which one regex skips far faster than `_scan` steps through them in Python."""
    leading = _LEADING_FIELDS.match(data, start)
    assert leading is not None  # a pattern that may match nothing always matches
    return leading.end()


_Positions = npt.NDArray[np.intp]
_NONE: _Positions = np.zeros(0, dtype=np.intp)


@dataclass
class _Cuts:
    """The records of one file as arrays: content start, content length, starting line."""

    starts: _Positions
    lengths: _Positions
    lines: _Positions
    problems: dict[int, str]
    """Record index -> problem found by the state machine."""


def _departures(array: npt.NDArray[np.uint8], quotes: _Positions, crs: _Positions) -> tuple[_Positions, _Positions]:
    """Where the state machine would stop following the parity of the quotes, for each parity
    of the quotes before the record it starts from (index 0: even, 1: odd), sorted.

    From a record start, while every quote opens a field (at its start) or closes one (before a
    quote, comma, CR, LF or the end of the file) and every CR outside quotes precedes an LF,
    a byte is inside a quoted field exactly when an odd number of quotes precede it since the
    record start, so the records end at the LFs with an even number of quotes before them.
    """
    last = len(array) - 1
    # Clamped at either end of the file the neighbour is the quote itself, which passes: a
    # quote may open the file's first field and close its last one.
    before = array[np.maximum(quotes - 1, 0)]
    after = array[np.minimum(quotes + 1, last)]
    opens = (before == _COMMA) | (before == _LF) | (before == _QUOTE)
    closes = (after == _QUOTE) | (after == _COMMA) | (after == _LF) | (after == _CR)
    odd = (np.arange(len(quotes)) & 1).astype(bool)
    bare = array[np.minimum(crs + 1, last)] != _LF
    cr_odd = (np.searchsorted(quotes, crs) & 1).astype(bool)
    return (
        np.sort(np.concatenate((quotes[np.where(odd, ~closes, ~opens)], crs[bare & ~cr_odd]))),
        np.sort(np.concatenate((quotes[np.where(odd, ~opens, ~closes)], crs[bare & cr_odd]))),
    )


def _terminators(lfs: _Positions, lf_parities: _Positions, clean: list[tuple[int, int, int]], scanned: list[int]) -> _Positions:
    """The LFs that end a record: in each ``(start, stop, parity)`` span cut by the parity rule,
    those with that parity of the quotes before them; then the ``scanned`` ones, which end the
    records the state machine cut between the spans."""
    spans = np.array(clean, dtype=np.intp).reshape(-1, 3)
    span = np.searchsorted(spans[:, 0], lfs, side="right") - 1
    terminates = (span >= 0) & (lfs < spans[span, 1]) & (lf_parities == spans[span, 2])
    terminates[np.searchsorted(lfs, scanned)] = True
    found: _Positions = lfs[terminates]
    return found


def cut_records(data: bytes) -> _Cuts:
    """The records of ``data`` (exactly those of `scan_records`), fast.

    NumPy finds every LF, quote and CR, and the file is cut at the LFs with an even number of
    quotes before them since the last record start (see `_departures`) up to the next byte
    where that rule and the state machine may part. The state machine cuts the record holding
    that byte, and the rule resumes after it, so it runs on irregular records only, and the
    loop over them does nothing but bisect plain lists.
    """
    size = len(data)
    if not size:
        return _Cuts(_NONE, _NONE, _NONE, {})
    array = np.frombuffer(data, dtype=np.uint8)
    special = (array == _LF) | (array == _QUOTE)
    if b"\r" in data:
        special |= array == _CR
    positions = np.flatnonzero(special)
    kinds = array[positions]
    lfs, quotes, crs = positions[kinds == _LF], positions[kinds == _QUOTE], positions[kinds == _CR]
    lf_parities = np.searchsorted(quotes, lfs) & 1
    departures = [found.tolist() for found in _departures(array, quotes, crs)]
    candidates: list[list[int]] = []
    """The LFs that end a record under the rule, by the parity of the quotes before them: only
    needed, and so only listed, once there is a departure."""
    clean: list[tuple[int, int, int]] = []
    scanned_terminators: list[int] = []
    problems_at: dict[int, str] = {}
    start = parity = 0
    while start < size:
        index = bisect_left(departures[parity], start)
        if index < len(departures[parity]):
            stop = departures[parity][index]
        elif (len(quotes) & 1) != parity:
            stop = size  # a quoted field still open at the end: the state machine finds which
        else:
            clean.append((start, size, parity))
            break
        candidates = candidates or [lfs[lf_parities == odd].tolist() for odd in (0, 1)]
        ruled = candidates[parity]
        index = bisect_left(ruled, stop) - 1
        scanned = ruled[index] + 1 if index >= 0 and ruled[index] >= start else start
        clean.append((start, scanned, parity))
        end, start, problem = _scan(data, _after_leading_fields(data, scanned))
        if problem is not None:
            problems_at[scanned] = problem
        if start > end:
            scanned_terminators.append(start - 1)
            index = bisect_left(candidates[0], start - 1)
            parity = int(index == len(candidates[0]) or candidates[0][index] != start - 1)
    terminators = _terminators(lfs, lf_parities, clean, scanned_terminators)
    starts = np.concatenate((np.zeros(1, dtype=np.intp), terminators + 1))
    # A CR just before a terminating LF is outside quotes too: the terminator is CR LF.
    ends = terminators - (array[np.maximum(terminators - 1, 0)] == _CR)
    if starts[-1] < size:
        ends = np.append(ends, size)
    else:
        starts = starts[:-1]
    indexes = np.searchsorted(starts, list(problems_at)).tolist()
    return _Cuts(starts, ends - starts, np.searchsorted(lfs, starts) + 1, dict(zip(indexes, problems_at.values(), strict=True)))


class _Utf8Errors:
    """Collects the offsets of undecodable bytes during one decode of the whole file."""

    def __init__(self) -> None:
        self.offsets: list[int] = []

    def __call__(self, error: UnicodeError) -> tuple[str, int]:
        assert isinstance(error, UnicodeDecodeError)
        self.offsets.append(error.start)
        return "", error.end


_COLLECTOR: _Utf8Errors | None = None
_COLLECTING = threading.Lock()
"""The error handler is global to the process: one file's decode at a time may use it."""


def _collect(error: UnicodeError) -> tuple[str, int]:
    assert _COLLECTOR is not None
    return _COLLECTOR(error)


codecs.register_error("spotify_etl_collect", _collect)


def utf8_problems(data: bytes) -> list[tuple[int, str]]:
    """``(offset, description)`` of every byte sequence that is not UTF-8, and of every literal
    U+FFFD (the trace of an earlier lossy conversion), in one pass over the file."""
    global _COLLECTOR  # noqa: PLW0603 - codecs error handlers are registered by name, module-wide
    problems: list[tuple[int, str]] = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        with _COLLECTING:
            _COLLECTOR = _Utf8Errors()
            try:
                data.decode("utf-8", errors="spotify_etl_collect")
                problems = [(offset, f"byte 0x{data[offset]:02X} is not UTF-8") for offset in _COLLECTOR.offsets]
            finally:
                _COLLECTOR = None
    position = data.find(_REPLACEMENT_CHARACTER)
    while position >= 0:
        problems.append((position, "U+FFFD (a character lost by an earlier conversion)"))
        position = data.find(_REPLACEMENT_CHARACTER, position + 1)
    return sorted(problems)


def header_problem(data: bytes, first_record_end: int, columns: tuple[str, ...]) -> str | None:
    """Why the file does not start with the declared header, in words, or None if it does."""
    for magic, name in COMPRESSION_MAGIC:
        if data.startswith(magic):
            return f"the file holds {name}-compressed data, not CSV text: deliver it uncompressed"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "the file is UTF-16 text: deliver it as UTF-8"
    first = data[len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0 : first_record_end]
    if first == ",".join(columns).encode():
        return None
    found = header_names(first)
    if found is None:
        return f"the first record is not a CSV header: {first[:120]!r}"
    return None if found == columns else describe_header_difference(found, columns)


def header_names(record: bytes) -> tuple[str, ...] | None:
    """A record read as a header: its fields after CSV unquoting, each trimmed of spaces, a
    leading BOM dropped (a header quoted throughout, or with spaces after its commas, names the
    same columns); None when the record is not CSV text."""
    try:
        found = next(csv.reader([record.removeprefix(UTF8_BOM).decode("utf-8")], skipinitialspace=True, strict=True), [])
    except (UnicodeDecodeError, csv.Error):
        return None
    return tuple(name.strip() for name in found)


def describe_header_difference(found: tuple[str, ...], columns: tuple[str, ...]) -> str:
    """Which declared columns are missing, which names are unexpected (with the declared name
    each one most likely misspells), or that the order or repetition differs."""
    missing = [name for name in columns if name not in found]
    unexpected = [name for name in found if name not in columns]
    parts: list[str] = []
    if missing:
        parts.append("missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(repr(m) for m in missing))
    for name in unexpected:
        guess = difflib.get_close_matches(name, missing, n=1, cutoff=0.6)
        parts.append(f"unexpected column {name!r}" + (f" (misspelt {guess[0]!r}?)" if guess else ""))
    repeated = sorted({name for name in found if found.count(name) > 1})
    if repeated:
        parts.append("repeated column" + ("s " if len(repeated) > 1 else " ") + ", ".join(repr(r) for r in repeated))
    if not parts:
        parts.append(f"columns in a different order: expected {', '.join(columns)}")
    return "header does not match the declared columns: " + "; ".join(parts)


def _check_partition(data: bytes, starts: Sequence[int] | _Positions, lengths: Sequence[int] | _Positions) -> None:
    """Fail loudly unless the records and their terminators (LF or CR LF; none after the last
    record only at the end of the file) cover every byte exactly once, in order."""
    size = len(data)
    array = np.frombuffer(data, dtype=np.uint8)
    begins = np.asarray(starts, dtype=np.intp)
    ends = begins + np.asarray(lengths, dtype=np.intp)
    gaps = np.append(begins[1:], size) - ends
    inside = (ends >= 0) & (ends < size)
    lf = inside & (array[np.clip(ends, 0, size - 1)] == _LF)
    crlf = inside & (ends + 1 < size) & (array[np.clip(ends, 0, size - 1)] == _CR) & (array[np.clip(ends + 1, 0, size - 1)] == _LF)
    bad = ends[~(((gaps == 1) & lf) | ((gaps == 2) & crlf))]
    if len(bad) and not (len(bad) == 1 and bad[0] == ends[-1] == size):
        raise AssertionError(f"records do not partition the file: gap or overlap at byte {bad[0]}")


def _blank(data: bytes, starts: _Positions, lengths: _Positions) -> list[int]:
    """Indexes of the records that hold nothing but spaces (none at all included)."""
    array = np.frombuffer(data, dtype=np.uint8)
    candidates = np.flatnonzero((lengths == 0) | (array[starts] == _SPACE)).tolist()
    return [index for index in candidates if not data[starts[index] : starts[index] + lengths[index]].strip(b" ")]


def split_file(data: bytes, columns: tuple[str, ...]) -> FileRecords:
    """All records of one file with their verdicts; the first must be the header ``columns``.

    * 0 bytes, or a UTF-8 BOM alone: no records at all (an empty file holds neither data nor a
      header; the rule is in etl/README.md).
    * A first record that is not the header: a single record, the first one, with verdict
      ``bad_header`` and the reason in words; the rest is not split, the run stops.
    * Otherwise: the header (verdict ``header``), then every data record, each with a
      `RECORD_REASONS` verdict when its bytes alone condemn it, ``repeated_header`` when it
      reads as the header (as the first record is read: unquoted, trimmed, a BOM dropped), or
      None for the parser to judge.
    """
    if not data.removeprefix(UTF8_BOM):
        return FileRecords(size=len(data))
    cuts = cut_records(data)
    problem = header_problem(data, int(cuts.lengths[0]), columns)
    if problem is not None:
        return FileRecords(len(data), [0], [int(cuts.lengths[0])], [1], [BAD_HEADER], [problem])
    _check_partition(data, cuts.starts, cuts.lengths)
    blank = _blank(data, cuts.starts, cuts.lengths)
    starts, lengths = cuts.starts.tolist(), cuts.lengths.tolist()
    count = len(starts)
    verdicts: list[str | None] = [None] * count
    details: list[str | None] = [None] * count

    def condemn(index: int, verdict: str, detail: str) -> None:
        """Record a verdict unless one of higher precedence is already there (index 0 is the header)."""
        if index == 0:
            return
        current = verdicts[index]
        if current is None or current == REPEATED_HEADER or RECORD_REASONS.index(verdict) < RECORD_REASONS.index(current):
            verdicts[index], details[index] = verdict, detail

    for index, structure in cuts.problems.items():
        if structure == "unbalanced_quotes":
            lines = data.count(b"\n", starts[index], starts[index] + lengths[index]) + 1
            condemn(index, structure, f"a quoted field is never closed: the record runs to the end of the file ({lines} lines)")
        else:
            condemn(index, "invalid_csv", structure)
    for index in blank:
        condemn(index, "blank_line", "empty record")
    for offset, description in utf8_problems(data):
        index = bisect_right(starts, offset) - 1
        condemn(index, "invalid_utf8", f"{description} (byte {offset - starts[index]} of the record)")
    # A repeated header holds every column name; the longest one rarely occurs in data, so only the
    # records holding it are read as CSV.
    marker = max(columns, key=len).encode()
    position = data.find(marker, lengths[0])
    while position >= 0:
        index = bisect_right(starts, position) - 1
        if verdicts[index] is None and header_names(data[starts[index] : starts[index] + lengths[index]]) == columns:
            verdicts[index], details[index] = REPEATED_HEADER, f"the header appears again inside the file, as record {index + 1}"
        position = data.find(marker, starts[index] + lengths[index])
    verdicts[0] = HEADER
    return FileRecords(len(data), starts, lengths, cuts.lines.tolist(), verdicts, details)
