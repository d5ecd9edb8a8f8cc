"""The per-run summary written under ``_runs/``: what came in, what went where, and why."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class FileCounts:
    """Record accounting of one input file; every listed ``*.csv`` file has one, 0-byte and
    header-only files included."""

    path: str
    bytes: int
    records: int
    """Data records the splitter found (the header excluded); 0 for an empty file."""
    accepted: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class SourceCounts:
    """Record accounting of one source. ``input_records`` is counted by the record splitter,
    before any field is parsed, so that a lost or invented row cannot balance the books."""

    input_records: int
    accepted: int
    rejected: dict[str, int]
    """Rejected records per reason (see `validate.REASONS`)."""
    unmatched: int
    """Accepted rows no albums row references (always 0 for albums, the base of the join)."""
    files: tuple[FileCounts, ...] = ()

    @property
    def rejected_total(self) -> int:
        """All rejected records of the source, whatever the reason."""
        return sum(self.rejected.values())


@dataclass(frozen=True)
class OutputCounts:
    """What the warehouse table received in this run."""

    rows: int
    partitions: int
    track_matched: int
    artist_matched: int
    artists_referenced: int
    """Distinct matched artist ids in the output (each accepted artist is here or unmatched)."""


@dataclass(frozen=True)
class Check:
    """One reconciliation equation."""

    name: str
    expected: int
    actual: int

    @property
    def ok(self) -> bool:
        """Whether both sides agree."""
        return self.expected == self.actual


@dataclass(frozen=True)
class RunSummary:
    """Everything a run did, returned to the caller and written as JSON under ``_runs/``."""

    run_id: str
    status: str
    """``running`` while the run runs (written when it starts), then ``succeeded`` or ``failed``;
    ``killed`` when a later run found it still running (`spotify_etl.runs`)."""
    started_at: str
    duration_seconds: float
    staging_path: str
    outputs: dict[str, str]
    sources: dict[str, SourceCounts]
    output: OutputCounts | None
    checks: tuple[Check, ...] = field(default=())
    error: str | None = None
    phase_seconds: dict[str, float] = field(default_factory=dict)
    """Wall time of each phase of the run, in the order they ran."""
    snapshot_id: str | None = None
    """The table snapshot this run committed (Iceberg snapshot ids are 64-bit: kept as decimal text)."""
    previous_snapshot_id: str | None = None
    """The table's current snapshot when the run started: what rolling this run back restores."""

    @property
    def input_records(self) -> int:
        """Data records over all sources."""
        return sum(counts.input_records for counts in self.sources.values())

    def to_json(self) -> str:
        """Stable, human-readable JSON (keys sorted) including each check's verdict."""
        data = asdict(self)
        data["checks"] = [{**asdict(check), "ok": check.ok} for check in self.checks]
        for name, counts in self.sources.items():
            data["sources"][name]["rejected_total"] = counts.rejected_total
        return json.dumps(data, indent=2, sort_keys=True)
