"""Offline checks of the Terraform under infrastructure/.

Every checker is a plain function over an evaluated stack (the dict tfparse returns) or over
source files, returning a list of human-readable violations (empty = compliant). The tests run
them on the real stacks and on deliberately broken copies, so a checker that stops detecting
its property fails too.

Evaluation: tfparse evaluates variables, locals, for/for_each, local modules and
jsondecode(file(...)) without `terraform init`. Data sources stay unknown (rendered as empty
strings or placeholders); `stub_tree` copies the infrastructure into a scratch folder and
replaces the few data-source reads (account, region, availability zones, the baseline's remote
state) with fixed values, so names, job arguments and state machine definitions come out
complete. The other projects' states a project stack reads (data.tf) are stubbed the same way:
none by default, or the ones a test passes to `stub_tree`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import hcl2
import tfparse

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA = REPO_ROOT / "infrastructure"
DOMAIN = json.loads((REPO_ROOT / "setup" / "domain.json").read_text())
ENVIRONMENTS = json.loads((INFRA / "environments" / "environments.json").read_text())

STUB_ACCOUNT_ID = "123456789012"
STUB_WHEEL_VERSION = "1.2.3+abcdef12"

ASL_VALIDATOR = REPO_ROOT / "node_modules" / ".bin" / "asl-validator"
HCLFMT = REPO_ROOT / "tools" / "hclfmt.mjs"
CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"

OPEN_CIDRS = {"0.0.0.0/0", "::/0"}

# Actions AWS authorises only on Resource "*" (no resource-level permissions; cross-checked
# with the IAM service reference data checkov's cloudsplaining uses). A statement may use
# Resource "*" only if every action is one of them; an action pattern such as "ec2:Describe*"
# is never accepted, because it also covers actions that do support resource ARNs.
WILDCARD_ONLY_ACTIONS = (
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeFlowLogs",
    "ec2:DescribeManagedPrefixLists",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribePrefixLists",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeTags",
    "ec2:DescribeVpcEndpointServices",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeVpcs",
    "cloudwatch:PutMetricData",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DeleteResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "kms:CreateKey",
    "kms:ListAliases",
    "kms:ListKeys",
    "glue:CreateSecurityConfiguration",
    "glue:DeleteSecurityConfiguration",
    "glue:GetSecurityConfiguration",
    "glue:GetSecurityConfigurations",
    "states:ValidateStateMachineDefinition",
    "states:ListStateMachines",
    "sts:GetCallerIdentity",
)

# A comment explaining a Resource "*" must sit inside the statement block or on the lines
# just above it, and mention the wildcard.
WILDCARD_COMMENT = re.compile(r"(#|//).*(\"\*\"|wildcard|Resource \*|this key)", re.IGNORECASE)

MODULE_META_ARGUMENTS = {"source", "version", "count", "for_each", "depends_on", "providers"}


# ─── Loading and evaluating ───────────────────────────────────────────────────


def evaluate(
    stack: Path, tfvars: dict[str, Any] | None = None, scratch: Path | None = None
) -> dict:
    """Evaluate one root module with tfparse (stop_on_hcl_error=True: syntax errors raise)."""
    stack = Path(stack).resolve()
    vars_paths: list[str] = []
    if tfvars:
        scratch = Path(scratch or tempfile.mkdtemp(prefix="tfvars-"))
        scratch.mkdir(parents=True, exist_ok=True)
        var_file = scratch / f"test-{abs(hash((str(stack), tuple(sorted(tfvars)))))}.tfvars.json"
        var_file.write_text(json.dumps(tfvars))
        # tfparse resolves variable files relative to the module path.
        vars_paths.append(os.path.relpath(var_file, stack))
    # Terraform runs in the root module's folder: abspath(path.module) is that folder.
    with contextlib.chdir(stack):
        return tfparse.load_from_path(str(stack), stop_on_hcl_error=True, vars_paths=vars_paths)


def copy_tree(dest: Path, lock_files: bool = False) -> Path:
    """Copy infrastructure/ (symlinks kept; lock files only if asked) and the files outside it
    the stacks read into dest; return the copy's infrastructure folder."""
    dest = Path(dest)
    ignored = [".terraform", "backend.conf", "tfplan", "*.tfstate*"]
    shutil.copytree(
        INFRA,
        dest / "infrastructure",
        symlinks=True,
        ignore=shutil.ignore_patterns(*ignored, *([] if lock_files else [".terraform.lock.hcl"])),
    )
    (dest / "setup").mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO_ROOT / "setup" / "domain.json", dest / "setup" / "domain.json")
    # The Iceberg table properties the library and modules/glue_iceberg_table share.
    properties = Path("src", "dp_foundation", "iceberg", "table_properties.json")
    (dest / properties.parent).mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO_ROOT / properties, dest / properties)
    return dest / "infrastructure"


def fake_baseline_outputs(environment: str, output_names: Iterable[str]) -> dict[str, Any]:
    """Plausible values of every baseline output for a stubbed project evaluation."""
    abbr, region, account = DOMAIN["domain_abbr"], DOMAIN["aws_region"], STUB_ACCOUNT_ID
    settings = ENVIRONMENTS[environment]
    name_format = f"{abbr}-%s-{account}-{environment}"

    def name(purpose: str) -> str:
        return name_format.replace("%s", purpose)

    subnets = [f"subnet-0{i}" for i in range(settings.get("availability_zone_count", 2))]
    known: dict[str, Any] = {
        "environment": environment,
        "domain_name": DOMAIN["domain_name"],
        "domain_abbr": abbr,
        "aws_region": region,
        "account_id": account,
        "name_format": name_format,
        "glue_database_format": f"{abbr}_%s_{environment}",
        "kms_key_arn": f"arn:aws:kms:{region}:{account}:key/11111111-2222-3333-4444-555555555555",
        "kms_key_id": "11111111-2222-3333-4444-555555555555",
        "kms_alias_name": f"alias/{abbr}-data-lake-{environment}",
        "s3_logs_bucket_id": name("logs"),
        "s3_logs_bucket_arn": f"arn:aws:s3:::{name('logs')}",
        "iceberg_warehouse": f"s3://{name('refined')}/warehouse/",
        "glue_security_configuration_name": name("glue"),
        "glue_connection_names": [name(f"glue-network-{k}") for k in "ab"],
        "glue_job_settings": {
            "execution_class": settings.get("glue_execution_class", "FLEX"),
            "enable_auto_scaling": settings.get("glue_enable_auto_scaling", True),
        },
        "log_retention_days": settings.get("log_retention_days", 365),
        "vpc_id": "vpc-0123",
        "vpc_arn": f"arn:aws:ec2:{region}:{account}:vpc/vpc-0123",
        "vpc_cidr": settings["vpc_cidr"],
        "private_subnet_ids": subnets,
        "private_subnet_arns": [f"arn:aws:ec2:{region}:{account}:subnet/{s}" for s in subnets],
        "private_route_table_id": "rtb-0123",
        "glue_security_group_id": "sg-0glue",
        "glue_security_group_arn": f"arn:aws:ec2:{region}:{account}:security-group/sg-0glue",
        "vpc_endpoint_security_group_id": "sg-0vpce",
        "vpc_endpoint_ids": {s: f"vpce-{s}" for s in ("s3", "glue", "sts", "logs", "monitoring")},
        "flow_log_id": "fl-0123",
        "flow_log_group_name": f"/aws/vpc/{name('vpc')}/flow-logs",
        "sfn_role_name": name("sfn"),
        "sfn_role_arn": f"arn:aws:iam::{account}:role/{abbr}/baseline/{name('sfn')}",
        "sfn_scheduler_role_arn": (
            f"arn:aws:iam::{account}:role/{abbr}/baseline/{name('sfn-scheduler')}"
        ),
        "alerts_topic_arn": f"arn:aws:sns:{region}:{account}:{name('pipeline-alerts')}",
        "alert_rule_names": [name("sfn-failure"), name("glue-job-failure")],
        "project_permissions_boundary_arn": (
            f"arn:aws:iam::{account}:policy/{name('project-boundary')}"
        ),
        "project_role_path": f"/{abbr}/projects/",
    }
    for layer in ("raw", "refined", "curated"):
        known[f"glue_database_{layer}"] = f"{abbr}_{layer}_{environment}"
    for bucket in ("raw", "refined", "curated", "artifacts"):
        known[f"s3_{bucket}_bucket"] = name(bucket)
        known[f"s3_{bucket}_bucket_arn"] = f"arn:aws:s3:::{name(bucket)}"
    missing = sorted(set(output_names) - set(known))
    if missing:
        raise KeyError(
            f"no stub value for baseline outputs {missing}; add them to fake_baseline_outputs"
        )
    return {key: known[key] for key in output_names}


def stub_tree(dest: Path, project_states: dict[str, dict[str, Any]] | None = None) -> Path:
    """Copy the infrastructure and replace data-source reads by fixed values (see module doc).

    ``project_states`` are the applied project states the state bucket holds, in every
    environment: stack folder => that state's outputs (e.g. ``{"catalog_tables": {...}}``).
    """
    infra = copy_tree(dest)
    stubs = infra / ".stubs"
    stubs.mkdir()
    names = output_names(INFRA / "baseline")
    states = project_states or {}
    for environment in ENVIRONMENTS:
        # The environment's state holds one output, "baseline", the baseline module's outputs.
        (stubs / f"baseline-{environment}.json").write_text(
            json.dumps({"baseline": fake_baseline_outputs(environment, names)})
        )
        # The state bucket's listing under projects/ (a lock file next to each state, as
        # during an apply) and each state as terraform_remote_state returns it.
        keys = [
            f"projects/{p}/terraform.tfstate{suffix}" for p in states for suffix in ("", ".tflock")
        ]
        (stubs / f"projects-{environment}.json").write_text(
            json.dumps({"keys": keys, "states": {p: {"outputs": o} for p, o in states.items()}})
        )
    projects_stub = (
        'jsondecode(file("${path.module}/../../.stubs/projects-${var.environment}.json"))'
    )
    zones = json.dumps([f"{DOMAIN['aws_region']}{z}" for z in "abcd"])
    replacements = {
        "data.aws_caller_identity.current.account_id": f'"{STUB_ACCOUNT_ID}"',
        "data.aws_region.current.name": f'"{DOMAIN["aws_region"]}"',
        "sort(data.aws_availability_zones.available.names)": zones,
        "data.terraform_remote_state.baseline.outputs": (
            'jsondecode(file("${path.module}/../../.stubs/baseline-${var.environment}.json"))'
        ),
        "data.aws_s3_objects.project_states.keys": f"{projects_stub}.keys",
        # Only the states the for_each reads: the listed ones, but this stack's own.
        "data.terraform_remote_state.projects": (
            f"{{ for name, state in {projects_stub}.states : name => state"
            " if contains(keys(local.other_project_states), name) }"
        ),
        # The job role names its tables through the table modules (so a table is granted only
        # once created); tfparse evaluates for_each module outputs too late for the role's
        # inputs. The module returns the name it was given: the key.
        "module.iceberg_tables[key].name": "key",
        "module.raw_tables[key].name": "key",
    }
    for path in infra.rglob("*.tf"):
        if path.is_symlink():
            continue
        text = path.read_text()
        new = text
        for old, value in replacements.items():
            new = new.replace(old, value)
        if new != text:
            path.write_text(new)
    return infra


def add_project(
    infra: Path,
    name: str,
    tables_tf: str,
    like: str = "test02",
    folder: str | None = None,
    contracts: dict[str, Path] | None = None,
) -> Path:
    """A new project in a copied tree: a copy of project ``like`` (its symlinks kept) named
    ``name`` in folder ``folder`` (default: the name), with ``tables_tf`` as its tables.tf and,
    when given, ``contracts`` (``<layer>/<table>.odcs.yaml`` => file to copy) as its only
    contracts."""
    stack = infra / "projects" / (folder or name)
    shutil.copytree(infra / "projects" / like, stack, symlinks=True)
    config = json.loads((stack / "project.json").read_text())
    (stack / "project.json").write_text(json.dumps({**config, "name": name}))
    (stack / "tables.tf").write_text(tables_tf)
    if contracts is not None:
        shutil.rmtree(stack / "contracts", ignore_errors=True)
        for relative, source in contracts.items():
            (stack / "contracts" / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, stack / "contracts" / relative)
    return stack


# ─── Generic access to evaluated blocks ───────────────────────────────────────


def blocks(parsed: dict, kind: str) -> list[dict]:
    return list(parsed.get(kind, []))


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def address(block: dict) -> str:
    return str(block.get("__tfmeta", {}).get("path", "?"))


def statements(document: dict) -> list[dict]:
    return as_list(document.get("statement"))


def documents_by_id(parsed: dict) -> dict[str, dict]:
    return {doc["id"]: doc for doc in blocks(parsed, "aws_iam_policy_document")}


def resolve_policy(parsed: dict, value: Any) -> list[dict]:
    """Statements of a policy attribute: a policy document reference or a JSON string."""
    docs = documents_by_id(parsed)
    if isinstance(value, str) and value in docs:
        return [normalise_document_statement(s) for s in statements(docs[value])]
    if isinstance(value, str):
        try:
            policy = json.loads(value)
        except ValueError:
            return []
        return [normalise_json_statement(s) for s in as_list(policy.get("Statement"))]
    return []


def normalise_document_statement(statement: dict) -> dict:
    principals = as_list(statement.get("principals"))
    return {
        "sid": statement.get("sid"),
        "effect": statement.get("effect") or "Allow",
        "actions": [a for a in as_list(statement.get("actions")) if a is not None],
        "resources": as_list(statement.get("resources")),
        "principals": [
            (p.get("type"), identifier)
            for p in principals
            for identifier in as_list(p.get("identifiers"))
        ],
        "conditions": [
            (c.get("test"), c.get("variable"), tuple(as_list(c.get("values"))))
            for c in as_list(statement.get("condition"))
        ],
    }


def normalise_json_statement(statement: dict) -> dict:
    principal = statement.get("Principal")
    principals: list[tuple[str, str]] = []
    if principal == "*":
        principals = [("*", "*")]
    elif isinstance(principal, dict):
        principals = [(k, i) for k, v in principal.items() for i in as_list(v)]
    conditions = [
        (test, variable, tuple(as_list(values)))
        for test, entries in (statement.get("Condition") or {}).items()
        for variable, values in entries.items()
    ]
    return {
        "sid": statement.get("Sid"),
        "effect": statement.get("Effect", "Allow"),
        "actions": as_list(statement.get("Action")),
        "resources": as_list(statement.get("Resource")),
        "principals": principals,
        "conditions": conditions,
    }


# ─── S3 buckets ───────────────────────────────────────────────────────────────


def _by_bucket(parsed: dict, kind: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for block in blocks(parsed, kind):
        found.setdefault(str(block.get("bucket")), []).append(block)
    return found


def denies_insecure_transport(statements_: list[dict], bucket_arn: str | None) -> bool:
    for st in statements_:
        if st["effect"] != "Deny" or ("*", "*") not in st["principals"]:
            continue
        if not any(a in ("s3:*", "*") for a in st["actions"]):
            continue
        if ("Bool", "aws:SecureTransport", ("false",)) not in st["conditions"]:
            continue
        if bucket_arn and not {bucket_arn, f"{bucket_arn}/*"} <= set(st["resources"]):
            continue
        return True
    return False


def check_buckets(parsed: dict) -> list[str]:
    """TLS-only policy, public access block, CMK encryption (SSE-S3 only on the access-log
    target), access logging of every other bucket to the log bucket, never a bucket to itself,
    log delivery grant and prevent_destroy on the log bucket."""
    problems: list[str] = []
    buckets = {str(b.get("bucket")): b for b in blocks(parsed, "aws_s3_bucket")}
    policies = _by_bucket(parsed, "aws_s3_bucket_policy")
    access_blocks = _by_bucket(parsed, "aws_s3_bucket_public_access_block")
    encryption = _by_bucket(parsed, "aws_s3_bucket_server_side_encryption_configuration")
    logging = _by_bucket(parsed, "aws_s3_bucket_logging")
    log_targets = {str(b.get("target_bucket")) for group in logging.values() for b in group}

    if buckets and not log_targets:
        problems.append("no bucket has server access logging")
    for name, bucket in buckets.items():
        where = f"{address(bucket)} ({name})"
        is_log_bucket = name in log_targets
        arn = f"arn:aws:s3:::{name}"
        policy_statements = [
            s for p in policies.get(name, []) for s in resolve_policy(parsed, p.get("policy"))
        ]
        if not denies_insecure_transport(policy_statements, arn):
            problems.append(f"{where}: bucket policy does not deny aws:SecureTransport=false")
        blocks_ = access_blocks.get(name, [])
        flags = (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        )
        if not blocks_ or not all(blocks_[0].get(flag) is True for flag in flags):
            problems.append(f"{where}: public access block missing or incomplete")
        rules = [
            as_list(r.get("apply_server_side_encryption_by_default"))
            for e in encryption.get(name, [])
            for r in as_list(e.get("rule"))
        ]
        defaults = [d for group in rules for d in group]
        if not defaults:
            problems.append(f"{where}: no default encryption")
        for default in defaults:
            algorithm = default.get("sse_algorithm")
            if is_log_bucket:
                if algorithm not in ("AES256", "aws:kms"):
                    problems.append(f"{where}: log bucket has no default encryption")
            elif algorithm != "aws:kms" or not default.get("kms_master_key_id"):
                problems.append(f"{where}: not encrypted with the customer-managed KMS key")
        own_logging = logging.get(name, [])
        if is_log_bucket:
            if own_logging:
                problems.append(f"{where}: the log bucket logs its own accesses")
            if not bucket.get("lifecycle", {}).get("prevent_destroy"):
                problems.append(f"{where}: log bucket lacks prevent_destroy")
            grants = [
                s
                for s in policy_statements
                if s["effect"] == "Allow"
                and ("Service", "logging.s3.amazonaws.com") in s["principals"]
            ]
            if not grants:
                problems.append(
                    f"{where}: bucket policy does not let logging.s3.amazonaws.com deliver logs"
                )
        else:
            targets = [b.get("target_bucket") for b in own_logging]
            if not targets:
                problems.append(f"{where}: no server access logging")
            elif name in targets:
                problems.append(f"{where}: logs its accesses to itself")
    return problems


# ─── Network ──────────────────────────────────────────────────────────────────


def check_no_internet_gateway(parsed: dict) -> list[str]:
    problems = [
        f"{address(b)}: {kind} present"
        for kind in ("aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_nat_gateway")
        for b in blocks(parsed, kind)
    ]
    for route in blocks(parsed, "aws_route"):
        if route.get("destination_cidr_block") in OPEN_CIDRS or route.get("gateway_id"):
            problems.append(f"{address(route)}: default or gateway route")
    for table in blocks(parsed, "aws_route_table"):
        for route in as_list(table.get("route")):
            if route.get("cidr_block") in OPEN_CIDRS or route.get("gateway_id"):
                problems.append(f"{address(table)}: default or gateway route")
    return problems


# What a Glue job in the NAT-less VPC calls, by the job argument that makes it call it: the
# job reads and writes S3, talks to the Glue API (catalog, Iceberg commits), always logs to
# CloudWatch Logs (Glue 5), and sends CloudWatch metrics with --enable-metrics.
JOB_SERVICES = {"": ("s3", "glue", "logs"), "--enable-metrics": ("monitoring",)}


def check_job_endpoints(environment: dict, jobs: Iterable[dict]) -> list[str]:
    """Every AWS service the Glue jobs call from the VPC has a VPC endpoint in the baseline."""
    have = {e["service_name"].rsplit(".", 1)[1] for e in blocks(environment, "aws_vpc_endpoint")}
    problems = []
    for job in jobs:
        arguments = job.get("default_arguments") or {}
        needed = [
            service
            for argument, services in JOB_SERVICES.items()
            if not argument or arguments.get(argument) == "true"
            for service in services
        ]
        problems += [
            f"{address(job)} needs a VPC endpoint for {service} (no NAT); the baseline has none"
            for service in needed
            if service not in have
        ]
    return problems


def check_security_group_egress(parsed: dict) -> list[str]:
    """No security-group rule (inline, aws_security_group_rule or aws_vpc_security_group_*)
    reaches 0.0.0.0/0 or ::/0."""
    problems: list[str] = []

    def open_cidrs(*values: Any) -> set[str]:
        return {c for v in values for c in as_list(v) if c in OPEN_CIDRS}

    for group in blocks(parsed, "aws_security_group"):
        for direction in ("egress", "ingress"):
            for rule in as_list(group.get(direction)):
                bad = open_cidrs(rule.get("cidr_blocks"), rule.get("ipv6_cidr_blocks"))
                if bad:
                    problems.append(f"{address(group)}: {direction} to {sorted(bad)}")
    for rule in blocks(parsed, "aws_security_group_rule"):
        bad = open_cidrs(rule.get("cidr_blocks"), rule.get("ipv6_cidr_blocks"))
        if bad:
            problems.append(f"{address(rule)}: {rule.get('type')} to {sorted(bad)}")
    for kind in ("aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule"):
        for rule in blocks(parsed, kind):
            bad = open_cidrs(rule.get("cidr_ipv4"), rule.get("cidr_ipv6"))
            if bad:
                problems.append(f"{address(rule)}: {kind} with {sorted(bad)}")
    return problems


# ─── IAM ──────────────────────────────────────────────────────────────────────


def _source_lines(stack: Path, block: dict) -> tuple[list[str], int, int]:
    meta = block.get("__tfmeta", {})
    path = Path(stack) / meta["filename"]
    return path.read_text().splitlines(), int(meta["line_start"]), int(meta["line_end"])


def has_wildcard_comment(stack: Path, statement_block: dict) -> bool:
    """A comment about the wildcard inside the statement or in the 6 lines above it."""
    lines, start, end = _source_lines(stack, statement_block)
    window = lines[max(0, start - 7) : end]
    return any(WILDCARD_COMMENT.search(line) for line in window)


def action_needs_wildcard(action: str) -> bool:
    return "*" not in action and action.lower() in {a.lower() for a in WILDCARD_ONLY_ACTIONS}


def check_wildcard_resources(parsed: dict, stack: Path) -> list[str]:
    """Every Allow statement with Resource "*" lists only actions AWS authorises on "*" (or
    belongs to a KMS key policy, where "*" means the key) and carries a comment saying so."""
    problems: list[str] = []
    key_policies = {str(k.get("policy")) for k in blocks(parsed, "aws_kms_key")}
    for document in blocks(parsed, "aws_iam_policy_document"):
        is_key_policy = document["id"] in key_policies
        for raw in statements(document):
            st = normalise_document_statement(raw)
            if st["effect"] != "Allow" or "*" not in st["resources"]:
                continue
            where = f"{address(document)} statement {st['sid'] or '?'}"
            if not is_key_policy:
                extra = [a for a in st["actions"] if not action_needs_wildcard(a)]
                if extra or not st["actions"]:
                    problems.append(
                        f'{where}: Resource "*" for actions that support resource ARNs: {extra}'
                    )
            if not has_wildcard_comment(stack, raw):
                problems.append(
                    f'{where}: Resource "*" without a comment explaining why AWS requires it'
                )
    for kind in ("aws_iam_policy", "aws_iam_role_policy"):
        for block in blocks(parsed, kind):
            for st in resolve_policy(parsed, block.get("policy")):
                if isinstance(block.get("policy"), str) and block["policy"] in documents_by_id(
                    parsed
                ):
                    continue  # checked above, with its source
                if st["effect"] == "Allow" and "*" in st["resources"]:
                    extra = [a for a in st["actions"] if not action_needs_wildcard(a)]
                    if extra:
                        problems.append(f'{address(block)}: Resource "*" for {extra}')
    return problems


def policy_statements_of(parsed: dict, path_contains: str) -> list[dict]:
    """Normalised statements of the policy documents whose address contains path_contains."""
    return [
        normalise_document_statement(s)
        for doc in blocks(parsed, "aws_iam_policy_document")
        if path_contains in address(doc)
        for s in statements(doc)
    ]


# ─── Project isolation ────────────────────────────────────────────────────────


def local_values(parsed: dict) -> dict[str, Any]:
    """The root module's locals, merged from every locals block."""
    merged: dict[str, Any] = {}
    for block in blocks(parsed, "locals"):
        if address(block) == "locals":
            merged.update({k: v for k, v in block.items() if k not in ("__tfmeta", "id")})
    return merged


def project_tables(parsed: dict) -> dict[str, dict[str, str]]:
    """The tables an evaluated project stack declares: "database.table" => its location and
    how its jobs use it ("write" for Iceberg tables, "read" for raw ones)."""
    values = local_values(parsed)
    raw_database = values["layer_databases"]["raw"]
    tables = {
        f"{raw_database}.{name}": {"location": table["location"], "access": "read"}
        for name, table in (values.get("raw_table_definitions") or {}).items()
    }
    for name, table in (values.get("iceberg_table_definitions") or {}).items():
        tables[f"{table['database']}.{name}"] = {"location": table["location"], "access": "write"}
    return tables


def check_unique_tables(claims: dict[str, Iterable[str]]) -> list[str]:
    """Tables ("database.table") that more than one project declares (project => its tables)."""
    owners: dict[str, list[str]] = {}
    for project, tables in sorted(claims.items()):
        for table in tables:
            owners.setdefault(table, []).append(project)
    return [
        f"table {table} is declared by projects {', '.join(projects)}"
        for table, projects in sorted(owners.items())
        if len(projects) > 1
    ]


def failed_preconditions(parsed: dict) -> list[str]:
    """Error messages of the lifecycle preconditions that do not hold (or cannot be evaluated:
    the check would not run either) in an evaluated stack."""
    problems: list[str] = []
    for entries in parsed.values():
        if not isinstance(entries, list):
            continue
        for block in entries:
            if not isinstance(block, dict):
                continue
            for rule in as_list((block.get("lifecycle") or {}).get("precondition")):
                if rule.get("condition") is not True:
                    message = rule.get("error_message") or "(no message)"
                    problems.append(f"{address(block)}: {message}")
    return problems


def s3_object_arn(location: str, key: str) -> str:
    """ARN of the object ``key`` under an s3:// folder (``key`` "" gives the folder's ARN)."""
    return "arn:aws:s3:::" + location.removeprefix("s3://").rstrip("/") + "/" + key


def allows(
    statements_: Iterable[dict], action: str, resource: str, context: dict[str, str] | None = None
) -> bool:
    """Whether an Allow statement grants action on resource; a statement with conditions
    grants only when every condition admits the given context (e.g. s3:prefix)."""
    for st in statements_:
        if st["effect"] != "Allow":
            continue
        if not any(fnmatch.fnmatchcase(action, a) for a in st["actions"]):
            continue
        if not any(fnmatch.fnmatchcase(resource, str(r)) for r in st["resources"]):
            continue
        if all(
            condition_allows(st, variable, (context or {}).get(variable, ""))
            for _, variable, _ in st["conditions"]
        ):
            return True
    return False


def check_table_isolation(
    statements_: list[dict],
    own: dict[str, dict[str, str]],
    foreign: dict[str, dict[str, str]],
    glue_prefix: str,
) -> list[str]:
    """A project role reaches its own tables and none of another project's.

    ``own`` and ``foreign`` map "database.table" to {"location", "access"} (project_tables).
    Own tables: objects read (and written, for "write" tables), the bucket listable under the
    table's prefix, the catalog entry read (and updated). Foreign tables: no object, listing or
    catalog action at all, except reading the objects of a raw table over landed data this
    project declares too (landed data is shared read-only). ``glue_prefix`` is
    arn:aws:glue:<region>:<account>."""
    problems: list[str] = []
    landed = [t["location"] for t in own.values() if t["access"] == "read"]

    def table_arn(name: str) -> str:
        database, table = name.split(".", 1)
        return f"{glue_prefix}:table/{database}/{table}"

    def listing(location: str) -> tuple[str, str]:
        bucket, _, key = location.removeprefix("s3://").partition("/")
        return f"arn:aws:s3:::{bucket}", key.rstrip("/") + "/"

    for name, table in sorted(own.items()):
        write = table["access"] == "write"
        data = s3_object_arn(table["location"], "data/part-00000.parquet")
        wanted_s3 = (
            ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] if write else ["s3:GetObject"]
        )
        for action in wanted_s3:
            if not allows(statements_, action, data):
                problems.append(f"own table {name}: no {action} on {data}")
        bucket, prefix = listing(table["location"])
        if not allows(statements_, "s3:ListBucket", bucket, {"s3:prefix": prefix}):
            problems.append(f"own table {name}: cannot list {bucket} under {prefix}")
        for action in ["glue:GetTable", "glue:UpdateTable"] if write else ["glue:GetTable"]:
            if not allows(statements_, action, table_arn(name)):
                problems.append(f"own table {name}: no {action}")
    for name, table in sorted(foreign.items()):
        shared_landing = table["access"] == "read" and any(
            table["location"].startswith(location) for location in landed
        )
        data = s3_object_arn(table["location"], "data/part-00000.parquet")
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
            if shared_landing and action == "s3:GetObject":
                continue
            if allows(statements_, action, data):
                problems.append(f"foreign table {name}: {action} on {data}")
        bucket, prefix = listing(table["location"])
        if not shared_landing and allows(
            statements_, "s3:ListBucket", bucket, {"s3:prefix": prefix}
        ):
            problems.append(f"foreign table {name}: may list {bucket} under {prefix}")
        for action in ("glue:GetTable", "glue:UpdateTable", "glue:DeleteTable", "glue:CreateTable"):
            if allows(statements_, action, table_arn(name)):
                problems.append(f"foreign table {name}: {action}")
    return problems


# ─── Step Functions ───────────────────────────────────────────────────────────


def condition_allows(statement: dict, variable: str, value: str) -> bool:
    """Whether the statement's condition on ``variable`` admits ``value`` (String/Arn
    Equals and Like operators; a statement without that condition admits nothing)."""
    for test, name, patterns in statement["conditions"]:
        if name != variable:
            continue
        if test in ("StringEquals", "ArnEquals"):
            return value in patterns
        if test in ("StringLike", "ArnLike"):
            return any(fnmatch.fnmatchcase(value, str(p)) for p in patterns)
    return False


def check_encrypted_sfn_logging(
    parsed: dict, state_machines: Iterable[str], log_groups: Iterable[str]
) -> list[str]:
    """What a CMK-encrypted state machine needs to deliver its execution logs (Step Functions
    guide, "Data at rest encryption"); a miss drops the logs without an error. ``parsed`` is an
    evaluated environment; ``state_machines`` and ``log_groups`` are the ARNs of the project
    pipelines and their log groups.

    - the key policy lets delivery.logs.amazonaws.com kms:Decrypt under the logs
      encryption context SourceArn = arn:aws:logs:<region>:<account>:*;
    - the key policy lets logs.<region>.amazonaws.com use the key for each log group
      (kms:EncryptionContext:aws:logs:arn);
    - the execution role may kms:GenerateDataKey under the logs context and
      kms:Decrypt + kms:GenerateDataKey under each state machine's context.
    """
    problems: list[str] = []
    keys = blocks(parsed, "aws_kms_key")
    if len(keys) != 1:
        return [f"expected one KMS key, found {len(keys)}"]
    key_policy = resolve_policy(parsed, keys[0].get("policy"))
    roles = [
        d for d in blocks(parsed, "aws_iam_policy_document") if address(d).endswith("document.sfn")
    ]
    if len(roles) != 1:
        return [f"expected one Step Functions execution-role policy, found {len(roles)}"]
    role = [normalise_document_statement(s) for s in statements(roles[0])]
    region, account = DOMAIN["aws_region"], STUB_ACCOUNT_ID
    logs_context = f"arn:aws:logs:{region}:{account}:*"

    def grants(
        policy: list[dict],
        principal: tuple[str, str] | None,
        action: str,
        variable: str,
        value: str,
    ) -> bool:
        return any(
            s["effect"] == "Allow"
            and (principal is None or principal in s["principals"])
            and any(fnmatch.fnmatchcase(action, a) for a in s["actions"])
            and condition_allows(s, variable, value)
            for s in policy
        )

    delivery = ("Service", "delivery.logs.amazonaws.com")
    if not grants(
        key_policy, delivery, "kms:Decrypt", "kms:EncryptionContext:SourceArn", logs_context
    ):
        problems.append(
            "key policy: delivery.logs.amazonaws.com may not kms:Decrypt the log data keys"
            f" (kms:EncryptionContext:SourceArn {logs_context})"
        )
    logs = ("Service", f"logs.{region}.amazonaws.com")
    for group in log_groups:
        for action in ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey"):
            if not grants(key_policy, logs, action, "kms:EncryptionContext:aws:logs:arn", group):
                problems.append(f"key policy: CloudWatch Logs may not {action} for {group}")
    if not grants(
        role, None, "kms:GenerateDataKey", "kms:EncryptionContext:SourceArn", logs_context
    ):
        problems.append("execution role: no kms:GenerateDataKey under the logs context")
    for machine in state_machines:
        for action in ("kms:Decrypt", "kms:GenerateDataKey"):
            variable = "kms:EncryptionContext:aws:states:stateMachineArn"
            if not grants(role, None, action, variable, machine):
                problems.append(f"execution role: no {action} for {machine}")
    return problems


def validate_asl(definition: dict, scratch: Path) -> list[str]:
    """Run asl-validator on a definition; return its complaints."""
    scratch.mkdir(parents=True, exist_ok=True)
    path = scratch / f"asl-{abs(hash(json.dumps(definition, sort_keys=True)))}.json"
    path.write_text(json.dumps(definition))
    result = subprocess.run(
        [str(ASL_VALIDATOR), "--json-path", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return [f"asl-validator: {(result.stdout + result.stderr).strip()}"]
    return []


def task_order(definition: dict) -> list[str]:
    """State names visited from StartAt along Next (the success path)."""
    states = definition.get("States", {})
    order, current, seen = [], definition.get("StartAt"), set()
    while current in states and current not in seen:
        seen.add(current)
        order.append(current)
        current = states[current].get("Next")
    return order


# Errors that also match a failed job run: a Glue task retrying them would rerun a job that
# failed for good (a DataQualityError, a bad argument).
NON_TRANSIENT_ERRORS = {"States.ALL", "States.TaskFailed"}


def check_asl(definition: dict, pipeline: dict, scratch: Path) -> list[str]:
    """Valid ASL; Retry and Catch on every Task; terminal PipelineSucceeded/PipelineFailed;
    the Glue tasks run in the order of the pipeline's `jobs` in project.json, with its retry
    settings, retry transient errors only and catch every error."""
    problems = validate_asl(definition, scratch)
    states = definition.get("States", {})
    for name, state in states.items():
        if state.get("Type") == "Task":
            if not state.get("Retry"):
                problems.append(f"Task {name} has no Retry")
            if not state.get("Catch"):
                problems.append(f"Task {name} has no Catch")
    if states.get("PipelineSucceeded", {}).get("Type") != "Succeed":
        problems.append("no PipelineSucceeded Succeed state")
    if states.get("PipelineFailed", {}).get("Type") != "Fail":
        problems.append("no PipelineFailed Fail state")
    glue_tasks = [
        name
        for name in task_order(definition)
        if str(states[name].get("Resource", "")).startswith("arn:aws:states:::glue:startJobRun")
    ]
    expected = [f"Run_{job}" for job in pipeline["jobs"]]
    if glue_tasks != expected:
        problems.append(f"Glue task order {glue_tasks} differs from project.json {expected}")
    for name in glue_tasks:
        for catch in states[name].get("Catch", []):
            if "States.ALL" not in catch.get("ErrorEquals", []):
                problems.append(f"{name} Catch does not catch States.ALL")
        for retry in states[name].get("Retry", []):
            retried = NON_TRANSIENT_ERRORS & set(retry.get("ErrorEquals", []))
            if retried:
                problems.append(f"{name} retries {sorted(retried)}: a failed job run would rerun")
            wanted = {
                "MaxAttempts": pipeline.get("max_retries"),
                "IntervalSeconds": pipeline.get("backoff_seconds"),
                "BackoffRate": pipeline.get("backoff_rate"),
            }
            for key, value in wanted.items():
                if value is not None and retry.get(key) != value:
                    problems.append(
                        f"{name} Retry {key}={retry.get(key)}, project.json says {value}"
                    )
    return problems


# ─── Module interfaces (raw HCL) ──────────────────────────────────────────────


def parse_dir(directory: Path) -> dict[str, list]:
    """python-hcl2 parse of every .tf file of a folder, merged by top-level block kind."""
    merged: dict[str, list] = {}
    for path in sorted(Path(directory).glob("*.tf")):
        for kind, entries in _parse_file(str(path.resolve()), path.stat().st_mtime_ns).items():
            merged.setdefault(kind, []).extend(entries)
    return merged


@functools.lru_cache(maxsize=512)
def _parse_file(path: str, mtime_ns: int) -> dict[str, list]:
    with open(path) as handle:
        return dict(hcl2.load(handle))


def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def variables_of(module_dir: Path) -> dict[str, bool]:
    """Declared variables of a module: name -> required (no default)."""
    found: dict[str, bool] = {}
    for entry in parse_dir(module_dir).get("variable", []):
        for name, body in entry.items():
            found[_unquote(name)] = "default" not in body
    return found


def output_names(module_dir: Path) -> list[str]:
    return [_unquote(name) for entry in parse_dir(module_dir).get("output", []) for name in entry]


def module_calls(directory: Path) -> dict[str, dict]:
    calls: dict[str, dict] = {}
    for entry in parse_dir(directory).get("module", []):
        for name, body in entry.items():
            calls[_unquote(name)] = body
    return calls


def _source(body: dict) -> str:
    source = body.get("source")
    source = source[0] if isinstance(source, list) else source
    return _unquote(str(source))


MODULE_REFERENCE = re.compile(r"\bmodule\.([a-z0-9_]+)(?:\[[^\]]*\])?\.([a-z0-9_]+)")


def check_module_interfaces(directory: Path) -> list[str]:
    """Every local module call passes only declared variables and every required one, and
    every module.<name>.<output> reference names an output the module declares."""
    directory = Path(directory)
    problems: list[str] = []
    calls = module_calls(directory)
    outputs: dict[str, set[str]] = {}
    for name, body in calls.items():
        source = _source(body)
        if not source.startswith("."):
            problems.append(f"{directory}: module {name} uses a non-local source {source}")
            continue
        target = (directory / source).resolve()
        if not target.is_dir():
            problems.append(f"{directory}: module {name} source {source} does not exist")
            continue
        declared = variables_of(target)
        passed = {_unquote(k) for k in body if not k.startswith("__")} - MODULE_META_ARGUMENTS
        for unknown in sorted(passed - set(declared)):
            problems.append(f"{directory}: module {name} passes undeclared variable {unknown}")
        for missing in sorted(
            v for v, required in declared.items() if required and v not in passed
        ):
            problems.append(f"{directory}: module {name} misses required variable {missing}")
        outputs[name] = set(output_names(target))
    for path in sorted(directory.glob("*.tf")):
        code = "\n".join(
            line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
        )
        for match in MODULE_REFERENCE.finditer(code):
            module, output = match.groups()
            if module not in calls:
                problems.append(f"{path.name}: reference to undefined module.{module}")
            elif module in outputs and output not in outputs[module]:
                problems.append(
                    f"{path.name}: module.{module}.{output} is not an output of module {module}"
                )
    return problems


BASELINE_READ = re.compile(r"\blocal\.baseline\.([a-z0-9_]+)")


def check_baseline_reads(projects_dir: Path, baseline_dir: Path) -> list[str]:
    """Every local.baseline.<name> a project stack reads is an output of the baseline module
    (the environment root exports the module whole, as its output "baseline")."""
    declared = set(output_names(baseline_dir))
    problems: list[str] = []
    for path in sorted(Path(projects_dir).rglob("*.tf")):
        if path.is_symlink() or ".terraform" in path.parts:
            continue
        code = "\n".join(
            line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
        )
        for name in sorted(set(BASELINE_READ.findall(code)) - declared):
            where = path.relative_to(projects_dir)
            problems.append(f"{where}: local.baseline.{name} is not a baseline output")
    return problems


# ─── Source-level checks ──────────────────────────────────────────────────────


def tf_files(root: Path, follow_symlinks: bool = False) -> Iterator[Path]:
    for path in sorted(Path(root).rglob("*.tf")):
        if ".terraform" in path.parts or ".stubs" in path.parts:
            continue
        if path.is_symlink() and not follow_symlinks:
            continue
        yield path


def check_duplicates(root: Path, window: int = 6) -> list[str]:
    """Runs of `window` identical non-blank lines repeated anywhere across the .tf files
    (a symlinked file is the file it points to: it counts once)."""
    seen: dict[tuple[str, ...], tuple[str, int]] = {}
    problems: list[str] = []
    for path in tf_files(root):
        relative = str(path.relative_to(root))
        lines = [
            (n, line.strip())
            for n, line in enumerate(path.read_text().splitlines(), 1)
            if line.strip()
        ]
        for i in range(len(lines) - window + 1):
            key = tuple(text for _, text in lines[i : i + window])
            number = lines[i][0]
            first = seen.setdefault(key, (relative, number))
            if first[0] != relative or abs(first[1] - number) >= window:
                problems.append(
                    f"{relative}:{number} repeats {first[0]}:{first[1]} ({key[0]!r} ...)"
                )
    return problems


def check_formatting(paths: Iterable[Path]) -> list[str]:
    """Files whose text differs from HashiCorp's formatter output (terraform fmt -check)."""
    result = subprocess.run(
        ["node", str(HCLFMT), "--json", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    if result.returncode not in (0, 1):
        return [f"hclfmt failed: {result.stderr.strip()}"]
    report = json.loads(result.stdout)
    return [f"{path}: not formatted" for path in report["unformatted"]]


CHECKOV_SKIP = re.compile(r"checkov:skip=([A-Z0-9_]+)(?::(.*))?")


def check_skip_reasons(root: Path) -> list[str]:
    """Every inline checkov skip names a check and gives a reason."""
    problems: list[str] = []
    for path in tf_files(root):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in CHECKOV_SKIP.finditer(line):
                if not (match.group(2) or "").strip():
                    where = f"{path.relative_to(root)}:{number}"
                    problems.append(f"{where}: skip of {match.group(1)} without a reason")
    return problems


def run_checkov(directory: Path, config: Path | None = None) -> dict:
    """Run checkov (its own venv) over a folder; return its summary, the failed checks and the
    skipped ones with their reasons."""
    env = {k: v for k, v in os.environ.items() if k not in ("BC_API_KEY", "PRISMA_API_URL")}
    env["LOG_LEVEL"] = "ERROR"
    command = [
        str(CHECKOV),
        "--directory",
        str(directory),
        "--skip-download",
        "--compact",
        "-o",
        "json",
    ]
    command += ["--framework", "terraform"]
    if config:
        command += ["--config-file", str(config)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    try:
        report = json.loads(result.stdout)
    except ValueError as error:
        raise RuntimeError(
            f"checkov output is not JSON: {result.stdout[:500]} {result.stderr[-2000:]}"
        ) from error
    reports = report if isinstance(report, list) else [report]
    summary = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0}
    failed: list[dict] = []
    skipped: list[dict] = []
    for entry in reports:
        for key in summary:
            summary[key] += int(entry.get("summary", {}).get(key, 0))
        failed += entry.get("results", {}).get("failed_checks", [])
        skipped += entry.get("results", {}).get("skipped_checks", [])
    return {
        "summary": summary,
        "failed": [f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in failed],
        "skipped": [
            (
                c["check_id"],
                c["resource"],
                (c.get("check_result") or {}).get("suppress_comment") or "",
            )
            for c in skipped
        ],
    }
