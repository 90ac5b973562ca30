"""The GitHub Actions workflows, composite actions and Dependabot config, checked statically."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from . import checks
from .checks import GITHUB, REPO, WORKFLOWS

WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
ACTION_FILES = sorted((GITHUB / "actions").glob("*/action.yml"))
DEPLOY_WRAPPERS = {"dev": "dev", "int": "int", "prod": "main"}
ROLE_JOBS = {
    "AWS_ROLE_ARN_BASELINE": "baseline",
    "AWS_ROLE_ARN_ARTIFACTS": "artifacts",
    "AWS_ROLE_ARN_PROJECTS": "projects",
}


def wf(name: str) -> dict[Any, Any]:
    return checks.load(WORKFLOWS / name)


def test_expected_files_exist() -> None:
    names = {p.name for p in WORKFLOW_FILES}
    assert {
        "ci.yml",
        "_deploy.yml",
        "deploy-dev.yml",
        "deploy-int.yml",
        "deploy-prod.yml",
        "terraform-plan-pr.yml",
    } <= names
    assert (GITHUB / "dependabot.yml").is_file()
    assert (GITHUB / "actions" / "setup" / "action.yml").is_file()


@pytest.mark.parametrize("path", WORKFLOW_FILES + ACTION_FILES, ids=lambda p: p.name)
def test_parses_with_triggers_or_runs(path: Path) -> None:
    doc = checks.load(path)
    if path.name == "action.yml":
        assert doc["runs"]["using"] == "composite"
    else:
        assert checks.triggers(doc), f"{path.name} has no on: triggers"
        assert checks.jobs(doc), f"{path.name} has no jobs"


@pytest.mark.parametrize("path", WORKFLOW_FILES + ACTION_FILES, ids=lambda p: p.name)
def test_every_structural_check_passes(path: Path) -> None:
    doc = checks.load(path)
    text = path.read_text(encoding="utf-8")
    if path.name == "action.yml":
        problems = (
            checks.unpinned_uses(doc)
            + checks.uses_without_version_comment(text)
            + checks.expressions_in_run(doc)
            + checks.checkout_problems(doc)
        )
    else:
        problems = checks.all_problems(doc, text)
    assert problems == []


def test_the_same_action_is_pinned_to_the_same_commit_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for path in WORKFLOW_FILES + ACTION_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = checks.USES_LINE_RE.match(line)
            if match and not checks.is_local(match["ref"]):
                action, _, sha = match["ref"].partition("@")
                pins.setdefault(action, set()).add(f"{sha} {match['rest'].strip()}")
    assert pins, "no remote actions found"
    assert {a: p for a, p in pins.items() if len(p) > 1} == {}


def test_zizmor_reports_nothing() -> None:
    result = checks.run_zizmor(GITHUB)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No findings to report" in output, output


def test_shellcheck_on_every_run_block(tmp_path: Path) -> None:
    scripts = [
        (f"{path.name}: {label}", script)
        for path in WORKFLOW_FILES + ACTION_FILES
        for label, script in checks.run_scripts(checks.load(path))
    ]
    assert len(scripts) > 20
    assert checks.shellcheck_scripts(scripts, tmp_path) == []


def test_shellcheck_on_scripts() -> None:
    scripts = sorted((REPO / "setup").glob("*.sh")) + sorted((GITHUB / "scripts").glob("*.sh"))
    assert REPO / "setup" / "bootstrap.sh" in scripts
    result = subprocess.run(
        [str(checks.VENV_BIN / "shellcheck"), *map(str, scripts)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_yamllint_strict() -> None:
    result = subprocess.run(
        [str(checks.VENV_BIN / "yamllint"), "-s", ".github", ".pre-commit-config.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_hard_coded_domain_facts() -> None:
    """Domain abbreviation and region come from setup/domain.json, never from a workflow."""
    domain = json.loads((REPO / "setup" / "domain.json").read_text(encoding="utf-8"))
    for path in [*WORKFLOW_FILES, *ACTION_FILES, *(GITHUB / "scripts").iterdir()]:
        text = path.read_text(encoding="utf-8")
        for key in ("domain_abbr", "aws_region", "domain_name"):
            assert not re.search(rf"\b{re.escape(domain[key])}\b", text), (path.name, key)


# ─── Deploy wrappers ──────────────────────────────────────────


@pytest.mark.parametrize(("env", "branch"), DEPLOY_WRAPPERS.items())
def test_deploy_wrapper(env: str, branch: str) -> None:
    path = WORKFLOWS / f"deploy-{env}.yml"
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 20, "wrappers stay within 20 lines"
    header = text.splitlines()[0]
    assert header.startswith(f"# Triggered on push to the `{branch}` branch"), header
    assert not re.search(r"`(dev|int|main)` branch", header.replace(f"`{branch}`", "")), header

    doc = checks.load(path)
    assert checks.triggers(doc)["push"]["branches"] == [branch]
    assert doc["concurrency"]["group"] == f"deploy-{env}"
    assert doc["concurrency"]["cancel-in-progress"] is False, "deploys queue, never overlap"
    (job,) = checks.jobs(doc).values()
    assert job["uses"] == "$/.github/workflows/_deploy.yml"
    assert job["with"]["environment"] == env
    suffix = env.upper()
    assert job["secrets"] == {name: f"${{{{ secrets.{name}_{suffix} }}}}" for name in ROLE_JOBS}, (
        "the three role secrets of this environment, nothing else"
    )


# ─── _deploy.yml ─────────────────────────────────────────────────────────────


def test_deploy_takes_three_roles_each_used_by_its_job_only() -> None:
    doc = wf("_deploy.yml")
    call = checks.triggers(doc)["workflow_call"]
    assert set(call["secrets"]) == set(ROLE_JOBS)
    assert all(s["required"] for s in call["secrets"].values())
    usage = checks.secret_usage(doc)
    assert {name: usage.get(name) for name in ROLE_JOBS} == {
        name: {job} for name, job in ROLE_JOBS.items()
    }


def test_deploy_jobs_and_order() -> None:
    jobs = checks.jobs(wf("_deploy.yml"))
    assert set(jobs) == {"changes", "baseline", "artifacts", "projects"}
    assert jobs["baseline"]["needs"] == "changes"
    assert set(jobs["artifacts"]["needs"]) == {"changes", "baseline"}
    assert set(jobs["projects"]["needs"]) == {"changes", "baseline", "artifacts"}
    for name in ("baseline", "artifacts", "projects"):
        # A GitHub environment per job: its OIDC subject admits this job's role only.
        assert jobs[name]["environment"] == f"${{{{ inputs.environment }}}}-{name}"
        assert jobs[name]["permissions"] == {"contents": "read", "id-token": "write"}
    assert "id-token" not in (jobs["changes"].get("permissions") or {})


def test_deploy_change_detection_and_discovery() -> None:
    text = (WORKFLOWS / "_deploy.yml").read_text(encoding="utf-8")
    assert "dorny/paths-filter@" in text
    assert "discover-projects.sh" in text
    filters = checks.load(GITHUB / "path-filters.yml")
    for area in ("baseline", "artifacts", "projects"):
        assert f"steps.filter.outputs.{area}" in text
        assert filters[area]


def test_deploy_masks_account_and_uses_backend_script() -> None:
    jobs = checks.jobs(wf("_deploy.yml"))
    script = (GITHUB / "scripts" / "aws-account.sh").read_text(encoding="utf-8")
    assert 'echo "::add-mask::${account}"' in script
    for name in ("baseline", "artifacts", "projects"):
        runs = [str(s.get("run", "")) for s in jobs[name]["steps"]]
        creds = next(
            i
            for i, s in enumerate(jobs[name]["steps"])
            if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")
        )
        # The first thing after assuming the role is masking its account id.
        assert runs[creds + 1] == "bash .github/scripts/aws-account.sh", name
        assert jobs[name]["steps"][creds]["with"]["mask-aws-account-id"] is True
        assert "steps.domain.outputs" not in str(jobs[name])
        assert jobs[name]["steps"][creds]["with"]["aws-region"] == (
            "${{ needs.changes.outputs.aws_region }}"
        )
    for name in ("baseline", "projects"):
        runs = "\n".join(str(s.get("run", "")) for s in jobs[name]["steps"])
        assert 'bash setup/init-terraform.sh "$ENV"' in runs
        assert "terraform-stack.sh apply" in runs


def test_deploy_projects_matrix_and_traceability() -> None:
    projects = checks.jobs(wf("_deploy.yml"))["projects"]
    assert projects["strategy"]["matrix"]["project"] == (
        "${{ fromJSON(needs.changes.outputs.project_list) }}"
    )
    assert projects["strategy"]["fail-fast"] is False
    assert set(projects["env"]) >= {
        "TF_VAR_environment",
        "TF_VAR_wheel_version",
        "TF_VAR_git_sha",
        "TF_VAR_deployed_by",
        "TF_VAR_repository",
    }
    baseline = checks.jobs(wf("_deploy.yml"))["baseline"]
    assert {"TF_VAR_git_sha", "TF_VAR_deployed_by", "TF_VAR_repository"} <= set(baseline["env"])


UPLOAD_SCRIPT = 'bash .github/scripts/upload-artifacts.sh "$ENV" "$WHEEL_VERSION"'


def test_deploy_uploads_versioned_wheel_and_job_scripts_only() -> None:
    """The upload lives in one script (also run against a local AWS emulator); what it
    writes is tested in test_upload_artifacts.py."""
    artifacts = checks.jobs(wf("_deploy.yml"))["artifacts"]
    runs = [str(s.get("run", "")).strip() for s in artifacts["steps"]]
    assert any('bash setup/build-wheel.sh "$WHEEL_VERSION" dist' in run for run in runs)
    assert UPLOAD_SCRIPT in runs, "uploads with the script, in the repository root (dist/)"
    assert not any("aws s3" in run for run in runs), "no S3 call outside the script"
    upload = next(s for s in artifacts["steps"] if s.get("run", "").strip() == UPLOAD_SCRIPT)
    assert upload["env"] == {
        "ACCOUNT_ID": "${{ steps.account.outputs.account_id }}",
        "WHEEL_VERSION": "${{ needs.changes.outputs.wheel_version }}",
    }


def test_deploy_rollback_reapplies_projects_with_a_stored_wheel_and_scripts() -> None:
    doc = wf("_deploy.yml")
    call = checks.triggers(doc)["workflow_call"]
    assert call["inputs"]["wheel_version"]["default"] == ""
    jobs = checks.jobs(doc)
    decide = next(s for s in jobs["changes"]["steps"] if s.get("id") == "plan")["run"]
    assert "ROLLBACK=true BASELINE=false ARTIFACTS=true PROJECTS=true" in decide
    artifacts = jobs["artifacts"]["steps"]
    upload = next(s for s in artifacts if s.get("run", "").strip() == UPLOAD_SCRIPT)
    assert upload["if"] == "needs.changes.outputs.rollback != 'true'"
    verify = artifacts[-1]
    assert "if" not in verify, "the stored-artifacts check runs for deploys and rollbacks"
    assert verify["run"].strip() == f"{UPLOAD_SCRIPT} --check"
    assert verify["env"] == upload["env"], "the check looks at the version the projects get"
    for env in DEPLOY_WRAPPERS:
        wrapper = checks.load(WORKFLOWS / f"deploy-{env}.yml")
        assert "wheel_version" in checks.triggers(wrapper)["workflow_dispatch"]["inputs"]


def test_deploy_environment_matches_branch() -> None:
    first = checks.jobs(wf("_deploy.yml"))["changes"]["steps"][0]["run"]
    for env, branch in DEPLOY_WRAPPERS.items():
        assert f"{env}) expected=refs/heads/{branch} ;;" in first


# ─── CI (ci.yml) ─────────────────────────────────────────────────────────────


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(s.get("run", "")) for s in job.get("steps", []))


def test_ci_jobs_cover_lint_tests_terraform_wheel_security() -> None:
    doc = wf("ci.yml")
    jobs = checks.jobs(doc)
    assert "make lint" in _runs(jobs["lint"])
    assert "make test" in _runs(jobs["test"])
    assert "terraform fmt -check -recursive" in _runs(jobs["terraform"])
    assert "bash .github/scripts/terraform-validate.sh" in _runs(jobs["terraform"])
    assert "setup/build-wheel.sh" in _runs(jobs["wheel"])
    security = _runs(jobs["security-scan"])
    for tool in ("bandit", "checkov", "pip-audit", "zizmor", "cyclonedx-py environment"):
        assert tool in security, tool
    assert "pip-audit --strict" in security
    sbom = [
        s
        for s in jobs["security-scan"]["steps"]
        if str(s.get("uses", "")).startswith("actions/upload-artifact@")
    ]
    assert sbom, "the SBOM is uploaded as an artifact (P0-SEC-03)"
    assert sbom[0]["with"]["path"] == "sbom.json"


def test_ci_jobs_run_only_when_their_area_changed() -> None:
    doc = wf("ci.yml")
    filters = checks.load(GITHUB / "path-filters.yml")
    changes = checks.jobs(doc)["changes"]
    assert any("dorny/paths-filter@" in str(s.get("uses")) for s in changes["steps"])
    for job_id, job in checks.jobs(doc).items():
        if job_id in ("changes", "ci-ok"):
            continue
        match = re.fullmatch(r"needs\.changes\.outputs\.(\w+) == 'true'", job["if"])
        assert match, f"{job_id} runs unconditionally"
        assert match[1] in changes["outputs"]
        assert match[1] in filters


def test_ci_result_job_needs_every_job() -> None:
    jobs = checks.jobs(wf("ci.yml"))
    assert set(jobs["ci-ok"]["needs"]) == set(jobs) - {"ci-ok"}
    assert jobs["ci-ok"]["if"] == "always()"


def _fake_terraform(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "terraform.log"
    fake = bin_dir / "terraform"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\n', encoding="utf-8")
    fake.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "LOG": str(log)}


def test_terraform_validate_covers_environments_and_every_project(tmp_path: Path) -> None:
    env = _fake_terraform(tmp_path)
    result = subprocess.run(
        ["bash", str(GITHUB / "scripts" / "terraform-validate.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    calls = Path(env["LOG"]).read_text(encoding="utf-8").splitlines()
    validated = {c.split()[0].removeprefix("-chdir=") for c in calls if " validate" in c}
    inits = {c.split()[0].removeprefix("-chdir=") for c in calls if "init -backend=false" in c}
    # Every project stack including _template (what `dp new-project` copies), every
    # environment, the CI/CD stack, the baseline and every module.
    projects = {
        str(p.parent.relative_to(REPO))
        for p in (REPO / "infrastructure" / "projects").glob("*/project.json")
    }
    environments = {
        str(p.relative_to(REPO))
        for p in (REPO / "infrastructure" / "environments").glob("*")
        if p.is_dir() and not p.name.startswith("_")
    }
    modules = {
        str(p.parent.relative_to(REPO))
        for p in (REPO / "infrastructure" / "modules").glob("*/main.tf")
    }
    others = {"infrastructure/cicd", "infrastructure/baseline"}
    assert "infrastructure/projects/_template" in projects and len(projects) > 1
    assert {"infrastructure/environments/dev", "infrastructure/environments/prod"} <= environments
    assert validated == inits == projects | environments | modules | others


def test_discover_projects_lists_every_project_but_the_template() -> None:
    out = subprocess.run(
        ["bash", str(GITHUB / "scripts" / "discover-projects.sh")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    expected = sorted(
        p.parent.name
        for p in (REPO / "infrastructure" / "projects").glob("*/project.json")
        if p.parent.name != "_template"
    )
    assert json.loads(out) == expected
    assert "\n" not in out.strip(), "one line, for $GITHUB_OUTPUT"


@pytest.mark.parametrize(
    ("sha", "local"),
    [
        ("1a2b3c4d89abcdef0123456789abcdef01234567", "1a2b3c4d"),
        # Digits only: PEP 440 reads the segment as a number, and so does the wheel's file
        # name (data_platform_foundation-1.0.0+1234567-...): the leading zero goes.
        ("0123456789abcdef0123456789abcdef01234567", "1234567"),
    ],
)
def test_wheel_version_is_base_plus_short_sha(sha: str, local: str) -> None:
    init = (REPO / "src" / "dp_foundation" / "__init__.py").read_text(encoding="utf-8")
    base = re.search(r'^__version__ = "(\d+\.\d+\.\d+)', init, re.M)
    assert base
    out = subprocess.run(
        ["bash", str(GITHUB / "scripts" / "wheel-version.sh")],
        env={**os.environ, "GITHUB_SHA": sha},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == f"{base[1]}+{local}"
    # The same shape setup/build-wheel.sh accepts.
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+(\+[a-z0-9.]+)?", out)


def test_domain_outputs_come_from_domain_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subprocess.run(
        ["bash", str(GITHUB / "scripts" / "domain-outputs.sh")],
        env={**os.environ, "GITHUB_OUTPUT": str(out)},
        check=True,
    )
    domain = json.loads((REPO / "setup" / "domain.json").read_text(encoding="utf-8"))
    assert out.read_text(encoding="utf-8").splitlines() == [
        f"domain_abbr={domain['domain_abbr']}",
        f"aws_region={domain['aws_region']}",
    ]


# ─── PR plans ────────────────────────────────────────────────────────────────


def test_plan_pr_targets_each_environment_and_skips_forks() -> None:
    doc = wf("terraform-plan-pr.yml")
    assert checks.triggers(doc)["pull_request"]["branches"] == ["dev", "int", "main"]
    for env, branch in DEPLOY_WRAPPERS.items():
        job = checks.jobs(doc)[f"plan-{env}"]
        assert job["uses"] == "$/.github/workflows/_plan.yml"
        assert f"github.base_ref == '{branch}'" in job["if"]
        assert "head.repo.full_name == github.repository" in job["if"]
        assert job["secrets"] == {
            "AWS_ROLE_ARN_PLAN": f"${{{{ secrets.AWS_ROLE_ARN_PLAN_{env.upper()} }}}}"
        }


def test_plan_is_posted_in_full() -> None:
    text = (WORKFLOWS / "_plan.yml").read_text(encoding="utf-8")
    stack = (GITHUB / "scripts" / "terraform-stack.sh").read_text(encoding="utf-8")
    assert "| head" not in text + stack
    assert "| tail" not in text + stack
    jobs = checks.jobs(checks.load(WORKFLOWS / "_plan.yml"))
    assert "-lock=false" in stack
    # Only the comment job may write to the PR, and it holds no AWS role.
    assert jobs["comment"]["permissions"]["pull-requests"] == "write"
    assert "id-token" not in jobs["comment"]["permissions"]
    assert "pull-requests" not in jobs["plan"]["permissions"]


def test_plan_comment_splits_without_losing_text(tmp_path: Path) -> None:
    """Runs the comment script's split logic with node on a plan far over the limit."""
    script = GITHUB / "scripts" / "plan-comment.js"
    probe = tmp_path / "probe.js"
    probe.write_text(
        f"""
const m = require({json.dumps(str(script))});
const lines = [];
const fence = "\\u0060".repeat(3);  // a code fence inside the plan text
for (let i = 0; i < 9000; i++) lines.push(`  + resource "x" "r${{i}}" {{ tags = "${{fence}}" }}`);
lines.push("y".repeat(150000));
lines.push("Plan: 9000 to add, 0 to change, 0 to destroy.");
const text = lines.join("\\n");
const bodies = m.buildComments("dev", [{{stack: "baseline", text}}], ["p1"], "https://run");
const parts = m.splitPlan(text, 64000);
console.log(JSON.stringify({{
  lengths: bodies.map((b) => b.length),
  rejoined: parts.join("") === text,
  limit: m.COMMENT_LIMIT,
  warned: bodies[0].includes("No plan for"),
}}));
""",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["node", str(probe)], capture_output=True, text=True, check=True, timeout=60
    )
    out = json.loads(result.stdout)
    assert out["limit"] == 65536
    assert out["rejoined"], "splitting must not drop a character"
    assert len(out["lengths"]) > 5
    assert max(out["lengths"]) <= 65536
    assert out["warned"], "a failed stack is reported, not silently missing"


# ─── Dependabot ──────────────────────────────────────────────────────────────


def test_dependabot_updates_actions_pip_and_npm_weekly() -> None:
    doc = checks.load(GITHUB / "dependabot.yml")
    assert doc["version"] == 2
    ecosystems = {u["package-ecosystem"]: u for u in doc["updates"]}
    assert {"github-actions", "pip", "npm"} <= set(ecosystems)
    for update in ecosystems.values():
        assert update["schedule"]["interval"] == "weekly"
    assert "/.github/actions/*" in ecosystems["github-actions"]["directories"]
