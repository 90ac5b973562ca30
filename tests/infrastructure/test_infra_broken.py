"""The checkers fail when the property breaks: each test breaks a copy of the configuration
on purpose and expects the checker to say so."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from . import tfchecks


@pytest.fixture
def infra(tmp_path: Path) -> Path:
    return tfchecks.copy_tree(tmp_path)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer contains the text this test breaks"
    path.write_text(text.replace(old, new, 1))


def evaluate_dev(infra: Path) -> dict:
    return tfchecks.evaluate(infra / "environments" / "dev")


def test_the_intact_copy_passes(infra: Path) -> None:
    parsed = evaluate_dev(infra)
    assert tfchecks.check_buckets(parsed) == []
    assert tfchecks.check_security_group_egress(parsed) == []
    assert tfchecks.check_no_internet_gateway(parsed) == []
    assert tfchecks.check_wildcard_resources(parsed, infra / "environments" / "dev") == []


# ─── Buckets ───


def test_missing_tls_deny_is_reported(infra: Path) -> None:
    edit(infra / "modules" / "s3_bucket" / "main.tf", 'values   = ["false"]', 'values   = ["true"]')
    problems = tfchecks.check_buckets(evaluate_dev(infra))
    assert len([p for p in problems if "aws:SecureTransport" in p]) == 5


def test_missing_public_access_block_is_reported(infra: Path) -> None:
    edit(
        infra / "modules" / "s3_bucket" / "main.tf",
        "restrict_public_buckets = true",
        "restrict_public_buckets = false",
    )
    assert any("public access block" in p for p in tfchecks.check_buckets(evaluate_dev(infra)))


def test_data_bucket_without_cmk_is_reported(infra: Path) -> None:
    edit(
        infra / "baseline" / "s3.tf",
        "kms_key_arn     = aws_kms_key.this.arn",
        "kms_key_arn     = null",
    )
    problems = tfchecks.check_buckets(evaluate_dev(infra))
    assert len([p for p in problems if "customer-managed KMS key" in p]) == 4


def test_data_bucket_without_access_logging_is_reported(infra: Path) -> None:
    edit(
        infra / "baseline" / "s3.tf",
        "enable_access_logging = true",
        "enable_access_logging = false",
    )
    problems = tfchecks.check_buckets(evaluate_dev(infra))
    assert "no bucket has server access logging" in problems
    assert any("no server access logging" in p for p in problems)


def test_log_bucket_logging_to_itself_is_reported(infra: Path) -> None:
    edit(
        infra / "baseline" / "s3.tf",
        "enable_access_logging = false",
        'enable_access_logging = true\n  logging_bucket_id     = format(local.name_format, "logs")',
    )
    problems = tfchecks.check_buckets(evaluate_dev(infra))
    assert any("log bucket logs its own accesses" in p for p in problems)


def test_log_bucket_without_delivery_grant_is_reported(infra: Path) -> None:
    edit(
        infra / "modules" / "s3_bucket" / "main.tf",
        '"logging.s3.amazonaws.com"',
        '"example.amazonaws.com"',
    )
    problems = tfchecks.check_buckets(evaluate_dev(infra))
    assert any("logging.s3.amazonaws.com" in p for p in problems)


# ─── Network ───


def test_open_egress_rule_is_reported(infra: Path) -> None:
    edit(
        infra / "baseline" / "subnets.tf",
        "cidr_ipv4         = aws_vpc.this.cidr_block",
        'cidr_ipv4         = "0.0.0.0/0"',
    )
    problems = tfchecks.check_security_group_egress(evaluate_dev(infra))
    assert any("0.0.0.0/0" in p for p in problems)


def test_open_inline_ipv6_egress_is_reported(infra: Path) -> None:
    with (infra / "baseline" / "subnets.tf").open("a") as handle:
        handle.write(
            """
resource "aws_security_group" "leaky" {
  name   = "leaky"
  vpc_id = aws_vpc.this.id

  egress {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    ipv6_cidr_blocks = ["::/0"]
  }
}
"""
        )
    problems = tfchecks.check_security_group_egress(evaluate_dev(infra))
    assert problems == ["module.baseline.aws_security_group.leaky: egress to ['::/0']"]


def test_internet_gateway_is_reported(infra: Path) -> None:
    with (infra / "baseline" / "vpc.tf").open("a") as handle:
        handle.write('\nresource "aws_internet_gateway" "main" {\n  vpc_id = aws_vpc.this.id\n}\n')
    problems = tfchecks.check_no_internet_gateway(evaluate_dev(infra))
    assert problems == ["module.baseline.aws_internet_gateway.main: aws_internet_gateway present"]


# ─── IAM ───


def test_wildcard_for_restrictable_action_is_reported(infra: Path) -> None:
    edit(
        infra / "baseline" / "iam_orchestration.tf",
        '      "xray:GetSamplingTargets",\n',
        '      "xray:GetSamplingTargets",\n      "s3:GetObject",\n',
    )
    stack = infra / "environments" / "dev"
    problems = tfchecks.check_wildcard_resources(evaluate_dev(infra), stack)
    assert len(problems) == 1 and "s3:GetObject" in problems[0]


def test_unexplained_wildcard_is_reported(infra: Path) -> None:
    edit(
        infra / "baseline" / "iam_orchestration.tf",
        '  # Resource "*" is required by AWS: X-Ray trace APIs have no resource-level'
        " permissions.\n",
        "",
    )
    stack = infra / "environments" / "dev"
    problems = tfchecks.check_wildcard_resources(evaluate_dev(infra), stack)
    assert len(problems) == 1 and "without a comment" in problems[0]


def test_wildcard_action_pattern_is_reported(infra: Path) -> None:
    """ "ec2:Describe*" also grants Describe calls that do support resource ARNs."""
    edit(
        infra / "modules" / "iam_glue_job" / "main.tf",
        '"ec2:DescribeRouteTables",',
        '"ec2:Describe*",',
    )
    stack = infra / "projects" / "project01"
    parsed = tfchecks.evaluate(stack, {"environment": "dev", "wheel_version": "1.0.0"}, infra)
    problems = tfchecks.check_wildcard_resources(parsed, stack)
    assert len(problems) == 1 and "ec2:Describe*" in problems[0]


# ─── Encrypted Step Functions logging ───

ABBR, REGION = tfchecks.DOMAIN["domain_abbr"], tfchecks.DOMAIN["aws_region"]
ACCOUNT = tfchecks.STUB_ACCOUNT_ID
MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{ABBR}-p-daily-{ACCOUNT}-dev"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/states/{ABBR}-p-daily-{ACCOUNT}-dev"


def sfn_logging_problems(tmp_path: Path, file: str, old: str, new: str) -> list[str]:
    infra = tfchecks.stub_tree(tmp_path)
    edit(infra / "baseline" / file, old, new)
    parsed = tfchecks.evaluate(infra / "environments" / "dev")
    return tfchecks.check_encrypted_sfn_logging(parsed, [MACHINE], [LOG_GROUP])


def test_intact_sfn_logging_grants_pass(tmp_path: Path) -> None:
    assert sfn_logging_problems(tmp_path, "kms.tf", "", "") == []


def test_missing_log_delivery_grant_is_reported(tmp_path: Path) -> None:
    problems = sfn_logging_problems(
        tmp_path, "kms.tf", '["delivery.logs.amazonaws.com"]', '["events.amazonaws.com"]'
    )
    assert problems == [
        "key policy: delivery.logs.amazonaws.com may not kms:Decrypt the log data keys"
        f" (kms:EncryptionContext:SourceArn arn:aws:logs:{REGION}:{ACCOUNT}:*)"
    ]


def test_execution_role_without_state_machine_context_is_reported(tmp_path: Path) -> None:
    problems = sfn_logging_problems(
        tmp_path,
        "iam_orchestration.tf",
        "values   = [local.sfn_state_machine_arns]",
        'values   = ["arn:aws:states:::stateMachine:other"]',
    )
    assert problems == [
        f"execution role: no kms:Decrypt for {MACHINE}",
        f"execution role: no kms:GenerateDataKey for {MACHINE}",
    ]


def test_log_group_outside_the_logs_grant_is_reported(tmp_path: Path) -> None:
    problems = sfn_logging_problems(tmp_path, "kms.tf", ":log-group:*", ":log-group:/aws/vpc/*")
    assert len(problems) == 4 and all("CloudWatch Logs may not" in p for p in problems)


# ─── Module interfaces ───


def test_undeclared_and_missing_module_variables_are_reported(infra: Path) -> None:
    edit(
        infra / "baseline" / "s3.tf",
        'bucket_name = format(local.name_format, "logs")',
        'bucket_nam = "x"',
    )
    problems = tfchecks.check_module_interfaces(infra / "baseline")
    assert sorted(problems) == sorted(
        [
            f"{infra / 'baseline'}: module s3_logs passes undeclared variable bucket_nam",
            f"{infra / 'baseline'}: module s3_logs misses required variable bucket_name",
        ]
    )


def test_reference_to_missing_output_is_reported(infra: Path) -> None:
    edit(
        infra / "baseline" / "outputs.tf", "module.s3_logs.bucket_id", "module.s3_logs.bucket_name"
    )
    problems = tfchecks.check_module_interfaces(infra / "baseline")
    assert problems == ["outputs.tf: module.s3_logs.bucket_name is not an output of module s3_logs"]


def test_project_reading_a_missing_baseline_output_is_reported(infra: Path) -> None:
    edit(
        infra / "projects" / "_shared" / "main.tf",
        "local.baseline.alerts_topic_arn",
        "local.baseline.alerts_topic",
    )
    problems = tfchecks.check_baseline_reads(infra / "projects", infra / "baseline")
    assert problems == ["_shared/main.tf: local.baseline.alerts_topic is not a baseline output"]


# ─── Step Functions ───


@pytest.fixture
def definition(project_stack: Callable[..., dict]) -> dict:
    machine = next(
        m
        for m in tfchecks.blocks(project_stack("project01"), "aws_sfn_state_machine")
        if "order_to_revenue" in tfchecks.address(m)
    )
    return json.loads(machine["definition"])


PIPELINE = {
    "jobs": ["refine", "curate"],
    "max_retries": 2,
    "backoff_seconds": 60,
    "backoff_rate": 2.0,
}


def test_asl_checker_accepts_the_rendered_pipeline(definition: dict, tmp_path: Path) -> None:
    assert tfchecks.check_asl(definition, PIPELINE, tmp_path) == []


def test_wrong_job_order_is_reported(definition: dict, tmp_path: Path) -> None:
    pipeline = {**PIPELINE, "jobs": ["curate", "refine"]}
    problems = tfchecks.check_asl(definition, pipeline, tmp_path)
    assert problems == [
        "Glue task order ['Run_refine', 'Run_curate'] differs from project.json"
        " ['Run_curate', 'Run_refine']"
    ]


def test_task_without_retry_or_catch_is_reported(definition: dict, tmp_path: Path) -> None:
    del definition["States"]["Run_curate"]["Retry"]
    del definition["States"]["NotifyFailure"]["Catch"]
    problems = tfchecks.check_asl(definition, PIPELINE, tmp_path)
    assert sorted(problems) == ["Task NotifyFailure has no Catch", "Task Run_curate has no Retry"]


def test_invalid_asl_is_reported(definition: dict, tmp_path: Path) -> None:
    definition["States"]["Run_refine"]["Next"] = "Nowhere"
    problems = tfchecks.check_asl(definition, PIPELINE, tmp_path)
    assert problems[0].startswith("asl-validator:") and "Nowhere" in problems[0]


def test_retry_settings_drift_is_reported(definition: dict, tmp_path: Path) -> None:
    problems = tfchecks.check_asl(definition, {**PIPELINE, "max_retries": 5}, tmp_path)
    assert problems == [
        "Run_refine Retry MaxAttempts=2, project.json says 5",
        "Run_curate Retry MaxAttempts=2, project.json says 5",
    ]


def test_retrying_every_error_is_reported(definition: dict, tmp_path: Path) -> None:
    definition["States"]["Run_refine"]["Retry"][0]["ErrorEquals"] = ["States.ALL"]
    definition["States"]["Run_curate"]["Retry"][0]["ErrorEquals"].append("States.TaskFailed")
    del definition["States"]["Run_curate"]["Catch"][0]["ErrorEquals"][0]
    definition["States"]["Run_curate"]["Catch"][0]["ErrorEquals"].append("Glue.X")
    problems = tfchecks.check_asl(definition, PIPELINE, tmp_path)
    assert problems == [
        "Run_refine retries ['States.ALL']: a failed job run would rerun",
        "Run_curate Catch does not catch States.ALL",
        "Run_curate retries ['States.TaskFailed']: a failed job run would rerun",
    ]


def test_policy_file_retrying_every_error_is_reported(tmp_path: Path) -> None:
    """The policy file is what the module renders: States.ALL there reaches every Task."""
    infra = tfchecks.stub_tree(tmp_path)
    path = infra / "modules" / "stepfunction_pipeline" / "retry_policy.json"
    policy = json.loads(path.read_text())
    policy["glue_job"]["retry_errors"] = ["States.ALL"]
    path.write_text(json.dumps(policy))
    parsed = tfchecks.evaluate(
        infra / "projects" / "project01",
        {"environment": "dev", "wheel_version": tfchecks.STUB_WHEEL_VERSION},
        tmp_path,
    )
    machine = next(
        m
        for m in tfchecks.blocks(parsed, "aws_sfn_state_machine")
        if "order_to_revenue" in tfchecks.address(m)
    )
    problems = tfchecks.check_asl(json.loads(machine["definition"]), PIPELINE, tmp_path)
    assert problems == [
        f"Run_{job} retries ['States.ALL']: a failed job run would rerun"
        for job in ("refine", "curate")
    ]


def test_missing_terminal_states_are_reported(definition: dict, tmp_path: Path) -> None:
    definition["States"]["PipelineSucceeded"] = {"Type": "Pass", "End": True}
    problems = tfchecks.check_asl(definition, PIPELINE, tmp_path)
    assert "no PipelineSucceeded Succeed state" in problems


# ─── Source checks ───


def test_unformatted_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('locals {\n  a = 1\n  bbb = "x"\n}\n')
    assert len(tfchecks.check_formatting([tmp_path])) == 1


def test_copy_paste_is_reported(tmp_path: Path) -> None:
    block = "".join(f'variable "v{i}" {{\n  type = string\n}}\n' for i in range(3))
    (tmp_path / "a.tf").write_text(block)
    (tmp_path / "b.tf").write_text("# copy\n" + block)
    assert tfchecks.check_duplicates(tmp_path)


def test_symlinked_shared_file_is_not_copy_paste(tmp_path: Path) -> None:
    block = "".join(f'variable "v{i}" {{\n  type = string\n}}\n' for i in range(3))
    (tmp_path / "a.tf").write_text(block)
    (tmp_path / "b.tf").symlink_to("a.tf")
    assert tfchecks.check_duplicates(tmp_path) == []


def test_skip_without_reason_is_reported(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n  #checkov:skip=CKV_AWS_18\n}\n'
    )
    assert tfchecks.check_skip_reasons(tmp_path) == [
        "main.tf:2: skip of CKV_AWS_18 without a reason"
    ]


# ─── Endpoints the jobs need ───


def test_missing_metrics_endpoint_is_reported(
    infra: Path, project_stack: Callable[[str, str], dict]
) -> None:
    jobs = tfchecks.blocks(project_stack("project01", "dev"), "aws_glue_job")
    assert jobs
    assert tfchecks.check_job_endpoints(evaluate_dev(infra), jobs) == []
    edit(infra / "baseline" / "subnets.tf", '"logs", "monitoring"]', '"logs"]')
    problems = tfchecks.check_job_endpoints(evaluate_dev(infra), jobs)
    assert problems and all("monitoring" in p for p in problems), problems
