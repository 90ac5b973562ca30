"""Contracts between the workflows (.github/) and the Terraform stacks (infrastructure/),
checked statically: workflows parsed with PyYAML, Terraform with python-hcl2.

Two sides written apart must agree on:

- the variables: every ``TF_VAR_*`` a workflow sets for a stack is a variable that stack
  declares, and every variable without a default is set;
- the roles: every role secret a workflow reads is one ``infrastructure/cicd`` lists in its
  ``github_secrets`` output, read by a job that runs in the GitHub environment that role's
  trust policy names (``repo:<org>/<repo>:environment:<name>``), for that role's environment,
  and no job that does not assume a role runs in the GitHub environment it trusts;
- the backend: the workflows write ``backend.conf`` with ``setup/init-terraform.sh`` before
  any ``terraform init``, in the folder ``terraform-stack.sh`` reads it from;
- the names: artifacts and state buckets, the wheel's S3 key and file name, the job scripts'
  keys, as the workflows upload them and as Terraform points the Glue jobs at them;
- the change detection: every file a stack reads is in the deploy area that re-applies it;
- the docs: every Terraform output they name exists.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hcl2
import pytest
from packaging.version import Version

from . import aws_stub, checks
from .checks import GITHUB, REPO, WORKFLOWS

INFRA = REPO / "infrastructure"
DOMAIN = json.loads((REPO / "setup" / "domain.json").read_text(encoding="utf-8"))
ENVIRONMENTS = sorted(
    json.loads((INFRA / "environments" / "environments.json").read_text(encoding="utf-8"))
)
PROJECTS = sorted(
    p.parent.name
    for p in (INFRA / "projects").glob("*/project.json")
    if p.parent.name != "_template"
)
STACKS = {
    "environment": [INFRA / "environments" / env for env in ENVIRONMENTS],
    "project": [INFRA / "projects" / project for project in PROJECTS],
}
# `terraform-stack.sh plan|apply <dir>`: the mode and the kind of stack a step runs.
STACK_RUN = re.compile(
    r"terraform-stack\.sh (plan|apply) \"?infrastructure/(environments|projects)/"
)
KIND_OF_FOLDER = {"environments": "environment", "projects": "project"}
SECRET_REF = re.compile(r"^\$\{\{\s*secrets\.(\w+)\s*\}\}$")
INPUT_REF = re.compile(r"\$\{\{\s*inputs\.(\w+)\s*\}\}")
CONFIGURE_AWS = "aws-actions/configure-aws-credentials@"
SAMPLE = {"abbr": DOMAIN["domain_abbr"], "account": "123456789012", "env": "dev"}


# ─── Terraform (python-hcl2) ─────────────────────────────────────────────────


def unquote(value: Any) -> Any:
    """python-hcl2 keeps the quotes of string literals."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def parse(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:  # follows the stacks' symlinks
        return dict(hcl2.load(handle))


def blocks(stack: Path, kind: str) -> dict[str, Any]:
    """Top-level blocks of one kind (variable, output, locals entries) across a stack."""
    found: dict[str, Any] = {}
    for path in sorted(stack.glob("*.tf")):
        for entry in parse(path).get(kind, []):
            found.update({unquote(k): v for k, v in entry.items() if k != "__is_block__"})
    return found


def declared_variables(stack: Path) -> dict[str, bool]:
    """Variables of a root module: name -> required (declared without a default)."""
    return {name: "default" not in body for name, body in blocks(stack, "variable").items()}


def declared_outputs(stack: Path) -> set[str]:
    return set(blocks(stack, "output"))


def resource(stack: Path, kind: str, name: str, section: str = "resource") -> dict[str, Any]:
    for path in sorted(stack.glob("*.tf")):
        for entry in parse(path).get(section, []):
            body = entry.get(f'"{kind}"', {}).get(f'"{name}"')
            if body is not None:
                return body
    raise KeyError(f"{section} {kind}.{name} not in {stack}")


def render(template: str, **values: str) -> str:
    """Substitute ${name} (Terraform or shell) placeholders with values."""
    return re.sub(r"\$\{([\w.]+)\}", lambda m: values.get(m[1], m[0]), template)


# ─── Workflows (PyYAML) ──────────────────────────────────────────────────────


def workflows() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        yield path.name, checks.load(path)


def effective_env(wf: dict[str, Any], job: dict[str, Any], step: dict[str, Any]) -> dict:
    return {**(wf.get("env") or {}), **(job.get("env") or {}), **(step.get("env") or {})}


def stack_steps() -> list[tuple[str, str, str, str, dict[str, Any]]]:
    """(workflow, job, mode, stack kind, environment) of every step that plans or applies."""
    found = []
    for name, wf in workflows():
        for job_id, job in checks.jobs(wf).items():
            for step in job.get("steps") or []:
                for match in STACK_RUN.finditer(str(step.get("run", ""))):
                    kind = KIND_OF_FOLDER[match[2]]
                    found.append((name, job_id, match[1], kind, effective_env(wf, job, step)))
    return found


def called_workflow(uses: str) -> tuple[str, dict[str, Any]]:
    path = uses.removeprefix("$/").removeprefix("./")
    assert path.startswith(".github/workflows/"), uses
    return Path(path).name, checks.load(REPO / path)


def resolve_inputs(value: str, inputs: dict[str, Any]) -> str:
    resolved = INPUT_REF.sub(lambda m: str(inputs[m[1]]), value)
    assert "${{" not in resolved, f"cannot resolve {value!r} statically"
    return resolved


def role_secret_reads() -> list[dict[str, Any]]:
    """Every job of a called workflow that assumes a role passed in by a caller: which
    repository secret, for which environment input, in which GitHub environment."""
    reads = []
    for caller, wf in workflows():
        for caller_job, job in checks.jobs(wf).items():
            if "uses" not in job:
                continue
            called, reusable = called_workflow(job["uses"])
            declared = checks.triggers(reusable)["workflow_call"]
            inputs = {k: v.get("default") for k, v in (declared.get("inputs") or {}).items()}
            inputs.update(job.get("with") or {})
            for inner, value in (job.get("secrets") or {}).items():
                outer = SECRET_REF.match(str(value))
                assert outer, f"{caller} {caller_job}: secret {inner} is not ${{{{ secrets.X }}}}"
                users = [
                    (job_id, inner_job)
                    for job_id, inner_job in checks.jobs(reusable).items()
                    if f"secrets.{inner}" in json.dumps(inner_job)
                ]
                assert users, f"{called}: secret {inner} is passed in but never read"
                for job_id, inner_job in users:
                    reads.append(
                        {
                            "where": f"{caller} {caller_job} -> {called} {job_id}",
                            "secret": outer[1],
                            "inner": inner,
                            "environment_input": inputs.get("environment"),
                            "github_environment": resolve_inputs(
                                str(inner_job.get("environment", "")), inputs
                            ),
                            "job": inner_job,
                            "workflow": reusable,
                        }
                    )
    return reads


def _github_environment(job: dict[str, Any], inputs: dict[str, Any]) -> str:
    """The GitHub environment a job runs in ("" for none), inputs resolved."""
    environment = job.get("environment") or ""
    if isinstance(environment, dict):
        environment = environment["name"]
    return resolve_inputs(str(environment), inputs)


def jobs_as_run() -> list[dict[str, Any]]:
    """Every job as GitHub runs it, a called workflow's jobs once per calling job: where,
    the GitHub environment it runs in (its OIDC subject is environment:<name>; a job without
    one gets a ref or pull_request subject) and the repository secrets it reads."""
    found = []
    for caller, wf in workflows():
        for caller_job, job in checks.jobs(wf).items():
            if "uses" not in job:
                if not checks.is_reusable_only(wf):
                    found.append(
                        {
                            "where": f"{caller} {caller_job}",
                            "github_environment": _github_environment(job, {}),
                            "secrets": set(re.findall(r"secrets\.(\w+)", json.dumps(job))),
                        }
                    )
                continue
            called, reusable = called_workflow(job["uses"])
            declared = checks.triggers(reusable)["workflow_call"]
            inputs = {k: v.get("default") for k, v in (declared.get("inputs") or {}).items()}
            inputs.update(job.get("with") or {})
            passed = {
                inner: match[1]
                for inner, value in (job.get("secrets") or {}).items()
                if (match := SECRET_REF.match(str(value)))
            }
            for job_id, inner_job in checks.jobs(reusable).items():
                text = json.dumps(inner_job)
                found.append(
                    {
                        "where": f"{caller} {caller_job} -> {called} {job_id}",
                        "github_environment": _github_environment(inner_job, inputs),
                        "secrets": {o for i, o in passed.items() if f"secrets.{i}" in text},
                    }
                )
    return found


def trust_problems(jobs: list[dict[str, Any]], roles: dict[str, dict[str, str]]) -> list[str]:
    """Each role's trust must admit exactly the jobs that assume it: a job whose GitHub
    environment a role trusts, but which reads another role's secret, could assume both."""
    problems = []
    for secret, role in sorted(roles.items()):
        admitted = {
            j["where"] for j in jobs if j["github_environment"] == role["github_environment"]
        }
        assuming = {j["where"] for j in jobs if secret in j["secrets"]}
        if not assuming:
            problems.append(f"{role['role']}: no job assumes it")
        for where in sorted(admitted - assuming):
            problems.append(f"{role['role']} admits {where}, a job that does not assume it")
        for where in sorted(assuming - admitted):
            problems.append(f"{where} assumes {role['role']}, whose trust does not admit it")
    return problems


def cicd_roles() -> dict[str, dict[str, str]]:
    """The CI roles infrastructure/cicd creates, keyed by the GitHub secret github_secrets
    names for each: {secret: {kind, env, role, github_environment}}."""
    cicd = INFRA / "cicd"
    local = blocks(cicd, "locals")
    kinds = {
        kind: {key: unquote(value) for key, value in body.items() if key != "__is_block__"}
        for kind, body in local["role_kinds"].items()
    }
    environments = [unquote(e) for e in blocks(cicd, "variable")["environments"]["default"]]
    assert environments == ENVIRONMENTS, "cicd creates roles for every environment by default"
    roles = {}
    for env in environments:
        for kind, spec in kinds.items():
            roles[f"AWS_ROLE_ARN_{kind.upper()}_{env.upper()}"] = {
                "kind": kind,
                "env": env,
                "role": f"{spec['name']}-{env}",
                "github_environment": spec["github_environment"].replace("%s", env),
            }
    return roles


# ─── Variables ───────────────────────────────────────────────────────────────


def test_every_stack_step_sets_exactly_the_declared_variables() -> None:
    steps = stack_steps()
    assert {(mode, kind) for _, _, mode, kind, _ in steps} == {
        ("apply", "environment"),
        ("apply", "project"),
        ("plan", "environment"),
        ("plan", "project"),
    }, "the deploys apply and the PR plans plan both kinds of stack"
    for workflow, job, mode, kind, env in steps:
        where = f"{workflow} job {job} ({mode} {kind})"
        tf_vars = {k.removeprefix("TF_VAR_") for k in env if k.startswith("TF_VAR_")}
        for stack in STACKS[kind]:
            declared = declared_variables(stack)
            assert tf_vars - set(declared) == set(), f"{where}: undeclared in {stack.name}"
            required = {name for name, needed in declared.items() if needed}
            assert required - tf_vars == set(), f"{where}: required by {stack.name}, unset"


def test_variable_values_come_from_the_right_place() -> None:
    expected = {
        "TF_VAR_environment": "${{ inputs.environment }}",
        "TF_VAR_wheel_version": "${{ needs.changes.outputs.wheel_version }}",
        "TF_VAR_git_sha": "${{ github.sha }}",
        "TF_VAR_deployed_by": "${{ github.actor }}",
        "TF_VAR_repository": "${{ github.repository }}",
    }
    for workflow, job, _, _, env in stack_steps():
        for name, value in env.items():
            if name.startswith("TF_VAR_"):
                assert value == expected[name], f"{workflow} {job}: {name}={value}"


def test_tf_vars_are_set_only_in_env_blocks() -> None:
    """No TF_VAR_x=... in a script or through $GITHUB_ENV, where the checks above miss it."""
    assignment = re.compile(r"\bTF_VAR_\w+=")
    texts = {
        f"{p.parent.name}/{p.name}": p.read_text(encoding="utf-8")
        for p in [*(GITHUB / "scripts").iterdir(), *(GITHUB / "actions").glob("*/action.yml")]
    }
    for name, wf in workflows():
        for job_id, index, step in checks.steps(wf):
            texts[f"{name} {job_id}[{index}]"] = str(step.get("run", ""))
    assert {where for where, text in texts.items() if assignment.search(text)} == set()


# ─── Roles, secrets and GitHub environments ─────────────────────────────────


def test_cicd_secret_and_trust_rules_are_the_ones_this_test_assumes() -> None:
    """cicd_roles() re-derives names from role_kinds; the HCL must spell the same rules."""
    cicd = INFRA / "cicd"
    local = blocks(cicd, "locals")
    assert 'name = "${role.name}-${env}"' in local["deploy_roles"]
    assert "github_environment = format(role.github_environment, env)" in local["deploy_roles"]
    assert local["github_environments"] == (
        "${toset([for role in local.deploy_roles : role.github_environment])}"
    )
    secrets = blocks(cicd, "output")["github_secrets"]["value"]
    assert 'upper("AWS_ROLE_ARN_${role.kind}_${role.env}") => aws_iam_role.deploy[key].arn' in (
        secrets
    )
    assert "for key, role in local.deploy_roles" in secrets
    role = resource(cicd, "aws_iam_role", "deploy")
    assert role["for_each"] == "${local.deploy_roles}"
    assert role["name"] == "${each.value.name}"
    assert role["assume_role_policy"] == (
        "${data.aws_iam_policy_document.github_trust[each.value.github_environment].json}"
    )
    trust = resource(cicd, "aws_iam_policy_document", "github_trust", section="data")
    assert trust["for_each"] == "${local.github_environments}"
    conditions = {unquote(c["variable"]): c for c in trust["statement"][0]["condition"]}
    subject = conditions["${local.github_oidc_url}:sub"]
    assert unquote(subject["test"]) == "StringEquals"
    assert [unquote(v) for v in subject["values"]] == [
        "repo:${var.github_org}/${var.github_repository}:environment:${each.key}"
    ]


def test_every_role_secret_is_read_in_the_github_environment_its_role_trusts() -> None:
    roles = cicd_roles()
    reads = role_secret_reads()
    assert reads
    for read in reads:
        where, secret = read["where"], read["secret"]
        assert secret in roles, f"{where}: {secret} is not in the cicd github_secrets output"
        role = roles[secret]
        assert read["environment_input"] == role["env"], (
            f"{where}: {secret} passed for environment {read['environment_input']}"
        )
        assert read["github_environment"] == role["github_environment"], (
            f"{where}: runs in GitHub environment {read['github_environment']!r}, but "
            f"{role['role']} trusts only environment:{role['github_environment']}"
        )
    assert {read["secret"] for read in reads} == set(roles), "every CI role has its workflow"


def test_each_role_is_assumed_only_by_the_job_it_is_made_for() -> None:
    """baseline: applies environments/<env>; projects: applies projects/<name>; plan: plans
    only; artifacts: runs no Terraform. The secret is only ever a role to assume."""
    allowed = {
        "baseline": {("apply", "environment")},
        "projects": {("apply", "project")},
        "plan": {("plan", "environment"), ("plan", "project")},
        "artifacts": set(),
    }
    roles = cicd_roles()
    for read in role_secret_reads():
        job, inner = read["job"], read["inner"]
        kind = roles[read["secret"]]["kind"]
        runs = {
            (match[1], KIND_OF_FOLDER[match[2]])
            for step in job.get("steps") or []
            for match in STACK_RUN.finditer(str(step.get("run", "")))
        }
        assert runs == allowed[kind], f"{read['where']}: a {kind} role for {sorted(runs)}"
        assumes = [
            step for step in job.get("steps") or [] if f"secrets.{inner}" in json.dumps(step)
        ]
        assert assumes and all(
            str(step.get("uses", "")).startswith(CONFIGURE_AWS)
            and step["with"]["role-to-assume"] == f"${{{{ secrets.{inner} }}}}"
            for step in assumes
        ), f"{read['where']}: {inner} is used other than as role-to-assume"
        assert job["permissions"].get("id-token") == "write", read["where"]


def test_a_roles_trust_admits_no_other_jobs_subject() -> None:
    """Every CI role trusts one GitHub environment, and only the job that assumes the role
    runs in it: the artifacts job's token cannot assume the projects or baseline role."""
    roles = cicd_roles()
    assert len({r["github_environment"] for r in roles.values()}) == len(roles), (
        "one GitHub environment per role"
    )
    assert trust_problems(jobs_as_run(), roles) == []


def test_trust_problems_catch_a_job_in_another_roles_environment() -> None:
    """The check above must fail when a job runs in the environment of a role it does not
    assume (here: the artifacts job moved into the projects environment)."""
    roles = cicd_roles()
    jobs = jobs_as_run()
    artifacts = next(j for j in jobs if j["where"].endswith("_deploy.yml artifacts"))
    env = artifacts["github_environment"].removesuffix("-artifacts")
    moved = [{**j, "github_environment": f"{env}-projects"} if j is artifacts else j for j in jobs]
    where = artifacts["where"]
    assert trust_problems(moved, roles) == [
        f"{where} assumes ci-artifacts-{env}, whose trust does not admit it",
        f"ci-terraform-projects-{env} admits {where}, a job that does not assume it",
    ]
    # A job that reads two role secrets is caught too, whichever environment it runs in.
    greedy = [
        {**j, "secrets": j["secrets"] | {f"AWS_ROLE_ARN_PROJECTS_{env.upper()}"}}
        if j is artifacts
        else j
        for j in jobs
    ]
    assert any("assumes ci-terraform-projects" in p for p in trust_problems(greedy, roles))


def test_github_environments_are_the_ones_documented() -> None:
    """docs/deployment.md lists every GitHub environment a role trusts, with its role, the
    branch the deploys of that environment run on, and required reviewers on every prod
    deploy environment (each guards its own role: one unreviewed would bypass the others)."""
    doc = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    rows = {
        name: (branches, reviewers, role)
        for name, branches, reviewers, role in re.findall(
            r"^\| `([\w-]+)` \| ([^|]+?) \| (yes|no) \| `([\w-]+)` \|$", doc, re.M
        )
    }
    branch = {"dev": "`dev`", "int": "`int`", "prod": "`main`"}
    roles = cicd_roles()
    assert set(rows) == {role["github_environment"] for role in roles.values()}
    for role in roles.values():
        assert f"`{role['role'].rsplit('-', 1)[0]}-<env>`" in doc, role["role"]
        branches, reviewers, documented_role = rows[role["github_environment"]]
        assert documented_role == role["role"], role["github_environment"]
        if role["kind"] == "plan":
            assert reviewers == "no", "PR plans run on pull requests, unattended"
            continue
        assert branches == branch[role["env"]], role["github_environment"]
        if role["env"] == "prod":
            assert reviewers == "yes", role["github_environment"]


# ─── Backend configuration ───────────────────────────────────────────────────


def test_backend_is_written_before_every_terraform_init() -> None:
    init_script = (REPO / "setup" / "init-terraform.sh").read_text(encoding="utf-8")
    stack_script = (GITHUB / "scripts" / "terraform-stack.sh").read_text(encoding="utf-8")
    # init-terraform.sh takes --account-id and writes <stack>/backend.conf; terraform-stack.sh
    # runs `terraform -chdir=<stack> init -backend-config=backend.conf` by default.
    assert re.search(r"^\s*--account-id\)", init_script, re.M)
    assert 'cat >"$1/backend.conf"' in init_script
    assert 'backend="${BACKEND_CONFIG:-backend.conf}"' in stack_script
    assert 'init -input=false -no-color -backend-config="$backend"' in stack_script
    for name, wf in workflows():
        for job_id, job in checks.jobs(wf).items():
            steps = job.get("steps") or []
            for index, step in enumerate(steps):
                if not STACK_RUN.search(str(step.get("run", ""))):
                    continue
                init = [
                    (i, s)
                    for i, s in enumerate(steps[:index])
                    if "setup/init-terraform.sh" in str(s.get("run", ""))
                ]
                assert init, f"{name} {job_id}: terraform without setup/init-terraform.sh"
                _, init_step = init[-1]
                assert init_step["run"].strip() == (
                    'bash setup/init-terraform.sh "$ENV" --account-id "$ACCOUNT_ID"'
                )
                env = effective_env(wf, job, init_step)
                assert env["ENV"] == "${{ inputs.environment }}", f"{name} {job_id}"
                assert env["ACCOUNT_ID"] == "${{ steps.account.outputs.account_id }}"
                assert env["ENV"] == effective_env(wf, job, step)["ENV"]


def test_init_terraform_writes_the_backend_of_every_stack_the_workflows_run(
    tmp_path: Path,
) -> None:
    (tmp_path / "setup").mkdir()
    for name in ("domain.json", "init-terraform.sh"):
        shutil.copy2(REPO / "setup" / name, tmp_path / "setup" / name)
    (tmp_path / "infrastructure" / "environments").mkdir(parents=True)
    shutil.copy2(
        INFRA / "environments" / "environments.json",
        tmp_path / "infrastructure" / "environments" / "environments.json",
    )
    for folder in ["cicd", *(f"environments/{e}" for e in ENVIRONMENTS)]:
        (tmp_path / "infrastructure" / folder).mkdir(parents=True, exist_ok=True)
    for project in [*PROJECTS, "_template"]:
        (tmp_path / "infrastructure" / "projects" / project).mkdir(parents=True)
        (tmp_path / "infrastructure" / "projects" / project / "project.json").write_text("{}")
    account = SAMPLE["account"]
    discovered = json.loads(
        subprocess.run(
            ["bash", str(GITHUB / "scripts" / "discover-projects.sh")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert discovered == PROJECTS
    for env in ENVIRONMENTS:
        subprocess.run(
            ["bash", "setup/init-terraform.sh", env, "--account-id", account],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        )
        dirs = {f"infrastructure/environments/{env}": "baseline/terraform.tfstate"}
        dirs |= {
            f"infrastructure/projects/{p}": f"projects/{p}/terraform.tfstate" for p in PROJECTS
        }
        for folder, key in dirs.items():
            conf = (tmp_path / folder / "backend.conf").read_text(encoding="utf-8")
            assert f'bucket       = "{DOMAIN["domain_abbr"]}-tfstate-{account}-{env}"' in conf
            assert f'key          = "{key}"' in conf


# ─── Buckets, keys and the wheel ─────────────────────────────────────────────


def _assignments(script: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*(\w+)="([^"]*)"\s*$', script, re.M))


def _upload(tmp_path: Path, version: str = aws_stub.VERSION) -> aws_stub.Run:
    """What the deploy's artifacts job uploads, for SAMPLE's account and environment."""
    run = aws_stub.run_upload(
        tmp_path,
        SAMPLE["env"],
        version,
        "--dist",
        str(tmp_path / "dist"),
        env={"ACCOUNT_ID": SAMPLE["account"]},
    )
    assert run.returncode == 0, run.stderr
    return run


def _s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def test_bucket_names_follow_the_naming_module(tmp_path: Path) -> None:
    name_format = unquote(blocks(INFRA / "modules" / "naming", "locals")["name_format"])
    terraform = render(
        name_format,
        **{
            "var.domain_abbr": SAMPLE["abbr"],
            "var.account_id": SAMPLE["account"],
            "var.environment": SAMPLE["env"],
        },
    )
    shell = {"DOMAIN_ABBR": SAMPLE["abbr"], "ACCOUNT_ID": SAMPLE["account"]}
    # The artifacts bucket the deploy uploads to is the baseline's.
    uris = [a for cp in _upload(tmp_path).commands("s3", "cp") for a in cp if a.startswith("s3:")]
    buckets = {_s3(uri)[0] for uri in uris}
    assert buckets == {terraform % "artifacts"}
    baseline = INFRA / "baseline"
    assert "artifacts" in blocks(baseline, "locals")["data_buckets"]
    assert blocks(baseline, "module")["s3_data"]["bucket_name"] == (
        "${format(local.name_format, each.key)}"
    )
    assert unquote(blocks(baseline, "locals")["name_format"]) == "${module.naming.name_format}"
    # The state bucket init-terraform.sh configures is the one projects and cicd name.
    init_script = (REPO / "setup" / "init-terraform.sh").read_text(encoding="utf-8")
    state = render(_assignments(init_script)["STATE_BUCKET"], ENVIRONMENT=SAMPLE["env"], **shell)
    assert state == terraform % "tfstate"
    data = (INFRA / "projects" / "_shared" / "data.tf").read_text(encoding="utf-8")
    assert 'bucket = format(module.naming.name_format, "tfstate")' in data
    assert 'key    = "baseline/terraform.tfstate"' in data
    cicd = (INFRA / "cicd" / "main.tf").read_text(encoding="utf-8")
    assert 'format(module.naming[env].name_format, "tfstate")' in cicd
    assert 'format(module.naming[env].name_format, "artifacts")' in cicd


def test_glue_jobs_load_the_wheel_and_scripts_the_deploy_uploads(tmp_path: Path) -> None:
    """Both under the wheel version the projects are applied with, so a rollback to a version
    brings back its scripts with its library."""
    version = aws_stub.VERSION
    (wheel_cp, scripts_cp, contracts_cp) = _upload(tmp_path, version).commands("s3", "cp")
    bucket, uploaded_wheel = _s3(wheel_cp[-1])
    assert uploaded_wheel == f"wheels/data_platform_foundation-{version}-py3-none-any.whl"
    # src/jobs/<folder>/<script> is uploaded to jobs/<version>/<folder>/<script>.
    assert scripts_cp[3:6] == ["--recursive", "src/jobs/", f"s3://{bucket}/jobs/{version}/"]
    assert scripts_cp[6:8] == ["--exclude", "_template/*"]
    # The compiled contracts (setup/build-wheel.sh) go beside them, under <project>/contracts/.
    assert contracts_cp[3] == "--recursive" and contracts_cp[4].endswith("/contracts/")
    assert contracts_cp[5] == f"s3://{bucket}/jobs/{version}/"
    shared_locals = blocks(INFRA / "projects" / "_shared", "locals")
    assert (
        "${local.scripts_prefix}/contracts/${contract.layer}.${contract.table}"
        in (shared_locals["contract_uris"])
    )

    # The version the wheel is built and uploaded with (and checked) is the one the projects get.
    jobs = checks.jobs(checks.load(WORKFLOWS / "_deploy.yml"))
    steps = [s for s in jobs["artifacts"]["steps"] if "upload-artifacts.sh" in str(s.get("run"))]
    assert len(steps) == 2, "the upload and the check"
    for step in steps:
        assert step["env"]["WHEEL_VERSION"] == jobs["projects"]["env"]["TF_VAR_wheel_version"]

    shared = blocks(INFRA / "projects" / "_shared", "locals")
    terraform = {"local.artifacts": bucket, "var.wheel_version": version}
    assert render(unquote(shared["wheel_uri"]), **terraform) == f"s3://{bucket}/{uploaded_wheel}"
    assert shared["project"] == "${local.config.name}"
    glue_jobs = blocks(INFRA / "projects" / "_shared", "module")["glue_jobs"]
    assert glue_jobs["extra_py_files"] == ["${local.wheel_uri}"]
    loaded = [uploaded_wheel]
    for project in PROJECTS:
        config = json.loads((INFRA / "projects" / project / "project.json").read_text("utf-8"))
        assert config["name"] == project, f"{project}: project.json name is the folder name"
        prefix = render(
            unquote(shared["scripts_prefix"]), **terraform, **{"local.project": project}
        )
        for job_name, job in config.get("jobs", {}).items():
            script = REPO / "src" / "jobs" / project / job["script"]
            assert script.is_file(), f"{project}.{job_name}: {script.relative_to(REPO)} missing"
            location = render(
                unquote(glue_jobs["script_location"]),
                **terraform,
                **{"local.scripts_prefix": prefix, "each.value.script": job["script"]},
            )
            uploaded = f"jobs/{version}/{script.relative_to(REPO / 'src' / 'jobs').as_posix()}"
            assert location == f"s3://{bucket}/{uploaded}", f"{project}.{job_name}"
            loaded.append(uploaded)
        # ... and every job of the project gets its compiled contracts as --extra-files.
        for contract in sorted((INFRA / "projects" / project).glob("contracts/*/*.odcs.yaml")):
            name = f"{contract.parent.name}.{contract.name.removesuffix('.odcs.yaml')}"
            loaded.append(f"{prefix}/contracts/{name}.contract.json")
    assert len(loaded) > 1, "at least one job script"

    # The deploy's (and a rollback's) check looks for exactly the keys the Glue jobs load.
    check = aws_stub.run_upload(
        tmp_path,
        SAMPLE["env"],
        version,
        "--check",
        env={"ACCOUNT_ID": SAMPLE["account"]},
        stored=loaded,
    )
    assert check.returncode == 0, check.stderr
    heads = check.commands("s3api", "head-object")
    assert sorted(h[h.index("--key") + 1] for h in heads) == sorted(loaded)
    assert {h[h.index("--bucket") + 1] for h in heads} == {bucket}


@pytest.mark.parametrize(
    "sha",
    [
        "1a2b3c4d" + "0" * 32,
        "0123456789abcdef0123456789abcdef01234567",  # digits only, leading zero
        "12345678" + "f" * 32,
        "00000000" + "a" * 32,
        "0e123456" + "b" * 32,
    ],
)
def test_wheel_version_is_the_wheels_file_name_version(sha: str) -> None:
    """The build names the wheel with the PEP 440 normal form of its version; the deploy
    uploads and the projects load data_platform_foundation-<wheel-version.sh>-..., so the
    script must print that normal form."""
    out = subprocess.run(
        ["bash", str(GITHUB / "scripts" / "wheel-version.sh")],
        env={**os.environ, "GITHUB_SHA": sha},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == str(Version(out)), "printed in normal form"
    base = out.split("+")[0]
    assert Version(out) == Version(f"{base}+{sha[:8]}"), "the same version as base+short sha"
    variables = blocks(INFRA / "projects" / "_shared", "variable")
    pattern = variables["wheel_version"]["validation"][0]["condition"]
    regex = re.search(r'regex\("(.*)", var\.wheel_version\)', pattern)
    assert regex, pattern
    assert re.fullmatch(regex[1].replace("\\\\", "\\"), out), "Terraform accepts it"
    rollback = next(
        s
        for s in checks.jobs(checks.load(WORKFLOWS / "_deploy.yml"))["changes"]["steps"]
        if s.get("id") == "version"
    )["run"]
    accepted = re.search(r"=~ (\^.*\$) \]\]", rollback)
    assert accepted and re.fullmatch(accepted[1], out), "a rollback accepts it back"


# ─── Change detection ────────────────────────────────────────────────────────


def _glob(pattern: str) -> re.Pattern[str]:
    out = ""
    for part in re.split(r"(\*\*|\*)", pattern):
        out += {"**": ".*", "*": "[^/]*"}.get(part, re.escape(part))
    return re.compile(out)


def _files_read(stack: Path, seen: set[Path] | None = None) -> set[str]:
    """Repository paths of every file a root module (and its local modules) reads:
    its .tf files (symlinks resolved), module folders, and file("${path.module}/...")."""
    seen = seen if seen is not None else set()
    files: set[str] = set()
    for tf in sorted(stack.glob("*.tf")):
        files.add(str(tf.resolve().relative_to(REPO)))
        text = tf.read_text(encoding="utf-8")
        for rel in re.findall(r'file\("\$\{path\.module\}/([^"]+)"\)', text):
            files.add(os.path.relpath(os.path.normpath(stack / rel), REPO))
        for rel in re.findall(r'^\s*source\s*=\s*"(\.{1,2}/[^"]+)"', text, re.M):
            module = Path(os.path.normpath(stack / rel))
            if module not in seen:
                seen.add(module)
                files |= _files_read(module, seen)
    return files


@pytest.mark.parametrize("kind", sorted(STACKS))
def test_every_file_a_stack_reads_triggers_its_deploy(kind: str) -> None:
    """dorny/paths-filter sees a symlink's target change, not the link: the deploy areas
    must list the shared files themselves."""
    filters = checks.load(GITHUB / "path-filters.yml")
    # A baseline change re-applies (and re-plans) every project too (_deploy.yml, _plan.yml).
    areas = ["baseline"] if kind == "environment" else ["baseline", "projects"]
    patterns = [_glob(p) for area in areas for p in filters[area]]
    for stack in STACKS[kind]:
        missed = {f for f in _files_read(stack) if not any(p.fullmatch(f) for p in patterns)}
        assert missed == set(), f"{stack.relative_to(REPO)} reads files outside {areas}"


# ─── Outputs named in the docs ───────────────────────────────────────────────


def test_terraform_outputs_named_in_docs_and_workflows_exist() -> None:
    outputs = {
        "environments": declared_outputs(INFRA / "environments" / "_shared"),
        "projects": declared_outputs(INFRA / "projects" / "_shared"),
        "cicd": declared_outputs(INFRA / "cicd"),
    }
    assert outputs["environments"] == {"baseline"}
    assert "alerts_topic_arn" in declared_outputs(INFRA / "baseline")
    every = set().union(*outputs.values())
    sources = [
        *(REPO / "docs").glob("*.md"),
        REPO / "setup" / "README.md",
        *INFRA.rglob("README.md"),
        *WORKFLOWS.glob("*.yml"),
    ]
    named = 0
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for stack, name in re.findall(
            r"-chdir=infrastructure/(environments|projects|cicd)\S*\s+output\s+(?:-\w+\s+)*(\w+)",
            text,
        ):
            assert name in outputs[stack], f"{path.name}: no output {name} in {stack}"
            named += 1
        for name in re.findall(r"(?:baseline )?output `(\w+)`|`(\w+)` output\b", text):
            name = next(n for n in name if n)
            assert name in every, f"{path.name}: no Terraform output named {name}"
            named += 1
    assert named >= 4
