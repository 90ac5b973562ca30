"""One local deploy per test session: every stack applied into moto, every pipeline run.

``deploy_run`` is the folder the run kept (``states/``, ``policies/``, ``logs/``); ``deploy_report``
is what it measured. A failed deploy fails every test that uses them, with the step's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dp_cli.local_aws import Report, deploy_local

from .iceberg_tables import recorder

# Every test module here sets pytestmark = [slow, xdist_group(DEPLOY_GROUP)]: one worker
# runs them all, so the session deploys once.
DEPLOY_GROUP = "deploy"


@pytest.fixture(scope="session")
def _deployment(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Report]:
    folder = tmp_path_factory.mktemp("deploy-local")
    lines: list[str] = []
    # While the stacks exist, record what was created for each Iceberg table (iceberg_tables.py).
    report = deploy_local("dev", keep=folder, say=lines.append, after_apply=recorder(folder))
    report.notes.extend(lines)
    return folder, report


@pytest.fixture(scope="session")
def deploy_run(_deployment: tuple[Path, Report]) -> Path:
    """The kept folder of the session's local deploy."""
    return _deployment[0]


@pytest.fixture(scope="session")
def deploy_report(_deployment: tuple[Path, Report]) -> Report:
    """The report of the session's local deploy."""
    return _deployment[1]
