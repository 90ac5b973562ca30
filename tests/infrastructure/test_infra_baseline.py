"""The baseline, evaluated through each environment root: security, operations, naming."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from . import tfchecks
from .conftest import CICD_VARS
from .tfchecks import DOMAIN, ENVIRONMENTS, INFRA, STUB_ACCOUNT_ID, address, blocks

ENVS = sorted(ENVIRONMENTS)
ABBR = DOMAIN["domain_abbr"]
REGION = DOMAIN["aws_region"]
PROJECTS = sorted(p.parent.name for p in INFRA.glob("projects/*/project.json"))


def one(parsed: dict, kind: str, path_contains: str = "") -> dict:
    found = [b for b in blocks(parsed, kind) if path_contains in address(b)]
    assert len(found) == 1, f"expected one {kind} matching {path_contains!r}, found {len(found)}"
    return found[0]


# ─── Every stack evaluates as committed (no stubs) ───


@pytest.mark.parametrize(
    ("stack", "tfvars"),
    [(f"environments/{env}", None) for env in ENVS]
    + [(f"projects/{p}", {"environment": "dev", "wheel_version": "1.0.0"}) for p in PROJECTS]
    + [("cicd", CICD_VARS)],
    ids=str,
)
def test_stack_evaluates_as_committed(
    stack: str, tfvars: dict | None, evaluate_stack: Callable[[Path, dict | None], dict]
) -> None:
    parsed = evaluate_stack(INFRA / stack, tfvars)
    assert parsed.get("provider"), f"{stack} configures the AWS provider"
    assert parsed.get("terraform"), f"{stack} has a terraform block"


# ─── Buckets ───


@pytest.mark.parametrize("env", ENVS)
def test_buckets_are_tls_only_encrypted_logged_and_private(
    env: str, environment_stack: Callable[[str], dict]
) -> None:
    parsed = environment_stack(env)
    assert tfchecks.check_buckets(parsed) == []
    names = {b["bucket"] for b in blocks(parsed, "aws_s3_bucket")}
    assert names == {
        f"{ABBR}-{p}-{STUB_ACCOUNT_ID}-{env}"
        for p in ("raw", "refined", "curated", "artifacts", "logs")
    }


def test_log_bucket_is_the_sse_s3_exception_and_is_protected(
    environment_stack: Callable[[str], dict],
) -> None:
    parsed = environment_stack("dev")
    logs = f"{ABBR}-logs-{STUB_ACCOUNT_ID}-dev"
    targets = {b["target_bucket"] for b in blocks(parsed, "aws_s3_bucket_logging")}
    assert targets == {logs}
    prefixes = {
        b["bucket"].split("-")[1]: b["target_prefix"]
        for b in blocks(parsed, "aws_s3_bucket_logging")
    }
    assert prefixes == {p: f"{p}/" for p in ("raw", "refined", "curated", "artifacts")}
    sse = one(parsed, "aws_s3_bucket_server_side_encryption_configuration", "s3_logs")
    assert sse["rule"]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"
    source = (INFRA / "baseline" / "s3.tf").read_text()
    assert re.search(r"#.*SSE-S3.*\n(#.*\n)*\s*kms_key_arn = null", source), (
        "the exception is commented"
    )


def test_every_bucket_has_lifecycle_rules(environment_stack: Callable[[str], dict]) -> None:
    parsed = environment_stack("prod")
    for config in blocks(parsed, "aws_s3_bucket_lifecycle_configuration"):
        rules = tfchecks.as_list(config["rule"])
        assert any(r.get("abort_incomplete_multipart_upload") for r in rules), address(config)
        assert any(r.get("noncurrent_version_expiration") for r in rules), address(config)
    # Transitions are nested dynamic blocks, which tfparse does not expand: read the module input.
    for module in blocks(parsed, "module"):
        if ".s3_data[" in address(module) and not address(module).endswith('["artifacts"]'):
            rules = module["lifecycle_rules"]
            assert rules[0]["transitions"][0]["storage_class"] == "INTELLIGENT_TIERING"
            assert (
                rules[0]["noncurrent_version_expiration_days"]
                == ENVIRONMENTS["prod"]["noncurrent_version_expiration_days"]
            )


# ─── Encryption key ───


@pytest.mark.parametrize("env", ENVS)
def test_kms_key_rotation_alias_and_key_policy(
    env: str, environment_stack: Callable[[str], dict]
) -> None:
    """The three-statement key policy (account, CloudWatch Logs, EventBridge) plus the
    log-delivery grant CMK-encrypted Step Functions logging needs."""
    parsed = environment_stack(env)
    key = one(parsed, "aws_kms_key")
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == ENVIRONMENTS[env]["kms_deletion_window_in_days"]
    assert one(parsed, "aws_kms_alias")["name"] == f"alias/{ABBR}-data-lake-{env}"
    statements = tfchecks.resolve_policy(parsed, key["policy"])
    assert [s["sid"] for s in statements] == [
        "EnableIAMPolicies",
        "AllowCloudWatchLogs",
        "AllowEventBridgeToEncryptedTopic",
        "AllowStepFunctionsLogDelivery",
    ]
    root = statements[0]
    assert ("AWS", f"arn:aws:iam::{STUB_ACCOUNT_ID}:root") in root["principals"]
    assert ("Service", f"logs.{REGION}.amazonaws.com") in statements[1]["principals"]


def test_encrypted_pipelines_can_log(
    environment_stack: Callable[[str], dict], project_stack: Callable[..., dict]
) -> None:
    """The project pipelines are CMK-encrypted and logged: the key and the execution role
    allow what log delivery needs (tfchecks.check_encrypted_sfn_logging), scoped to this
    environment's state machines and this account's log deliveries."""
    parsed = environment_stack("dev")
    machines, groups = [], []
    for project in PROJECTS:
        stack = project_stack(project, "dev")
        for machine in blocks(stack, "aws_sfn_state_machine"):
            assert machine["encryption_configuration"]["type"] == "CUSTOMER_MANAGED_KMS_KEY"
            machines.append(
                f"arn:aws:states:{REGION}:{STUB_ACCOUNT_ID}:stateMachine:{machine['name']}"
            )
        groups += [
            f"arn:aws:logs:{REGION}:{STUB_ACCOUNT_ID}:log-group:{g['name']}"
            for g in blocks(stack, "aws_cloudwatch_log_group")
        ]
    assert machines and groups
    assert tfchecks.check_encrypted_sfn_logging(parsed, machines, groups) == []

    # Scoped: not another environment's state machines, not another account's deliveries.
    prod = [m.removesuffix("-dev") + "-prod" for m in machines]
    assert tfchecks.check_encrypted_sfn_logging(parsed, prod, []) != []
    key = one(parsed, "aws_kms_key")
    delivery = next(
        s
        for s in tfchecks.resolve_policy(parsed, key["policy"])
        if s["sid"] == "AllowStepFunctionsLogDelivery"
    )
    assert delivery["actions"] == ["kms:Decrypt"], "only what log delivery needs"
    assert not tfchecks.condition_allows(
        delivery, "kms:EncryptionContext:SourceArn", "arn:aws:logs:us-east-1:999999999999:*"
    )
    # Every KMS grant of the execution role names the key and an encryption context.
    role = tfchecks.policy_statements_of(parsed, "aws_iam_policy_document.sfn")
    kms = [s for s in role if s["sid"] != "EncryptExecutionInput" and "kms:" in str(s["actions"])]
    assert {s["sid"] for s in kms} == {
        "StateMachineDataKey",
        "ExecutionLogsDataKey",
        "AlertsTopicDataKey",
    }
    assert all(s["conditions"] and s["resources"] == [key["id"]] for s in kms)


# ─── Network ───


@pytest.mark.parametrize("env", ENVS)
def test_network_is_private(env: str, environment_stack: Callable[[str], dict]) -> None:
    parsed = environment_stack(env)
    assert tfchecks.check_no_internet_gateway(parsed) == []
    assert tfchecks.check_security_group_egress(parsed) == []
    subnets = blocks(parsed, "aws_subnet")
    assert len(subnets) == ENVIRONMENTS[env]["availability_zone_count"]
    assert all(s["map_public_ip_on_launch"] is False for s in subnets)
    assert blocks(parsed, "aws_default_security_group"), "the default security group is closed"
    assert not blocks(parsed, "aws_default_security_group")[0].get("ingress")


def test_vpc_endpoints(environment_stack: Callable[[str], dict]) -> None:
    parsed = environment_stack("dev")
    endpoints = {
        e["service_name"]: e["vpc_endpoint_type"] for e in blocks(parsed, "aws_vpc_endpoint")
    }
    assert endpoints == {
        f"com.amazonaws.{REGION}.s3": "Gateway",
        f"com.amazonaws.{REGION}.glue": "Interface",
        f"com.amazonaws.{REGION}.sts": "Interface",
        f"com.amazonaws.{REGION}.logs": "Interface",
        # CloudWatch metrics: the jobs' --enable-metrics has no other way out of the VPC.
        f"com.amazonaws.{REGION}.monitoring": "Interface",
    }
    vpce_group = one(parsed, "aws_security_group", "vpc_endpoints")
    for endpoint in blocks(parsed, "aws_vpc_endpoint"):
        if endpoint["vpc_endpoint_type"] == "Interface":
            assert endpoint["private_dns_enabled"] is True
            assert endpoint["security_group_ids"] == [vpce_group["id"]], address(endpoint)
            assert len(endpoint["subnet_ids"]) == ENVIRONMENTS["dev"]["availability_zone_count"]
            service = endpoint["service_name"].rsplit(".", 1)[1]
            assert endpoint["tags"]["Name"] == f"{ABBR}-vpce-{service}-{STUB_ACCOUNT_ID}-dev"


def test_glue_egress_is_limited_to_what_glue_needs(
    environment_stack: Callable[[str], dict],
) -> None:
    parsed = environment_stack("dev")
    rules = [
        r for r in blocks(parsed, "aws_vpc_security_group_egress_rule") if "glue_job" in address(r)
    ]
    kinds = sorted(
        "self"
        if r.get("referenced_security_group_id")
        else "prefix-list"
        if r.get("prefix_list_id")
        else r["cidr_ipv4"]
        for r in rules
    )
    assert kinds == sorted(["self", "prefix-list", ENVIRONMENTS["dev"]["vpc_cidr"]])
    assert all(r["from_port"] == 443 for r in rules if not r.get("referenced_security_group_id"))


@pytest.mark.parametrize("env", ENVS)
def test_flow_logs(env: str, environment_stack: Callable[[str], dict]) -> None:
    parsed = environment_stack(env)
    flow_log = one(parsed, "aws_flow_log")
    assert flow_log["traffic_type"] == "ALL"
    assert flow_log["log_destination_type"] == "cloud-watch-logs"
    group = one(parsed, "aws_cloudwatch_log_group", "flow_logs")
    assert group["retention_in_days"] == 90
    assert group["kms_key_id"], "flow log group is KMS-encrypted"
    # Scoped to the flow-log group: its ARN (rendered as the group's reference) and its streams.
    statements = tfchecks.policy_statements_of(parsed, "aws_iam_policy_document.flow_logs")
    resources = {r for s in statements for r in s["resources"]}
    assert resources == {group["id"], f"{group['id']}:*"}


# ─── IAM ───


@pytest.mark.parametrize("stack", ["environments/dev", "projects/project01", "cicd"])
def test_wildcard_resources_are_required_and_explained(
    stack: str,
    stub_infra: Path,
    environment_stack: Callable[[str], dict],
    project_stack: Callable[..., dict],
    cicd_stack: dict,
) -> None:
    parsed = {
        "environments/dev": lambda: environment_stack("dev"),
        "projects/project01": lambda: project_stack("project01"),
        "cicd": lambda: cicd_stack,
    }[stack]()
    assert tfchecks.check_wildcard_resources(parsed, stub_infra / stack) == []


def test_step_functions_role_logs_split_per_p0_01(environment_stack: Callable[[str], dict]) -> None:
    parsed = environment_stack("dev")
    statements = {
        s["sid"]: s for s in tfchecks.policy_statements_of(parsed, "aws_iam_policy_document.sfn")
    }
    operational = statements["CloudWatchLogsOperational"]
    assert operational["resources"] == [
        f"arn:aws:logs:{REGION}:{STUB_ACCOUNT_ID}:log-group:/aws/states/{ABBR}-*"
    ]
    delivery = statements["CloudWatchLogDelivery"]
    assert delivery["resources"] == ["*"]
    granted = {a for s in statements.values() for a in s["actions"]}
    assert not {"logs:PutResourcePolicy", "logs:DeleteLogDelivery"} & granted
    glue = statements["RunDomainGlueJobs"]
    assert glue["resources"] == [f"arn:aws:glue:{REGION}:{STUB_ACCOUNT_ID}:job/{ABBR}-*"]


def test_glue_network_interfaces_are_scoped_to_the_subnets(
    project_stack: Callable[..., dict],
) -> None:
    parsed = project_stack("project01")
    statements = {
        s["sid"]: s for s in tfchecks.policy_statements_of(parsed, "module.glue_job_role.")
    }
    create = statements["EC2CreateNetworkInterfaceInDomainSubnets"]
    assert all(":subnet/" in r or ":security-group/" in r for r in create["resources"])
    manage = statements["EC2ManageNetworkInterfacesInDomainSubnets"]
    assert manage["conditions"][0][1] == "ec2:Subnet"
    describe = statements["EC2DescribeNetworking"]
    assert describe["resources"] == ["*"]
    source = (INFRA / "modules" / "iam_glue_job" / "main.tf").read_text()
    assert "P0-SEC-02" in source and "intentional and required by AWS" in source


# ─── Alerting ───


def test_alerting(environment_stack: Callable[[str], dict]) -> None:
    parsed = environment_stack("dev")
    topic = one(parsed, "aws_sns_topic")
    assert topic["name"] == f"{ABBR}-pipeline-alerts-{STUB_ACCOUNT_ID}-dev"
    assert topic["kms_master_key_id"]
    patterns = {
        r["name"]: json.loads(r["event_pattern"])
        for r in blocks(parsed, "aws_cloudwatch_event_rule")
    }
    sfn = patterns[f"{ABBR}-sfn-failure-{STUB_ACCOUNT_ID}-dev"]
    assert sfn["source"] == ["aws.states"]
    assert set(sfn["detail"]["status"]) == {"FAILED", "TIMED_OUT", "ABORTED"}
    glue = patterns[f"{ABBR}-glue-job-failure-{STUB_ACCOUNT_ID}-dev"]
    assert glue["detail-type"] == ["Glue Job State Change"]
    assert set(glue["detail"]["state"]) == {"FAILED", "TIMEOUT", "ERROR"}
    targets = blocks(parsed, "aws_cloudwatch_event_target")
    assert len(targets) == 2
    publishers = tfchecks.policy_statements_of(parsed, "aws_iam_policy_document.alerts")
    assert ("Service", "events.amazonaws.com") in publishers[0]["principals"]


# ─── Glue security configuration ───


def test_glue_security_configuration_uses_the_cmk(environment_stack: Callable[[str], dict]) -> None:
    parsed = environment_stack("dev")
    config = one(parsed, "aws_glue_security_configuration")["encryption_configuration"]
    assert config["cloudwatch_encryption"]["cloudwatch_encryption_mode"] == "SSE-KMS"
    assert config["job_bookmarks_encryption"]["job_bookmarks_encryption_mode"] == "CSE-KMS"
    assert config["s3_encryption"]["s3_encryption_mode"] == "SSE-KMS"
    databases = sorted(d["name"] for d in blocks(parsed, "aws_glue_catalog_database"))
    assert databases == [f"{ABBR}_{layer}_dev" for layer in ("curated", "raw", "refined")]


# ─── Glue catalog database "default" ───


def test_default_database_exists_and_jobs_may_read_it(
    cicd_stack: dict, environment_stack: Callable[[str], dict], project_stack: Callable[..., dict]
) -> None:
    """Spark's Hive metastore client (the Glue Data Catalog) needs database "default": the
    account-wide cicd stack creates it, and the job role and the project boundary let the jobs
    GetDatabase it, nothing more."""
    databases = blocks(cicd_stack, "aws_glue_catalog_database")
    assert [d["name"] for d in databases] == ["default"]
    assert "--enable-glue-datacatalog" in json.dumps(
        [j["default_arguments"] for j in blocks(project_stack("project01"), "aws_glue_job")]
    )
    default_db = f"arn:aws:glue:{REGION}:{STUB_ACCOUNT_ID}:database/default"
    role = tfchecks.policy_statements_of(project_stack("project01"), "module.glue_job_role.")
    on_default = [s for s in role if default_db in s["resources"]]
    assert [s["actions"] for s in on_default] == [["glue:GetDatabase"]]
    boundary = tfchecks.policy_statements_of(
        environment_stack("dev"), "aws_iam_policy_document.project_boundary"
    )
    assert any(default_db in s["resources"] and "glue:Get*" in s["actions"] for s in boundary), (
        "the boundary lets the job role read default"
    )


# ─── Naming and tags ───

NAMED = {
    "aws_s3_bucket": "bucket",
    "aws_iam_role": "name",
    "aws_iam_policy": "name",
    "aws_sns_topic": "name",
    "aws_cloudwatch_event_rule": "name",
    "aws_glue_security_configuration": "name",
    "aws_glue_connection": "name",
    "aws_security_group": "name",
    "aws_glue_job": "name",
    "aws_sfn_state_machine": "name",
    "aws_cloudwatch_log_resource_policy": "policy_name",
}


@pytest.mark.parametrize("stack", ["environments/prod", "projects/project01", "projects/test02"])
def test_naming_convention(
    stack: str, environment_stack: Callable[[str], dict], project_stack: Callable[..., dict]
) -> None:
    env = "prod" if stack.endswith("prod") else "dev"
    parsed = (
        environment_stack(env)
        if stack.startswith("environments")
        else project_stack(stack.split("/")[1])
    )
    pattern = re.compile(rf"^{ABBR}-[a-z0-9_-]+-{STUB_ACCOUNT_ID}-{env}$")
    checked = 0
    for kind, attribute in NAMED.items():
        for block in blocks(parsed, kind):
            assert pattern.match(str(block.get(attribute))), (
                f"{address(block)}: {block.get(attribute)}"
            )
            checked += 1
    assert checked >= 4
    for group in blocks(parsed, "aws_cloudwatch_log_group"):
        assert re.search(rf"{ABBR}-[a-z0-9_-]+-{STUB_ACCOUNT_ID}-{env}", group["name"]), group[
            "name"
        ]


def test_naming_is_one_function() -> None:
    """The convention is spelled once (modules/naming); stacks call format() on it."""
    spelled = [
        p
        for p in tfchecks.tf_files(INFRA)
        if re.search(
            r'"\$\{[^}]*abbr[^}]*\}-[^"]*\$\{[^}]*account[^}]*\}-\$\{[^}]*env', p.read_text()
        )
    ]
    assert spelled == [INFRA / "modules" / "naming" / "main.tf"]


@pytest.mark.parametrize("stack", ["environments/dev", "projects/test02", "cicd"])
def test_traceability_tags_on_every_resource(
    stack: str,
    environment_stack: Callable[[str], dict],
    project_stack: Callable[..., dict],
    cicd_stack: dict,
) -> None:
    parsed = {
        "environments/dev": lambda: environment_stack("dev"),
        "projects/test02": lambda: project_stack("test02"),
        "cicd": lambda: cicd_stack,
    }[stack]()
    provider = one(parsed, "provider")
    tags = provider["default_tags"]["tags"]
    for key in ("git_sha", "deployed_by", "repository", "Domain", "ManagedBy"):
        assert key in tags, key
    assert tags["git_sha"] == "unknown" and tags["deployed_by"] == "local"
    assert provider["region"] == REGION
    source = (INFRA / "shared" / "provider.tf").read_text()
    for variable in ("git_sha", "deployed_by", "repository"):
        assert f"{variable} = var.{variable}" in re.sub(r"\s+", " ", source)
