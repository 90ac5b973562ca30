"""The cloud half, offline: every stack applied into moto as the deploy roles, run, destroyed.

The session's deploy (``deploy_report``) is ``dp deploy-local`` itself. The tests at the end break
one thing on purpose and show the harness notices.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dp_cli.local_aws import (
    DeployError,
    LocalDeployment,
    Report,
    iam_enforcement,
    moto_server,
)
from dp_cli.projects import load_project, project_names, repo_root

from .conftest import DEPLOY_GROUP

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(DEPLOY_GROUP)]

REPO = repo_root()


def test_every_stack_is_applied_as_its_deploy_role(deploy_report: Report) -> None:
    steps = list(deploy_report.steps)
    assert "apply cicd (administrator, once per account)" in steps
    assert "apply environments/dev as ci-terraform-baseline-dev" in steps
    for project in project_names(REPO):
        if project != "_template":
            assert f"apply projects/{project} as ci-terraform-projects-dev" in steps
            assert f"destroy projects/{project} as ci-terraform-projects-dev" in steps
    assert "destroy environments/dev as ci-terraform-baseline-dev" in steps
    assert any(s.startswith("upload wheel") and "ci-artifacts-dev" in s for s in steps)


def test_no_call_of_a_deploy_role_is_refused(deploy_report: Report) -> None:
    # The provider probes iam:GetUser for the account id and falls back to STS when refused.
    refused = [call for call in deploy_report.denied if not call.startswith("iam:GetUser ")]
    assert not refused


def test_every_pipeline_ends_in_pipeline_succeeded(deploy_report: Report) -> None:
    expected = {
        f"{name}/{pipeline}"
        for name in project_names(REPO)
        if name != "_template"
        for pipeline in load_project(name, REPO).pipelines
    }
    succeeded = {
        name
        for name, outcome in deploy_report.executions.items()
        if outcome == "SUCCEEDED via PipelineSucceeded"
    }
    assert expected, "no project declares a pipeline"
    assert expected <= succeeded, deploy_report.executions


def test_a_failed_pipeline_ends_in_pipeline_failed_and_alerts(deploy_report: Report) -> None:
    failed = {n: o for n, o in deploy_report.executions.items() if "deleted" in n}
    assert list(failed.values()) == ["FAILED via PipelineFailed"], deploy_report.executions
    events = [json.loads(a) for a in deploy_report.alerts if a.startswith("{")]
    assert [e["detail"]["status"] for e in events] == ["FAILED"], deploy_report.alerts
    assert events[0]["detail-type"] == "Step Functions Execution Status Change"


def test_every_table_with_dqdl_rules_has_its_ruleset_in_glue(deploy_report: Report) -> None:
    committed = {
        f"{path.parts[-4]}/{path.parts[-2]}/{path.stem}": path
        for path in REPO.glob("infrastructure/projects/*/contracts/*/*.dqdl")
        if path.parts[-4] != "_template"
    }
    assert committed, "no contract exports DQDL rules"
    assert sorted(deploy_report.rulesets) == sorted(committed)
    for key, held in deploy_report.rulesets.items():
        assert held["ruleset"] == committed[key].read_text(encoding="utf-8"), key
        assert held["table"] == key.rsplit("/", 1)[1], key
        assert held["database"] == held["layer_database"], key
        assert held["table_found"], f"{key}: its target table {held['database']}.{held['table']}"


def test_the_deployed_job_scripts_and_wheel_are_versioned(deploy_run: Path) -> None:
    state = json.loads((deploy_run / "states" / "projects__project01.json").read_text())
    jobs = [
        r
        for module in state["values"]["root_module"].get("child_modules", [])
        for r in _resources(module)
        if r["type"] == "aws_glue_job"
    ]
    assert jobs
    for job in jobs:
        script = job["values"]["command"][0]["script_location"]
        wheel = job["values"]["default_arguments"]["--extra-py-files"]
        version = wheel.rsplit("data_platform_foundation-", 1)[1].removesuffix("-py3-none-any.whl")
        assert f"/jobs/{version}/project01/" in script


def _resources(module: dict) -> list[dict]:
    found = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        found += _resources(child)
    return found


# ─── Deliberate breaks ──────────────────────────────────────────────────────────


def test_a_deploy_role_missing_a_permission_fails_the_deploy(tmp_path: Path) -> None:
    """The baseline role without S3 bucket creation: the baseline apply is refused."""
    with moto_server(REPO, tmp_path / "moto.log") as endpoint:
        d = LocalDeployment(REPO, tmp_path, endpoint, "dev", say=lambda _: None)
        terraform = shutil.which("terraform")
        assert terraform, "terraform is not on PATH (see docs/infrastructure.md)"
        d.prepare(terraform)
        d.bootstrap()
        d.apply(d.tree / "infrastructure" / "cicd", None, github_org="o", github_repository="r")
        d.assume_deploy_roles()
        iam = d.client("iam")
        role = "ci-terraform-baseline-dev"
        name = iam.list_role_policies(RoleName=role)["PolicyNames"][0]
        policy = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        for statement in policy["Statement"]:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            statement["Action"] = [a for a in actions if a != "s3:CreateBucket"] or ["s3:GetObject"]
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(policy))
        iam_enforcement(endpoint, on=True)
        with pytest.raises(DeployError, match=r"(?s)apply environments/dev failed.*AccessDenied"):
            d.apply(d.tree / "infrastructure" / "environments" / "dev", "baseline")
