"""The SQL results agree with an independent computation in plain Python and numpy.

The reference reads the warehouse rows straight from the Parquet (``raw_rows``) and
recomputes every query from the business rules in queries/README.md; nothing here is
a hard-coded expected value.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from query_engines.genre_rule import genre_rule_problems
from query_engines.local import QueryResult

Row = dict[str, Any]
TOLERANCE = 1e-9


# --- reference rules --------------------------------------------------------------------


def ref_duration_fit(duration_sec: float) -> float:
    return min(100.0, max(0.0, (1.0 - abs(duration_sec - 180.0) / 180.0) * 100.0))


def ref_is_scored(row: Row) -> bool:
    return bool(
        row["track_matched"]
        and row["artist_matched"]
        and row["track_popularity"] is not None
        and row["artist_popularity"] is not None
        and row["album_popularity"] is not None
    )


def ref_hit_score(row: Row) -> float | None:
    if not ref_is_scored(row):
        return None
    return float(
        0.4 * row["track_popularity"]
        + 0.3 * row["artist_popularity"]
        + 0.2 * row["album_popularity"]
        + 0.1 * ref_duration_fit(row["duration_sec"])
    )


def ref_duration_band(duration_sec: float | None) -> str:
    """Whole-minute bands from 2 to 6 minutes, open at both ends."""
    if duration_sec is None:
        return "unknown"
    if duration_sec < 120:
        return "0-2 min"
    if duration_sec >= 360:
        return "6+ min"
    minutes = int(duration_sec // 60)
    return f"{minutes}-{minutes + 1} min"


def genre_label(row: Row) -> str:
    return row["genre"] if row["genre"] is not None else "unknown"


def mean(values: Iterable[float | int | None]) -> float | None:
    known = [float(value) for value in values if value is not None]
    return sum(known) / len(known) if known else None


def ref_corr(x: Sequence[float], y: Sequence[float]) -> float | None:
    """numpy.corrcoef with NaN (constant side, fewer than two rows) normalised to None."""
    if len(x) < 2:
        return None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(np.corrcoef(np.asarray(x, dtype=float), np.asarray(y, dtype=float))[0, 1])
    return None if math.isnan(value) else value


# --- comparison helpers -----------------------------------------------------------------


def same(actual: object, expected: object) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    if isinstance(expected, float) or isinstance(actual, float):
        assert not (isinstance(actual, float) and math.isnan(actual)), "NaN leaked from SQL"
        if not isinstance(actual, int | float | Decimal) or not isinstance(expected, int | float | Decimal):
            return False
        return math.isclose(float(actual), float(expected), rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return actual == expected


def sort_key(row: Row, keys: Sequence[str]) -> tuple[tuple[bool, Any], ...]:
    return tuple((row[key] is None, row[key] if row[key] is not None else 0) for key in keys)


def assert_rows_equal(
    actual: list[Row], expected: list[Row], keys: Sequence[str], label: str
) -> None:
    """Same multiset of rows, matched by ``keys`` (each key tuple must be unique)."""
    assert len(actual) == len(expected), f"{label}: {len(actual)} rows, expected {len(expected)}"
    actual_sorted = sorted(actual, key=lambda row: sort_key(row, keys))
    expected_sorted = sorted(expected, key=lambda row: sort_key(row, keys))
    for got, want in zip(actual_sorted, expected_sorted, strict=True):
        for column, value in want.items():
            assert same(got[column], value), (
                f"{label} {[got[k] for k in keys]}: {column} = {got[column]!r}, expected {value!r}"
            )


def unique_keys(rows: list[Row], keys: Sequence[str]) -> None:
    seen = [tuple(row[key] for key in keys) for row in rows]
    assert len(seen) == len(set(seen)), f"{keys} is not unique in the warehouse rows"


ROW_KEY = ("album_id", "track_id")


# --- hit_score_insights -----------------------------------------------------------------


def test_hit_score_insights_recomputed_per_row(
    results: dict[str, QueryResult], raw_rows: list[Row]
) -> None:
    unique_keys(raw_rows, ROW_KEY)
    expected = [
        {
            "album_id": row["album_id"],
            "track_id": row["track_id"],
            "track_name": row["track_name"],
            "genre": genre_label(row),
            "explicit_label": {True: "explicit", False: "clean", None: "unknown"}[row["explicit"]],
            "duration_band": ref_duration_band(row["duration_sec"]),
            "release_year": row["release_year"],
            "track_popularity": row["track_popularity"],
            "artist_popularity": row["artist_popularity"],
            "album_popularity": row["album_popularity"],
            "duration_sec": row["duration_sec"],
            "duration_fit": ref_duration_fit(row["duration_sec"]),
            "is_scored": ref_is_scored(row),
            "hit_score": ref_hit_score(row),
        }
        for row in raw_rows
    ]
    actual = results["hit_score_insights"].records()
    assert_rows_equal(actual, expected, ROW_KEY, "hit_score_insights")
    for row in actual:
        assert 0.0 <= row["duration_fit"] <= 100.0
        if row["hit_score"] is not None:
            assert 0.0 <= row["hit_score"] <= 100.0


# --- genre_ranked_hits ------------------------------------------------------------------


def test_genre_ranked_hits_has_the_scored_rows_with_their_scores(
    results: dict[str, QueryResult], raw_rows: list[Row]
) -> None:
    expected = [
        {
            "album_id": row["album_id"],
            "track_id": row["track_id"],
            "genre": genre_label(row),
            "hit_score": ref_hit_score(row),
        }
        for row in raw_rows
        if ref_is_scored(row)
    ]
    assert_rows_equal(results["genre_ranked_hits"].records(), expected, ROW_KEY, "genre_ranked_hits")


def test_genre_ranks_follow_scores_with_tie_breaks(
    results: dict[str, QueryResult], raw_rows: list[Row]
) -> None:
    scores = {(r["album_id"], r["track_id"]): ref_hit_score(r) for r in raw_rows if ref_is_scored(r)}
    by_genre: dict[str, list[Row]] = defaultdict(list)
    for row in results["genre_ranked_hits"].records():
        by_genre[row["genre"]].append(row)
    for genre, rows in by_genre.items():
        # Positions are 1..n in (score desc, track_id, album_id) order.
        ordered = sorted(rows, key=lambda r: (-r["hit_score"], r["track_id"], r["album_id"]))
        assert [r["genre_position"] for r in ordered] == list(range(1, len(rows) + 1)), genre
        # rank(): 1 + number of strictly better scores in the genre; ties share a rank.
        for row in rows:
            better = sum(1 for other in rows if other["hit_score"] > row["hit_score"])
            assert row["genre_rank"] == better + 1, (genre, row["track_id"])
        # Monotone: walking down the positions, scores never rise and ranks never fall.
        for upper, lower in itertools.pairwise(ordered):
            assert upper["hit_score"] >= lower["hit_score"]
            assert upper["genre_rank"] <= lower["genre_rank"]
            assert (upper["genre_rank"] == lower["genre_rank"]) == (
                upper["hit_score"] == lower["hit_score"]
            )
        # Genre aggregates from the reference scores.
        reference = [scores[(r["album_id"], r["track_id"])] for r in rows]
        for row in rows:
            assert row["genre_track_count"] == len(rows)
            assert same(row["genre_avg_hit_score"], mean(reference)), genre


def test_repeated_track_names_are_numbered_in_release_order(
    results: dict[str, QueryResult], raw_rows: list[Row]
) -> None:
    """name_instance: 1 is the earliest release of a title among the scored rows (release_date,
    then track_id, album_id), as the seed numbered repeats; not the best-scored one."""
    released = {(r["album_id"], r["track_id"]): r["release_date"] for r in raw_rows}
    rows = results["genre_ranked_hits"].records()
    by_name: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row["track_name"] is None:
            assert row["name_instance"] is None and row["name_occurrences"] is None
        else:
            by_name[row["track_name"]].append(row)
    for name, group in by_name.items():
        ordered = sorted(
            group, key=lambda r: (released[(r["album_id"], r["track_id"])], r["track_id"], r["album_id"])
        )
        assert [r["name_instance"] for r in ordered] == list(range(1, len(group) + 1)), name
        assert {r["name_occurrences"] for r in group} == {len(group)}, name


# --- genre_summary and popularity_trends ------------------------------------------------


def group_aggregates(rows: list[Row]) -> dict[str, Any]:
    scores = [ref_hit_score(row) for row in rows]
    known_scores = [score for score in scores if score is not None]
    return {
        "track_count": len(rows),
        "scored_track_count": len(known_scores),
        "avg_hit_score": mean(known_scores),
        "avg_track_popularity": mean(row["track_popularity"] for row in rows),
        "avg_artist_popularity": mean(row["artist_popularity"] for row in rows),
        "avg_album_popularity": mean(row["album_popularity"] for row in rows),
        "avg_duration_sec": mean(row["duration_sec"] for row in rows),
    }


def test_genre_summary_aggregates(results: dict[str, QueryResult], raw_rows: list[Row]) -> None:
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in raw_rows:
        groups[genre_label(row)].append(row)
    expected = []
    for genre, rows in groups.items():
        known = [s for s in (ref_hit_score(r) for r in rows) if s is not None]
        expected.append(
            {"genre": genre, **group_aggregates(rows), "max_hit_score": max(known) if known else None}
        )
    assert_rows_equal(results["genre_summary"].records(), expected, ["genre"], "genre_summary")


def test_popularity_trends_aggregates(results: dict[str, QueryResult], raw_rows: list[Row]) -> None:
    groups: dict[int, list[Row]] = defaultdict(list)
    for row in raw_rows:
        groups[row["release_year"]].append(row)
    expected = [
        {
            "release_year": year,
            **group_aggregates(rows),
            "explicit_share": mean(
                (1.0 if row["explicit"] else 0.0) for row in rows if row["explicit"] is not None
            ),
        }
        for year, rows in groups.items()
    ]
    assert_rows_equal(
        results["popularity_trends"].records(), expected, ["release_year"], "popularity_trends"
    )


# --- track_vs_artist_popularity ---------------------------------------------------------


def test_track_vs_artist_popularity(results: dict[str, QueryResult], raw_rows: list[Row]) -> None:
    expected = [
        {
            "album_id": row["album_id"],
            "track_id": row["track_id"],
            "genre": genre_label(row),
            "track_popularity": row["track_popularity"],
            "artist_popularity": row["artist_popularity"],
            "popularity_gap": row["track_popularity"] - row["artist_popularity"],
            "outperforms_artist": row["track_popularity"] > row["artist_popularity"],
        }
        for row in raw_rows
        if row["track_matched"]
        and row["artist_matched"]
        and row["track_popularity"] is not None
        and row["artist_popularity"] is not None
    ]
    assert_rows_equal(
        results["track_vs_artist_popularity"].records(), expected, ROW_KEY,
        "track_vs_artist_popularity",
    )


# --- popularity_needs -------------------------------------------------------------------


FACTORS: dict[str, Any] = {
    "artist popularity": lambda row: row["artist_popularity"],
    "album popularity": lambda row: row["album_popularity"],
    "duration": lambda row: row["duration_sec"],
    "explicit": lambda row: None if row["explicit"] is None else float(row["explicit"]),
}


def correlation_rows(breakdown: str, genre: str | None, rows: list[Row]) -> list[Row]:
    """One row per factor: its correlation with track popularity over the rows where it is known."""
    found = []
    for factor, value_of in FACTORS.items():
        known = [(float(r["track_popularity"]), float(value_of(r))) for r in rows if value_of(r) is not None]
        found.append({
            "breakdown": breakdown,
            "genre": genre,
            "factor": factor,
            "sample_size": len(known),
            "correlation": ref_corr([x for x, _ in known], [y for _, y in known]),
        })
    return found


def test_popularity_needs_equals_numpy_corrcoef(
    results: dict[str, QueryResult], raw_rows: list[Row]
) -> None:
    scored = [row for row in raw_rows if ref_is_scored(row)]
    by_genre: dict[str, list[Row]] = defaultdict(list)
    for row in scored:
        by_genre[genre_label(row)].append(row)
    expected = correlation_rows("all", None, scored) + [
        found for genre in sorted(by_genre) for found in correlation_rows("genre", genre, by_genre[genre])
    ]
    actual = results["popularity_needs"].records()
    assert_rows_equal(actual, expected, ("breakdown", "genre", "factor"), "popularity_needs")
    # The fixtures hold genres whose correlations are undefined (one track, a constant side).
    assert any(row["correlation"] is None for row in actual) and any(row["correlation"] is not None for row in actual)


# --- one rule for a missing genre -------------------------------------------------------


def test_every_view_labels_a_missing_genre_as_unknown(
    results: dict[str, QueryResult], raw_rows: list[Row]
) -> None:
    assert any(row["genre"] is None for row in raw_rows), "the warehouse holds no row without a genre: the test would be vacuous"
    with_genre = {
        name: result.records() for name, result in results.items() if any(column.name == "genre" for column in result.columns)
    }
    assert len(with_genre) >= 5, f"views with a genre column: {sorted(with_genre)}"
    assert genre_rule_problems(with_genre) == []


def test_the_genre_rule_check_fails_on_a_null_genre(results: dict[str, QueryResult]) -> None:
    rows = {name: results[name].records() for name in ("hit_score_insights", "genre_summary")}
    rows["genre_summary"] = [{**row, "genre": None} if row["genre"] == "unknown" else row for row in rows["genre_summary"]]
    assert any("genre_summary: 1 row(s) with a NULL genre" in problem for problem in genre_rule_problems(rows))
