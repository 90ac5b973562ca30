"""The CI/CD stack: GitHub OIDC and three least-privilege deploy roles per environment."""

from __future__ import annotations

import json

from . import tfchecks
from .conftest import CICD_VARS
from .tfchecks import DOMAIN, ENVIRONMENTS, STUB_ACCOUNT_ID, address, blocks

ABBR, REGION = DOMAIN["domain_abbr"], DOMAIN["aws_region"]
KINDS = {
    "baseline": "ci-terraform-baseline",
    "artifacts": "ci-artifacts",
    "projects": "ci-terraform-projects",
}


def documents(parsed: dict, name: str) -> dict[str, list[dict]]:
    """Statements of a for_each policy document, per environment."""
    found = {}
    for doc in blocks(parsed, "aws_iam_policy_document"):
        if address(doc).startswith(f"data.aws_iam_policy_document.{name}["):
            env = address(doc).split("[")[1].strip('"]')
            found[env] = [
                tfchecks.normalise_document_statement(s) for s in tfchecks.statements(doc)
            ]
    return found


def test_github_oidc_provider(cicd_stack: dict) -> None:
    (provider,) = blocks(cicd_stack, "aws_iam_openid_connect_provider")
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]


def test_three_roles_per_environment_trusted_by_its_github_environment(cicd_stack: dict) -> None:
    roles = {r["name"]: r for r in blocks(cicd_stack, "aws_iam_role")}
    assert set(roles) == {f"{prefix}-{env}" for env in ENVIRONMENTS for prefix in KINDS.values()}
    trust = documents(cicd_stack, "github_trust")
    for env, (statement,) in trust.items():
        assert statement["actions"] == ["sts:AssumeRoleWithWebIdentity"]
        subject = (
            f"repo:{CICD_VARS['github_org']}/{CICD_VARS['github_repository']}:environment:{env}"
        )
        assert ("StringEquals", "token.actions.githubusercontent.com:sub", (subject,)) in statement[
            "conditions"
        ]
        assert (
            "StringEquals",
            "token.actions.githubusercontent.com:aud",
            ("sts.amazonaws.com",),
        ) in statement["conditions"]
    for role in roles.values():
        env = role["name"].rsplit("-", 1)[1]
        assert role["assume_role_policy"] == next(
            d["id"]
            for d in blocks(cicd_stack, "aws_iam_policy_document")
            if address(d).endswith(f'github_trust["{env}"]')
        )


def test_github_secret_names(cicd_stack: dict) -> None:
    (secrets,) = [o for o in blocks(cicd_stack, "output") if address(o) == "output.github_secrets"]
    expected = {
        f"AWS_ROLE_ARN_{kind.upper()}_{env.upper()}" for env in ENVIRONMENTS for kind in KINDS
    }
    assert set(secrets["value"]) == expected


def test_artifacts_role_can_only_upload_artifacts(cicd_stack: dict) -> None:
    for env, statements in documents(cicd_stack, "artifacts").items():
        bucket = f"arn:aws:s3:::{ABBR}-artifacts-{STUB_ACCOUNT_ID}-{env}"
        s3 = [s for s in statements if any(a.startswith("s3:") for a in s["actions"])]
        objects = {r for s in s3 if "s3:PutObject" in s["actions"] for r in s["resources"]}
        assert objects == {f"{bucket}/wheels/*", f"{bucket}/jobs/*"}
        assert {a for s in s3 for a in s["actions"]} == {
            "s3:PutObject",
            "s3:GetObject",
            "s3:ListBucket",
        }
        kms = [s for s in statements if any(a.startswith("kms:") for a in s["actions"])]
        aliases = [c for s in kms for c in s["conditions"] if c[1] == "kms:ResourceAliases"]
        assert aliases == [
            ("ForAnyValue:StringEquals", "kms:ResourceAliases", (f"alias/{ABBR}-data-lake-{env}",))
        ]


def test_projects_role_manages_only_bounded_project_roles(cicd_stack: dict) -> None:
    for env, statements in documents(cicd_stack, "projects").items():
        by_sid = {s["sid"]: s for s in statements}
        create = by_sid["ProjectRolesWithBoundary"]
        assert "iam:CreateRole" in create["actions"]
        boundary = (
            f"arn:aws:iam::{STUB_ACCOUNT_ID}:policy/{ABBR}-project-boundary-{STUB_ACCOUNT_ID}-{env}"
        )
        assert ("StringEquals", "iam:PermissionsBoundary", (boundary,)) in create["conditions"]
        assert all(
            r.startswith(f"arn:aws:iam::{STUB_ACCOUNT_ID}:role/{ABBR}/projects/")
            for r in create["resources"]
        )
        iam_actions = {
            a
            for s in statements
            if s["effect"] == "Allow"
            for a in s["actions"]
            if a.startswith("iam:")
        }
        assert "iam:CreateRole" not in {
            a for s in statements if s["sid"] != "ProjectRolesWithBoundary" for a in s["actions"]
        }
        assert "iam:*" not in iam_actions
        passes = [s for s in statements if "iam:PassRole" in s["actions"]]
        assert all(any(c[1] == "iam:PassedToService" for c in s["conditions"]) for s in passes)
        services = {a.split(":")[0] for s in statements for a in s["actions"]}
        assert services == {"s3", "glue", "states", "logs", "events", "iam", "kms"}


def test_no_deploy_role_has_admin_wildcards(cicd_stack: dict) -> None:
    for name in ("baseline", "artifacts", "projects"):
        for env, statements in documents(cicd_stack, name).items():
            for statement in statements:
                assert "*" not in statement["actions"], (name, env)
                assert not any(a.endswith(":*") for a in statement["actions"]), (
                    name,
                    env,
                    statement["sid"],
                )
            state = [
                r for s in statements for r in s["resources"] if "tfstate" in r and r.endswith("/*")
            ]
            if name != "artifacts":
                assert state, f"{name} role reaches its state"
                assert all(f"-tfstate-{STUB_ACCOUNT_ID}-{env}/" in r for r in state)


def test_roles_policies_are_attached(cicd_stack: dict) -> None:
    policies = blocks(cicd_stack, "aws_iam_role_policy")
    assert len(policies) == 3 * len(ENVIRONMENTS)
    docs = {d["id"] for d in blocks(cicd_stack, "aws_iam_policy_document")}
    assert all(p["policy"] in docs for p in policies), json.dumps([p["policy"] for p in policies])
