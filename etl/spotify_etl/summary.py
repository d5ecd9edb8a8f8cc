"""The per-run summary written under ``_runs/``: what came in, what went where, and why."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class SourceCounts:
    """Row accounting of one source. ``input_rows`` is counted from the files, not the parse."""

    input_rows: int
    accepted: int
    rejected: dict[str, int]
    """Rejected rows per reason (see `validate.REASONS`)."""
    unmatched: int
    """Accepted rows no albums row references (always 0 for albums, the base of the join)."""
    files: tuple[str, ...] = ()
    seconds: float = 0.0
    """Wall time to read, validate, deduplicate and count the source."""

    @property
    def rejected_total(self) -> int:
        """All rejected rows of the source, whatever the reason."""
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
    """``succeeded`` or ``failed``."""
    started_at: str
    duration_seconds: float
    staging_path: str
    outputs: dict[str, str]
    sources: dict[str, SourceCounts]
    output: OutputCounts | None
    checks: tuple[Check, ...] = field(default=())
    error: str | None = None

    @property
    def input_rows(self) -> int:
        """Data rows over all sources."""
        return sum(counts.input_rows for counts in self.sources.values())

    def to_json(self) -> str:
        """Stable, human-readable JSON (keys sorted) including each check's verdict."""
        data = asdict(self)
        data["checks"] = [{**asdict(check), "ok": check.ok} for check in self.checks]
        for name, counts in self.sources.items():
            data["sources"][name]["rejected_total"] = counts.rejected_total
        return json.dumps(data, indent=2, sort_keys=True)
