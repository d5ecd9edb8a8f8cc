"""RFC 4180 records of one CSV file, found in its exact bytes: pure Python, no Spark.

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
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

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
_ONE_LINE_RECORD = re.compile(_FIELD + rb"(?:," + _FIELD + rb")*+")
"""A complete, well-formed record within one line: the fast path for a line that contains a
quote; a line it does not match goes through the state machine."""
_LEADING_FIELDS = re.compile(rb"(?:" + _FIELD + rb",)*+")
"""Complete, well-formed fields each followed by its comma: after them the state machine is
in state FIELD with no problem seen, so it can start there instead of byte by byte."""
_BLANK_LINE = re.compile(rb"(?m)^ *\r?$")

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


@dataclass
class _Cuts:
    starts: list[int]
    lengths: list[int]
    lines: list[int]
    problems: dict[int, str]
    """Record index -> problem found by the state machine."""


def cut_records(data: bytes) -> _Cuts:
    """The records of ``data`` (exactly those of `scan_records`), fast.

    A file is first cut into lines by C-level calls (``split``, ``map``, ``accumulate``); only
    lines that contain a quote or a CR are looked at one by one, and only those that are not
    a complete, well-formed one-line record run the state machine, which may merge them with
    the lines that follow into one record.
    """
    if not data:
        return _Cuts([], [], [], {})
    pieces = data.split(b"\n")
    terminated = pieces[-1] == b""
    if terminated:
        pieces.pop()
    count = len(pieces)
    lengths = list(map(len, pieces))
    starts = list(accumulate(map((1).__add__, lengths[:-1]), initial=0))
    irregular: list[int] = []
    if b"\r" in data:
        for index, piece in enumerate(pieces):
            if piece.endswith(b"\r") and (terminated or index < count - 1):
                lengths[index] -= 1
        irregular = [index for index, piece in enumerate(pieces) if b"\r" in piece[: lengths[index]]]
    if b'"' in data:
        irregular = sorted(set(irregular).union(index for index, piece in enumerate(pieces) if b'"' in piece))
    problems: dict[int, str] = {}
    merged: dict[int, int] = {}
    """First line of a multi-line record -> its last line."""
    consumed_until = -1
    match = _ONE_LINE_RECORD.fullmatch
    for index in irregular:
        if index <= consumed_until:
            continue
        start = starts[index]
        if match(data, start, start + lengths[index]):
            continue
        end, following, problem = _scan(data, _after_leading_fields(data, start))
        last = bisect_right(starts, following - 1) - 1
        lengths[index] = end - start
        if problem is not None:
            problems[index] = problem
        if last > index:
            merged[index] = last
            consumed_until = last
    if not merged:
        return _Cuts(starts, lengths, list(range(1, count + 1)), problems)
    keep_starts: list[int] = []
    keep_lengths: list[int] = []
    keep_lines: list[int] = []
    keep_problems: dict[int, str] = {}
    index = 0
    while index < count:
        if index in problems:
            keep_problems[len(keep_starts)] = problems[index]
        keep_starts.append(starts[index])
        keep_lengths.append(lengths[index])
        keep_lines.append(index + 1)
        index = merged.get(index, index) + 1
    return _Cuts(keep_starts, keep_lengths, keep_lines, keep_problems)


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
    try:
        found = next(csv.reader([first.decode("utf-8")], strict=True), [])
    except (UnicodeDecodeError, csv.Error):
        return f"the first record is not a CSV header: {first[:120]!r}"
    return describe_header_difference(tuple(name.strip() for name in found), columns)


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


def _check_partition(data: bytes, starts: list[int], lengths: list[int]) -> None:
    """Fail loudly unless the records and their terminators (LF or CR LF; none after the last
    record only at the end of the file) cover every byte exactly once, in order."""
    ends = [start + length for start, length in zip(starts, lengths, strict=True)]
    following = [*starts[1:], len(data)]
    bad = [
        end
        for end, after in zip(ends, following, strict=True)
        if not ((after - end == 1 and data[end] == _LF) or (after - end == 2 and data[end : end + 2] == b"\r\n"))
    ]
    if bad and not (bad == [ends[-1]] and ends[-1] == len(data)):
        raise AssertionError(f"records do not partition the file: gap or overlap at byte {bad[0]}")


def split_file(data: bytes, columns: tuple[str, ...]) -> FileRecords:
    """All records of one file with their verdicts; the first must be the header ``columns``.

    * 0 bytes: no records at all (an empty file holds neither data nor a header; the rule is
      in etl/README.md).
    * A first record that is not the header: a single record, the first one, with verdict
      ``bad_header`` and the reason in words; the rest is not split, the run stops.
    * Otherwise: the header (verdict ``header``), then every data record, each with a
      `RECORD_REASONS` verdict when its bytes alone condemn it, ``repeated_header`` when it
      equals the header, or None for the parser to judge.
    """
    if not data:
        return FileRecords(size=0)
    cuts = cut_records(data)
    starts, lengths = cuts.starts, cuts.lengths
    problem = header_problem(data, lengths[0], columns)
    if problem is not None:
        return FileRecords(len(data), [0], [lengths[0]], [1], [BAD_HEADER], [problem])
    _check_partition(data, starts, lengths)
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
    for blank in _BLANK_LINE.finditer(data):
        index = bisect_right(starts, blank.start()) - 1
        if starts[index] == blank.start() and not data[starts[index] : starts[index] + lengths[index]].strip(b" "):
            condemn(index, "blank_line", "empty record")
    for offset, description in utf8_problems(data):
        index = bisect_right(starts, offset) - 1
        condemn(index, "invalid_utf8", f"{description} (byte {offset - starts[index]} of the record)")
    header = ",".join(columns).encode()
    position = data.find(header, lengths[0])
    while position >= 0:
        index = bisect_right(starts, position) - 1
        if starts[index] == position and lengths[index] == len(header) and verdicts[index] is None:
            verdicts[index], details[index] = REPEATED_HEADER, "the header appears again inside the file"
        position = data.find(header, position + 1)
    verdicts[0] = HEADER
    return FileRecords(len(data), starts, lengths, cuts.lines, verdicts, details)
