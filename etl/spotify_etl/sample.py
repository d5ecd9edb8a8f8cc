"""Deterministic synthetic staging data in the layout of the public "Spotify Dataset 2023".

    python -m spotify_etl.sample --tracks 1000 --seed 7 --out /tmp/staging [--artists N] [--defects]

Realistic enough to exercise the pipeline and to give the queries and dashboards the shapes of
the real data: Zipf-skewed genres and catalogue sizes per artist (many artists with a few
tracks, a few with many), popularity skewed like Spotify's (most tracks barely played, few
hits, some at 0) and correlated track ~ album ~ artist with noise at each level, a weak
negative pull of long tracks and a small lift for explicit ones, artists without any genre
(mostly obscure ones), release dates 1960-2023 weighted to recent years in all four delivered
formats, features, labels, and valid multi-line records (RFC 4180 quoted fields holding line
breaks: track names over two lines, and artist names over three whose middle line looks like
a complete artists row). Rows are streamed to disk, so memory grows with the number of
artists (``--artists``, by default tracks / 10), not tracks. With ``--defects`` every defect
kind the pipeline must quarantine is injected, plus an empty (0-byte) and a header-only file,
and ``manifest.json`` (next to the source prefixes) records each injected record with the
reason it must be rejected with, every multi-line value with where it must arrive, and the
expected unmatched keys.
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
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from spotify_etl.records import split_file
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
ALBUM_TYPES = (("single", 0.55), ("album", 0.35), ("compilation", 0.10))
"""Singles dominate recent catalogues; they are also what makes albums outnumber artists."""
DATE_FORMATS = (("year", 0.08), ("month", 0.04), ("day", 0.68), ("timestamp", 0.20))
FIRST_YEAR, LAST_YEAR = 1960, 2023
RELEASE_AGE_YEARS = 12.0
"""Mean age of a release before truncation to FIRST_YEAR: most releases are recent, as on
Spotify, yet every decade since the 1960s is present."""
TRACKS_PER_ARTIST = 10
"""Default artists for a number of tracks (``--artists`` overrides it)."""
ARTIST_EXPONENT = 0.75
"""Zipf exponent of the albums per artist beyond each artist's first one: a few artists get
dozens, most a few at most. Larger lets the top artist dominate a sample of a few thousand."""
LISTED_TRACKS_MEAN = 2.5
"""Mean number of an album's or compilation's tracks the crawl reached beyond the first."""
ZERO_POPULARITY_SHARE = 0.03
"""Tracks at popularity 0 whatever their album (unavailable or duplicate releases)."""
EXPLICIT_GENRES = frozenset({"rap", "hip hop", "trap", "pop rap", "urbano latino", "reggaeton", "dancehall"})
"""Genres whose tracks are explicit far more often than the rest."""
MAX_FOLLOWERS = 120_000_000
"""About the most followed artist on Spotify."""
GENERATOR_VERSION = 4
"""Bumped whenever the same seed and options would produce different files."""
MULTILINE_TRACK_EVERY = 40
"""Every n-th album row gets a track name over two lines (LF or CR LF inside the quotes)."""
MULTILINE_ARTIST_EVERY = 25
"""Every n-th artist, counted from the least popular, gets a name over three lines whose middle line looks like an artists row."""
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


def release_year(rng: random.Random) -> int:
    """A year in FIRST_YEAR..LAST_YEAR whose age is exponential (mean RELEASE_AGE_YEARS) cut
    at FIRST_YEAR: drawn by inverting the truncated distribution, so the oldest year is no
    more common than its neighbours (clipping would pile every older release on it)."""
    span = LAST_YEAR - FIRST_YEAR + 1
    kept = 1.0 - math.exp(-span / RELEASE_AGE_YEARS)
    age = -RELEASE_AGE_YEARS * math.log(1.0 - rng.random() * kept)
    return LAST_YEAR - min(span - 1, int(age))


def release_date(rng: random.Random, year: int) -> str:
    """A date in ``year``, in one of the four delivered formats."""
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    form = weighted(rng, DATE_FORMATS)
    if form == "year":
        return f"{year:04d}"
    if form == "month":
        return f"{year:04d}-{month:02d}"
    if form == "day":
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 UTC"


def artist_popularity(rng: random.Random) -> int:
    """Right-skewed (Beta 2, 3.5): most artists middling to obscure, few above 80."""
    return clamp(rng.betavariate(2.0, 3.5) * 100, 0, 100)


def follower_count(rng: random.Random, popularity: int) -> int:
    """Log-linear in popularity, as on Spotify: about 10^3 at 20, 10^7 at 85, with a spread
    of several times either way."""
    return min(MAX_FOLLOWERS, int(math.exp(4.0 + 0.14 * popularity + rng.gauss(0, 0.8))))


def album_popularity(rng: random.Random, artist_popularity: int, year: int) -> int:
    """Around the artist's, a little below, with noise of its own (an artist's albums differ);
    lower for old releases, as Spotify's popularity counts recent plays."""
    age_penalty = 0.15 * min(LAST_YEAR - year, 40)
    return clamp(artist_popularity - 4 + rng.gauss(0, 12) - age_penalty, 0, 100)


def track_duration(rng: random.Random) -> int:
    """Milliseconds, log-normal around 3:25 with a long right tail, never under 30 s."""
    return max(30_000, int(math.exp(rng.gauss(math.log(205_000), 0.3))))


def is_explicit(rng: random.Random, genres: Sequence[str], year: int) -> bool:
    """Explicit far more often in rap-like genres, and rarely before the 1990s."""
    chance = 0.55 if genres and genres[0] in EXPLICIT_GENRES else 0.15
    return rng.random() < (chance if year >= 1990 else chance * 0.1)


def track_popularity(rng: random.Random, album_popularity: int, duration_ms: int, explicit: bool) -> int:
    """About 0.7 of the album's popularity with log-normal noise of its own: the right tail
    is long, the bulk low, and an artist's tracks spread widely instead of sharing one value.
    Long tracks lose a little, explicit ones gain a little, and a few tracks are at 0
    whatever their album."""
    if rng.random() < ZERO_POPULARITY_SHARE:
        return 0
    length = -2.5 * (duration_ms - 210_000) / 60_000
    return clamp(album_popularity * math.exp(rng.gauss(-0.35, 0.3)) + length + (3 if explicit else 0), 0, 100)


def album_size(rng: random.Random, album_type: str) -> int:
    """total_tracks of an album of this type."""
    if album_type == "single":
        return rng.choice((1, 1, 2, 3))
    if album_type == "album":
        return rng.randint(6, 18)
    return rng.randint(12, 30)


def listed_tracks(rng: random.Random, album_type: str, total: int) -> list[int]:
    """The track numbers the dataset holds: a single whole, a few tracks of an album or a
    compilation (the crawl reached tracks, not albums; total_tracks keeps the album's size)."""
    if album_type == "single":
        return list(range(1, total + 1))
    count = min(total, 1 + int(rng.expovariate(1 / LISTED_TRACKS_MEAN)))
    return sorted(rng.sample(range(1, total + 1), count))


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


def genre_less(rng: random.Random, popularity: int) -> bool:
    """Whether Spotify lists no genre for the artist: common for obscure artists, rare for
    popular ones."""
    return rng.random() < 0.22 * (1 - popularity / 100) ** 2


def make_artist(rng: random.Random, genre_weights: Sequence[float]) -> Artist:
    """An artist with a skewed popularity, correlated followers and 0-7 Zipf genres (fewer
    more often)."""
    popularity = artist_popularity(rng)
    followers = follower_count(rng, popularity)
    genres: list[str] = []
    for _ in range(0 if genre_less(rng, popularity) else 1 + min(6, int(rng.expovariate(0.6)))):
        genre = GENRES[pick(rng, genre_weights)]
        if genre not in genres:
            genres.append(genre)
    return Artist(spotify_id(rng), name(rng), popularity, followers, genres)


def catalogue_order(rng: random.Random, artists: Sequence[Artist]) -> list[Artist]:
    """The artists by the size of their catalogue, for Zipf ranks: popular artists tend to
    have more releases, but a noisy ranking lets obscure ones be prolific and stars sparse."""
    keys = [artist.popularity + rng.gauss(0, 25) for artist in artists]
    return [artist for _, artist in sorted(zip(keys, artists, strict=True), key=lambda pair: -pair[0])]


@dataclass
class Manifest:
    """What was generated and which records must end up where."""

    seed: int
    tracks: int
    defects: bool
    rows_per_file: int
    artists: int
    """Artists generated (defect rows aside)."""
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


def generate(
    out: Path, tracks: int, seed: int, defects: bool, rows_per_file: int = 250_000, artists: int | None = None
) -> Manifest:
    """Write tracks/, albums/ and artists/ CSVs (and manifest.json) under ``out``; ``artists``
    defaults to one per TRACKS_PER_ARTIST tracks."""
    if tracks < 1:
        raise ValueError("--tracks must be at least 1")
    artist_count = max(3, tracks // TRACKS_PER_ARTIST) if artists is None else artists
    if artist_count < 1:
        raise ValueError("--artists must be at least 1")
    rng = random.Random(seed)
    chaos = random.Random(seed + 1)
    """Defects use their own stream, so the clean rows do not depend on --defects."""
    manifest = Manifest(seed=seed, tracks=tracks, defects=defects, rows_per_file=rows_per_file, artists=artist_count)
    writers = {spec.name: RotatingWriter(out, spec, rows_per_file) for spec in (TRACKS, ALBUMS, ARTISTS)}
    per_kind = max(2, tracks // 2000) if defects else 0

    genre_weights = zipf_cumulative(len(GENRES), 1.1)
    roster = sorted((make_artist(rng, genre_weights) for _ in range(artist_count)), key=lambda a: -a.popularity)
    # Counted from the least popular end: a name whose middle line is an artists row is a reader's
    # trap, not a name anyone would chart, so it stays out of the top of every ranking.
    for index, artist in enumerate(reversed(roster)):
        if index % MULTILINE_ARTIST_EVERY == 1:
            artist.name = multiline_artist_name(rng, artist.name)
    catalogue = catalogue_order(rng, roster)
    artist_weights = zipf_cumulative(len(catalogue), ARTIST_EXPONENT)
    for artist in roster:
        writers[ARTISTS.name].write(csv_line(artist.row()))
    used_artists: set[str] = set()

    kept_tracks: list[tuple[str, int, str]] = []
    kept_albums: list[AlbumRow] = []
    written = 0
    for album_index in itertools.count():
        if written >= tracks:
            break
        # Every artist gets one album first, so all of them are matched; the rest go by Zipf.
        artist = roster[album_index] if album_index < len(roster) else catalogue[pick(rng, artist_weights)]
        orphan_artist = defects and album_index % 97 == 5 and len(manifest.album_rows_without_artist) < per_kind
        artist_id = spotify_id(chaos) if orphan_artist else artist.id
        used_artists.add(artist_id)
        album_type = weighted(rng, ALBUM_TYPES)
        total = album_size(rng, album_type)
        year = release_year(rng)
        album_pop = album_popularity(rng, artist.popularity, year)
        album_id, album_name, date, label = spotify_id(rng), title(rng, rng.randint(1, 3)), release_date(rng, year), rng.choice(LABELS + (f"{artist.name} Records",))
        for number in listed_tracks(rng, album_type, total)[: tracks - written]:
            features = [catalogue[pick(rng, artist_weights)].name for _ in range(rng.choice((0, 0, 0, 1, 1, 2)))]
            name = title(rng, rng.randint(1, 4)) + (f" (feat. {features[0].splitlines()[0]})" if features else "")
            if written % MULTILINE_TRACK_EVERY == 3:
                name = f"{name}{chr(13) if written % (2 * MULTILINE_TRACK_EVERY) == 3 else ''}\n{title(rng, 2)}"
            row = AlbumRow(
                track_name=name,
                track_id=spotify_id(rng),
                track_number=number,
                duration_ms=track_duration(rng),
                album_type=album_type,
                artist_names=[artist.name, *features],
                total_tracks=total,
                album_name=album_name,
                release_date=date,
                label=label,
                album_popularity=album_pop,
                album_id=album_id,
                artist_id=artist_id,
            )
            flag = is_explicit(rng, artist.genres, year)
            track_pop = track_popularity(rng, album_pop, row.duration_ms, flag)
            explicit = "True" if flag else "False"
            writers[ALBUMS.name].write(row.line())
            for column, value in (("track_name", row.track_name), ("artist_name", "" if orphan_artist else artist.name)):
                if "\n" in value and sum(entry["column"] == column for entry in manifest.multiline) < MULTILINE_LISTED:
                    manifest.multiline.append({"track_id": row.track_id, "column": column, "value": value})
            if orphan_artist:
                manifest.album_rows_without_artist.append(row.track_id)
            if defects and written % 89 == 7 and len(manifest.album_rows_without_track) < per_kind:
                manifest.album_rows_without_track.append(row.track_id)
            else:
                writers[TRACKS.name].write(csv_line([row.track_id, track_pop, explicit]))
                if not orphan_artist and len(kept_tracks) < per_kind * 2:
                    kept_tracks.append((row.track_id, track_pop, explicit))
                    kept_albums.append(row)
            written += 1

    if defects:
        used = [artist for artist in roster if artist.id in used_artists]
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
    manifest.unmatched["artists"] += [artist.id for artist in roster if artist.id not in used_artists]
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


def clean_records(root: Path, source: SourceSpec, manifest: Mapping[str, Any]) -> list[dict[str, str]]:
    """The records of one source of a generated sample that are none of its manifest's defects,
    each parsed with Python's csv module: what the pipeline must accept from it. Records are
    found with ``records.split_file`` (itself tested against the csv module)."""
    defects = Counter(entry["record"] for entry in manifest["rejected"] if entry["source"] == source.name)
    rows: list[dict[str, str]] = []
    for path in sorted((root / source.prefix).glob("*.csv")):
        data = path.read_bytes()
        found = split_file(data, source.columns)
        for start, length in list(zip(found.starts, found.lengths, strict=True))[1:]:
            text = data[start : start + length].decode("utf-8", errors="replace")
            if defects[text] > 0:
                defects[text] -= 1
            else:
                rows.append(dict(zip(source.columns, next(csv.reader([text], strict=True)), strict=True)))
    missing = sum(defects.values())
    if missing:
        raise ValueError(f"{root}: {missing} defect record(s) of {source.name} listed in the manifest are not in the files")
    return rows


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options of the generator."""
    parser = argparse.ArgumentParser(
        prog="python -m spotify_etl.sample",
        description="Write deterministic synthetic Spotify staging CSVs (tracks/, albums/, artists/) and manifest.json.",
    )
    parser.add_argument("--tracks", type=int, required=True, help="number of album tracks to generate (albums rows)")
    parser.add_argument("--seed", type=int, default=7, help="random seed; same seed and options give identical files")
    parser.add_argument("--out", type=Path, required=True, help="staging root to write into (created if missing)")
    parser.add_argument("--artists", type=int, help=f"number of artists (default: tracks / {TRACKS_PER_ARTIST})")
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
    manifest = generate(args.out, args.tracks, args.seed, args.defects, args.rows_per_file, args.artists)
    print(f"wrote {manifest.records} data records under {args.out} ({len(manifest.rejected)} defects)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
