"""The record splitter (`spotify_etl.records`), in plain Python: exact on valid RFC 4180, total
and safe on anything else. Property-style: thousands of seeded random files, checked against
Python's ``csv`` module and against the state machine alone."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import random

import pytest

from spotify_etl.records import (
    BAD_HEADER,
    HEADER,
    REPEATED_HEADER,
    cut_records,
    describe_header_difference,
    scan_records,
    split_file,
    utf8_problems,
)

COLUMNS = ("id", "name", "count")
HEADER_LINE = b"id,name,count"
PIECES = ["a", "b", "Zoë", "夜", " ", ",", '"', '""', "\n", "\r\n", "\r", "x,y", "1"]


def _field(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))


def _row_text(values: list[str], quote_all: bool) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerow(values)
    return buffer.getvalue().removesuffix("\r\n")


def _valid_file(rng: random.Random) -> tuple[bytes, list[bytes], list[list[str]]]:
    """A random RFC 4180 file: header, rows of nasty fields (some holding a whole other row on
    a line of their own), LF or CR LF terminators, with or without a final one."""
    rows: list[list[str]] = []
    for _ in range(rng.randint(0, 12)):
        row = [_field(rng) for _ in COLUMNS]
        if rng.random() < 0.3:
            row[1] = f"intro\n{_row_text([_field(rng), 'fake', '7'], quote_all=False)}\noutro"
        if row == [""] * len(COLUMNS):
            row[0] = "x"
        rows.append(row)
    quote_all = rng.choice([False, True])
    records = [HEADER_LINE] + [_row_text(row, quote_all).encode("utf-8") for row in rows]
    terminator = rng.choice([b"\n", b"\r\n"])
    data = terminator.join(records) + (terminator if rng.random() < 0.8 else b"")
    return data, records, rows


def _records(data: bytes) -> list[bytes]:
    found = split_file(data, COLUMNS)
    return [data[start : start + length] for start, length in zip(found.starts, found.lengths, strict=True)]


def test_valid_files_split_into_exactly_their_records() -> None:
    rng = random.Random(4180)
    for _ in range(3000):
        data, records, rows = _valid_file(rng)
        found = split_file(data, COLUMNS)
        assert _records(data) == records, data
        assert found.verdicts == [HEADER] + [None] * len(rows), data
        parsed = [next(csv.reader([record.decode("utf-8")], strict=True)) for record in records[1:]]
        assert parsed == rows
        assert list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), strict=True))[1:] == rows


def test_no_line_inside_a_quoted_field_is_ever_a_record() -> None:
    """The issue's case, spelled out: the middle line is a valid row on its own."""
    fragment = "fake,Fragment,7"
    data = HEADER_LINE + b'\nreal,"The Band\n' + fragment.encode() + b'\nReunion",3\n'
    assert _records(data) == [HEADER_LINE, b'real,"The Band\nfake,Fragment,7\nReunion",3']
    assert split_file(data, COLUMNS).lines == [1, 2]


def _arbitrary(rng: random.Random) -> bytes:
    alphabet = [b"a", b",", b'"', b'""', b"\n", b"\r", b"\r\n", b" ", b"\xe9", b"\xc3\xa9", b"id,name,count"]
    return b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))


def test_on_any_input_the_fast_path_is_the_state_machine() -> None:
    rng = random.Random(7)
    for _ in range(20000):
        data = _arbitrary(rng)
        cuts = cut_records(data)
        reference = scan_records(data)
        assert [(start, start + length) for start, length in zip(cuts.starts, cuts.lengths, strict=True)] == [
            (start, end) for start, end, _, _ in reference
        ], data
        assert cuts.problems == {index: problem for index, (_, _, _, problem) in enumerate(reference) if problem}, data


def test_on_any_input_records_partition_the_bytes_and_only_whole_records_parse() -> None:
    """Every byte is in exactly one record or its terminator (LF or CR LF), and a record the
    splitter does not condemn is exactly one well-formed CSV record for Python's ``csv``."""
    rng = random.Random(11)
    for _ in range(20000):
        data = HEADER_LINE + b"\n" + _arbitrary(rng)
        found = split_file(data, COLUMNS)
        position = 0
        for start, length, verdict in zip(found.starts, found.lengths, found.verdicts, strict=True):
            assert start == position, data
            end = start + length
            terminator = data[end : end + 2] if data[end : end + 2] == b"\r\n" else data[end : end + 1]
            assert terminator in (b"\n", b"\r\n", b""), data
            position = end + len(terminator)
            if verdict is None:
                text = data[start:end].decode("utf-8")
                reader = csv.reader([text], strict=True)
                assert len(list(reader)) == 1 and reader.line_num == 1, data
        assert position == len(data), data


@pytest.mark.parametrize(
    ("body", "verdict", "detail"),
    [
        (b'a,"open\nb,1,2\n', "unbalanced_quotes", "runs to the end of the file (3 lines)"),
        (b'a,12" Mix,3\n', "invalid_csv", "double quote inside an unquoted field"),
        (b'a,"closed"x,3\n', "invalid_csv", "text after the closing quote"),
        (b"a,b\rc,3\n", "invalid_csv", "carriage return outside quotes"),
        (b"a,b,3\r", "invalid_csv", "carriage return outside quotes"),
        (b"\n", "blank_line", "empty record"),
        (b"   \r\n", "blank_line", "empty record"),
        (b"a,\xe9,3\n", "invalid_utf8", "byte 0xE9 is not UTF-8 (byte 2 of the record)"),
        (b"a,\xef\xbf\xbd,3\n", "invalid_utf8", "U+FFFD"),
        (HEADER_LINE + b"\n", REPEATED_HEADER, "appears again"),
    ],
)
def test_record_verdicts(body: bytes, verdict: str, detail: str) -> None:
    found = split_file(HEADER_LINE + b"\n" + body, COLUMNS)
    assert found.verdicts[0] == HEADER
    assert found.verdicts[1] == verdict and detail in str(found.details[1])


def test_a_stray_quote_costs_one_record_not_the_rest_of_the_file() -> None:
    data = HEADER_LINE + b'\na,12" Mix,3\nb,ok,4\nc,"q",5\n'
    assert _records(data)[1:] == [b'a,12" Mix,3', b"b,ok,4", b'c,"q",5']
    assert split_file(data, COLUMNS).verdicts[1:] == ["invalid_csv", None, None]


def test_after_an_irregular_record_the_fast_path_resumes_in_step() -> None:
    """Irregular records with an odd number of quotes, among multi-line records (CR LF inside
    quotes included), then a quoted field that never closes: the state machine's records."""
    body = b'a,12" Mix,3\nb,"two\r\nlines",4\r\nc,"x"y,5\nd,"3\n\n3",6\ne,""""\rz,7\nf,"\n"\n'
    data = HEADER_LINE + b"\n" + body * 3 + b'g,"open,8\nh,1,2\n'
    cuts = cut_records(data)
    assert [(start, start + length) for start, length in zip(cuts.starts, cuts.lengths, strict=True)] == [
        (start, end) for start, end, _, _ in scan_records(data)
    ]
    found = split_file(data, COLUMNS)
    assert found.verdicts[1:] == ["invalid_csv", None, "invalid_csv", None, "invalid_csv", None] * 3 + ["unbalanced_quotes"]
    assert found.lines[1:] == [line + offset for offset in (0, 10, 20) for line in (2, 3, 5, 6, 9, 10)] + [32]


def test_files_with_a_bom_crlf_and_no_final_terminator() -> None:
    data = b"\xef\xbb\xbf" + HEADER_LINE + b"\r\na,b,1\r\n\r\nc,d,2"
    found = split_file(data, COLUMNS)
    assert _records(data) == [b"\xef\xbb\xbf" + HEADER_LINE, b"a,b,1", b"", b"c,d,2"]
    assert found.verdicts == [HEADER, None, "blank_line", None]
    assert found.lines == [1, 2, 3, 4]


def test_an_empty_file_has_no_records_and_a_header_only_file_has_only_its_header() -> None:
    assert split_file(b"", COLUMNS).starts == []
    only = split_file(HEADER_LINE + b"\n", COLUMNS)
    assert (only.verdicts, only.data_records) == ([HEADER], 0)


def test_a_bom_alone_is_an_empty_file() -> None:
    found = split_file(b"\xef\xbb\xbf", COLUMNS)
    assert (found.starts, found.data_records, found.size) == ([], 0, 3)


@pytest.mark.parametrize(
    "header",
    [b'"id","name","count"', b"id, name, count", b'"id", "name", "count"', b"\xef\xbb\xbf\"id\",\"name\",\"count\""],
)
def test_a_header_quoted_or_spaced_names_the_declared_columns(header: bytes) -> None:
    found = split_file(header + b"\na,b,1\n", COLUMNS)
    assert found.verdicts == [HEADER, None]


@pytest.mark.parametrize(
    "repeated",
    [HEADER_LINE, b"\xef\xbb\xbf" + HEADER_LINE, b'"id","name","count"', b"id , name,count"],
)
def test_a_repeated_header_is_refused_however_it_is_written(repeated: bytes) -> None:
    data = HEADER_LINE + b"\na,b,1\n" + repeated + b"\nc,d,2\n"
    found = split_file(data, COLUMNS)
    assert found.verdicts == [HEADER, None, REPEATED_HEADER, None]
    assert found.details[2] == "the header appears again inside the file, as record 3"


def test_a_data_record_holding_a_column_name_is_not_a_header() -> None:
    data = HEADER_LINE + b"\ncount,name,1\nid,name count,2\n"
    assert split_file(data, COLUMNS).verdicts == [HEADER, None, None]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (gzip.compress(HEADER_LINE + b"\na,b,1\n"), "gzip-compressed data, not CSV text: deliver it uncompressed"),
        (bz2.compress(HEADER_LINE + b"\na,b,1\n"), "bzip2-compressed"),
        (b"\x28\xb5\x2f\xfd\x00\x00", "zstd-compressed"),
        ("id,name,count\n".encode("utf-16"), "UTF-16"),
        (b"id,count\na,1\n", "missing column 'name'"),
        (b"id,nmae,count\n", "missing column 'name'; unexpected column 'nmae' (misspelt 'name'?)"),
        (b"id,name,count,extra\n", "unexpected column 'extra'"),
        (b"id,count,name\n", "columns in a different order: expected id, name, count"),
        (b"id,name,name,count\n", "repeated column 'name'"),
        (b"\n" + HEADER_LINE + b"\n", "missing columns 'id', 'name', 'count'"),
    ],
)
def test_a_file_without_the_header_is_refused_with_the_reason(data: bytes, message: str) -> None:
    found = split_file(data, COLUMNS)
    assert found.verdicts == [BAD_HEADER], "a refused file is not split any further"
    assert message in str(found.details[0])


def test_header_difference_wording() -> None:
    assert describe_header_difference(("id", "popularity", "explicit"), ("id", "track_popularity", "explicit")) == (
        "header does not match the declared columns: missing column 'track_popularity'; "
        "unexpected column 'popularity' (misspelt 'track_popularity'?)"
    )


def test_utf8_problems_are_found_in_one_pass_with_their_offsets() -> None:
    data = b"ok\xe9 \xff\xfe ok \xef\xbf\xbd \xc3\xa9"
    assert [offset for offset, _ in utf8_problems(data)] == [2, 4, 5, 10]
    assert utf8_problems("plain Zoë 夜".encode()) == []


def test_the_partition_check_catches_a_gap_or_an_overlap() -> None:
    from spotify_etl.records import _check_partition  # noqa: PLC0415 - the guard split_file runs

    _check_partition(b"ab\ncd\r\nef", [0, 3, 7], [2, 2, 2])
    for starts, lengths in (([0, 2], [2, 2]), ([0, 3], [3, 2]), ([0, 3], [2, 1])):
        with pytest.raises(AssertionError, match="do not partition"):
            _check_partition(b"ab\ncd", starts, lengths)
