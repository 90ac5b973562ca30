"""Module interfaces: calls match declarations, references name real outputs, environments
export the baseline as one object that the projects read (python-hcl2, raw source)."""

from __future__ import annotations

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


def test_environment_exports_the_baseline_as_one_object() -> None:
    """One output, the baseline module itself: nothing to keep in sync by hand."""
    outputs = tfchecks.parse_dir(INFRA / "environments" / "_shared").get("output", [])
    assert [
        (name.strip('"'), body["value"]) for entry in outputs for name, body in entry.items()
    ] == [("baseline", "${module.baseline}")]
    for env in tfchecks.ENVIRONMENTS:
        link = INFRA / "environments" / env / "outputs.tf"
        assert link.resolve() == INFRA / "environments" / "_shared" / "outputs.tf"


def test_no_baseline_output_is_sensitive() -> None:
    """The environment exports the module whole: a sensitive output would make every value
    sensitive, and a secret does not belong in a state other stacks read."""
    for entry in tfchecks.parse_dir(INFRA / "baseline").get("output", []):
        for name, body in entry.items():
            assert not body.get("sensitive"), f"baseline output {name} is sensitive"


def test_projects_only_read_outputs_the_baseline_exports() -> None:
    """Every local.baseline.<name> a project uses is an output of the baseline."""
    used = set()
    for path in (INFRA / "projects").rglob("*.tf"):
        used |= set(tfchecks.BASELINE_READ.findall(path.read_text()))
    assert used, "projects read the baseline through local.baseline"
    assert tfchecks.check_baseline_reads(INFRA / "projects", INFRA / "baseline") == []


def test_projects_read_the_baseline_through_remote_state() -> None:
    shared = INFRA / "projects" / "_shared"
    data = (shared / "data.tf").read_text()
    assert 'data "terraform_remote_state" "baseline"' in data
    assert 'key    = "baseline/terraform.tfstate"' in data
    locals_ = (shared / "locals.tf").read_text()
    assert "baseline = data.terraform_remote_state.baseline.outputs.baseline" in locals_
    assert 'config   = jsondecode(file("${path.module}/project.json"))' in locals_
    assert 'domain   = jsondecode(file("${path.module}/../../../setup/domain.json"))' in locals_
