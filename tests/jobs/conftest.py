"""Fixtures for job tests: the job modules (``jobs.<project>.<script>``, importable because
``src`` is on the path through the editable install; imported when a test asks, not at
collection, since a job imports pyspark), and the tables' data contracts compiled as the
runner compiles them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from dp_cli.contracts.compile import compile_all, write_compiled
from dp_foundation.contracts import TableContract, load_contract

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def refine() -> ModuleType:
    from jobs.project01 import refine

    return refine


@pytest.fixture(scope="module")
def curate() -> ModuleType:
    from jobs.project01 import curate

    return curate


@pytest.fixture(scope="module")
def customer_changes() -> ModuleType:
    from jobs.test02 import customer_changes

    return customer_changes


@pytest.fixture(scope="session")
def compiled_contracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every project's contracts, compiled into a folder of their own."""
    out = tmp_path_factory.mktemp("contracts")
    write_compiled(compile_all(ROOT), out)
    return out


@pytest.fixture(scope="session")
def contract(compiled_contracts: Path) -> Callable[[str, str, str], TableContract]:
    """``contract(project, table, layer)``: a table's compiled contract."""

    def get(project: str, table: str, layer: str) -> TableContract:
        return load_contract(project, table, layer=layer, directory=compiled_contracts)

    return get
