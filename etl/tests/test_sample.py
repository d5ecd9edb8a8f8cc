"""The generator is deterministic, realistic in the ways the pipeline, the queries and the
dashboards care about, and the committed sample is exactly what its recorded command produces.

The realism checks compute every figure from the files (counts, years, popularity quantiles,
correlations) and hold the committed sample and a sample of another seed to the shapes of the
real Spotify data, with margins, never to values the generator was told to produce."""

from __future__ import annotations

import csv
import json
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
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
    sample.generate(tmp_path / "d", tracks=500, seed=3, defects=True, rows_per_file=120, artists=80)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "d")


def test_committed_sample_is_reproducible(tmp_path: Path) -> None:
    manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    sample.generate(
        tmp_path, manifest["tracks"], manifest["seed"], manifest["defects"], manifest["rows_per_file"], manifest["artists"]
    )
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
    assert len(artists) == 4000 // sample.TRACKS_PER_ARTIST, "one artist per TRACKS_PER_ARTIST tracks by default"
    assert manifest.records == {TRACKS.name: 4000, ALBUMS.name: 4000, ARTISTS.name: len(artists)}
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


def test_artists_option_sets_the_roster(tmp_path: Path) -> None:
    manifest = sample.generate(tmp_path, tracks=400, seed=2, defects=False, rows_per_file=1000, artists=70)
    artists, albums = _rows(tmp_path, ARTISTS.name), _rows(tmp_path, ALBUMS.name)
    assert len(artists) == 70 == manifest.artists
    assert {row["artist_id"] for row in albums} == {row["id"] for row in artists}, "every artist has an album"
    with pytest.raises(ValueError, match="--artists"):
        sample.generate(tmp_path / "none", tracks=10, seed=1, defects=False, artists=0)


# --- realism, on the committed sample and on another seed --------------------------------------


@dataclass(frozen=True)
class Track:
    """A clean albums row with its tracks and artists rows joined as the pipeline joins them."""

    popularity: int
    explicit: bool
    duration_ms: int
    year: int
    album_id: str
    album_popularity: int
    artist_id: str
    artist_popularity: int
    genre: str


def _matched_tracks(root: Path) -> list[Track]:
    """The albums rows whose track and artist are both in the sample (orphans aside)."""
    manifest = json.loads((root / sample.MANIFEST).read_text(encoding="utf-8"))
    tracks = {row["id"]: row for row in sample.clean_records(root, TRACKS, manifest)}
    artists = {row["id"]: row for row in sample.clean_records(root, ARTISTS, manifest)}
    joined: list[Track] = []
    for row in sample.clean_records(root, ALBUMS, manifest):
        track, artist = tracks.get(row["track_id"]), artists.get(row["artist_id"])
        if track is None or artist is None:
            continue
        joined.append(
            Track(
                popularity=int(track["track_popularity"]),
                explicit=track["explicit"] == "True",
                duration_ms=int(row["duration_ms"]),
                year=int(row["release_date"][:4]),
                album_id=row["album_id"],
                album_popularity=int(row["album_popularity"]),
                artist_id=row["artist_id"],
                artist_popularity=int(artist["artist_popularity"]),
                genre=artist["genre_0"].lower(),
            )
        )
    return joined


@pytest.fixture(scope="module", params=["committed", "seed 11"])
def realistic(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Track]]:
    """The committed sample, and one of the same size from another seed (so the shapes are the
    generator's, not one seed's luck)."""
    if request.param == "committed":
        return SAMPLE, _matched_tracks(SAMPLE)
    manifest = json.loads((SAMPLE / sample.MANIFEST).read_text(encoding="utf-8"))
    root = tmp_path_factory.mktemp("seed11")
    sample.generate(root, manifest["tracks"], 11, True, manifest["rows_per_file"], manifest["artists"])
    return root, _matched_tracks(root)


def test_sample_is_large_enough_to_be_realistic_and_small_enough_for_git(realistic: tuple[Path, list[Track]]) -> None:
    root, tracks = realistic
    assert len(tracks) >= 5000
    assert len({track.artist_id for track in tracks}) >= 500
    assert len({track.album_id for track in tracks}) >= 1500
    assert len({track.genre for track in tracks if track.genre}) >= 25, "distinct genres the tracks land in"
    for spec in SOURCES:
        assert len([path for path in (root / spec.name).glob("*.csv") if path.stat().st_size > len(spec.header) + 1]) >= 2, spec.name
    assert sum(path.stat().st_size for path in root.rglob("*") if path.is_file()) < 4_000_000


def test_release_years_are_1960_to_2023_and_mostly_recent(realistic: tuple[Path, list[Track]]) -> None:
    years = [track.year for track in realistic[1]]
    assert min(years) >= 1960 and max(years) == 2023
    assert statistics.median(years) >= 2008 and sum(year >= 2000 for year in years) / len(years) >= 0.6
    decades = Counter(year // 10 * 10 for year in years)
    full = [decades[decade] for decade in range(1960, 2020, 10)]
    assert all(count > 0 for count in full), f"every decade since the 1960s: {sorted(decades.items())}"
    assert full == sorted(full), f"each decade holds more releases than the one before: {sorted(decades.items())}"


def test_track_popularity_is_skewed_like_spotify(realistic: tuple[Path, list[Track]]) -> None:
    popularity = [track.popularity for track in realistic[1]]
    deciles = statistics.quantiles(popularity, n=10)
    median = statistics.median(popularity)
    assert 20 <= median <= 35, "most tracks are barely played"
    assert deciles[8] - median > median - deciles[0], f"a long right tail: p10 {deciles[0]}, p50 {median}, p90 {deciles[8]}"
    assert 0 < sum(value > 70 for value in popularity) / len(popularity) < 0.10, "few hits"
    assert 0.005 < popularity.count(0) / len(popularity) < 0.15, "some tracks at 0"
    assert statistics.mean(popularity) > median


def test_track_popularity_follows_album_and_artist_not_length(realistic: tuple[Path, list[Track]]) -> None:
    tracks = realistic[1]
    popularity = [float(track.popularity) for track in tracks]
    artist = statistics.correlation(popularity, [float(track.artist_popularity) for track in tracks])
    album = statistics.correlation(popularity, [float(track.album_popularity) for track in tracks])
    duration = statistics.correlation(popularity, [float(track.duration_ms) for track in tracks])
    assert 0.4 < artist < 0.9 and 0.5 < album < 0.95, (artist, album)
    assert album > artist, "a track is closer to its album than to its artist"
    assert -0.3 < duration < 0.05, duration
    explicit = statistics.mean(track.popularity for track in tracks if track.explicit)
    clean = statistics.mean(track.popularity for track in tracks if not track.explicit)
    assert 0 <= explicit - clean < 10, (explicit, clean)


def test_an_artists_tracks_spread_instead_of_sharing_one_popularity(realistic: tuple[Path, list[Track]]) -> None:
    """No "vertical stripes" in a track ~ artist scatter: artist popularities cover the range
    densely, and one artist's tracks differ widely."""
    tracks = realistic[1]
    assert len({track.artist_popularity for track in tracks}) >= 50
    by_artist: defaultdict[str, list[int]] = defaultdict(list)
    for track in tracks:
        by_artist[track.artist_id].append(track.popularity)
    spreads = [statistics.pstdev(values) for values in by_artist.values() if len(values) >= 5]
    assert len(spreads) >= 100 and statistics.median(spreads) >= 5, statistics.median(spreads)


def test_many_artists_have_few_tracks_and_a_few_have_many(realistic: tuple[Path, list[Track]]) -> None:
    tracks = realistic[1]
    counts = sorted(Counter(track.artist_id for track in tracks).values(), reverse=True)
    assert sum(count <= 3 for count in counts) / len(counts) >= 0.15
    assert sum(counts[: len(counts) // 10]) / len(tracks) >= 0.3, "the top tenth of artists holds a third of the tracks"
    assert counts[0] >= 10 * statistics.median(counts) and counts[0] / len(tracks) < 0.1, counts[:5]


def test_some_mostly_obscure_artists_have_no_genre(realistic: tuple[Path, list[Track]]) -> None:
    tracks = realistic[1]
    assert 0.02 <= sum(not track.genre for track in tracks) / len(tracks) <= 0.15
    artists = {track.artist_id: track for track in tracks}.values()
    without = [artist.artist_popularity for artist in artists if not artist.genre]
    assert statistics.median(without) < statistics.median(artist.artist_popularity for artist in artists if artist.genre)


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
