"""The one rule for a missing genre, checked the same way on DuckDB and on Trino.

The warehouse keeps a NULL genre (the fact); hit_score_insights labels it 'unknown' (the label),
and every view that shows a genre reads it from there. So a genre filter defined on
hit_score_insights can select every row of every view, and no chart shows both a NULL and an
'unknown' group. The only NULL genre allowed is popularity_needs' "every genre" rows, which
belong to no genre.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MISSING_GENRE = "unknown"
FILTER_VIEW = "hit_score_insights"


def _allowed_null(view: str, row: Mapping[str, Any]) -> bool:
    return view == "popularity_needs" and row.get("breakdown") == "all"


def genre_rule_problems(rows_by_view: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[str]:
    """Every way the views' genres break the rule, each naming the view; empty when they keep it."""
    problems: list[str] = []
    filter_values = {row["genre"] for row in rows_by_view[FILTER_VIEW]}
    if MISSING_GENRE not in filter_values:
        problems.append(f"{FILTER_VIEW}: no '{MISSING_GENRE}' genre, although the warehouse holds rows without one")
    for view, rows in rows_by_view.items():
        nulls = sum(1 for row in rows if row["genre"] is None and not _allowed_null(view, row))
        if nulls:
            problems.append(f"{view}: {nulls} row(s) with a NULL genre (a missing genre must read '{MISSING_GENRE}')")
        unreachable = sorted({row["genre"] for row in rows if row["genre"] is not None} - filter_values)
        if unreachable:
            problems.append(f"{view}: genre(s) {unreachable} that the genre filter (on {FILTER_VIEW}) cannot select")
    return problems
