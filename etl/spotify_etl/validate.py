"""Validation rules: each row gets the first reason (in `REASONS` order) it fails, or NULL.

Record-level defects come first because when a record is malformed every field-level verdict
on it is meaningless; the splitter (`records`) has already decided those from the record's
bytes, and its verdict wins. Rules are derived from `clean.FIELDS`, so adding a field adds its
checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from spotify_etl.clean import FIELDS, Field
from spotify_etl.read import COLUMN_COUNT, RECORD, VERDICT, VERDICT_DETAIL, raw_name
from spotify_etl.records import RECORD_REASONS
from spotify_etl.schemas import SourceSpec

REASON = "reason"
_FIRST_FAILED = "_first_failed_rule"
DETAIL = "detail"

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
class Rule:
    """A named failure condition and a human-readable detail for the rejected row."""

    reason: str
    fails: Column
    detail: Column


def _record_rules(spec: SourceSpec) -> list[Rule]:
    columns = len(spec.columns)
    # Only evaluated for a rejected record: counts the commas of an unquoted one for the detail.
    found = F.when(~F.col(RECORD).contains('"'), F.concat(F.lit(", found "), F.size(F.split(RECORD, ",")).cast("string")))
    return [
        Rule(
            "wrong_column_count",
            F.col(COLUMN_COUNT).isNull(),
            F.concat(F.lit(f"expected {columns} columns"), F.coalesce(found, F.lit(""))),
        ),
    ]


def _shown(field: Field) -> Column:
    return F.concat(F.lit(f"{field.source}="), F.coalesce(F.col(raw_name(field.source)), F.lit("<null>")))


def _field_rules(field: Field) -> list[Rule]:
    value = F.col(field.name)
    present = F.col(raw_name(field.source)).isNotNull()  # parse_records trimmed it, blank is NULL
    rules: list[Rule] = []
    if field.kind == "key":
        rules.append(Rule("null_key", value.isNull(), F.lit(f"{field.source} is empty")))
    elif field.required:
        rules.append(Rule("missing_value", ~present, F.lit(f"{field.source} is empty")))
    if field.kind == "integer":
        rules.append(Rule("invalid_number", present & value.isNull(), _shown(field)))
        if field.minimum is not None:
            rules.append(Rule(field.range_reason, value < field.minimum, _shown(field)))
        if field.maximum is not None:
            rules.append(Rule(field.range_reason, value > field.maximum, _shown(field)))
    if field.kind == "date":
        rules.append(Rule("invalid_date", present & value.isNull(), _shown(field)))
    if field.kind == "boolean":
        rules.append(Rule("invalid_boolean", present & value.isNull(), _shown(field)))
    if field.allowed:
        rules.append(Rule("invalid_enum", value.isNotNull() & ~value.isin(*field.allowed), _shown(field)))
    return rules


def rules_for(spec: SourceSpec) -> list[Rule]:
    """All rules of a source, sorted by reason precedence (stable within a reason)."""
    rules = _record_rules(spec) + [rule for field in FIELDS[spec.name] for rule in _field_rules(field)]
    return sorted(rules, key=lambda rule: REASONS.index(rule.reason))


def validate(cleaned: DataFrame, spec: SourceSpec) -> DataFrame:
    """Add ``reason`` and ``detail``: the splitter's verdict if it has one, else the first
    failed rule, else NULL for a valid row.

    The index of the first failed rule is computed once (``coalesce`` stops at the first
    match) and both outputs are looked up from it, so no rule is evaluated twice per row.
    """
    rules = rules_for(spec)
    first_failed_rule = F.coalesce(*[F.when(rule.fails, F.lit(index)) for index, rule in enumerate(rules)])
    first_failed = F.col(_FIRST_FAILED)
    verdict = F.col(VERDICT)
    reason = F.coalesce(verdict, F.element_at(F.array(*[F.lit(rule.reason) for rule in rules]), first_failed + 1))
    detail = F.when(verdict.isNotNull(), F.col(VERDICT_DETAIL)).when(first_failed.isNull(), F.lit(None).cast("string"))
    for index, rule in enumerate(rules):
        detail = detail.when(first_failed == index, rule.detail)
    with_index = cleaned.withColumn(_FIRST_FAILED, F.when(verdict.isNull(), first_failed_rule))
    return with_index.select("*", reason.alias(REASON), detail.alias(DETAIL)).drop(_FIRST_FAILED, VERDICT, VERDICT_DETAIL)
