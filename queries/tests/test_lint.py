"""Every queries/*.sql is lint-clean under sqlfluff (athena dialect, queries/.sqlfluff)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

QUERIES_DIR = Path(__file__).resolve().parents[1]
SQL_FILES = sorted(QUERIES_DIR.glob("*.sql"))


@pytest.fixture(scope="module")
def linter() -> Linter:
    config = FluffConfig.from_path(str(QUERIES_DIR))
    assert config.get("dialect") == "athena", "queries/.sqlfluff must select the athena dialect"
    return Linter(config=config)


def violations(linter: Linter, path: Path) -> list[str]:
    linted = linter.lint_string(path.read_text(encoding="utf-8"), fname=str(path))
    return [
        f"{path.name}:{v.line_no}:{v.line_pos} {v.rule_code()} {v.desc()}"
        for v in linted.get_violations()
    ]


def test_there_are_sql_files() -> None:
    assert len(SQL_FILES) >= 6


@pytest.mark.parametrize("path", SQL_FILES, ids=[p.stem for p in SQL_FILES])
def test_sql_is_lint_clean(linter: Linter, path: Path) -> None:
    found = violations(linter, path)
    assert not found, "sqlfluff violations:\n" + "\n".join(found)


def test_linter_reports_style_and_parse_errors(linter: Linter, tmp_path: Path) -> None:
    """The lint check can fail: sloppy SQL and unparsable SQL are both reported."""
    sloppy = tmp_path / "sloppy.sql"
    sloppy.write_text("select A,b from tracks t where x=1\n", encoding="utf-8")
    broken = tmp_path / "broken.sql"
    broken.write_text("SELECT FROM WHERE tracks\n", encoding="utf-8")
    assert violations(linter, sloppy)
    assert any("PRS" in v for v in violations(linter, broken))
