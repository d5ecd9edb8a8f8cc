"""The generator is deterministic, realistic in the ways the pipeline cares about, and the
committed sample is exactly what its recorded command produces."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from spotify_etl import sample
from spotify_etl.records import split_file
from spotify_etl.schemas import ALBUMS, ARTISTS, SOURCES, TRACKS

SAMPLE = Path(__file__).resolve().parents[1] / "sample"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    sample.generate(tmp_path / "a", tracks=500, seed=3, defects=True, rows_per_file=120)
    sample.generate(tmp_path / "b", tracks=500, seed=3, defects=True, rows_per_file=120)
    sample.generate(tmp_path / "c", tracks=500, seed=4, defects=True, rows_per_file=120)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")


def test_committed_sample_is_reproducible(tmp_path: Path) -> None:
    manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    sample.generate(tmp_path, manifest["tracks"], manifest["seed"], manifest["defects"], manifest["rows_per_file"])
    assert _tree(tmp_path) == _tree(SAMPLE)


def _rows(root: Path, source: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((root / source).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle, strict=True))
    return rows


def test_clean_data_is_realistic_and_consistent(tmp_path: Path) -> None:
    manifest = sample.generate(tmp_path, tracks=4000, seed=5, defects=False, rows_per_file=1500)
    albums, tracks, artists = (_rows(tmp_path, spec.name) for spec in (ALBUMS, TRACKS, ARTISTS))
    assert manifest.rejected == [] and len(albums) == 4000 == len(tracks)
    assert manifest.records == {TRACKS.name: 4000, ALBUMS.name: 4000, ARTISTS.name: 200}
    assert len(manifest.files[TRACKS.name]) == 3
    assert {row["track_id"] for row in albums} == {row["id"] for row in tracks}
    assert {row["artist_id"] for row in albums} <= {row["id"] for row in artists}

    shapes = Counter(len(row["release_date"]) for row in albums)
    assert set(shapes) == {4, 7, 10, 23}, "all four release_date formats"
    years = [int(row["release_date"][:4]) for row in albums]
    assert min(years) < 1990 and max(years) == 2023

    genres = Counter(row["genre_0"] for row in artists if row["genre_0"])
    ranked = [count for _, count in genres.most_common()]
    assert ranked[0] >= 3 * ranked[len(ranked) // 2], "genres are skewed"
    albums_per_artist = Counter(row["artist_id"] for row in albums)
    assert max(albums_per_artist.values()) > 10 * (4000 / len(albums_per_artist)) / 2, "a few artists dominate"
    popularity = [int(row["track_popularity"]) for row in tracks]
    assert 0 <= min(popularity) and max(popularity) <= 100 and len(set(popularity)) > 50


def test_defect_manifest_records_are_in_the_files(tmp_path: Path) -> None:
    manifest = sample.generate(tmp_path, tracks=300, seed=9, defects=True, rows_per_file=1000)
    for spec in SOURCES:
        records: Counter[str] = Counter()
        for path in sorted((tmp_path / spec.name).glob("*.csv")):
            data = path.read_bytes()
            found = split_file(data, spec.columns)
            records.update(data[s : s + n].decode("utf-8", errors="replace") for s, n in zip(found.starts[1:], found.lengths[1:], strict=True))
        assert sum(records.values()) == manifest.records[spec.name]
        wanted = Counter(entry["record"] for entry in manifest.rejected if entry["source"] == spec.name)
        assert not wanted - records, spec.name
    kinds = {(entry["source"], entry["reason"]) for entry in manifest.rejected}
    assert {reason for _, reason in kinds} >= {
        "invalid_utf8", "blank_line", "unbalanced_quotes", "invalid_csv", "wrong_column_count", "null_key",
        "out_of_range", "non_positive_duration", "invalid_date", "duplicate",
    }
    assert manifest.unmatched[TRACKS.name] and manifest.unmatched[ARTISTS.name]
    assert manifest.album_rows_without_track and manifest.album_rows_without_artist
    assert (tmp_path / "tracks" / "tracks-empty.csv").read_bytes() == b""
    assert (tmp_path / "artists" / "artists-header-only.csv").read_bytes() == ARTISTS.header.encode() + b"\n"


def test_multi_line_records_are_valid_csv_and_listed(tmp_path: Path) -> None:
    """Clean data holds multi-line records, which Python's csv module reads back as the rows
    written; each listed multi-line value is in the files."""
    manifest = sample.generate(tmp_path, tracks=2000, seed=3, defects=False, rows_per_file=700)
    albums, artists = _rows(tmp_path, ALBUMS.name), _rows(tmp_path, ARTISTS.name)
    assert len(albums) == manifest.records[ALBUMS.name] and len(artists) == manifest.records[ARTISTS.name]
    names = [row["track_name"] for row in albums if "\n" in row["track_name"]]
    assert len(names) >= 2000 // sample.MULTILINE_TRACK_EVERY and any("\r\n" in name for name in names)
    multi_artists = [row for row in artists if "\n" in row["name"]]
    assert multi_artists and all(len(row["name"].split("\n")[1].split(",")) == len(ARTISTS.columns) for row in multi_artists)
    listed = {(entry["column"], entry["value"]) for entry in manifest.multiline}
    assert {value for column, value in listed if column == "track_name"} <= set(names)
    assert {value for column, value in listed if column == "artist_name"} <= {row["name"] for row in multi_artists}


def test_cli(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "spotify_etl.sample"]
    help_text = subprocess.run([*command, "--help"], check=True, capture_output=True, text=True).stdout
    assert "--tracks" in help_text and "--defects" in help_text
    subprocess.run([*command, "--tracks", "20", "--seed", "1", "--out", str(tmp_path)], check=True, capture_output=True)
    assert (tmp_path / "manifest.json").exists()
    again = subprocess.run([*command, "--tracks", "20", "--out", str(tmp_path)], capture_output=True, text=True)
    assert again.returncode != 0 and "already has" in again.stderr


def test_rejects_nonsense_sizes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--tracks"):
        sample.generate(tmp_path, tracks=0, seed=1, defects=False)
