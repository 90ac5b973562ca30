"""The checkers must fail on a deliberately broken workflow: a check that passes everything
proves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from . import checks

CREDS = "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c"
BROKEN = f"""\
name: broken
on:
  issues:
    types: [opened]
permissions: write-all
jobs:
  scan:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b
      - run: echo "${{{{ github.event.issue.title }}}}"
      - run: bandit -r src --exit-zero
      - run: checkov -d infrastructure --soft-fail
      - run: pip-audit || true
      - run: rm -rf $TARGET/*
  deploy-a:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    environment: dev
    permissions:
      id-token: write
    steps:
      - uses: {CREDS}  # v6.2.3
        with:
          role-to-assume: ${{{{ secrets.AWS_ROLE_ARN_BASELINE }}}}
  deploy-b:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: {CREDS}  # v6.2.3
        with:
          role-to-assume: ${{{{ secrets.AWS_ROLE_ARN_BASELINE }}}}
"""


@pytest.fixture(scope="module")
def broken() -> tuple[dict[object, object], str]:
    return yaml.safe_load(BROKEN), BROKEN


def test_tag_pinned_action_is_caught(broken: tuple[dict[object, object], str]) -> None:
    doc, text = broken
    problems = checks.unpinned_uses(doc)
    assert any("actions/checkout@v4" in p for p in problems)
    assert len(problems) == 1, "SHA-pinned actions pass"
    missing_comment = checks.uses_without_version_comment(text)
    assert any("setup-python@0b93645e" in p for p in missing_comment)


def test_expression_in_run_is_caught(broken: tuple[dict[object, object], str]) -> None:
    doc, _ = broken
    problems = checks.expressions_in_run(doc)
    assert len(problems) == 1
    assert "scan[2]" in problems[0]


def test_missing_timeout_and_persist_credentials_are_caught(
    broken: tuple[dict[object, object], str],
) -> None:
    doc, _ = broken
    assert checks.jobs_without_timeout(doc) == ["job scan has no timeout-minutes"]
    assert len(checks.checkout_problems(doc)) == 1
    assert checks.missing_concurrency(doc) == ["workflow has no concurrency group"]


def test_excess_permissions_are_caught(broken: tuple[dict[object, object], str]) -> None:
    doc, _ = broken
    problems = checks.permission_problems(doc)
    assert any("write-all" in p for p in problems)
    assert any("job scan: id-token: write without an environment" in p for p in problems)
    assert any("job scan: id-token: write but assumes no AWS role" in p for p in problems)
    assert any("job deploy-b: assumes an AWS role without id-token" in p for p in problems)
    assert not any("deploy-a" in p for p in problems)


def test_security_bypasses_are_caught(broken: tuple[dict[object, object], str]) -> None:
    doc, _ = broken
    problems = checks.security_bypasses(doc)
    assert any("--exit-zero" in p for p in problems)
    assert any("--soft-fail" in p for p in problems)
    assert any("swallows" in p for p in problems)


def test_shared_role_secret_is_caught(broken: tuple[dict[object, object], str]) -> None:
    doc, _ = broken
    assert checks.shared_role_secrets(doc) == [
        "secret AWS_ROLE_ARN_BASELINE is used by jobs ['deploy-a', 'deploy-b']"
    ]


def test_shellcheck_catches_unquoted_variable(
    broken: tuple[dict[object, object], str], tmp_path: Path
) -> None:
    doc, _ = broken
    problems = checks.shellcheck_scripts(checks.run_scripts(doc), tmp_path)
    assert any("SC2115" in p or "SC2086" in p for p in problems), problems


def test_zizmor_catches_the_broken_workflow(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "broken.yml").write_text(BROKEN, encoding="utf-8")
    result = checks.run_zizmor(tmp_path / ".github")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "template-injection" in output
    assert "unpinned-uses" in output
    assert "excessive-permissions" in output or "artipacked" in output
