"""Deterministic synthetic staging data in the layout of the public "Spotify Dataset 2023".

    python -m spotify_etl.sample --tracks 1000 --seed 7 --out /tmp/staging [--defects]

Realistic enough to exercise the pipeline: Zipf-skewed genres and album counts per artist,
correlated popularity distributions, release dates across decades in all four delivered
formats, features, labels, and valid multi-line records (RFC 4180 quoted fields holding line
breaks: track names over two lines, and artist names over three whose middle line looks like
a complete artists row). Rows are streamed to disk, so memory grows with the number of
artists (tracks / 20), not tracks. With ``--defects`` every defect kind the pipeline must
quarantine is injected, plus an empty (0-byte) and a header-only file, and
``manifest.json`` (next to the source prefixes) records each injected record with the reason
it must be rejected with, every multi-line value with where it must arrive, and the expected
unmatched keys.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import itertools
import json
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from spotify_etl.schemas import ALBUMS, ARTISTS, TRACKS, SourceSpec

GENRES: tuple[str, ...] = (
    "pop", "dance pop", "rap", "hip hop", "rock", "latin", "trap", "edm", "k-pop", "r&b",
    "modern rock", "reggaeton", "country", "indie pop", "pop rap", "alternative rock", "urbano latino",
    "classic rock", "house", "soul", "j-pop", "afrobeats", "metal", "contemporary country", "neo soul",
    "tropical house", "indie rock", "jazz", "blues", "funk", "disco", "punk", "grunge", "folk",
    "singer-songwriter", "bachata", "salsa", "cumbia", "sertanejo", "mpb", "bossa nova", "techno",
    "trance", "drum and bass", "dubstep", "lo-fi beats", "ambient", "classical", "opera", "gospel",
    "reggae", "dancehall", "ska", "emo", "hardcore", "shoegaze", "new wave", "synthpop", "city pop",
    "mandopop", "cantopop", "bollywood", "flamenco", "fado", "tango", "polka", "zydeco",
)
"""Ordered by how common they are; sampled with Zipf weights so a few genres dominate."""

SYLLABLES = (
    "ka", "lo", "mi", "ra", "ven", "so", "tal", "ne", "ri", "an", "do", "el", "sa", "mar", "li",
    "zo", "kai", "ny", "ja", "rey", "ton", "bel", "ash", "or", "vi", "que", "lu", "den", "fi", "xo",
)
WORDS = (
    "Midnight", "Summer", "Heart", "Fire", "Dreams", "City", "Love", "Rain", "Gold", "Echo", "Wild",
    "Blue", "Neon", "Ghost", "River", "Paradise", "Shadow", "Light", "Storm", "Honey", "Electric",
    "Lonely", "Forever", "Tonight", "Sky", "Diamond", "Velvet", "Silence", "Road", "Ocean", "Star",
    "Corazón", "Noche", "Bailar", "Sueño", "Amor", "Luna", "夜", "Sakura", "Mañana", "Été",
)
LABELS = (
    "Columbia", "Atlantic Records", "Interscope Records", "Republic Records", "RCA Records Label",
    "Def Jam Recordings", "Island Records", "Capitol Records", "Warner Records", "Epic",
    "XL Recordings", "Sub Pop Records", "4AD", "Domino Recording Co", "Big Hit Music", "Sony Music Latin",
    "Universal Music Mexico", "Rimas Entertainment", "Top Dawg Entertainment", "Independent",
)
ALBUM_TYPES = (("single", 0.35), ("album", 0.5), ("compilation", 0.15))
DATE_FORMATS = (("year", 0.08), ("month", 0.04), ("day", 0.68), ("timestamp", 0.20))
FIRST_YEAR, LAST_YEAR = 1950, 2023
GENERATOR_VERSION = 2
"""Bumped whenever the same seed and options would produce different files."""
MULTILINE_TRACK_EVERY = 40
"""Every n-th album row gets a track name over two lines (LF or CR LF inside the quotes)."""
MULTILINE_ARTIST_EVERY = 25
"""Every n-th artist gets a name over three lines whose middle line looks like an artists row."""
MULTILINE_LISTED = 50
"""At most this many multi-line values per column are listed in the manifest."""
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def zipf_cumulative(count: int, exponent: float) -> list[float]:
    """Cumulative Zipf weights for ranks 1..count, for `random.Random.choices`-style sampling."""
    return list(itertools.accumulate(1.0 / (rank**exponent) for rank in range(1, count + 1)))


def pick(rng: random.Random, cumulative: Sequence[float]) -> int:
    """Index drawn with the given cumulative weights (bisect keeps this O(log n))."""
    return bisect.bisect_left(cumulative, rng.random() * cumulative[-1])


def weighted(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    """One of the named options, with their probabilities."""
    roll, total = rng.random(), 0.0
    for name, probability in options:
        total += probability
        if roll < total:
            return name
    return options[-1][0]


def spotify_id(rng: random.Random) -> str:
    """A 22-character base62 identifier like Spotify's."""
    return "".join(BASE62[rng.randrange(62)] for _ in range(22))


def clamp(value: float, low: int, high: int) -> int:
    """Round and clip into [low, high]."""
    return max(low, min(high, round(value)))


def name(rng: random.Random) -> str:
    """A pronounceable artist name, sometimes in a common band-name shape."""

    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    shape = rng.random()
    if shape < 0.15:
        return f"The {rng.choice(WORDS)} {word()}s"
    if shape < 0.25:
        return f"DJ {word()}"
    if shape < 0.6:
        return f"{word()} {word()}"
    return word()


def title(rng: random.Random, words: int) -> str:
    """A track or album title, occasionally with a comma or quotes that need CSV quoting."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    roll = rng.random()
    if roll < 0.05:
        return f'{text}, Pt. {rng.randint(1, 3)}'
    if roll < 0.08:
        return f'{text} ("{rng.choice(WORDS)}" Version)'
    if roll < 0.12:
        return f"{text} - Remastered {rng.randint(1990, 2023)}"
    return text


def release_date(rng: random.Random) -> str:
    """A date skewed to recent years, in one of the four delivered formats."""
    year = max(FIRST_YEAR, LAST_YEAR - int(rng.expovariate(1 / 12)))
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    form = weighted(rng, DATE_FORMATS)
    if form == "year":
        return f"{year:04d}"
    if form == "month":
        return f"{year:04d}-{month:02d}"
    if form == "day":
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 UTC"


def csv_line(values: Sequence[object]) -> str:
    """One RFC 4180 record (quotes doubled, minimal quoting), without the record terminator.

    The writer's terminator is CR LF and then cut off: Python's ``csv`` quotes a field that
    contains a line break only when the break's characters are in its line terminator.
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue().removesuffix("\r\n")


class RotatingWriter:
    """Writes records of one source into files of at most ``rows_per_file`` data records,
    each starting with the source header, each record ended by LF (a record may contain line
    breaks inside quotes). Records are bytes so defects can be written as-is."""

    def __init__(self, root: Path, spec: SourceSpec, rows_per_file: int) -> None:
        self.directory = root / spec.prefix
        self.directory.mkdir(parents=True, exist_ok=True)
        self.spec = spec
        self.rows_per_file = rows_per_file
        self.rows = 0
        self.files: list[str] = []
        self._handle: BinaryIO | None = None

    def write(self, line: str | bytes) -> None:
        """Append one data record, opening the next file when the current one is full."""
        if self._handle is None or self.rows % self.rows_per_file == 0:
            self._open_next()
        assert self._handle is not None
        self._handle.write((line.encode("utf-8") if isinstance(line, str) else line) + b"\n")
        self.rows += 1

    def _open_next(self) -> None:
        self.close()
        path = self.directory / f"{self.spec.name}-{len(self.files):05d}.csv"
        self.files.append(path.name)
        self._handle = path.open("wb")
        self._handle.write(self.spec.header.encode("utf-8") + b"\n")

    def extra_file(self, name: str, content: bytes) -> None:
        """Write a file outside the rotation (an empty or header-only file), listed in ``files``."""
        (self.directory / name).write_bytes(content)
        self.files.append(name)

    def close(self) -> None:
        """Close the current file, if any."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


@dataclass
class Artist:
    """An artist row; genres are kept to derive album features."""

    id: str
    name: str
    popularity: int
    followers: int
    genres: list[str]

    def row(self) -> list[object]:
        """The artists CSV row: id, name, artist_popularity, artist_genres, followers, genre_0..6."""
        padded = self.genres + [""] * (7 - len(self.genres))
        return [self.id, self.name, self.popularity, str(self.genres), self.followers, *padded]


def make_artist(rng: random.Random, genre_weights: Sequence[float]) -> Artist:
    """An artist with a skewed popularity, correlated followers and 0-7 Zipf genres."""
    popularity = clamp(rng.betavariate(2.0, 3.0) * 100, 0, 100)
    followers = int(math.exp(popularity / 100 * 14 + rng.gauss(0, 1.0)))
    genres: list[str] = []
    for _ in range(0 if rng.random() < 0.15 else rng.randint(1, 7)):
        genre = GENRES[pick(rng, genre_weights)]
        if genre not in genres:
            genres.append(genre)
    return Artist(spotify_id(rng), name(rng), popularity, followers, genres)


@dataclass
class Manifest:
    """What was generated and which records must end up where."""

    seed: int
    tracks: int
    defects: bool
    rows_per_file: int
    records: dict[str, int] = field(default_factory=dict)
    """Data records per source (headers excluded), as the pipeline must count them."""
    files: dict[str, list[str]] = field(default_factory=dict)
    rejected: list[dict[str, str]] = field(default_factory=list)
    multiline: list[dict[str, str]] = field(default_factory=list)
    """Values with line breaks, and the warehouse column and track they must arrive in intact."""
    unmatched: dict[str, list[str]] = field(default_factory=lambda: {"tracks": [], "artists": []})
    album_rows_without_track: list[str] = field(default_factory=list)
    album_rows_without_artist: list[str] = field(default_factory=list)

    def reject(self, source: SourceSpec, reason: str, line: str | bytes, record: str | None = None) -> str | bytes:
        """Record a defect (as Spark will decode it) and return it for writing. ``record`` is
        the record as the pipeline must see it when that differs from the written line (a
        quoted field left open runs to the end of the file, line break included)."""
        text = line.decode("utf-8", errors="replace") if isinstance(line, bytes) else line
        self.rejected.append({"source": source.name, "reason": reason, "record": text if record is None else record})
        return line


@dataclass
class AlbumRow:
    """The fields of an albums row the generator varies; `line` renders the full row."""

    track_name: str
    track_id: str
    track_number: int
    duration_ms: int
    album_type: str
    artist_names: list[str]
    total_tracks: int
    album_name: str
    release_date: str
    label: str
    album_popularity: int
    album_id: str
    artist_id: str

    def values(self) -> list[object]:
        """All 26 albums columns in header order."""
        names = self.artist_names[:12] + [""] * (12 - len(self.artist_names[:12]))
        return [
            self.track_name, self.track_id, self.track_number, self.duration_ms, self.album_type,
            str(self.artist_names), self.total_tracks, self.album_name, self.release_date, self.label,
            self.album_popularity, self.album_id, self.artist_id, *names, f"{self.duration_ms / 1000:.3f}",
        ]

    def line(self, **overrides: object) -> str:
        """The CSV line, with some columns replaced by (possibly invalid) raw values."""
        values = self.values()
        for column, value in overrides.items():
            values[ALBUMS.columns.index(column)] = value
        return csv_line(values)


def multiline_artist_name(rng: random.Random, base: str) -> str:
    """A name over three lines whose middle line is, on its own, a complete and valid artists
    row: read line by line it would invent an artist; read as RFC 4180 records it cannot."""
    fake = Artist(spotify_id(rng), base.split(" ")[0], rng.randint(1, 99), rng.randint(10, 10_000), ["pop"])
    return f"{base}\n{csv_line(fake.row())}\n(Live)"


def generate(out: Path, tracks: int, seed: int, defects: bool, rows_per_file: int = 250_000) -> Manifest:
    """Write tracks/, albums/ and artists/ CSVs (and manifest.json) under ``out``."""
    if tracks < 1:
        raise ValueError("--tracks must be at least 1")
    rng = random.Random(seed)
    chaos = random.Random(seed + 1)
    """Defects use their own stream, so the clean rows do not depend on --defects."""
    manifest = Manifest(seed=seed, tracks=tracks, defects=defects, rows_per_file=rows_per_file)
    writers = {spec.name: RotatingWriter(out, spec, rows_per_file) for spec in (TRACKS, ALBUMS, ARTISTS)}
    per_kind = max(2, tracks // 2000) if defects else 0

    genre_weights = zipf_cumulative(len(GENRES), 1.1)
    artists = sorted((make_artist(rng, genre_weights) for _ in range(max(3, tracks // 20))), key=lambda a: -a.popularity)
    for index, artist in enumerate(artists):
        if index % MULTILINE_ARTIST_EVERY == 1:
            artist.name = multiline_artist_name(rng, artist.name)
    artist_weights = zipf_cumulative(len(artists), 0.9)
    for artist in artists:
        writers[ARTISTS.name].write(csv_line(artist.row()))
    used_artists: set[str] = set()

    kept_tracks: list[tuple[str, int, str]] = []
    kept_albums: list[AlbumRow] = []
    written = 0
    for album_index in itertools.count():
        if written >= tracks:
            break
        artist = artists[album_index] if album_index < len(artists) else artists[pick(rng, artist_weights)]
        orphan_artist = defects and album_index % 97 == 5 and len(manifest.album_rows_without_artist) < per_kind
        artist_id = spotify_id(chaos) if orphan_artist else artist.id
        used_artists.add(artist_id)
        album_type = weighted(rng, ALBUM_TYPES)
        total = {"single": rng.randint(1, 3), "album": rng.randint(6, 18), "compilation": rng.randint(12, 30)}[album_type]
        album_popularity = clamp(artist.popularity + rng.gauss(0, 10), 0, 100)
        album_id, album_name, date, label = spotify_id(rng), title(rng, rng.randint(1, 3)), release_date(rng), rng.choice(LABELS + (f"{artist.name} Records",))
        for number in range(1, min(total, tracks - written) + 1):
            features = [artists[pick(rng, artist_weights)].name for _ in range(rng.choice((0, 0, 0, 1, 1, 2)))]
            name = title(rng, rng.randint(1, 4)) + (f" (feat. {features[0].splitlines()[0]})" if features else "")
            if written % MULTILINE_TRACK_EVERY == 3:
                name = f"{name}{chr(13) if written % (2 * MULTILINE_TRACK_EVERY) == 3 else ''}\n{title(rng, 2)}"
            row = AlbumRow(
                track_name=name,
                track_id=spotify_id(rng),
                track_number=number,
                duration_ms=max(30_000, int(rng.gauss(210_000, 55_000))),
                album_type=album_type,
                artist_names=[artist.name, *features],
                total_tracks=total,
                album_name=album_name,
                release_date=date,
                label=label,
                album_popularity=album_popularity,
                album_id=album_id,
                artist_id=artist_id,
            )
            track_popularity = clamp(album_popularity + rng.gauss(-5, 12), 0, 100)
            explicit = "True" if rng.random() < 0.25 else "False"
            writers[ALBUMS.name].write(row.line())
            for column, value in (("track_name", row.track_name), ("artist_name", "" if orphan_artist else artist.name)):
                if "\n" in value and sum(entry["column"] == column for entry in manifest.multiline) < MULTILINE_LISTED:
                    manifest.multiline.append({"track_id": row.track_id, "column": column, "value": value})
            if orphan_artist:
                manifest.album_rows_without_artist.append(row.track_id)
            if defects and written % 89 == 7 and len(manifest.album_rows_without_track) < per_kind:
                manifest.album_rows_without_track.append(row.track_id)
            else:
                writers[TRACKS.name].write(csv_line([row.track_id, track_popularity, explicit]))
                if not orphan_artist and len(kept_tracks) < per_kind * 2:
                    kept_tracks.append((row.track_id, track_popularity, explicit))
                    kept_albums.append(row)
            written += 1

    if defects:
        used = [artist for artist in artists if artist.id in used_artists]
        pending = _defect_lines(chaos, manifest, per_kind, kept_tracks, kept_albums, used)
        chaos.shuffle(pending)
        for source, line in pending:
            writers[source].write(line)
        # A quoted field that is never closed takes the rest of its file with it, so it can
        # only be the last record of a file; each source's last file ends with one.
        for spec in (TRACKS, ALBUMS):
            record = f'{spotify_id(chaos)},"{chaos.randint(0, 100)},False'
            writers[spec.name].write(manifest.reject(spec, "unbalanced_quotes", record, record + "\n"))
        writers[TRACKS.name].extra_file(f"{TRACKS.name}-empty.csv", b"")
        writers[ARTISTS.name].extra_file(f"{ARTISTS.name}-header-only.csv", ARTISTS.header.encode("utf-8") + b"\n")
    manifest.unmatched["artists"] += [artist.id for artist in artists if artist.id not in used_artists]
    for writer in writers.values():
        writer.close()
    manifest.records = {name: writer.rows for name, writer in writers.items()}
    manifest.files = {name: writer.files for name, writer in writers.items()}
    text = json.dumps(asdict(manifest), indent=1, ensure_ascii=False, sort_keys=True)
    (out / MANIFEST).write_text(text + "\n", encoding="utf-8")
    return manifest


def _latin1(line: str) -> bytes:
    """The line with its Latin-1 characters in Latin-1 (the classic non-UTF-8 delivery);
    characters Latin-1 lacks, like CJK, stay UTF-8 as in a badly concatenated export."""
    return b"".join(char.encode("latin-1" if ord(char) < 256 else "utf-8") for char in line)


def _lower(popularity: int, rng: random.Random) -> int:
    """A lower popularity, so dedupe keeps the original; 0 stays 0 (an exact duplicate)."""
    return max(0, popularity - rng.randint(1, 5))


def _defect_lines(
    rng: random.Random,
    manifest: Manifest,
    per_kind: int,
    kept_tracks: list[tuple[str, int, str]],
    kept_albums: list[AlbumRow],
    artists: list[Artist],
) -> list[tuple[str, str | bytes]]:
    """Every defect kind ``per_kind`` times, recorded in the manifest, plus orphan rows.

    Each defect row has exactly one defect and fresh keys (except duplicates, which copy a
    real row with a lower popularity), so the expected reason is unambiguous.
    """
    lines: list[tuple[str, str | bytes]] = []

    def add(spec: SourceSpec, reason: str, line: str | bytes) -> None:
        lines.append((spec.name, manifest.reject(spec, reason, line)))

    genre_weights = zipf_cumulative(len(GENRES), 1.1)
    add(TRACKS, "blank_line", "")
    for index in range(per_kind):
        popularity = rng.randint(0, 100)
        add(TRACKS, "wrong_column_count", csv_line([spotify_id(rng), popularity, "False", "extra"]))
        add(TRACKS, "null_key", csv_line(["", popularity, "True"]))
        add(TRACKS, "out_of_range", csv_line([spotify_id(rng), rng.choice((101, 150, -3)), "False"]))
        add(TRACKS, "invalid_number", csv_line([spotify_id(rng), "popular", "False"]))
        add(TRACKS, "invalid_boolean", csv_line([spotify_id(rng), popularity, "maybe"]))
        add(TRACKS, "invalid_csv", f'{spotify_id(rng)},{popularity}",False')
        if kept_tracks:
            track_id, track_popularity, explicit = kept_tracks[index % len(kept_tracks)]
            add(TRACKS, "duplicate", csv_line([track_id, _lower(track_popularity, rng), explicit]))
        unmatched = spotify_id(rng)
        manifest.unmatched["tracks"].append(unmatched)
        lines.append((TRACKS.name, csv_line([unmatched, popularity, "False"])))

        if kept_albums:
            real = kept_albums[index % len(kept_albums)]
            base = replace(real, track_id=spotify_id(rng))
            unquoted = replace(base, track_name=base.track_name.replace('"', ""))
            add(ALBUMS, "invalid_csv", '"' + unquoted.track_name + '" ' + unquoted.line()[len(csv_line([unquoted.track_name])):])
            add(ALBUMS, "invalid_utf8", _latin1(base.line(track_name="Beyoncé Tribute", label="Música Latina")))
            key = ("track_id", "album_id", "artist_id")[index % 3]
            add(ALBUMS, "null_key", base.line(**{key: ""}))
            add(ALBUMS, "non_positive_duration", base.line(duration_ms=rng.choice((0, -1000))))
            bad_date = ("2019-13-45", "19xx", "2021-02-30", "2020/05/01", "0000", "2019-06-01T00:00:00Z")
            add(ALBUMS, "invalid_date", base.line(release_date=bad_date[index % len(bad_date)]))
            add(ALBUMS, "missing_value", base.line(release_date=""))
            add(ALBUMS, "out_of_range", base.line(album_popularity=rng.choice((101, 250, -1))))
            add(ALBUMS, "invalid_number", base.line(track_number="three"))
            add(ALBUMS, "invalid_enum", base.line(album_type="ep"))
            add(ALBUMS, "wrong_column_count", csv_line(base.values()[:-1]))
            add(ALBUMS, "duplicate", real.line(album_popularity=_lower(real.album_popularity, rng)))

        if artists:
            real_artist = artists[index % len(artists)]
            add(ARTISTS, "duplicate", csv_line(replace(real_artist, popularity=_lower(real_artist.popularity, rng)).row()))
        fresh = make_artist(rng, genre_weights)
        add(ARTISTS, "null_key", csv_line(replace(fresh, id="").row()))
        add(ARTISTS, "out_of_range", csv_line(replace(fresh, id=spotify_id(rng), popularity=120).row()))
        invalid_followers = replace(fresh, id=spotify_id(rng)).row()
        invalid_followers[ARTISTS.columns.index("followers")] = "lots"
        add(ARTISTS, "invalid_number", csv_line(invalid_followers))
        add(ARTISTS, "wrong_column_count", csv_line(replace(fresh, id=spotify_id(rng)).row()[:-1]))
        add(ARTISTS, "invalid_utf8", _latin1(csv_line(replace(fresh, id=spotify_id(rng), name="Sigur Rós").row())))
        orphan = make_artist(rng, genre_weights)
        manifest.unmatched["artists"].append(orphan.id)
        lines.append((ARTISTS.name, csv_line(orphan.row())))
    return lines


MANIFEST = "manifest.json"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options of the generator."""
    parser = argparse.ArgumentParser(
        prog="python -m spotify_etl.sample",
        description="Write deterministic synthetic Spotify staging CSVs (tracks/, albums/, artists/) and manifest.json.",
    )
    parser.add_argument("--tracks", type=int, required=True, help="number of album tracks to generate (albums rows)")
    parser.add_argument("--seed", type=int, default=7, help="random seed; same seed and options give identical files")
    parser.add_argument("--out", type=Path, required=True, help="staging root to write into (created if missing)")
    parser.add_argument("--defects", action="store_true", help="inject every defect kind and record it in manifest.json")
    parser.add_argument("--rows-per-file", type=int, default=250_000, help="data records per CSV file (default 250000)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate a sample and print where it went."""
    args = parse_args(argv)
    if args.rows_per_file < 1:
        raise SystemExit("--rows-per-file must be at least 1")
    existing = [spec.prefix for spec in (TRACKS, ALBUMS, ARTISTS) if (args.out / spec.prefix).exists()]
    if existing:
        raise SystemExit(f"{args.out} already has {', '.join(existing)}: choose an empty --out so old files cannot mix in")
    manifest = generate(args.out, args.tracks, args.seed, args.defects, args.rows_per_file)
    print(f"wrote {manifest.records} data records under {args.out} ({len(manifest.rejected)} defects)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
