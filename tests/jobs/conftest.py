"""Helpers for job tests: load a job script as a module (jobs are scripts, not a package), and
the tables' data contracts compiled as the runner compiles them."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from dp_cli.contracts.compile import compile_all, write_compiled
from dp_foundation.contracts import TableContract, load_contract

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


@pytest.fixture(scope="session")
def compiled_contracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every project's contracts, compiled into a folder of their own."""
    out = tmp_path_factory.mktemp("contracts")
    write_compiled(compile_all(JOBS_DIR.parents[1]), out)
    return out


@pytest.fixture(scope="session")
def contract(compiled_contracts: Path) -> Callable[[str, str, str], TableContract]:
    """``contract(project, table, layer)``: a table's compiled contract."""

    def get(project: str, table: str, layer: str) -> TableContract:
        return load_contract(project, table, layer=layer, directory=compiled_contracts)

    return get
