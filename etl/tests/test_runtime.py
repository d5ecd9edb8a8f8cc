"""The local Spark and Python are the Glue runtime's (etl/glue_runtime.json), so what the tests
prove about the transforms holds on the deployed job."""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import pyspark

RUNTIME = json.loads((Path(__file__).resolve().parents[1] / "glue_runtime.json").read_text(encoding="utf-8"))


def test_local_pyspark_is_the_glue_runtime_spark() -> None:
    assert pyspark.__version__ == RUNTIME["spark"], f"Glue {RUNTIME['glueVersion']} runs Spark {RUNTIME['spark']}"


def test_local_python_is_the_glue_runtime_python() -> None:
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert running == RUNTIME["python"], f"Glue {RUNTIME['glueVersion']} runs Python {RUNTIME['python']}"


def test_local_python_modules_are_the_glue_runtime_modules() -> None:
    installed = {name: version(name) for name in RUNTIME["pythonModules"]}
    assert installed == RUNTIME["pythonModules"], f"Glue {RUNTIME['glueVersion']} provides {RUNTIME['pythonModules']}"
