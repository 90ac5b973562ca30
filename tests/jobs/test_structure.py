"""Structural tests of every job script (backlog P0-ENG-05): they compile, import only names
that exist, have a main guard, and match the jobs their project.json declares; every project
folder is a package, so tests import its jobs as ``jobs.<project>.<script>``."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JOBS = ROOT / "src" / "jobs"
SCRIPTS = sorted(p for p in JOBS.glob("*/*.py") if p.name != "__init__.py")
CONTRACTS = sorted((ROOT / "infrastructure" / "projects").glob("*/project.json"))


def test_there_are_job_scripts() -> None:
    assert {p.parent.name for p in SCRIPTS} >= {"_template", "project01", "test02"}


def test_every_project_folder_is_a_package() -> None:
    assert (JOBS / "__init__.py").is_file()
    for folder in sorted(p for p in JOBS.iterdir() if p.is_dir() and p.name != "__pycache__"):
        assert (folder / "__init__.py").is_file(), f"{folder.name} has no __init__.py"


@pytest.mark.parametrize(
    "script",
    [s for s in SCRIPTS if s.parent.name != "_template"],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_script_imports_as_a_module_of_jobs(script: Path) -> None:
    name = f"jobs.{script.parent.name}.{script.stem}"
    module = importlib.import_module(name)
    assert Path(module.__file__ or "").resolve() == script.resolve()
    assert callable(module.main)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_script_compiles_imports_exist_and_has_main_guard(script: Path) -> None:
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    compile(tree, str(script), "exec")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(
                    f"{node.module}.{alias.name}"
                ), f"{script.name}: {node.module} has no {alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
    guards = [
        n
        for n in tree.body
        if isinstance(n, ast.If)
        and isinstance(n.test, ast.Compare)
        and isinstance(n.test.left, ast.Name)
        and n.test.left.id == "__name__"
    ]
    assert guards, f'{script.name} has no `if __name__ == "__main__":` guard'
    assert any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda p: p.parent.name)
def test_every_declared_job_has_its_script(contract: Path) -> None:
    config = json.loads(contract.read_text(encoding="utf-8"))
    project = contract.parent.name
    folder = ROOT / "src" / "jobs" / project
    for job in config.get("jobs", {}).values():
        assert (folder / job["script"]).is_file(), f"{project}: {job['script']} missing"


def test_every_script_is_declared_by_its_project() -> None:
    declared = {
        (c.parent.name, job["script"])
        for c in CONTRACTS
        for job in json.loads(c.read_text(encoding="utf-8")).get("jobs", {}).values()
    }
    for script in SCRIPTS:
        assert (script.parent.name, script.name) in declared, f"{script} is in no project.json"
