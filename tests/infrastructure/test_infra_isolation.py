"""Project isolation: the projects share the layer buckets and databases, so each project's roles
must reach its own tables only, and no two projects may declare the same table.

Evaluated offline with tfparse on stubbed stacks (conftest); the broken copies prove that the
checks fail when the property breaks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from . import tfchecks
from .tfchecks import DOMAIN, INFRA, STUB_ACCOUNT_ID, STUB_WHEEL_VERSION, address, blocks

ABBR = DOMAIN["domain_abbr"]
GLUE = f"arn:aws:glue:{DOMAIN['aws_region']}:{STUB_ACCOUNT_ID}"
PROJECTS = sorted(
    p.parent.name for p in INFRA.glob("projects/*/project.json") if p.parent.name != "_template"
)
TFVARS = {"environment": "dev", "wheel_version": STUB_WHEEL_VERSION}
SHARED = INFRA / "projects" / "_shared"


def bucket(layer: str) -> str:
    return f"{ABBR}-{layer}-{STUB_ACCOUNT_ID}-dev"


def role_statements(parsed: dict, role: str) -> list[dict]:
    return tfchecks.policy_statements_of(parsed, f"module.{role}.")


def foreign_tables(project: str, project_stack: Callable[..., dict]) -> dict[str, dict]:
    return {
        name: table
        for other in PROJECTS
        if other != project
        for name, table in tfchecks.project_tables(project_stack(other)).items()
    }


# ─── Where the tables live ───


@pytest.mark.parametrize("project", PROJECTS)
def test_iceberg_tables_live_under_the_project_prefix(
    project: str, project_stack: Callable[..., dict]
) -> None:
    parsed = project_stack(project)
    for name, table in tfchecks.project_tables(parsed).items():
        if table["access"] == "write":
            database, table_name = name.split(".")
            layer = database.removeprefix(f"{ABBR}_").removesuffix("_dev")
            assert table["location"] == f"s3://{bucket(layer)}/{project}/{table_name}/"
    for optimizer in blocks(parsed, "aws_glue_catalog_table_optimizer"):
        if optimizer["type"] == "orphan_file_deletion":
            location = optimizer["configuration"]["orphan_file_deletion_configuration"][
                "iceberg_configuration"
            ]["location"]
            assert f"/{project}/" in location, f"{address(optimizer)}: {location}"


# ─── What the roles reach ───


@pytest.mark.parametrize("project", PROJECTS)
def test_glue_job_role_reaches_its_own_tables_only(
    project: str, project_stack: Callable[..., dict]
) -> None:
    parsed = project_stack(project)
    own = tfchecks.project_tables(parsed)
    assert own, "every real project declares tables"
    statements = role_statements(parsed, "glue_job_role")
    foreign = foreign_tables(project, project_stack)
    assert tfchecks.check_table_isolation(statements, own, foreign, GLUE) == []

    # Nothing of the catalog beyond the declared tables: no table wildcard, no table created or
    # deleted by a job (Terraform owns the tables).
    tables = {r for s in statements for r in s["resources"] if ":table/" in str(r)}
    assert tables == {f"{GLUE}:table/{name.replace('.', '/')}" for name in own}
    actions = {a for s in statements for a in s["actions"]}
    assert not {"glue:CreateTable", "glue:DeleteTable", "glue:GetTables"} & actions
    # Objects of the data buckets: the project's prefix and the landed data it declares.
    data_buckets = tuple(f"arn:aws:s3:::{bucket(layer)}" for layer in ("raw", "refined", "curated"))
    objects = {
        r for s in statements for r in s["resources"] if str(r).startswith(data_buckets)
    } - set(data_buckets)
    # The landed folder of each raw table, as a key too (Hadoop asks for it before listing).
    landed: set[str] = set()
    for table in own.values():
        if table["access"] == "read":
            folder = tfchecks.s3_object_arn(table["location"], "")
            landed |= {f"{folder}*", folder.rstrip("/")}
    layers = {
        name.split(".")[0].removeprefix(f"{ABBR}_").removesuffix("_dev")
        for name, t in own.items()
        if t["access"] == "write"
    }
    assert objects == landed | {f"arn:aws:s3:::{bucket(layer)}/{project}/*" for layer in layers}
    # Listing a data bucket always carries an s3:prefix condition.
    for statement in statements:
        if "s3:ListBucket" in statement["actions"] and set(statement["resources"]) & set(
            data_buckets
        ):
            assert [c[1] for c in statement["conditions"]] == ["s3:prefix"], statement["sid"]


@pytest.mark.parametrize("project", PROJECTS)
def test_table_optimizer_role_reaches_its_own_tables_only(
    project: str, project_stack: Callable[..., dict]
) -> None:
    parsed = project_stack(project)
    iceberg = {n: t for n, t in tfchecks.project_tables(parsed).items() if t["access"] == "write"}
    foreign = foreign_tables(project, project_stack)
    statements = role_statements(parsed, "table_optimizer_role[0]")
    assert tfchecks.check_table_isolation(statements, iceberg, foreign, GLUE) == []
    tables = {r for s in statements for r in s["resources"] if ":table/" in str(r)}
    assert tables == {f"{GLUE}:table/{name.replace('.', '/')}" for name in iceberg}


def test_the_job_role_is_granted_a_table_once_the_stack_created_it() -> None:
    """The role names its tables through the table modules: if another project created a table
    first, CreateTable fails and the grant that depends on it is never applied. (The stubbed
    evaluation reads those names from the keys, tfchecks.stub_tree.)"""
    source = (SHARED / "main.tf").read_text()
    assert "name = module.iceberg_tables[key].name" in source
    assert "name = module.raw_tables[key].name" in source


def test_a_whole_bucket_grant_is_reported(
    tmp_path: Path, project_stack: Callable[..., dict]
) -> None:
    infra = tfchecks.stub_tree(tmp_path)
    module = infra / "modules" / "iam_glue_job" / "main.tf"
    text = module.read_text()
    old = 'for prefix in location.read_write_prefixes : "${location.bucket_arn}/${prefix}/*"'
    assert old in text
    module.write_text(
        text.replace(old, 'for prefix in location.read_write_prefixes : "${location.bucket_arn}/*"')
    )
    parsed = tfchecks.evaluate(infra / "projects" / "project01", TFVARS, tmp_path / "vars")
    problems = tfchecks.check_table_isolation(
        role_statements(parsed, "glue_job_role"),
        tfchecks.project_tables(parsed),
        foreign_tables("project01", project_stack),
        GLUE,
    )
    assert any("foreign table" in p and "s3:PutObject" in p for p in problems), problems


def test_a_table_wildcard_is_reported(tmp_path: Path, project_stack: Callable[..., dict]) -> None:
    infra = tfchecks.stub_tree(tmp_path)
    module = infra / "modules" / "iam_glue_job" / "main.tf"
    text = module.read_text()
    old = '"${local.glue_arn}:table/${table.database}/${table.name}"'
    assert old in text
    module.write_text(text.replace(old, '"${local.glue_arn}:table/${table.database}/*"'))
    parsed = tfchecks.evaluate(infra / "projects" / "test02", TFVARS, tmp_path / "vars")
    problems = tfchecks.check_table_isolation(
        role_statements(parsed, "glue_job_role"),
        tfchecks.project_tables(parsed),
        foreign_tables("test02", project_stack),
        GLUE,
    )
    assert any("foreign table" in p and "glue:UpdateTable" in p for p in problems), problems


# ─── One project per table ───


def test_no_two_projects_declare_the_same_table(project_stack: Callable[..., dict]) -> None:
    claims = {p: tfchecks.project_tables(project_stack(p)) for p in PROJECTS}
    assert tfchecks.check_unique_tables(claims) == []


@pytest.mark.parametrize("project", PROJECTS)
def test_nothing_applied_elsewhere_means_no_collision(
    project: str, project_stack: Callable[..., dict]
) -> None:
    parsed = project_stack(project)
    assert tfchecks.failed_preconditions(parsed) == []
    assert tfchecks.local_values(parsed)["other_project_states"] == {}


CLASH_TABLES = """locals {
  raw_tables = {}
}
"""
# A contract of project01's refined customer table, declared by another project too.
CLASH_CONTRACTS = {
    "refined/customer.odcs.yaml": tfchecks.INFRA
    / "projects"
    / "project01"
    / "contracts"
    / "refined"
    / "customer.odcs.yaml"
}


def add_clashing_project(infra: Path, name: str = "clash", folder: str | None = None) -> Path:
    """A copy of test02 whose only table is project01's refined customer table."""
    return tfchecks.add_project(infra, name, CLASH_TABLES, folder=folder, contracts=CLASH_CONTRACTS)


def test_two_projects_declaring_one_table_are_reported(tmp_path: Path) -> None:
    infra = tfchecks.stub_tree(tmp_path)
    add_clashing_project(infra)
    claims = {
        p: tfchecks.project_tables(tfchecks.evaluate(infra / "projects" / p, TFVARS, tmp_path))
        for p in ("clash", "project01", "test02")
    }
    assert tfchecks.check_unique_tables(claims) == [
        f"table {ABBR}_refined_dev.customer is declared by projects clash, project01"
    ]


def test_a_table_another_applied_project_declares_stops_the_plan(
    tmp_path: Path, project_stack: Callable[..., dict]
) -> None:
    """With project01 applied (its state in the bucket, beside its lock file), a project that
    declares project01's customer table fails its plan with an error naming both; project01
    itself, whose own state is listed too, plans."""
    tables = tfchecks.project_tables(project_stack("project01"))
    applied = {"project01": {"catalog_tables": {n: t["location"] for n, t in tables.items()}}}
    infra = tfchecks.stub_tree(tmp_path, applied)
    add_clashing_project(infra)
    clash = tfchecks.evaluate(infra / "projects" / "clash", TFVARS, tmp_path)
    assert tfchecks.local_values(clash)["other_project_states"] == {
        "project01": "projects/project01/terraform.tfstate"
    }
    assert tfchecks.failed_preconditions(clash) == [
        f"terraform_data.table_ownership: table {ABBR}_refined_dev.customer is already declared"
        " by project project01 (this is project clash): table names are unique across the"
        " projects of the domain, which share the layer databases; rename the table (its"
        " contract, contracts/<layer>/<table>.odcs.yaml)."
    ]
    own = tfchecks.evaluate(infra / "projects" / "project01", TFVARS, tmp_path)
    assert tfchecks.local_values(own)["other_project_states"] == {}
    assert tfchecks.failed_preconditions(own) == []


def test_a_project_named_unlike_its_folder_stops_the_plan(tmp_path: Path) -> None:
    infra = tfchecks.stub_tree(tmp_path)
    add_clashing_project(infra, name="clash", folder="elsewhere")
    parsed = tfchecks.evaluate(infra / "projects" / "elsewhere", TFVARS, tmp_path)
    problems = tfchecks.failed_preconditions(parsed)
    assert len(problems) == 1
    assert 'project.json name "clash" differs from the folder name "elsewhere"' in problems[0]
