"""Fixtures of the fault-injection tests (tests/faults).

``crashed_lake`` (session scope): a lake where a job process was SIGKILLed in the middle of two
Iceberg writes and then rerun (see ``iceberg_faults.crash_and_rerun``). Built once for the
crash, orphan-file and rollback tests, which all run in the xdist group "faults".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from iceberg_faults import CrashedLake, crash_and_rerun


@pytest.fixture(scope="session")
def crashed_lake(tmp_path_factory: pytest.TempPathFactory) -> CrashedLake:
    """The lake after a killed job and its rerun."""
    root: Path = tmp_path_factory.mktemp("crashed")
    return crash_and_rerun(root)
