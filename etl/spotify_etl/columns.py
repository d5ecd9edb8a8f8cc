"""Names of the columns every classified row carries, shared by the Arrow side (`file_rows`,
in Spark's Python workers) and the Spark side (`read`, `dedupe`, `reconcile`, `pipeline`)."""

from __future__ import annotations

SOURCE_FILE = "source_file"
RECORD_NUMBER = "record_number"
"""1-based position of the record in its file; the header is record 1."""
LINE_NUMBER = "line_number"
"""1-based physical line on which the record starts."""
RECORD = "record"
"""The record's exact bytes (its terminator excluded)."""
FILE_RECORDS = "file_records"
"""Records the splitter found in the record's file, header included."""
REASON = "reason"
"""NULL for an accepted row, else a rejection reason (`validate.REASONS`) or a file verdict
(`records.FILE_VERDICTS`: ``header`` for each file's header)."""
DETAIL = "detail"
"""Why, in words, for a rejected record or a file verdict."""

PROVENANCE: tuple[str, ...] = (SOURCE_FILE, RECORD_NUMBER, LINE_NUMBER, RECORD, FILE_RECORDS)
"""Columns that say where a row came from; they travel with it to rejected/ and unmatched/."""
