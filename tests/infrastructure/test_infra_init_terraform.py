"""setup/init-terraform.sh writes every root module's S3 backend configuration."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from . import tfchecks
from .tfchecks import DOMAIN, REPO_ROOT

ACCOUNT = "210987654321"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    tfchecks.copy_tree(tmp_path)
    shutil.copy2(
        REPO_ROOT / "setup" / "init-terraform.sh", tmp_path / "setup" / "init-terraform.sh"
    )
    return tmp_path


def run(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "setup/init-terraform.sh", *args],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
    )


def backend(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip().strip('"') for k, v in pairs}


@pytest.mark.parametrize("env", sorted(tfchecks.ENVIRONMENTS))
def test_backend_configuration_per_environment(checkout: Path, env: str) -> None:
    result = run(checkout, env, "--account-id", ACCOUNT)
    assert result.returncode == 0, result.stderr
    bucket = f"{DOMAIN['domain_abbr']}-tfstate-{ACCOUNT}-{env}"
    common = {
        "bucket": bucket,
        "region": DOMAIN["aws_region"],
        "encrypt": "true",
        "use_lockfile": "true",
    }
    infra = checkout / "infrastructure"
    assert backend(infra / "environments" / env / "backend.conf") == {
        **common,
        "key": "baseline/terraform.tfstate",
    }
    assert backend(infra / "cicd" / "backend.conf") == {**common, "key": "cicd/terraform.tfstate"}
    projects = sorted(
        p.parent.name for p in infra.glob("projects/*/project.json") if p.parent.name != "_template"
    )
    assert projects == ["project01", "test02"]
    for project in projects:
        conf = backend(infra / "projects" / project / "backend.conf")
        assert conf == {**common, "key": f"projects/{project}/terraform.tfstate"}
    assert not (infra / "projects" / "_template" / "backend.conf").exists()
    others = [e for e in tfchecks.ENVIRONMENTS if e != env]
    assert not any((infra / "environments" / e / "backend.conf").exists() for e in others)


def test_projects_read_the_state_the_environment_writes(checkout: Path) -> None:
    """The remote-state key in projects/_shared/data.tf is the key the script gives the baseline."""
    run(checkout, "dev", "--account-id", ACCOUNT)
    key = backend(checkout / "infrastructure" / "environments" / "dev" / "backend.conf")["key"]
    data = (REPO_ROOT / "infrastructure" / "projects" / "_shared" / "data.tf").read_text()
    assert f'key    = "{key}"' in data
    assert 'format(module.naming.name_format, "tfstate")' in data


@pytest.mark.parametrize(
    "args",
    [("staging", "--account-id", ACCOUNT), ("dev", "--account-id", "12345"), ("dev", "--bogus")],
)
def test_bad_arguments_are_refused(checkout: Path, args: tuple[str, ...]) -> None:
    result = run(checkout, *args)
    assert result.returncode == 2
    assert not (checkout / "infrastructure" / "environments" / "dev" / "backend.conf").exists()
