"""Helpers for job tests: load a job script as a module (jobs are scripts, not a package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

JOBS_DIR = Path(__file__).resolve().parents[2] / "src" / "jobs"


def load_job(project: str, script: str) -> ModuleType:
    """Import ``src/jobs/<project>/<script>.py`` under the name ``jobs_<project>_<script>``."""
    name = f"jobs_{project}_{script}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, JOBS_DIR / project / f"{script}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def refine() -> ModuleType:
    return load_job("project01", "refine")


@pytest.fixture(scope="module")
def curate() -> ModuleType:
    return load_job("project01", "curate")


@pytest.fixture(scope="module")
def customer_changes() -> ModuleType:
    return load_job("test02", "customer_changes")
