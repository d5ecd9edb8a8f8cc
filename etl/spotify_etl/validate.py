"""Validation rules: each record gets the first reason (in `REASONS` order) it fails, or NULL.

Record-level defects come first because when a record is malformed every field-level verdict
on it is meaningless; the splitter (`records`) has already decided those from the record's
bytes, and its verdict wins. Rules are derived from `clean.FIELDS`, so adding a field adds its
checks. Everything here works on whole columns (Arrow arrays and NumPy masks, in Spark's
Python workers); only the detail of a rejected record is written one record at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from spotify_etl.clean import FIELDS, Field
from spotify_etl.records import RECORD_REASONS
from spotify_etl.schemas import SourceSpec

REASONS: tuple[str, ...] = (
    *RECORD_REASONS,
    "wrong_column_count",
    "null_key",
    "missing_value",
    "invalid_number",
    "out_of_range",
    "non_positive_duration",
    "invalid_date",
    "invalid_boolean",
    "invalid_enum",
    "duplicate",
)
"""Every rejection reason, in precedence order: the splitter's (`records.RECORD_REASONS`:
``invalid_utf8``, ``blank_line``, ``unbalanced_quotes``, ``invalid_csv``), then the rules
below; ``duplicate`` is assigned by `dedupe`."""


@dataclass(frozen=True)
class Columns:
    """What the rules look at, for every record of one file."""

    raw: Mapping[str, pa.Array]
    """Trimmed raw strings by source column, NULL when empty (and for a record that was not parsed)."""
    typed: Mapping[str, pa.Array]
    """Cleaned values by field name (`clean.typed_columns`)."""
    complete: np.ndarray
    """True where the record has exactly the declared columns."""
    records: Sequence[bytes]

    def present(self, source: str) -> np.ndarray:
        return _mask(pc.is_valid(self.raw[source]))

    def missing(self, name: str) -> np.ndarray:
        return _mask(pc.is_null(self.typed[name]))


def _mask(values: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


@dataclass(frozen=True)
class Rule:
    """A named failure condition and a human-readable detail for a record that fails it."""

    reason: str
    fails: Callable[[Columns], np.ndarray]
    detail: Callable[[Columns, int], str]


def _column_count_detail(columns: int) -> Callable[[Columns, int], str]:
    def detail(found: Columns, index: int) -> str:
        record = found.records[index]
        # The commas of an unquoted record are its separators; a quoted one is not counted.
        counted = "" if b'"' in record else f", found {record.count(b',') + 1}"
        return f"expected {columns} columns{counted}"

    return detail


def _record_rules(spec: SourceSpec) -> list[Rule]:
    return [Rule("wrong_column_count", lambda found: ~found.complete, _column_count_detail(len(spec.columns)))]


def _shown(field: Field) -> Callable[[Columns, int], str]:
    def detail(found: Columns, index: int) -> str:
        value = found.raw[field.source][index].as_py()
        return f"{field.source}={'<null>' if value is None else value}"

    return detail


def _empty(field: Field) -> Callable[[Columns, int], str]:
    return lambda found, index: f"{field.source} is empty"


def _below(field: Field, bound: int) -> Callable[[Columns], np.ndarray]:
    return lambda found: _mask(pc.less(found.typed[field.name], bound))


def _above(field: Field, bound: int) -> Callable[[Columns], np.ndarray]:
    return lambda found: _mask(pc.greater(found.typed[field.name], bound))


def _unreadable(field: Field) -> Callable[[Columns], np.ndarray]:
    """Present in the record, but not a value of the field's kind."""
    return lambda found: found.present(field.source) & found.missing(field.name)


def _not_allowed(field: Field) -> Callable[[Columns], np.ndarray]:
    allowed = pa.array(field.allowed)
    return lambda found: ~found.missing(field.name) & ~_mask(pc.is_in(found.typed[field.name], value_set=allowed))


def _field_rules(field: Field) -> list[Rule]:
    rules: list[Rule] = []
    if field.kind == "key":
        rules.append(Rule("null_key", lambda found: found.missing(field.name), _empty(field)))
    elif field.required:
        rules.append(Rule("missing_value", lambda found: ~found.present(field.source), _empty(field)))
    unreadable = {"integer": "invalid_number", "date": "invalid_date", "boolean": "invalid_boolean"}
    if field.kind in unreadable:
        rules.append(Rule(unreadable[field.kind], _unreadable(field), _shown(field)))
    if field.minimum is not None:
        rules.append(Rule(field.range_reason, _below(field, field.minimum), _shown(field)))
    if field.maximum is not None:
        rules.append(Rule(field.range_reason, _above(field, field.maximum), _shown(field)))
    if field.allowed:
        rules.append(Rule("invalid_enum", _not_allowed(field), _shown(field)))
    return rules


def rules_for(spec: SourceSpec) -> list[Rule]:
    """All rules of a source, sorted by reason precedence (stable within a reason)."""
    rules = _record_rules(spec) + [rule for field in FIELDS[spec.name] for rule in _field_rules(field)]
    return sorted(rules, key=lambda rule: REASONS.index(rule.reason))


def validate(found: Columns, verdicts: Sequence[str | None], details: Sequence[str | None], spec: SourceSpec) -> tuple[pa.Array, pa.Array]:
    """``reason`` and ``detail`` of every record: the splitter's verdict if it has one, else the
    first failed rule, else NULL for a valid record.

    Each rule is evaluated once over the whole column; the first failed rule of each record is
    kept, and the detail is written only for the records it condemns.
    """
    rules = rules_for(spec)
    judged = np.array([verdict is None for verdict in verdicts], dtype=bool)
    first_failed = np.full(len(verdicts), -1)
    for index, rule in enumerate(rules):
        first_failed[(first_failed < 0) & judged & rule.fails(found)] = index
    reasons, texts = list(verdicts), list(details)
    for record in np.flatnonzero(first_failed >= 0).tolist():
        rule = rules[first_failed[record]]
        reasons[record], texts[record] = rule.reason, rule.detail(found, record)
    return pa.array(reasons, pa.string()), pa.array(texts, pa.string())
