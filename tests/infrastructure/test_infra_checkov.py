"""checkov over infrastructure/: zero failed checks, every skip justified inline.

checkov lives in its own venv (.venv-checkov, created by `make setup`); a missing checkov is
a failure, not a skip."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import tfchecks
from .tfchecks import CHECKOV, INFRA, REPO_ROOT

pytestmark = pytest.mark.xdist_group("checkov")


@pytest.fixture(scope="module")
def checkov_report() -> dict:
    assert CHECKOV.is_file(), (
        f"checkov is not installed at {CHECKOV.relative_to(REPO_ROOT)}: run `make setup`"
    )
    return tfchecks.run_checkov(INFRA, REPO_ROOT / ".checkov.yml")


def test_checkov_reports_no_failed_check(checkov_report: dict) -> None:
    summary = checkov_report["summary"]
    assert checkov_report["failed"] == []
    assert summary["parsing_errors"] == 0
    assert summary["passed"] > 300, "checkov scanned the stacks"


def test_every_checkov_skip_has_a_reason(checkov_report: dict) -> None:
    assert all(reason.strip() for _, _, reason in checkov_report["skipped"])
    assert tfchecks.check_skip_reasons(INFRA) == []
    config = (REPO_ROOT / ".checkov.yml").read_text()
    assert "skip-check" not in config, "suppressions are inline, next to their resource"


def test_checkov_catches_an_insecure_configuration(tmp_path: Path) -> None:
    """The scanner itself works: an open security group and a bare bucket fail."""
    assert CHECKOV.is_file(), "checkov is not installed: run `make setup`"
    (tmp_path / "main.tf").write_text(
        """
resource "aws_security_group" "open" {
  name        = "open"
  description = "open"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_s3_bucket" "bare" {
  bucket = "bare"
}
"""
    )
    report = tfchecks.run_checkov(tmp_path)
    failed = {entry.split()[0] for entry in report["failed"]}
    assert {"CKV_AWS_24", "CKV_AWS_145"} <= failed
