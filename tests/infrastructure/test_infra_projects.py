"""Project stacks, evaluated with a stubbed baseline: Glue jobs and pipelines come from
project.json, tables from their data contracts (contracts/<layer>/<table>.odcs.yaml) and
tables.tf (where raw files land)."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from . import tfchecks
from .tfchecks import DOMAIN, INFRA, STUB_ACCOUNT_ID, STUB_WHEEL_VERSION, address, blocks

ABBR = DOMAIN["domain_abbr"]
PROJECTS = sorted(p.parent.name for p in INFRA.glob("projects/*/project.json"))
SCHEMA = json.loads((INFRA / "projects" / "project.schema.json").read_text())
JOB_DEFAULTS = {
    k: v["default"]
    for k, v in SCHEMA["properties"]["jobs"]["additionalProperties"]["properties"].items()
    if "default" in v
}
PIPELINE_DEFAULTS = {
    k: v["default"]
    for k, v in SCHEMA["properties"]["pipelines"]["additionalProperties"]["properties"].items()
    if "default" in v
}


def config(project: str) -> dict:
    return json.loads((INFRA / "projects" / project / "project.json").read_text())


def name(purpose: str, env: str = "dev") -> str:
    return f"{ABBR}-{purpose}-{STUB_ACCOUNT_ID}-{env}"


def by_key(parsed: dict, kind: str, module: str) -> dict[str, dict]:
    """Blocks of a for_each module, keyed by the module instance key."""
    found = {}
    for block in blocks(parsed, kind):
        path = address(block)
        prefix = f"module.{module}["
        if path.startswith(prefix):
            found[path[len(prefix) :].split("]")[0].strip('"')] = block
    return found


# ─── Glue jobs ───


@pytest.mark.parametrize("project", PROJECTS)
@pytest.mark.parametrize("env", ["dev", "prod"])
def test_glue_jobs_follow_project_json(
    project: str, env: str, project_stack: Callable[..., dict]
) -> None:
    parsed = project_stack(project, env)
    jobs = by_key(parsed, "aws_glue_job", "glue_jobs")
    declared = config(project).get("jobs", {})
    assert set(jobs) == set(declared)
    artifacts = name("artifacts", env)
    # The scripts are versioned with the wheel (jobs/<wheel_version>/<project>/), and the
    # jobs' role may read them, whichever version a deploy or a rollback applies.
    readable = next(
        s["resources"]
        for s in tfchecks.policy_statements_of(parsed, "module.glue_job_role.")
        if s["sid"] == "S3ArtifactsRead"
    )
    for key, job in jobs.items():
        spec = {**JOB_DEFAULTS, **declared[key]}
        assert job["name"] == name(f"{config(project)['name']}-{key}", env)
        assert job["glue_version"] == "5.1"
        assert job["command"]["python_version"] == "3"
        script = f"jobs/{STUB_WHEEL_VERSION}/{config(project)['name']}/{spec['script']}"
        assert job["command"]["script_location"] == f"s3://{artifacts}/{script}"
        for version in (STUB_WHEEL_VERSION, "0.9.0+1234567"):
            arn = f"arn:aws:s3:::{artifacts}/{script.replace(STUB_WHEEL_VERSION, version)}"
            assert any(fnmatch.fnmatchcase(arn, pattern) for pattern in readable), arn
        other = f"arn:aws:s3:::{artifacts}/jobs/{STUB_WHEEL_VERSION}/other_project/x.py"
        assert not any(fnmatch.fnmatchcase(other, pattern) for pattern in readable)
        assert job["timeout"] == spec["timeout_minutes"]
        assert job["execution_property"]["max_concurrent_runs"] == spec["max_concurrent_runs"]
        assert job["worker_type"] == spec["worker_type"]
        assert job["security_configuration"] == name("glue", env)
        assert job["connections"], "jobs run inside the VPC"
        if project == "project01" and key == "refine":
            assert job["number_of_workers"] == (10 if env == "prod" else 4), "jobs.tf override"
        else:
            assert job["number_of_workers"] == spec["number_of_workers"]
        expected_class = "STANDARD" if env == "prod" else "FLEX"
        assert job["execution_class"] == expected_class


def test_worker_types_are_spark_etl_ones_in_schema_and_module() -> None:
    """G.025X is a streaming-only worker type: Glue rejects it for glueetl jobs, so both the
    contract and the module refuse it before anything reaches AWS."""
    import jsonschema

    enum = SCHEMA["properties"]["jobs"]["additionalProperties"]["properties"]["worker_type"]["enum"]
    variable = next(
        body
        for entry in tfchecks.parse_dir(INFRA / "modules" / "glue_job")["variable"]
        for name, body in entry.items()
        if name.strip('"') == "worker_type"
    )
    conditions = " ".join(str(v["condition"]) for v in variable["validation"])
    assert sorted(re.findall(r'"(G\.[0-9.]+X)"', conditions)) == sorted(enum)
    assert sorted(enum) == ["G.1X", "G.2X", "G.4X", "G.8X"]
    validator = jsonschema.Draft202012Validator(SCHEMA)
    job = {"script": "refine.py", "worker_type": "G.025X"}
    assert not validator.is_valid({"name": "demo", "jobs": {"refine": job}})
    assert validator.is_valid({"name": "demo", "jobs": {"refine": {**job, "worker_type": "G.2X"}}})


def test_glue_job_arguments(project_stack: Callable[..., dict]) -> None:
    parsed = project_stack("project01")
    job = by_key(parsed, "aws_glue_job", "glue_jobs")["refine"]
    arguments = job["default_arguments"]
    refined, artifacts = name("refined"), name("artifacts")
    assert arguments["--SOURCE_PREFIX"] == "tpch", "project.json arguments"
    assert arguments["--ENV"] == "dev"
    assert arguments["--AWS_ACCOUNT_ID"] == STUB_ACCOUNT_ID
    assert arguments["--PROJECT"] == "project01"
    assert arguments["--datalake-formats"] == "iceberg"
    assert arguments["--conf"] == (
        "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
        " --conf spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog"
        f" --conf spark.sql.catalog.glue_catalog.warehouse=s3://{refined}/warehouse/"
        " --conf spark.sql.catalog.glue_catalog.catalog-impl="
        "org.apache.iceberg.aws.glue.GlueCatalog"
        " --conf spark.sql.catalog.glue_catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO"
    )
    assert arguments["--extra-py-files"] == (
        f"s3://{artifacts}/wheels/data_platform_foundation-{STUB_WHEEL_VERSION}-py3-none-any.whl"
    )
    for flag in ("--enable-glue-datacatalog", "--enable-metrics"):
        assert arguments[flag] == "true"
    # Glue 5 logs every job to CloudWatch in real time; the Glue 4 flag would be dead weight.
    assert "--enable-continuous-cloudwatch-log" not in arguments
    assert arguments["--enable-auto-scaling"] == "true"
    assert arguments["--job-bookmark-option"] == "job-bookmark-disable"
    assert arguments["--TempDir"] == f"s3://{artifacts}/glue-temp/project01/"


def test_prod_jobs_do_not_auto_scale(project_stack: Callable[..., dict]) -> None:
    parsed = project_stack("project01", "prod")
    for job in by_key(parsed, "aws_glue_job", "glue_jobs").values():
        assert "--enable-auto-scaling" not in job["default_arguments"]


# ─── Pipelines ───


@pytest.mark.parametrize("project", PROJECTS)
def test_pipelines_are_valid_asl_in_project_json_order(
    project: str, project_stack: Callable[..., dict], tmp_path: Path
) -> None:
    parsed = project_stack(project)
    machines = by_key(parsed, "aws_sfn_state_machine", "pipelines")
    declared = config(project).get("pipelines", {})
    assert set(machines) == set(declared)
    for key, machine in machines.items():
        pipeline = {**PIPELINE_DEFAULTS, **declared[key]}
        definition = json.loads(machine["definition"])
        assert tfchecks.check_asl(definition, pipeline, tmp_path) == []
        jobs = [
            definition["States"][f"Run_{job}"]["Parameters"]["JobName"] for job in pipeline["jobs"]
        ]
        assert jobs == [name(f"{config(project)['name']}-{job}") for job in pipeline["jobs"]]
        assert machine["name"] == name(f"{config(project)['name']}-{key}")
        assert machine["logging_configuration"]["level"] == "ALL"
        assert machine["tracing_configuration"]["enabled"] is True
        assert machine["encryption_configuration"]["type"] == "CUSTOMER_MANAGED_KMS_KEY"


def test_retry_and_catch_are_the_policy_the_local_runner_reads(
    project_stack: Callable[..., dict],
) -> None:
    """One definition (modules/stepfunction_pipeline/retry_policy.json) for the deployed
    state machines and `dp pipeline run`: the Glue tasks retry its transient errors with the
    pipeline's backoff and catch every error; NotifyFailure has its own short retry."""
    from dp_cli.runner import load_retry_policy

    local = load_retry_policy(tfchecks.REPO_ROOT)
    policy = json.loads(
        (INFRA / "modules" / "stepfunction_pipeline" / "retry_policy.json").read_text()
    )
    for project in PROJECTS:
        declared = config(project).get("pipelines", {})
        machines = by_key(project_stack(project), "aws_sfn_state_machine", "pipelines")
        for key, machine in machines.items():
            pipeline = {**PIPELINE_DEFAULTS, **declared[key]}
            states = json.loads(machine["definition"])["States"]
            for job in pipeline["jobs"]:
                assert states[f"Run_{job}"]["Retry"] == [
                    {
                        "ErrorEquals": list(local.retry_errors),
                        "IntervalSeconds": pipeline["backoff_seconds"],
                        "MaxAttempts": pipeline["max_retries"],
                        "BackoffRate": pipeline["backoff_rate"],
                    }
                ]
                assert [c["ErrorEquals"] for c in states[f"Run_{job}"]["Catch"]] == [
                    list(local.catch_errors)
                ]
            if "NotifyFailure" in states:
                notification = policy["notification"]
                assert states["NotifyFailure"]["Retry"] == [
                    {
                        "ErrorEquals": notification["retry_errors"],
                        "IntervalSeconds": notification["interval_seconds"],
                        "MaxAttempts": notification["max_attempts"],
                        "BackoffRate": notification["backoff_rate"],
                    }
                ]
    assert not tfchecks.NON_TRANSIENT_ERRORS & set(local.retry_errors)


def test_failure_notification_is_optional(project_stack: Callable[..., dict]) -> None:
    notifying = json.loads(
        by_key(project_stack("project01"), "aws_sfn_state_machine", "pipelines")[
            "order_to_revenue"
        ]["definition"]
    )
    notify = notifying["States"]["NotifyFailure"]
    assert notify["Resource"] == "arn:aws:states:::sns:publish"
    assert notify["Parameters"]["TopicArn"].endswith(name("pipeline-alerts"))
    assert notifying["States"]["Run_refine"]["Catch"][0]["Next"] == "NotifyFailure"
    quiet = json.loads(
        by_key(project_stack("test02"), "aws_sfn_state_machine", "pipelines")["customer_dimension"][
            "definition"
        ]
    )
    assert "NotifyFailure" not in quiet["States"]
    assert quiet["States"]["Run_customer_changes"]["Catch"][0]["Next"] == "PipelineFailed"


def test_schedules_come_from_project_json(project_stack: Callable[..., dict]) -> None:
    rules = by_key(project_stack("project01"), "aws_cloudwatch_event_rule", "pipelines")
    assert rules["order_to_revenue"]["schedule_expression"] == "cron(0 6 * * ? *)"
    assert not blocks(project_stack("test02"), "aws_cloudwatch_event_rule"), "no schedule, no rule"


def test_pipeline_log_groups_are_encrypted(project_stack: Callable[..., dict]) -> None:
    for group in blocks(project_stack("project01"), "aws_cloudwatch_log_group"):
        assert group["name"].startswith(f"/aws/states/{ABBR}-"), "matches the SFN role's log scope"
        assert group["kms_key_id"]
        assert group["retention_in_days"] >= 365


# ─── Tables ───


def contract_tables(project: str) -> dict[str, dict]:
    """``<layer>/<table>`` => the compiled contract of each of the project's tables: the one
    place their columns are written."""
    from dp_cli.contracts.compile import compile_all

    results = compile_all(tfchecks.REPO_ROOT, project)
    assert [p for r in results for p in r.problems] == []
    return {f"{r.source.layer}/{r.source.table}": r.data for r in results if r.data}


def ddl_of(compiled: dict, partitions: bool = False) -> str:
    """A compiled contract's columns as "name type, ..." (partition keys apart for raw)."""
    raw = compiled["layer"] == "raw"
    keys = {c["name"] for c in compiled["partition_columns"]} if raw else set()
    return ", ".join(
        f"{c['name']} {c['type']}" for c in compiled["columns"] if (c["name"] in keys) == partitions
    )


def module_inputs(parsed: dict, module: str) -> dict[str, dict]:
    """Evaluated inputs of each instance of a for_each module call. Columns are nested dynamic
    blocks, which tfparse does not expand inside the resource: they are read here."""
    prefix = f"module.{module}["
    return {
        address(m)[len(prefix) : -1].strip('"'): m
        for m in blocks(parsed, "module")
        if address(m).startswith(prefix) and address(m).count("module.") == 1
    }


def columns(inputs: dict, key: str = "columns") -> str:
    return ", ".join(f"{c['name']} {c['type']}" for c in tfchecks.as_list(inputs.get(key)))


def test_project01_tables(project_stack: Callable[..., dict]) -> None:
    parsed = project_stack("project01")
    contracts = contract_tables("project01")
    raw = by_key(parsed, "aws_glue_catalog_table", "raw_tables")
    raw_inputs = module_inputs(parsed, "raw_tables")
    tpch = ["region", "nation", "customer", "supplier", "orders", "lineitem"]
    assert {k: columns(t) for k, t in raw_inputs.items()} == {
        k: ddl_of(contracts[f"raw/{k}"]) for k in tpch
    }
    for key, table in raw.items():
        assert table["database_name"] == f"{ABBR}_raw_dev"
        assert table["storage_descriptor"]["location"] == f"s3://{name('raw')}/tpch/{key}/"
        assert table["parameters"]["classification"] == "parquet"
        assert table["description"] == "TPC-H " + key + ", as landed"
    # Batches land in partition folders: batch_id first, as the refine job reads them.
    assert (
        columns(raw_inputs["lineitem"], "partition_keys")
        == "batch_id int, ship_year int, ship_month int"
    )
    assert columns(raw_inputs["orders"], "partition_keys") == "batch_id int"
    # Column comments are the contracts' descriptions.
    comments = {
        c["name"]: c.get("comment") for c in tfchecks.as_list(raw_inputs["orders"]["columns"])
    }
    assert comments["o_orderdate"] == "Date the order was placed"

    iceberg = by_key(parsed, "aws_glue_catalog_table", "iceberg_tables")
    curated = {"pricing_summary", "local_supplier_volume"}
    assert {k: columns(t) for k, t in module_inputs(parsed, "iceberg_tables").items()} == {
        c["table"]: ddl_of(c) for c in contracts.values() if c["layer"] != "raw"
    }
    assert set(iceberg) == set(tpch) | curated
    for key, table in iceberg.items():
        layer = "curated" if key in curated else "refined"
        assert table["database_name"] == f"{ABBR}_{layer}_dev"
        assert table["storage_descriptor"]["location"] == f"s3://{name(layer)}/project01/{key}/"
        # Registered as Iceberg's GlueCatalog registers a table: its first metadata file.
        assert table["parameters"]["table_type"] == "ICEBERG"


@pytest.mark.parametrize("project", PROJECTS)
def test_iceberg_tables_take_their_layout_from_the_contracts(
    project: str, project_stack: Callable[..., dict]
) -> None:
    """Terraform reads partitioning, sort order and required columns as the contract
    compiler does (dp_cli.contracts), for every Iceberg table."""
    inputs = module_inputs(project_stack(project), "iceberg_tables")
    compiled = {c["table"]: c for c in contract_tables(project).values() if c["layer"] != "raw"}
    assert set(inputs) == set(compiled)
    for table, contract in compiled.items():
        given = inputs[table]
        assert tfchecks.as_list(given["partition_fields"]) == [
            {"column": c["name"], "transform": c["transform"]}
            for c in contract["partition_columns"]
        ], table
        assert tfchecks.as_list(given["sort_order"]) == contract["sort_order"], table
        assert [(c["name"], c["required"]) for c in tfchecks.as_list(given["columns"])] == [
            (c["name"], c["required"]) for c in contract["columns"]
        ], table
        assert given["kms_key_arn"], table
    if project == "project01":  # the sample declares both: the comparison is not vacuous
        orders = inputs["orders"]
        assert tfchecks.as_list(orders["partition_fields"]) == [
            {"column": "o_orderdate", "transform": "year"}
        ]
        assert tfchecks.as_list(orders["sort_order"]) == ["o_orderkey"]


def test_test02_tables(project_stack: Callable[..., dict]) -> None:
    parsed = project_stack("test02")
    contracts = contract_tables("test02")
    raw = by_key(parsed, "aws_glue_catalog_table", "raw_tables")["customer_changes"]
    assert columns(module_inputs(parsed, "raw_tables")["customer_changes"]) == ddl_of(
        contracts["raw/customer_changes"]
    )
    assert raw["storage_descriptor"]["location"] == f"s3://{name('raw')}/crm/customer_changes/"
    assert raw["parameters"]["classification"] == "csv"
    assert raw["storage_descriptor"]["ser_de_info"]["serialization_library"].endswith(
        "OpenCSVSerde"
    )
    iceberg = by_key(parsed, "aws_glue_catalog_table", "iceberg_tables")
    assert {k: columns(t) for k, t in module_inputs(parsed, "iceberg_tables").items()} == {
        "customer_dim": ddl_of(contracts["refined/customer_dim"]),
        "customer_quarantine": ddl_of(contracts["refined/customer_quarantine"]),
    }
    assert all(t["database_name"] == f"{ABBR}_refined_dev" for t in iceberg.values())


def test_a_raw_table_without_contract_or_landing_place_stops_the_plan(tmp_path: Path) -> None:
    infra = tfchecks.stub_tree(tmp_path)
    tables = 'locals {\n  raw_tables = { ghost = { prefix = "x" } }\n}\n'
    stack = tfchecks.add_project(infra, "gaps", tables)
    parsed = tfchecks.evaluate(
        stack, {"environment": "dev", "wheel_version": STUB_WHEEL_VERSION}, tmp_path
    )
    (failure,) = tfchecks.failed_preconditions(parsed)
    assert "raw tables customer_changes, ghost: each raw table needs both a contract" in failure


@pytest.mark.parametrize("project", ["project01", "test02"])
def test_every_iceberg_table_has_three_optimizers(
    project: str, project_stack: Callable[..., dict]
) -> None:
    parsed = project_stack(project)
    tables = by_key(parsed, "aws_glue_catalog_table", "iceberg_tables")
    optimizers: dict[str, set[str]] = {}
    for optimizer in blocks(parsed, "aws_glue_catalog_table_optimizer"):
        table = address(optimizer).split("[")[1].split("]")[0].strip('"')
        optimizers.setdefault(table, set()).add(optimizer["type"])
        assert optimizer["configuration"]["role_arn"], "optimizers run as the optimizer role"
    assert optimizers == {t: {"compaction", "retention", "orphan_file_deletion"} for t in tables}


def test_project_roles_are_bounded(project_stack: Callable[..., dict]) -> None:
    parsed = project_stack("test02")
    roles = blocks(parsed, "aws_iam_role")
    assert {r["name"] for r in roles} == {name("test02-glue"), name("test02-optimizer")}
    for role in roles:
        assert role["path"] == f"/{ABBR}/projects/"
        assert (
            role["permissions_boundary"]
            == f"arn:aws:iam::{STUB_ACCOUNT_ID}:policy/{name('project-boundary')}"
        )
