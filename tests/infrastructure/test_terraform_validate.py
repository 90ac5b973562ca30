"""Real `terraform init -backend=false` + `terraform validate` of every Terraform configuration.

The tests run the script CI runs (.github/scripts/terraform-validate.sh): every environment,
every project stack (``_template`` included), the CI/CD stack, the baseline and every module.
It validates a temporary copy of the tree, takes the AWS provider from a filesystem mirror when
one is found (offline) or from the registry, initialises each root module with its committed
lock file, and relaxes ``required_version`` in the copy (saying so) when the installed CLI is
older than the code asks. The whole run happens once (a module fixture, two configurations at
a time); each configuration is then one test, whose failure shows Terraform's output.

Nothing is skipped: without a terraform binary, or without a provider mirror and a reachable
registry, the tests fail with the script's message on how to get them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from dp_cli.projects import new_project

from . import tfchecks
from .tfchecks import INFRA, REPO_ROOT

SCRIPT = REPO_ROOT / ".github" / "scripts" / "terraform-validate.sh"
TIMEOUT = 900
LOCK = ".terraform.lock.hcl"


def _one_worker() -> list[pytest.MarkDecorator]:
    """Under `pytest -n 2 --dist loadgroup` one worker runs this module: the validation runs
    once (a module fixture) and the other Terraform runs do not compete with it for the two
    cores. pytest-xdist registers the marker; without it (-p no:xdist) there is nothing to
    group."""
    try:
        return [pytest.mark.xdist_group("terraform")]
    except pytest.fail.Exception:  # marker unknown under --strict-markers
        return []


pytestmark = _one_worker()


def _configurations() -> list[str]:
    """What must be validated, found independently of the script."""
    environments = [
        p for p in (INFRA / "environments").iterdir() if p.is_dir() and not p.name.startswith("_")
    ]
    projects = [p.parent for p in (INFRA / "projects").glob("*/project.json")]
    modules = [p for p in (INFRA / "modules").iterdir() if p.is_dir() and any(p.glob("*.tf"))]
    found = [*environments, *projects, INFRA / "cicd", INFRA / "baseline", *modules]
    return sorted(str(p.relative_to(REPO_ROOT)) for p in found)


CONFIGURATIONS = _configurations()


@dataclass(frozen=True)
class Run:
    """One run of the script: its exit status, its output and each configuration's log."""

    returncode: int
    output: str
    logs: dict[str, tuple[int, str]]


def run_script(*args: str, log_dir: Path, env: dict[str, str] | None = None) -> Run:
    result = subprocess.run(
        ["bash", str(SCRIPT), "--log-dir", str(log_dir), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
        env=env,
    )
    logs: dict[str, tuple[int, str]] = {}
    for rc in log_dir.glob("*.rc"):
        stack = rc.stem.replace("__", "/")
        logs[stack] = (int(rc.read_text().strip() or 1), rc.with_suffix(".log").read_text())
    return Run(result.returncode, result.stdout + result.stderr, logs)


def installed_terraform() -> str | None:
    """The installed CLI's version, or None without one."""
    if shutil.which("terraform") is None:
        return None
    out = subprocess.run(
        ["terraform", "version", "-json"], capture_output=True, text=True, check=False
    ).stdout
    try:
        return str(json.loads(out)["terraform_version"])
    except (ValueError, KeyError):
        return None


def required_terraform() -> str:
    shared = (INFRA / "shared" / "versions.tf").read_text()
    match = re.search(r'required_version\s*=\s*">=\s*([0-9.]+)"', shared)
    assert match, "shared/versions.tf has a required_version of the form >= X.Y"
    return match[1]


def _older(version: str, than: str) -> bool:
    def parts(text: str) -> tuple[int, ...]:
        return tuple(int(p) for p in text.split(".")) + (0,) * (3 - len(text.split(".")))

    return parts(version) < parts(than)


@pytest.fixture(scope="module")
def validation(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Every configuration validated once (the script's default set, as in CI)."""
    return run_script(log_dir=tmp_path_factory.mktemp("terraform-validate"))


# ─── Every configuration is valid ───


def test_the_script_validates_every_configuration() -> None:
    """Environments, projects with _template, cicd, the baseline and every module."""
    result = subprocess.run(
        ["bash", str(SCRIPT), "--list"], capture_output=True, text=True, check=True
    )
    assert sorted(result.stdout.split()) == CONFIGURATIONS
    assert "infrastructure/projects/_template" in CONFIGURATIONS
    assert "infrastructure/cicd" in CONFIGURATIONS
    assert any(c.startswith("infrastructure/modules/") for c in CONFIGURATIONS)


@pytest.mark.slow
@pytest.mark.parametrize("configuration", CONFIGURATIONS)
def test_terraform_validate(validation: Run, configuration: str) -> None:
    if configuration not in validation.logs:
        pytest.fail(f"{configuration} was not validated; the script said:\n{validation.output}")
    returncode, log = validation.logs[configuration]
    assert returncode == 0, f"terraform init/validate failed in {configuration}:\n{log}"
    assert "Success! The configuration is valid." in log, log
    if (REPO_ROOT / configuration / LOCK).is_file():
        assert "from the dependency lock file" in log, "init used the committed lock file"


@pytest.mark.slow
def test_the_run_says_how_it_ran(validation: Run) -> None:
    assert validation.returncode == 0, validation.output
    assert "providers: " in validation.output
    installed, required = installed_terraform(), required_terraform()
    assert installed, "terraform is on PATH (the validation above passed)"
    relaxed = "validating a temporary copy with required_version relaxed" in validation.output
    assert relaxed is _older(installed, required), validation.output.splitlines()[:3]
    # The code keeps its constraint whatever CLI validated it.
    assert f'required_version = ">= {required}"' in (INFRA / "shared" / "versions.tf").read_text()


# ─── It fails when it should ───


def _copy_tree(dest: Path) -> Path:
    """The stacks with their lock files and the files outside infrastructure/ they read."""
    return tfchecks.copy_tree(dest, lock_files=True)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer contains the text this test breaks"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.slow
def test_validate_fails_on_a_broken_copy(tmp_path: Path) -> None:
    """An undeclared variable in a project's own file and an unknown argument of aws_glue_job in
    a module it calls: both reported, each naming its file."""
    infra = _copy_tree(tmp_path / "tree")
    _edit(
        infra / "modules" / "glue_job" / "main.tf",
        'resource "aws_glue_job" "this" {\n',
        'resource "aws_glue_job" "this" {\n  not_an_argument = true\n',
    )
    with (infra / "projects" / "test02" / "jobs.tf").open("a") as handle:
        handle.write("\nlocals {\n  broken = var.not_declared\n}\n")

    run = run_script(
        "--root",
        str(tmp_path / "tree"),
        "infrastructure/projects/test02",
        log_dir=tmp_path / "logs",
    )

    assert run.returncode != 0, run.output
    assert "validation failed: infrastructure/projects/test02" in run.output
    returncode, log = run.logs["infrastructure/projects/test02"]
    assert returncode == 1
    assert "Reference to undeclared input variable" in log, log
    assert re.search(r"on jobs\.tf line \d+", log), log
    assert 'An argument named "not_an_argument" is not expected here' in log, log
    assert re.search(r"on \.\./\.\./modules/glue_job/main\.tf line \d+", log), log


def test_missing_terraform_fails_with_how_to_install_it(tmp_path: Path) -> None:
    """No terraform binary: a failure that says how to get one, never a skip."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "find", "sort", "sed", "head", "cat"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    result = subprocess.run(
        [shutil.which("bash") or "bash", str(SCRIPT), "infrastructure/cicd"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": str(bin_dir)},
    )
    assert result.returncode != 0
    assert "terraform is not on PATH" in result.stderr
    assert f"Install Terraform >= {required_terraform()}" in result.stderr


def test_a_mirror_without_the_provider_fails_with_how_to_get_it(tmp_path: Path) -> None:
    """A mirror that lacks the locked provider: init fails and the script says what to do."""
    if shutil.which("terraform") is None:
        pytest.fail("terraform is not on PATH: install Terraform >= 1.14 (HashiCorp's apt repo)")
    mirror = tmp_path / "mirror"
    (mirror / "registry.terraform.io" / "hashicorp" / "aws").mkdir(parents=True)
    run = run_script(
        "infrastructure/cicd",
        log_dir=tmp_path / "logs",
        env={**os.environ, "TF_PROVIDER_MIRROR": str(mirror)},
    )
    assert run.returncode != 0
    returncode, log = run.logs["infrastructure/cicd"]
    assert returncode == 1
    assert "hint: " in log and "TF_PROVIDER_MIRROR" in log, log


def test_an_invalid_mirror_setting_is_reported(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", str(SCRIPT), "infrastructure/cicd"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TF_PROVIDER_MIRROR": str(tmp_path)},
    )
    if shutil.which("terraform") is None:
        assert "terraform is not on PATH" in result.stderr
        return
    assert result.returncode != 0
    assert "registry.terraform.io/hashicorp/aws" in result.stderr


# ─── Lock files reach new projects ───


def test_new_project_copies_the_lock_file(tmp_path: Path) -> None:
    """`dp new-project` copies _template, lock file included."""
    projects = tmp_path / "infrastructure" / "projects"
    projects.mkdir(parents=True)
    shutil.copy(INFRA / "projects" / "project.schema.json", projects)
    shutil.copytree(INFRA / "projects" / "_template", projects / "_template", symlinks=True)
    shutil.copytree(
        REPO_ROOT / "src" / "jobs" / "_template", tmp_path / "src" / "jobs" / "_template"
    )
    (tmp_path / "setup").mkdir()
    shutil.copy(REPO_ROOT / "setup" / "domain.json", tmp_path / "setup" / "domain.json")

    infra, _ = new_project("sales_eu", tmp_path)

    template_lock = (INFRA / "projects" / "_template" / LOCK).read_text()
    assert (infra / LOCK).read_text() == template_lock
