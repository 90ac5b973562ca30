"""Layout, conventions and hygiene of infrastructure/ (source level)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from . import tfchecks
from .tfchecks import INFRA, REPO_ROOT

MODULES = sorted(p.name for p in (INFRA / "modules").iterdir() if p.is_dir())
PROJECTS = sorted(p.parent.name for p in INFRA.glob("projects/*/project.json"))
ENVIRONMENTS = sorted(tfchecks.ENVIRONMENTS)
ROOT_FILES_OF_PROJECT = {"data.tf", "locals.tf", "main.tf", "outputs.tf", "variables.tf"}
# contracts/: the data contracts of the project's tables (one ODCS file per table).
PROJECT_OWN_FILES = {
    "project.json",
    "tables.tf",
    "jobs.tf",
    "pipelines.tf",
    "optimizers.tf",
    "contracts",
}


def test_required_modules_exist_and_no_dead_ones() -> None:
    required = {
        "s3_bucket",
        "glue_catalog_database",
        "glue_catalog_table",
        "glue_iceberg_table",
        "glue_job",
        "iam_glue_job",
        "iam_table_optimizer",
        "iam_role",
        "stepfunction_pipeline",
    }
    assert required <= set(MODULES)
    # The standalone optimizer module is gone, and nothing refers to it.
    assert "glue_table_optimizer" not in MODULES
    assert not [p for p in tfchecks.tf_files(INFRA) if "glue_table_optimizer" in p.read_text()]


def test_no_placeholders_or_legacy_layout() -> None:
    # No foundation/ folder, no placeholder files.
    assert not (INFRA / "foundation").exists()
    for placeholder in ("iam_glue_job.tf", "iam_table_optimizer.tf"):
        assert not (INFRA / "baseline" / placeholder).exists()
    assert not list(INFRA.rglob("asl.json")), "the ASL is generated"
    for path in tfchecks.tf_files(INFRA, follow_symlinks=True):
        text = path.read_text()
        assert "placeholder" not in text.lower(), path


@pytest.mark.parametrize("module", MODULES)
def test_module_layout(module: str) -> None:
    directory = INFRA / "modules" / module
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
        assert (directory / name).is_file(), f"{module} lacks {name}"
    assert "# ─── " in (directory / "main.tf").read_text(), "section headers use # ─── Name ───"


@pytest.mark.parametrize(
    "directory",
    [INFRA / "modules" / m for m in MODULES]
    + [INFRA / "baseline", INFRA / "cicd", INFRA / "shared", INFRA / "projects" / "_shared"],
    ids=lambda p: str(p.relative_to(INFRA)),
)
def test_variables_and_outputs_are_documented(directory: Path) -> None:
    parsed = tfchecks.parse_dir(directory)
    for entry in parsed.get("variable", []):
        for name, body in entry.items():
            assert body.get("description"), f"variable {name} has no description"
            assert body.get("type"), f"variable {name} has no type"
    for entry in parsed.get("output", []):
        for name, body in entry.items():
            assert body.get("description"), f"output {name} has no description"


def test_single_resources_are_named_this() -> None:
    """Inside modules, a resource type created once is named `this`."""
    offenders = []
    for module in MODULES:
        names: dict[str, list[str]] = {}
        for entry in tfchecks.parse_dir(INFRA / "modules" / module).get("resource", []):
            for kind, named in entry.items():
                names.setdefault(kind.strip('"'), []).extend(n.strip('"') for n in named)
        offenders += [
            f"{module}: {k}.{v[0]}" for k, v in names.items() if len(v) == 1 and v != ["this"]
        ]
    assert offenders == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environment_folders_are_thin(env: str) -> None:
    """Each environment is one real file (its name) plus symlinks to the shared root."""
    directory = INFRA / "environments" / env
    real = sorted(p.name for p in directory.iterdir() if p.suffix == ".tf" and not p.is_symlink())
    assert real == ["environment.tf"]
    text = (directory / "environment.tf").read_text()
    assert re.search(rf'environment\s*=\s*"{env}"', text)
    assert len([line for line in text.splitlines() if line.strip()]) <= 6
    for link in (p for p in directory.iterdir() if p.is_symlink()):
        assert link.resolve().parent in {INFRA / "environments" / "_shared", INFRA / "shared"}


def test_environment_settings_are_data() -> None:
    settings = tfchecks.ENVIRONMENTS
    assert set(settings) == {"dev", "int", "prod"}
    assert {tuple(sorted(v)) for v in settings.values()} == {tuple(sorted(settings["dev"]))}, (
        "every environment sets the same keys"
    )
    assert settings["prod"]["glue_execution_class"] == "STANDARD"
    assert all(settings[e]["glue_execution_class"] == "FLEX" for e in ("dev", "int"))
    cidrs = [v["vpc_cidr"] for v in settings.values()]
    assert len(set(cidrs)) == len(cidrs)


@pytest.mark.parametrize("project", PROJECTS)
def test_projects_are_plug_and_play(project: str) -> None:
    """A project folder holds only what a team edits; the rest is the shared wiring."""
    directory = INFRA / "projects" / project
    # The provider lock file is a real file too, but no team edits it.
    real = {p.name for p in directory.iterdir() if not p.is_symlink()} - {".terraform.lock.hcl"}
    assert real == PROJECT_OWN_FILES, f"{project}: unexpected own files {real ^ PROJECT_OWN_FILES}"
    links = {p.name: p.resolve() for p in directory.iterdir() if p.is_symlink()}
    assert set(links) == ROOT_FILES_OF_PROJECT | {"versions.tf", "provider.tf"}
    for name, target in links.items():
        assert target.is_file(), f"{project}/{name} is a broken link"
        assert os.readlink(directory / name).startswith(".."), "links are relative"
    optimizers = (directory / "optimizers.tf").read_text()
    assert not [
        line for line in optimizers.splitlines() if line.strip() and not line.startswith("#")
    ]
    assert "empty" in optimizers.lower()


def test_template_and_projects_share_the_same_wiring() -> None:
    targets = {
        project: {
            p.name: p.resolve() for p in (INFRA / "projects" / project).iterdir() if p.is_symlink()
        }
        for project in PROJECTS
    }
    assert len({tuple(sorted(t.items())) for t in targets.values()}) == 1


def _satisfies(version: str, constraint: str) -> bool:
    """Whether `version` meets a Terraform version constraint such as ">= 5.81, < 6.0"."""

    def parts(text: str) -> tuple[int, ...]:
        return tuple(int(p) for p in text.split("."))

    checks = {
        ">=": lambda v, c: v >= c,
        "<=": lambda v, c: v <= c,
        ">": lambda v, c: v > c,
        "<": lambda v, c: v < c,
        "=": lambda v, c: v == c,
        "!=": lambda v, c: v != c,
    }
    found = parts(version)
    for term in constraint.split(","):
        match = re.fullmatch(r"\s*(>=|<=|!=|~>|>|<|=)?\s*([0-9.]+)\s*", term)
        assert match, f"cannot read the constraint term {term!r}"
        operator, wanted = match[1] or "=", match[2]
        if operator == "~>":
            bound = parts(wanted)
            upper = (*bound[:-2], bound[-2] + 1) if len(bound) > 1 else (bound[0] + 1,)
            if not bound <= found[: len(bound)] + (0,) * (len(bound) - len(found)) < upper:
                return False
        elif not checks[operator](found, parts(wanted) + (0,) * (len(found) - len(wanted))):
            return False
    return True


def test_lock_file_policy_is_consistent() -> None:
    """Every root module commits a lock file (projects/_template too, so `dp
    new-project` copies it); all lock the same provider version, inside the constraint of
    shared/versions.tf; modules and shared folders have none; git does not ignore them."""
    roots = [INFRA / "environments" / e for e in ENVIRONMENTS]
    roots += [INFRA / "projects" / p for p in PROJECTS] + [INFRA / "cicd"]
    assert INFRA / "projects" / "_template" in roots
    locked: dict[str, tuple[str, frozenset[str]]] = {}
    for root in roots:
        lock = root / ".terraform.lock.hcl"
        assert lock.is_file(), f"{root.relative_to(INFRA)} has no .terraform.lock.hcl"
        match = re.search(
            r'provider "registry\.terraform\.io/hashicorp/aws" \{\s*version\s*=\s*"([^"]+)"'
            r".*?hashes\s*=\s*\[(.*?)\]",
            lock.read_text(),
            re.S,
        )
        assert match, f"{lock.relative_to(INFRA)} does not lock hashicorp/aws"
        hashes = frozenset(re.findall(r'"([a-z0-9]+:[^"]+)"', match[2]))
        assert any(h.startswith("h1:") for h in hashes), f"{lock.relative_to(INFRA)}: no h1 hash"
        locked[str(root.relative_to(INFRA))] = (match[1], hashes)
    assert len(set(locked.values())) == 1, f"the roots lock different providers: {locked}"
    version = next(iter(locked.values()))[0]
    shared = (INFRA / "shared" / "versions.tf").read_text()
    constraint = re.search(r'hashicorp/aws",\s*version\s*=\s*"([^"]+)"', shared)
    assert constraint, "shared/versions.tf constrains hashicorp/aws"
    assert _satisfies(version, constraint[1]), f"locked {version} is outside {constraint[1]}"
    stray = {p.parent for p in INFRA.rglob(".terraform.lock.hcl")} - set(roots)
    assert not stray, f"lock files outside root modules: {sorted(map(str, stray))}"
    ignored = (INFRA / ".gitignore").read_text().splitlines()
    assert ".terraform.lock.hcl" not in ignored
    assert "backend.conf" in ignored
    result = subprocess.run(
        ["git", "check-ignore", "-q", "infrastructure/projects/test02/.terraform.lock.hcl"],
        cwd=REPO_ROOT,
        check=False,
    )
    # 1: not ignored. 128: not a git checkout (e.g. an exported tree).
    assert result.returncode in (1, 128)


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("5.100.0", ">= 5.81, < 6.0", True),
        ("5.81.0", ">= 5.81, < 6.0", True),
        ("5.80.0", ">= 5.81, < 6.0", False),
        ("6.0.0", ">= 5.81, < 6.0", False),
        ("5.80.0", "~> 5.0", True),
        ("6.0.0", "~> 5.0", False),
    ],
)
def test_constraint_reading(version: str, constraint: str, expected: bool) -> None:
    assert _satisfies(version, constraint) is expected


def test_no_copy_paste_across_terraform_files() -> None:
    """No run of 6 identical lines anywhere across the .tf files (symlinks count once)."""
    assert tfchecks.check_duplicates(INFRA) == []


def test_terraform_files_are_formatted() -> None:
    """Same check as `terraform fmt -check`, with HashiCorp's formatter (no terraform binary)."""
    assert tfchecks.check_formatting([INFRA]) == []


def test_no_machine_paths_or_latest_wheel() -> None:
    checked = [
        *(p for p in INFRA.rglob("*") if p.is_file() and not p.is_symlink()),
        REPO_ROOT / "setup" / "init-terraform.sh",
        REPO_ROOT / "docs" / "infrastructure.md",
    ]
    for path in checked:
        text = path.read_text()
        assert "/work/" not in text and "/home/" not in text and "/tmp/" not in text, path
        assert "core-latest" not in text, path


def test_versions_are_pinned_once() -> None:
    """Every root module takes Terraform and provider versions from shared/versions.tf."""
    shared = (INFRA / "shared" / "versions.tf").read_text()
    assert 'required_version = ">= 1.14"' in shared
    # 5.81: the table optimizer's retention and orphan-file blocks (see the file's comment).
    assert 'version = ">= 5.81, < 6.0"' in shared
    assert 'backend "s3" {}' in shared
    roots = [INFRA / "environments" / e for e in ENVIRONMENTS]
    roots += [INFRA / "projects" / p for p in PROJECTS] + [INFRA / "cicd"]
    for root in roots:
        assert (root / "versions.tf").resolve() == INFRA / "shared" / "versions.tf"
        assert (root / "provider.tf").resolve() == INFRA / "shared" / "provider.tf"
