"""Module interfaces: calls match declarations, references name real outputs, environments
re-export the whole baseline (python-hcl2, raw source)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from . import tfchecks
from .tfchecks import INFRA

CALLERS = sorted(
    {p.parent for p in INFRA.rglob("*.tf") if ".stubs" not in p.parts and "module" in p.read_text()}
)


@pytest.mark.parametrize("directory", CALLERS, ids=lambda p: str(p.relative_to(INFRA)))
def test_module_calls_match_module_interfaces(directory: Path) -> None:
    assert tfchecks.check_module_interfaces(directory) == []


@pytest.mark.parametrize("env", sorted(tfchecks.ENVIRONMENTS))
def test_environment_reexports_every_baseline_output(env: str) -> None:
    assert tfchecks.check_reexports(INFRA / "baseline", INFRA / "environments" / env) == []


def test_projects_only_read_outputs_the_baseline_exports() -> None:
    """Every local.baseline.<name> a project uses is an output of the environment roots."""
    exported = set(tfchecks.output_names(INFRA / "environments" / "dev"))
    used = set()
    for path in (INFRA / "projects").rglob("*.tf"):
        used |= set(re.findall(r"local\.baseline\.([a-z0-9_]+)", path.read_text()))
    assert used, "projects read the baseline through local.baseline"
    assert used <= exported, f"not exported: {sorted(used - exported)}"


def test_projects_read_the_baseline_through_remote_state() -> None:
    shared = INFRA / "projects" / "_shared"
    data = (shared / "data.tf").read_text()
    assert 'data "terraform_remote_state" "baseline"' in data
    assert 'key    = "baseline/terraform.tfstate"' in data
    locals_ = (shared / "locals.tf").read_text()
    assert "baseline = data.terraform_remote_state.baseline.outputs" in locals_
    assert 'config   = jsondecode(file("${path.module}/project.json"))' in locals_
    assert 'domain   = jsondecode(file("${path.module}/../../../setup/domain.json"))' in locals_
