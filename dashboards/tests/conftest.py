"""Fixtures for the CloudFormation schema check: manifests from the real synthesis of each stage.

The manifests are synthesized afresh into a temporary directory (``npm run synth -- <stage>
--quiet --out <tmp>`` from the repository root), never read from a possibly stale ``out/synth/``.
Node.js 22 comes from ``tools/node-runtime.sh``: the machine's node when it is new enough (as under
``npm test``), otherwise the cached registry build.
"""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

DASHBOARDS_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = DASHBOARDS_DIR.parent

_SYNTH = 'source tools/node-runtime.sh >&2 && exec node tools/compiled.js synth "$@"'


def synthesize(stage: str, out: Path) -> Path:
    """Runs the real synthesis of ``stage`` into ``out``; returns ``out/<stage>``."""
    if not (REPO_ROOT / "node_modules" / ".bin" / "tsx").exists():
        pytest.fail("node_modules is missing: run `npm ci` at the repository root first")
    command = ["bash", "-c", _SYNTH, "synth", stage, "--quiet", "--out", str(out)]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        pytest.fail(f"synthesis of stage {stage} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return out / stage


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``synthesized(stage)``: the directory of the stage's fresh manifests, synthesized once per session."""
    root = tmp_path_factory.mktemp("synth")
    done: dict[str, Path] = {}

    def get(stage: str) -> Path:
        if stage not in done:
            done[stage] = synthesize(stage, root)
        return done[stage]

    return get


@pytest.fixture
def dashboards_manifest(synthesized: Callable[[str], Path]) -> Callable[[str], dict[str, Any]]:
    """``dashboards_manifest(stage)``: a private copy of the stage's ``<stage>-dashboards`` manifest, free to mutate."""

    def get(stage: str) -> dict[str, Any]:
        manifest: dict[str, Any] = json.loads((synthesized(stage) / f"{stage}-dashboards.json").read_text(encoding="utf-8"))
        return copy.deepcopy(manifest)

    return get
