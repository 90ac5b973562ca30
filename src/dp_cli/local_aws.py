"""Deploy the whole domain into a local AWS emulator and run its pipelines there.

``dp deploy-local`` (and ``make deploy-local``) does what ``.github/workflows/_deploy.yml`` does
to a real account, with the same scripts, against moto's server on a loopback port:

1. the ``cicd`` stack, once per account, as an administrator (a person bootstraps it);
2. ``environments/<env>`` (the baseline) as the ``ci-terraform-baseline-<env>`` role;
3. the versioned wheel and the job scripts, uploaded by ``.github/scripts/upload-artifacts.sh``
   as the ``ci-artifacts-<env>`` role;
4. every project stack as the ``ci-terraform-projects-<env>`` role, reading the baseline's
   remote state from the (emulated) S3 state bucket; each table's Glue Data Quality ruleset
   is then read back from Glue (``Report.rulesets``);
5. every pipeline's state machine is executed and must end in ``PipelineSucceeded``; one run
   whose Glue job is missing must end in ``PipelineFailed`` and its failure must reach the
   alerts topic through the deployed EventBridge rule;
6. everything is destroyed again, by the same roles.

Steps 2-4 and 6 run with the emulator's IAM enforcement on, so a permission a deploy role lacks
fails the deploy as it would on AWS. The emulator evaluates actions; resource scoping and
conditions it cannot see are checked statically by the deploy-role policy tests.

The real Terraform CLI and the real AWS provider are used; a filesystem mirror of the provider
is used when one is found (no registry is needed), and a CLI older than the stacks'
``required_version`` validates a temporary copy with that constraint relaxed (said in the
output). The repository itself is never written to: everything runs in a temporary copy.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dp_cli.projects import repo_root
from dp_foundation.exceptions import DataPlatformError

ACCOUNT_ID = "123456789012"  # moto's account
ADMIN_KEYS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
MOTO_VENV = ".venv-moto"
LAUNCHER = "tools/local_aws/moto_launcher.py"
# The services the stacks call; each is pointed at the emulator.
SERVICES = (
    "cloudwatch", "events", "ec2", "glue", "iam", "kms", "lakeformation", "logs", "s3",
    "scheduler", "sfn", "sns", "sqs", "sts",
)  # fmt: skip
# What the temporary copy needs: the stacks, the domain facts, the scripts CI runs, the jobs.
# src/dp_foundation/iceberg: the table properties modules/glue_iceberg_table reads.
COPIED = ("infrastructure", "setup", ".github/scripts", "src/jobs", "src/dp_foundation/iceberg")
# Where terraform-validate.sh looks too (the standard plugin-mirror folders first).
MIRROR_ROOTS = (
    "~/.terraform.d",
    "~/.local/share/terraform",
    "/usr/local/share",
    "/usr/share",
    "/opt",
)
MIRROR_SUFFIX = Path("registry.terraform.io") / "hashicorp" / "aws"


class DeployError(DataPlatformError):
    """A step of the local deploy failed; the message names the step and what went wrong."""


@dataclass
class Report:
    """What ``deploy_local`` did: per step, its duration; per execution, its outcome."""

    steps: dict[str, float] = field(default_factory=dict)
    executions: dict[str, str] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)
    rulesets: dict[str, dict[str, Any]] = field(default_factory=dict)
    denied: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ─── Tools ──────────────────────────────────────────────────────────────────────


def find_provider_mirror() -> Path | None:
    """The folder holding a filesystem mirror of hashicorp/aws (its parent of ``registry…``).

    ``TF_PROVIDER_MIRROR`` wins; otherwise a few standard roots are searched, three levels deep.
    """
    if os.environ.get("TF_PROVIDER_MIRROR"):
        return Path(os.environ["TF_PROVIDER_MIRROR"])
    for root in MIRROR_ROOTS:
        base = Path(root).expanduser()
        for depth in ("", "*/", "*/*/"):
            for hit in sorted(base.glob(f"{depth}{MIRROR_SUFFIX}")):
                if hit.is_dir():
                    return hit.parents[2]
    return None


def terraform_version(terraform: str) -> tuple[int, ...]:
    out = subprocess.run(
        [terraform, "version", "-json"], capture_output=True, text=True, check=True
    ).stdout
    return tuple(int(p) for p in json.loads(out)["terraform_version"].split(".")[:3])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ─── The emulator ───────────────────────────────────────────────────────────────


@contextlib.contextmanager
def moto_server(repo: Path, log: Path) -> Iterator[str]:
    """Run the patched moto server on a free loopback port; stop it whatever happens."""
    python = repo / MOTO_VENV / "bin" / "python"
    if not python.exists():
        raise DeployError(f"{MOTO_VENV} is missing: run `make setup` (it installs moto[server])")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(python), str(repo / LAUNCHER), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MOTO_PORT": str(port)},
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2)  # noqa: S310
                break
            except OSError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise DeployError(f"moto did not start on {endpoint}; see {log}") from error
                time.sleep(0.3)
        # Execute Amazon States Language for real (moto only records executions otherwise).
        moto_api(endpoint, "config", {"stepfunctions": {"execute_state_machine": True}})
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def moto_api(endpoint: str, path: str, body: object) -> None:
    """POST to moto's control API (``/moto-api/<path>``)."""
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback emulator
        f"{endpoint}/moto-api/{path}",
        data=data,
        method="POST",
        headers={"Content-Type": "text/plain" if isinstance(body, str) else "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise DeployError(f"moto-api/{path} answered {response.status}")


def iam_enforcement(endpoint: str, on: bool) -> None:
    """Turn the emulator's IAM checks on (every call evaluated) or off."""
    moto_api(endpoint, "reset-auth", "0" if on else "inf")


# ─── The deployment ─────────────────────────────────────────────────────────────


class LocalDeployment:
    """A temporary copy of the repository, deployed into the emulator at ``endpoint``."""

    def __init__(
        self,
        repo: Path,
        work: Path,
        endpoint: str,
        environment: str,
        say: Callable[[str], None],
    ) -> None:
        self.repo = repo
        self.work = work
        self.endpoint = endpoint
        self.environment = environment
        self.say = say
        self.domain = json.loads((repo / "setup" / "domain.json").read_text())
        self.region = self.domain["aws_region"]
        self.tree = work / "repo"
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.credentials: dict[str, dict[str, str]] = {}

    # ─── Environment of every command ───

    def env(self, role: str | None = None, **extra: str) -> dict[str, str]:
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "TF_")) or k in ("TF_PLUGIN_CACHE_DIR",)
        }
        keys = self.credentials[role] if role else ADMIN_KEYS
        return {
            **base,
            **keys,
            "PATH": f"{self.repo / MOTO_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "TF_CLI_CONFIG_FILE": str(self.work / "terraform.rc"),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            **extra,
        }

    def run(self, step: str, args: list[str], role: str | None = None, **extra: str) -> str:
        """Run a command in the copy; on failure raise with the tail of its output."""
        log = self.logs / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', step)}.log"
        result = subprocess.run(
            args, cwd=self.tree, env=self.env(role, **extra), capture_output=True, text=True
        )
        log.write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-40:])
            raise DeployError(f"{step} failed (exit {result.returncode}):\n{tail}")
        return result.stdout

    def client(self, service: str, role: str | None = None) -> Any:
        import boto3

        keys = self.credentials[role] if role else ADMIN_KEYS
        return boto3.client(
            service,
            region_name=self.region,
            endpoint_url=self.endpoint,
            aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=keys.get("AWS_SESSION_TOKEN"),
        )

    # ─── Preparing the copy ───

    def prepare(self, terraform: str) -> None:
        """Copy the repository parts, point every stack at the emulator, relax an old CLI."""
        for part in COPIED:
            shutil.copytree(
                self.repo / part,
                self.tree / part,
                symlinks=True,
                ignore=shutil.ignore_patterns(
                    ".terraform", "*.tfstate*", "backend.conf", "tfplan", "__pycache__"
                ),
            )
        mirror = find_provider_mirror()
        rc = ""
        if mirror:
            rc += (
                "provider_installation {\n"
                f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
                '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
                '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
            )
            self.say("provider: from the filesystem mirror found on this machine")
        (self.work / "terraform.rc").write_text(rc)
        self.relax_required_version(terraform)
        for stack in self.stacks():
            (stack / "zz_local_aws_override.tf").write_text(self.provider_override(stack))

    def relax_required_version(self, terraform: str) -> None:
        """An older CLI deploys the copy with ``required_version`` lowered to it, and says so."""
        version = terraform_version(terraform)
        pattern = re.compile(r'required_version\s*=\s*">=\s*([0-9.]+)"')
        relaxed: set[str] = set()
        for path in (self.tree / "infrastructure").rglob("versions.tf"):
            text = path.read_text()
            match = None if path.is_symlink() else pattern.search(text)
            if match and tuple(int(p) for p in match.group(1).split(".")) > version:
                path.write_text(
                    pattern.sub(f'required_version = ">= {version[0]}.{version[1]}"', text)
                )
                relaxed.add(match.group(1))
        if relaxed:
            self.say(
                f"terraform {'.'.join(map(str, version))} is older than the stacks' required "
                f">= {', '.join(sorted(relaxed))}: deploying a copy with that constraint relaxed"
            )

    def stacks(self) -> list[Path]:
        infra = self.tree / "infrastructure"
        projects = [infra / "projects" / name for name in self.projects()]
        return [infra / "cicd", infra / "environments" / self.environment, *projects]

    def projects(self) -> list[str]:
        return sorted(
            p.parent.name
            for p in (self.tree / "infrastructure" / "projects").glob("*/project.json")
            if p.parent.name != "_template"
        )

    def provider_override(self, stack: Path) -> str:
        endpoints = "\n".join(f'    {s} = "{self.endpoint}"' for s in SERVICES)
        text = (
            "# Written by dp deploy-local: the real AWS provider, pointed at the local emulator.\n"
            'provider "aws" {\n'
            "  skip_credentials_validation = true\n"
            "  skip_metadata_api_check     = true\n"
            "  s3_use_path_style           = true\n"
            f"  endpoints {{\n{endpoints}\n  }}\n}}\n"
        )
        if stack.parent.name == "projects":
            text += (
                '\ndata "terraform_remote_state" "baseline" {\n'
                '  backend = "s3"\n'
                f"  config = merge({self.state_config('baseline/terraform.tfstate')}, "
                '{\n    bucket = format(module.naming.name_format, "tfstate")\n  })\n}\n'
            )
        return text

    def backend_endpoints(self) -> str:
        return f'{{ s3 = "{self.endpoint}", sts = "{self.endpoint}" }}'

    def state_config(self, key: str) -> str:
        return (
            "{\n"
            f'    key                         = "{key}"\n'
            f'    region                      = "{self.region}"\n'
            f"    endpoints                   = {self.backend_endpoints()}\n"
            "    use_path_style              = true\n"
            "    skip_credentials_validation = true\n"
            "    skip_requesting_account_id  = true\n"
            "    skip_metadata_api_check     = true\n"
            "  }"
        )

    # ─── Steps ───

    def bootstrap(self) -> None:
        """State bucket and backend.conf files, with the script a person runs once."""
        self.run(
            "init-terraform",
            ["bash", "setup/init-terraform.sh", self.environment, "--account-id", ACCOUNT_ID,
             "--create-state-bucket"],
        )  # fmt: skip
        extra = (
            f"endpoints = {self.backend_endpoints()}\n"
            "use_path_style              = true\n"
            "skip_credentials_validation = true\n"
            "skip_requesting_account_id  = true\n"
            "skip_metadata_api_check     = true\n"
        )
        for stack in self.stacks():
            with (stack / "backend.conf").open("a") as conf:
                conf.write(extra)

    def apply(self, stack: Path, role: str | None, mode: str = "apply", **tf_vars: str) -> None:
        name = str(stack.relative_to(self.tree / "infrastructure"))
        variables = {f"TF_VAR_{k}": v for k, v in tf_vars.items()}
        if mode == "destroy":
            chdir = f"-chdir={stack}"
            init = ["terraform", chdir, "init", "-input=false", "-no-color"]
            self.run(f"init {name}", [*init, "-backend-config=backend.conf"], role)
            destroy = ["terraform", chdir, "destroy", "-auto-approve", "-input=false", "-no-color"]
            self.run(f"destroy {name}", destroy, role, **variables)
            return
        self.run(
            f"apply {name}",
            [
                "bash",
                ".github/scripts/terraform-stack.sh",
                "apply",
                str(stack.relative_to(self.tree)),
            ],
            role,
            **variables,
        )
        # What was deployed, for the deploy-role policy checks (resources and their ARNs/tags).
        state = self.run(f"show {name}", ["terraform", f"-chdir={stack}", "show", "-json"], role)
        (self.work / "states").mkdir(exist_ok=True)
        (self.work / "states" / f"{name.replace('/', '__')}.json").write_text(state)

    def save_role_policies(self) -> None:
        """The deploy roles' policies as the emulator holds them (for the static checks)."""
        iam = self.client("iam")
        folder = self.work / "policies"
        folder.mkdir(exist_ok=True)
        for role in iam.list_roles()["Roles"]:
            names = iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
            documents = {
                n: iam.get_role_policy(RoleName=role["RoleName"], PolicyName=n)["PolicyDocument"]
                for n in names
            }
            (folder / f"{role['RoleName']}.json").write_text(json.dumps(
                {"Arn": role["Arn"], "AssumeRolePolicyDocument": role["AssumeRolePolicyDocument"],
                 "Policies": documents}, indent=1, default=str))  # fmt: skip

    def lift_destroy_guards(self) -> None:
        """Let the teardown delete the buckets the Terraform protects (``prevent_destroy``).

        Only the emulator's copy is changed, and only for the final destroy: on AWS the data
        and log buckets are kept on purpose and deleted by hand.
        """
        for path in (self.tree / "infrastructure" / "modules").rglob("*.tf"):
            text = path.read_text()
            if "prevent_destroy = true" in text:
                path.write_text(text.replace("prevent_destroy = true", "prevent_destroy = false"))
                self.say(f"teardown: prevent_destroy lifted in the copy of {path.parent.name}")

    def empty_buckets(self) -> None:
        """Delete every object version in the environment's buckets, as a person would first.

        Access logging is switched off first, or the teardown's own requests would write new
        log objects into the log bucket before Terraform deletes it.
        """
        s3 = self.client("s3")
        abbr = self.domain["domain_abbr"]
        names = [
            b["Name"]
            for b in s3.list_buckets()["Buckets"]
            if b["Name"].startswith(f"{abbr}-") and not b["Name"].startswith(f"{abbr}-tfstate-")
        ]
        for name in names:
            s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={})
        for name in names:
            pages = s3.get_paginator("list_object_versions").paginate(Bucket=name)
            for page in pages:
                versions = page.get("Versions", []) + page.get("DeleteMarkers", [])
                if versions:
                    s3.delete_objects(
                        Bucket=name,
                        Delete={
                            "Objects": [
                                {"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions
                            ]
                        },
                    )

    def assume_deploy_roles(self) -> None:
        """Credentials of the three deploy roles, as GitHub's OIDC token would give them."""
        sts = self.client("sts")
        for kind, name in (
            ("baseline", "ci-terraform-baseline"),
            ("artifacts", "ci-artifacts"),
            ("projects", "ci-terraform-projects"),
        ):
            creds = sts.assume_role_with_web_identity(
                RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{name}-{self.environment}",
                RoleSessionName=f"deploy-{kind}-local",
                # The emulator does not verify the token; the trust policy is tested statically.
                WebIdentityToken="local.github.oidc",
            )["Credentials"]
            self.credentials[kind] = {
                "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                "AWS_SESSION_TOKEN": creds["SessionToken"],
            }

    def build_wheel(self, version: str) -> None:
        dist = self.tree / "dist"
        self.run(
            "build wheel",
            ["bash", str(self.repo / "setup" / "build-wheel.sh"), version, str(dist)],
            PYTHON=sys.executable,
        )

    def upload_artifacts(self, version: str) -> None:
        self.run(
            "upload artifacts",
            ["bash", ".github/scripts/upload-artifacts.sh", self.environment, version],
            "artifacts",
            ACCOUNT_ID=ACCOUNT_ID,
        )

    def outputs(self, stack: Path) -> dict[str, Any]:
        out = self.run(
            f"outputs {stack.name}", ["terraform", f"-chdir={stack}", "output", "-json"], "projects"
        )
        return {k: v["value"] for k, v in json.loads(out).items()}

    def baseline_outputs(self) -> dict[str, Any]:
        stack = self.tree / "infrastructure" / "environments" / self.environment
        out = self.run("baseline outputs", ["terraform", f"-chdir={stack}", "output", "-json"])
        values = {k: v["value"] for k, v in json.loads(out).items()}
        return values.get("baseline", values)  # type: ignore[no-any-return]


# ─── Executions ─────────────────────────────────────────────────────────────────


def run_execution(sfn: Any, arn: str, name: str, timeout: float = 120) -> tuple[str, list[str]]:
    """Start an execution and wait for it; returns (status, names of the states entered)."""
    execution = sfn.start_execution(stateMachineArn=arn, name=name, input="{}")["executionArn"]
    deadline = time.monotonic() + timeout
    while True:
        status = sfn.describe_execution(executionArn=execution)["status"]
        if status != "RUNNING":
            break
        if time.monotonic() > deadline:
            raise DeployError(f"execution {name} of {arn} still RUNNING after {timeout} s")
        time.sleep(0.5)
    events = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
    ]
    failures = [
        f"{details.get('error')}: {details.get('cause')}"
        for e in events
        for key, details in e.items()
        if key.endswith("FailedEventDetails") and isinstance(details, dict)
    ]
    if failures and status != "SUCCEEDED":
        entered.append(f"(first failure: {failures[0]})")
    return status, entered


def status_change_event(sfn: Any, execution_arn: str) -> dict[str, Any]:
    """The "Step Functions Execution Status Change" event AWS emits for an execution.

    moto does not emit service events to EventBridge; the harness puts the one AWS would, built
    from the execution itself, so the deployed rule and its target are what is tested.
    """
    described = sfn.describe_execution(executionArn=execution_arn)
    detail = {
        "executionArn": execution_arn,
        "stateMachineArn": described["stateMachineArn"],
        "name": described["name"],
        "status": described["status"],
        "startDate": int(described["startDate"].timestamp() * 1000),
        "stopDate": int(described["stopDate"].timestamp() * 1000),
    }
    return {
        "Source": "aws.states",
        "DetailType": "Step Functions Execution Status Change",
        "Detail": json.dumps(detail),
        "Resources": [execution_arn],
    }


# ─── Entry point ────────────────────────────────────────────────────────────────


def deploy_local(
    environment: str = "dev",
    *,
    repo: Path | None = None,
    keep: Path | None = None,
    destroy: bool = True,
    say: Callable[[str], None] = print,
    after_apply: Callable[[LocalDeployment], None] | None = None,
) -> Report:
    """Deploy every stack into a local emulator, run every pipeline, destroy; see module doc.

    Args:
        environment: the environment to deploy (a key of environments.json).
        repo: the repository to deploy (its working tree, uncommitted changes included).
        keep: keep the temporary copy, logs and state here instead of deleting them.
        destroy: destroy the stacks at the end (as the deploy roles).
        say: receives one line per step.
        after_apply: called with the deployment once every stack is applied, before the
            pipelines run and the teardown: to read what Terraform created (IAM enforcement
            is off, admin keys).

    Returns:
        The report: step durations, execution outcomes, alerts received.

    Raises:
        DeployError: a step failed; the message names it and ends with its output.
    """
    repo = repo or repo_root()
    terraform = shutil.which("terraform")
    if terraform is None:
        raise DeployError(
            "terraform is not on PATH: install Terraform >= 1.14 (HashiCorp's apt repository or "
            "releases) and, offline, a filesystem mirror of hashicorp/aws (TF_PROVIDER_MIRROR)"
        )
    report = Report()
    work = keep or Path(tempfile.mkdtemp(prefix="dp-deploy-local-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    def step(name: str) -> contextlib.AbstractContextManager[None]:
        @contextlib.contextmanager
        def timed() -> Iterator[None]:
            say(f"==> {name}")
            begin = time.monotonic()
            yield
            report.steps[name] = round(time.monotonic() - begin, 1)

        return timed()

    try:
        with moto_server(repo, work / "moto.log") as endpoint:
            d = LocalDeployment(repo, work, endpoint, environment, say)
            infra = d.tree / "infrastructure"
            version = f"0.0.0+{int(time.time()):x}"
            with step("prepare a copy pointed at the emulator"):
                d.prepare(terraform)
            with step("bootstrap: state bucket, backend configuration"):
                d.bootstrap()
            with step("apply cicd (administrator, once per account)"):
                d.apply(infra / "cicd", None, github_org="example-org",
                        github_repository="data-domain")  # fmt: skip
                d.assume_deploy_roles()
                d.save_role_policies()
            iam_enforcement(endpoint, on=True)
            with step(f"apply environments/{environment} as ci-terraform-baseline-{environment}"):
                d.apply(infra / "environments" / environment, "baseline")
            with step(f"upload wheel {version} and job scripts as ci-artifacts-{environment}"):
                d.build_wheel(version)
                d.upload_artifacts(version)
            machines: dict[str, str] = {}
            jobs: dict[str, dict[str, str]] = {}
            rulesets: dict[str, dict[str, dict[str, str]]] = {}
            for project in d.projects():
                with step(f"apply projects/{project} as ci-terraform-projects-{environment}"):
                    d.apply(infra / "projects" / project, "projects",
                            environment=environment, wheel_version=version)  # fmt: skip
                    out = d.outputs(infra / "projects" / project)
                    machines.update(
                        {f"{project}/{k}": v for k, v in out["state_machine_arns"].items()}
                    )
                    jobs[project] = out["glue_job_names"]
                    rulesets[project] = out["data_quality_rulesets"]
            iam_enforcement(endpoint, on=False)
            with step("read every table's Glue Data Quality ruleset back from Glue"):
                read_rulesets(d, rulesets, report)
            if after_apply is not None:
                with step("inspect the applied stacks"):
                    after_apply(d)
            with step("run every pipeline; one with a missing Glue job must fail and alert"):
                run_pipelines(d, machines, jobs, report)
            if destroy:
                iam_enforcement(endpoint, on=True)
                for project in reversed(d.projects()):
                    with step(f"destroy projects/{project} as ci-terraform-projects-{environment}"):
                        d.apply(infra / "projects" / project, "projects", "destroy",
                                environment=environment, wheel_version=version)  # fmt: skip
                d.lift_destroy_guards()
                iam_enforcement(endpoint, on=False)
                d.empty_buckets()
                iam_enforcement(endpoint, on=True)
                with step(
                    f"destroy environments/{environment} as ci-terraform-baseline-{environment}"
                ):
                    d.apply(infra / "environments" / environment, "baseline", "destroy")
                iam_enforcement(endpoint, on=False)
        # Calls the emulator refused (printed by the launcher): each is a permission a role lacks,
        # except the provider's account-id probe (iam:GetUser), which falls back to STS.
        report.denied = sorted(
            {
                line.removeprefix("ACCESS DENIED: ").strip()
                for line in (work / "moto.log").read_text().splitlines()
                if line.startswith("ACCESS DENIED: ")
            }
        )
        report.steps["total"] = round(time.monotonic() - started, 1)
        return report
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def read_rulesets(
    d: LocalDeployment, rulesets: Mapping[str, Mapping[str, Mapping[str, str]]], report: Report
) -> None:
    """What Glue holds for each ruleset the project stacks created, keyed
    ``<project>/<layer>/<table>``: its DQDL, the table it targets, whether that table exists,
    and the database of the table's layer (from the baseline)."""
    glue = d.client("glue")
    databases = d.baseline_outputs()
    for project, created in sorted(rulesets.items()):
        for key, ruleset in sorted(created.items()):
            held = glue.get_data_quality_ruleset(Name=ruleset["name"])
            target = held.get("TargetTable", {})
            try:
                glue.get_table(DatabaseName=target["DatabaseName"], Name=target["TableName"])
                found = True
            except (KeyError, glue.exceptions.EntityNotFoundException):
                found = False
            report.rulesets[f"{project}/{key}"] = {
                "name": held["Name"],
                "ruleset": held["Ruleset"],
                "database": target.get("DatabaseName"),
                "table": target.get("TableName"),
                "table_found": found,
                "layer_database": databases[f"glue_database_{key.split('/')[0]}"],
            }
    d.say(f"    {len(report.rulesets)} Glue Data Quality rulesets read back")


def run_pipelines(
    d: LocalDeployment,
    machines: Mapping[str, str],
    jobs: Mapping[str, Mapping[str, str]],
    report: Report,
) -> None:
    """Every pipeline must succeed; then one with a deleted Glue job must fail and alert."""
    if not machines:
        raise DeployError("no state machine was deployed: no project declares a pipeline")
    sfn, glue, sqs, sns, events = (
        d.client(s) for s in ("stepfunctions", "glue", "sqs", "sns", "events")
    )
    for name, arn in sorted(machines.items()):
        status, entered = run_execution(sfn, arn, f"local-{name.replace('/', '-')}")
        report.executions[name] = f"{status} via {entered[-1] if entered else '-'}"
        d.say(f"    {name}: {report.executions[name]}")
        if status != "SUCCEEDED" or entered[-1:] != ["PipelineSucceeded"]:
            raise DeployError(
                f"pipeline {name} ended {status} after {entered}, not in PipelineSucceeded"
            )

    # Subscribe a queue to the alerts topic, as a team subscribes its own target.
    topic = d.baseline_outputs()["alerts_topic_arn"]
    queue = sqs.create_queue(QueueName="local-alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"RawMessageDelivery": "true"})  # fmt: skip

    name, arn = sorted(machines.items())[0]
    project = name.split("/")[0]
    victim = next(iter(jobs[project].values()))
    glue.delete_job(JobName=victim)
    status, entered = run_execution(sfn, arn, f"local-{name.replace('/', '-')}-broken")
    report.executions[f"{name} (Glue job {victim} deleted)"] = f"{status} via PipelineFailed"
    if status != "FAILED" or "PipelineFailed" not in entered:
        raise DeployError(f"pipeline {name} without job {victim} ended {status} after {entered}")
    execution = sfn.list_executions(stateMachineArn=arn, statusFilter="FAILED")["executions"][0]
    events.put_events(Entries=[status_change_event(sfn, execution["executionArn"])])
    # The queue also gets the pipeline's own NotifyFailure message when it notifies.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(
        execution["executionArn"] in body for body in report.alerts
    ):
        messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
        report.alerts += [m["Body"] for m in messages]
    if not any(execution["executionArn"] in body for body in report.alerts):
        raise DeployError(f"the failure of {name} did not reach the alerts topic {topic}")
    d.say(f"    {name} without {victim}: FAILED via PipelineFailed; alert received")
