"""Session fixtures: each stack is evaluated once per test session (per xdist worker)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from . import tfchecks

CICD_VARS = {"github_org": "example-org", "github_repository": "data-domain"}


@pytest.fixture(scope="session")
def stub_infra(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of infrastructure/ whose data-source reads are replaced by fixed values."""
    return tfchecks.stub_tree(tmp_path_factory.mktemp("stubbed"))


@pytest.fixture(scope="session")
def evaluate_stack(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[Path, dict | None], dict]:
    """Memoised tfparse evaluation: evaluate_stack(stack_dir, tfvars)."""
    cache: dict[tuple[str, str], dict] = {}
    scratch = tmp_path_factory.mktemp("tfvars")

    def evaluate(stack: Path, tfvars: dict | None = None) -> dict:
        key = (str(stack), repr(sorted((tfvars or {}).items())))
        if key not in cache:
            cache[key] = tfchecks.evaluate(stack, tfvars, scratch)
        return cache[key]

    return evaluate


@pytest.fixture(scope="session")
def environment_stack(
    stub_infra: Path, evaluate_stack: Callable[[Path, dict | None], dict]
) -> Callable[[str], dict]:
    """Stubbed evaluation of infrastructure/environments/<env> (baseline included)."""
    return lambda env: evaluate_stack(stub_infra / "environments" / env, None)


@pytest.fixture(scope="session")
def project_stack(
    stub_infra: Path, evaluate_stack: Callable[[Path, dict | None], dict]
) -> Callable[[str, str], dict]:
    """Stubbed evaluation of infrastructure/projects/<project> for an environment."""

    def evaluate(project: str, env: str = "dev") -> dict:
        tfvars = {"environment": env, "wheel_version": tfchecks.STUB_WHEEL_VERSION}
        return evaluate_stack(stub_infra / "projects" / project, tfvars)

    return evaluate


@pytest.fixture(scope="session")
def cicd_stack(stub_infra: Path, evaluate_stack: Callable[[Path, dict | None], dict]) -> dict:
    return evaluate_stack(stub_infra / "cicd", CICD_VARS)
