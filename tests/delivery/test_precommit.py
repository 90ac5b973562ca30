""".pre-commit-config.yaml: local hooks only (nothing downloaded), the same checks as CI."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from . import checks
from .checks import REPO

CONFIG = checks.load(REPO / ".pre-commit-config.yaml")
HOOKS = {hook["id"]: hook for repo in CONFIG["repos"] for hook in repo["hooks"]}


def test_every_hook_is_local() -> None:
    assert [repo["repo"] for repo in CONFIG["repos"]] == ["local"]
    for hook in HOOKS.values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "system"


@pytest.mark.parametrize("hook_id", sorted(HOOKS))
def test_hook_tool_is_installed(hook_id: str) -> None:
    tool = shlex.split(HOOKS[hook_id]["entry"])[0]
    if tool == "terraform":
        return  # Terraform is the one tool not in the venv (CI installs it; see docs).
    assert tool.startswith(".venv/bin/"), f"{hook_id}: call the venv's tool, not PATH's"
    assert (REPO / tool).exists(), f"{hook_id}: {tool} is missing; run make setup"


def test_hooks_mirror_the_ci_checks() -> None:
    ci = (checks.WORKFLOWS / "ci.yml").read_text(encoding="utf-8")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for tool in ("ruff check", "ruff format --check", "mypy", "shellcheck", "yamllint -s"):
        assert any(tool in h["entry"] for h in HOOKS.values()), tool
        assert tool in makefile, f"make lint (run by CI) no longer runs {tool}"
    assert "make lint" in ci
    assert HOOKS["zizmor"]["entry"] == ".venv/bin/zizmor --offline .github/"
    assert "zizmor" in ci
    assert "bandit -q -c pyproject.toml" in HOOKS["bandit"]["entry"]
    assert "bandit -q -c pyproject.toml" in ci
    assert HOOKS["terraform-fmt"]["entry"].startswith("terraform fmt -check")
    assert "terraform fmt -check" in ci


def test_check_json_hook_runs() -> None:
    files = [str(p) for p in (REPO / "infrastructure" / "projects").rglob("*.json")]
    files.append(str(REPO / "setup" / "domain.json"))
    entry = shlex.split(HOOKS["check-json"]["entry"])
    result = subprocess.run([*entry, *files], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
