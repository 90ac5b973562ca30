"""The isolation checks, planned by the real Terraform CLI (`terraform test`, offline).

tfparse (test_infra_isolation.py) evaluates the expressions; these run what CI runs:

- a plan of a project stack whose state bucket holds another project's state claiming one of
  its tables (the table-ownership precondition);
- plans of an Iceberg table that the catalog holds elsewhere than configured (the location
  postcondition of modules/glue_iceberg_table).

The AWS provider is mocked and the data sources are overridden (baseline outputs, the state
bucket's listing, the other project's state), so no account is needed; the provider's schema
comes from a filesystem mirror when one is found, else from the registry.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dp_cli.local_aws import find_provider_mirror

from . import tfchecks
from .test_infra_isolation import CLASH_CONTRACTS, CLASH_TABLES
from .tfchecks import DOMAIN, INFRA, STUB_ACCOUNT_ID, STUB_WHEEL_VERSION

TIMEOUT = 600
ABBR = DOMAIN["domain_abbr"]


def _one_worker() -> list[pytest.MarkDecorator]:
    """Under xdist, one worker runs the Terraform CLI tests (see test_terraform_validate)."""
    try:
        return [pytest.mark.xdist_group("terraform")]
    except pytest.fail.Exception:  # marker unknown under --strict-markers
        return []


pytestmark = [pytest.mark.slow, *_one_worker()]


def cli_config(scratch: Path) -> Path:
    config = scratch / "terraform.rc"
    mirror = find_provider_mirror()
    if mirror is None:
        config.write_text(f'plugin_cache_dir = "{scratch / "plugins"}"\n')
        (scratch / "plugins").mkdir()
    else:
        config.write_text(
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
            '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
            '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
        )
    return config


def relax_required_version(infra: Path) -> None:
    """A CLI older than the code's required_version plans a copy with it relaxed (as
    terraform-validate.sh does); the ownership check needs nothing newer than 1.7."""
    out = subprocess.run(
        ["terraform", "version", "-json"], capture_output=True, text=True, check=True
    ).stdout
    version = json.loads(out)["terraform_version"]
    pattern = re.compile(r'required_version\s*=\s*">=\s*[0-9.]+"')
    for path in infra.rglob("versions.tf"):
        if not path.is_symlink():
            path.write_text(pattern.sub(f'required_version = ">= {version}"', path.read_text()))


def ownership_tests(baseline: dict) -> str:
    """Two plans of the stack "clash": nothing else applied, then project01 applied (its state
    beside its lock file, and clash's own state listed too) claiming the refined customer."""
    claimed = {f"{ABBR}_refined_dev.customer": "s3://elsewhere/project01/customer/"}
    keys = [
        "projects/project01/terraform.tfstate",
        "projects/project01/terraform.tfstate.tflock",
        "projects/clash/terraform.tfstate",
    ]
    return f"""
mock_provider "aws" {{
  mock_data "aws_caller_identity" {{
    defaults = {{ account_id = "{STUB_ACCOUNT_ID}" }}
  }}
  mock_data "aws_region" {{
    defaults = {{ name = "{DOMAIN["aws_region"]}" }}
  }}
  mock_data "aws_iam_policy_document" {{
    defaults = {{ json = "{{}}" }}
  }}
}}

override_data {{
  target = data.terraform_remote_state.baseline
  values = {{ outputs = {{ baseline = {json.dumps(baseline)} }} }}
}}

variables {{
  environment   = "dev"
  wheel_version = "{STUB_WHEEL_VERSION}"
}}

run "nothing_else_applied" {{
  command = plan

  override_data {{
    target = data.aws_s3_objects.project_states
    values = {{ keys = ["projects/clash/terraform.tfstate"] }}
  }}
}}

run "project01_applied" {{
  command = plan

  override_data {{
    target = data.aws_s3_objects.project_states
    values = {{ keys = {json.dumps(keys)} }}
  }}

  override_data {{
    target = data.terraform_remote_state.projects["project01"]
    values = {{ outputs = {{ catalog_tables = {json.dumps(claimed)} }} }}
  }}
}}
"""


@pytest.fixture(scope="module")
def scratch_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A copy of the infrastructure (required_version relaxed for an older CLI) and the
    environment the Terraform runs use."""
    if shutil.which("terraform") is None:
        pytest.fail("no terraform CLI on PATH: install Terraform (see docs/infrastructure.md)")
    scratch = tmp_path_factory.mktemp("isolation-plan")
    infra = tfchecks.copy_tree(scratch)
    relax_required_version(infra)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config(scratch)), "TF_IN_AUTOMATION": "1"}
    env.pop("TF_CLI_ARGS", None)
    return infra, env


def terraform_test(directory: Path, env: dict[str, str]) -> str:
    """terraform init + terraform test in a configuration; returns the test run's output."""
    init = subprocess.run(
        ["terraform", "init", "-backend=false", "-input=false", "-no-color"],
        cwd=directory, capture_output=True, text=True, check=False, env=env, timeout=TIMEOUT,
    )  # fmt: skip
    assert init.returncode == 0, f"terraform init failed:\n{init.stdout}{init.stderr}"
    result = subprocess.run(
        ["terraform", "test", "-no-color"],
        cwd=directory, capture_output=True, text=True, check=False, env=env, timeout=TIMEOUT,
    )  # fmt: skip
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def planned(scratch_tree: tuple[Path, dict[str, str]]) -> str:
    infra, env = scratch_tree
    stack = tfchecks.add_project(infra, "clash", CLASH_TABLES, contracts=CLASH_CONTRACTS)
    baseline = tfchecks.fake_baseline_outputs("dev", tfchecks.output_names(INFRA / "baseline"))
    (stack / "tests").mkdir()
    (stack / "tests" / "ownership.tftest.hcl").write_text(ownership_tests(baseline))
    return terraform_test(stack, env)


def test_a_project_alone_plans(planned: str) -> None:
    assert 'run "nothing_else_applied"... pass' in planned, planned


def test_a_table_another_project_applied_fails_the_plan_naming_both(planned: str) -> None:
    assert 'run "project01_applied"... fail' in planned, planned
    assert "Resource precondition failed" in planned
    message = " ".join(planned.split())
    assert (
        f"table {ABBR}_refined_dev.customer is already declared by project project01"
        " (this is project clash)"
    ) in message, planned


# ─── An Iceberg table the catalog holds elsewhere ───

LOCATION_TESTS = """
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

variables {
  database_name      = "f01_refined_dev"
  table_name         = "orders"
  columns            = [{ name = "o_orderkey", type = "bigint" }]
  optimizer_role_arn = "arn:aws:iam::123456789012:role/optimizer"
  kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "created_at_the_former_location" {
  variables {
    location = "s3://f01-refined-123456789012-dev/orders/"
  }
}

run "configured_under_the_project_prefix" {
  command = plan

  variables {
    location = "s3://f01-refined-123456789012-dev/project01/orders/"
  }

  expect_failures = [aws_glue_catalog_table.this]
}

run "location_unchanged" {
  command = plan

  variables {
    location = "s3://f01-refined-123456789012-dev/orders/"
  }
}
"""


def test_a_table_the_catalog_holds_elsewhere_fails_the_plan(
    scratch_tree: tuple[Path, dict[str, str]],
) -> None:
    """ignore_changes keeps an applied table where it was created: moving its configured
    location fails the plan (expect_failures) instead of leaving it outside the roles' reach."""
    infra, env = scratch_tree
    module = infra / "modules" / "glue_iceberg_table"
    (module / "tests").mkdir()
    (module / "tests" / "location.tftest.hcl").write_text(LOCATION_TESTS)
    output = terraform_test(module, env)
    for run in (
        "created_at_the_former_location",
        "configured_under_the_project_prefix",
        "location_unchanged",
    ):
        assert f'run "{run}"... pass' in output, output
