"""Fixtures for the configuration tests: a domain file and an environment of our own."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

DOMAIN = {"domain_name": "testdomain", "domain_abbr": "t01", "aws_region": "eu-central-1"}

# Variables a developer's shell (or an earlier test) may carry that change the configuration.
_PREFIXES = ("AWS_", "DP_", "JOB_")
_NAMES = ("ENV",)


@pytest.fixture
def domain_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hermetic configuration: our domain file, an empty ``.env``, the cwd in ``tmp_path``.

    The empty ``.env`` in the cwd shadows a developer's ``.env`` in the repository; AWS
    configuration files point nowhere so no profile on the machine is used.
    """
    for name in list(os.environ):
        if name.startswith(_PREFIXES) or name in _NAMES:
            monkeypatch.delenv(name)
    path = tmp_path / "domain.json"
    path.write_text(json.dumps(DOMAIN), encoding="utf-8")
    (tmp_path / ".env").write_text("", encoding="utf-8")
    monkeypatch.setenv("DP_DOMAIN_FILE", str(path))
    monkeypatch.setenv("DP_LAKE_DIR", str(tmp_path / "lake"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.chdir(tmp_path)
    return path
