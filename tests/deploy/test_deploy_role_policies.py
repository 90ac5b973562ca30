"""The deploy roles' policies, as deployed, against every request their Terraform makes.

``dp deploy-local`` applies every stack into moto as the deploy roles, but moto checks actions
only: not the resource an action is authorised on, not conditions, and not the implicit
requests a call makes (KMS CreateKey with tags also needs kms:TagResource; Glue CreateTable of
an Iceberg table writes its first metadata file to S3 with the caller's credentials). This
check takes what the session's deploy left (``deploy_run``): every deployed resource with its
attribute values (``states/<stack>.json``) and the roles' policies as the emulator holds them
(``policies/<role>.json``). ``iam_actions.json`` says which requests the provider makes for
each resource type, on which ARN and with which condition keys; :mod:`.iam_eval` evaluates
each against the role's policy.

* ``ci-terraform-baseline-<env>`` may create, read, update and delete every resource of
  ``environments/<env>``, and ``ci-terraform-projects-<env>`` every resource of each project
  stack, with their Terraform states;
* ``ci-artifacts-<env>`` may upload the wheel and the job scripts the Glue jobs load;
* ``ci-terraform-plan-<env>`` may make every read request of both and no other.

Not covered: resource policies (the key policy delegates to IAM; bucket policies only deny
insecure transport), the order of calls (a read right after a create sees the final tags), and
requests the table does not know (a provider upgrade may add some).
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .conftest import DEPLOY_GROUP
from .iam_eval import ContextValue, Decision, Request, action_matches, evaluate


def _deploy_group() -> list[pytest.MarkDecorator]:
    """One xdist worker runs every test of the session's deploy (conftest.DEPLOY_GROUP).

    Without pytest-xdist (``-p no:xdist``) the marker is not registered, and not needed.
    """
    try:
        return [pytest.mark.xdist_group(DEPLOY_GROUP)]
    except pytest.fail.Exception:
        return []


pytestmark = [pytest.mark.slow, *_deploy_group()]

HERE = Path(__file__).parent
REPO = HERE.parents[1]
TABLE: dict[str, Any] = json.loads((HERE / "iam_actions.json").read_text())
CHANGES = ("create", "update", "delete")
OPERATIONS = ("create", "read", *CHANGES[1:])

# Types whose "arn" attribute names another resource (the target, the topic), not their own.
ARN_OF_ANOTHER = {"aws_cloudwatch_event_target", "aws_sns_topic_policy"}


class MissingValueError(KeyError):
    """A template names an attribute the resource does not have."""


# ─── The deployment ───


@dataclass(frozen=True)
class Deployed:
    """One resource or data source of a stack's state."""

    stack: str
    address: str
    type: str
    mode: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Call:
    """One request Terraform (or the upload script) makes, and where it comes from."""

    stack: str
    address: str
    operation: str
    request: Request
    why: str = ""

    def describe(self, decision: Decision | None = None) -> str:
        context = json.dumps(dict(sorted(self.request.context.items())))
        text = (
            f"{self.stack} {self.address}: {self.operation} needs {self.request.action} "
            f"on {self.request.resource} with {context}"
        )
        if self.why:
            text += f" ({self.why})"
        return f"{text}: {decision.value}" if decision else text


def _walk(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _walk(child)


@dataclass
class Run:
    """The kept folder of a local deploy: states and role policies."""

    folder: Path
    stacks: dict[str, list[Deployed]] = field(default_factory=dict)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for path in sorted((self.folder / "states").glob("*.json")):
            state = json.loads(path.read_text())
            self.stacks[path.stem] = [
                Deployed(path.stem, r["address"], r["type"], r["mode"], r.get("values") or {})
                for r in _walk(state.get("values", {}).get("root_module", {}))
            ]
        for path in sorted((self.folder / "policies").glob("*.json")):
            self.policies[path.stem] = json.loads(path.read_text())
        self.all = [r for resources in self.stacks.values() for r in resources]
        self.by_arn = {
            r.values["arn"]: r
            for r in self.all
            if isinstance(r.values.get("arn"), str) and r.type not in ARN_OF_ANOTHER
        }
        self.aliases: dict[str, list[str]] = {}
        for r in self.all:
            if r.type == "aws_kms_alias":
                self.aliases.setdefault(r.values["target_key_arn"], []).append(r.values["name"])
        identity = next(r for r in self.all if r.type == "aws_caller_identity")
        self.account = identity.values["account_id"]
        self.region = next(r for r in self.all if r.type == "aws_region").values["name"]

    @property
    def environment(self) -> str:
        (name,) = [s.split("__", 1)[1] for s in self.stacks if s.startswith("environments__")]
        return name

    def documents(self, role: str) -> list[dict[str, Any]]:
        assert role in self.policies, f"no role {role} in {self.folder / 'policies'}"
        return list(self.policies[role]["Policies"].values())

    def lookup(self, type_: str, attr: str, value: str, path: str) -> Any:
        for r in self.all:
            if r.type == type_ and r.values.get(attr) == value:
                return _get(r.values, path)
        raise MissingValueError(f"no {type_} with {attr} = {value}")


# ─── Templates of iam_actions.json ───

_FIELD = re.compile(r"\{([^{}]+)\}")


def _get(values: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(values, list):
            values = values[int(part)] if int(part) < len(values) else None
        elif isinstance(values, Mapping):
            values = values.get(part)
        else:
            return None
    return values


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _filter(run: Run, name: str, value: Any) -> Any:
    if name == "s3_bucket":
        return str(value).removeprefix("s3://").removeprefix("arn:aws:s3:::").split("/", 1)[0]
    if name == "s3_dir_arn":
        return "arn:aws:s3:::" + str(value).removeprefix("s3://").rstrip("/") + "/"
    if name.startswith("lookup:"):
        _, type_, attr, path = name.split(":", 3)
        return run.lookup(type_, attr, value, path)
    raise ValueError(f"unknown template filter {name}")


def render(template: str, values: Mapping[str, Any], run: Run, item: Any = None) -> str:
    """Fill ``{attr.path|filter}`` fields from a resource's values."""

    def field_value(match: re.Match[str]) -> str:
        path, *filters = match.group(1).split("|")
        special = {"region": run.region, "account": run.account, "item": item}
        value = special[path] if path in special else _get(values, path)
        for name in filters:
            if value in (None, ""):
                break
            value = _filter(run, name, value)
        if value in (None, "", [], {}):
            raise MissingValueError(f"{path} is not set")
        return _text(value)

    return _FIELD.sub(field_value, template)


def _holds(condition: str, values: Mapping[str, Any]) -> bool:
    path, _, expected = condition.partition("=")
    value = _get(values, path)
    if expected:
        return _text(value) == expected
    return value not in (None, False, "", [], {}, 0)


def _auto_context(run: Run, action: str, resource: str, new: bool) -> dict[str, ContextValue]:
    """What AWS adds for the target: its tags, a key's aliases, a role's boundary."""
    context: dict[str, ContextValue] = {"aws:SecureTransport": "true"}
    target = run.by_arn.get(resource.removesuffix(":*"))
    if target is None:
        return context
    service = action.split(":", 1)[0]
    if not new and service in TABLE["resource_tag_services"]:
        for key, value in (target.values.get("tags_all") or {}).items():
            context[f"aws:ResourceTag/{key}"] = value
    if service == "kms" and target.type == "aws_kms_key":
        context["kms:ResourceAliases"] = sorted(run.aliases.get(resource, []))
    boundary = target.values.get("permissions_boundary")
    if service == "iam" and target.type == "aws_iam_role" and boundary:
        context["iam:PermissionsBoundary"] = boundary
    return context


def _tag_context(mode: str, tags: Mapping[str, str]) -> dict[str, ContextValue]:
    if mode == "update":
        tags = {k: v for k, v in tags.items() if k in TABLE["per_deploy_tag_keys"]}
    context: dict[str, ContextValue] = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    context["aws:TagKeys"] = sorted(tags)
    return context


def calls_of(
    run: Run, stack: str, address: str, values: Mapping[str, Any], spec: Mapping[str, Any]
) -> Iterator[Call]:
    """The requests of one resource (or pseudo-resource), from its entry in the table."""
    for operation in (*OPERATIONS, "write"):
        for entry in spec.get(operation, []):
            if "if" in entry and not _holds(entry["if"], values):
                continue
            items = (_get(values, entry["each"]) or []) if "each" in entry else [None]
            actions = entry.get("actions") or [entry["action"]]
            templates = entry["resource"]
            templates = templates if isinstance(templates, list) else [templates]
            for item in items:
                for template in templates:
                    resource = render(template, values, run, item)
                    for action in actions:
                        context = _auto_context(run, action, resource, entry.get("new", False))
                        if "tags" in entry:
                            context |= _tag_context(entry["tags"], values.get("tags_all") or {})
                        for key, value in entry.get("context", {}).items():
                            try:
                                context[key] = (
                                    [render(v, values, run, item) for v in value]
                                    if isinstance(value, list)
                                    else render(value, values, run, item)
                                )
                            except MissingValueError:
                                context.pop(key, None)
                        yield Call(
                            stack,
                            address,
                            operation,
                            Request(action, resource, context),
                            entry.get("why", ""),
                        )


def stack_calls(run: Run, stack: str) -> list[Call]:
    """Every request of applying, refreshing and destroying ``stack``, its state included."""
    calls: list[Call] = []
    for resource in run.stacks[stack]:
        spec = TABLE["types"][resource.type]
        if resource.mode == "data":
            spec = {"read": spec.get("read", [])}
        calls += calls_of(run, stack, resource.address, resource.values, spec)
    calls += calls_of(run, stack, "(terraform state)", _backend(run, stack), TABLE["backend"])
    return calls


def _backend(run: Run, stack: str) -> dict[str, str]:
    domain = json.loads((REPO / "setup" / "domain.json").read_text())
    kind, _, name = stack.partition("__")
    key = (
        "baseline/terraform.tfstate"
        if kind == "environments"
        else f"projects/{name}/terraform.tfstate"
    )
    return {
        "bucket": f"{domain['domain_abbr']}-tfstate-{run.account}-{run.environment}",
        "key": key,
    }


def upload_calls(run: Run) -> list[Call]:
    """The artifacts the project stacks' Glue jobs load: what upload-artifacts.sh writes."""
    uris = set()
    for resources in run.stacks.values():
        for r in resources:
            if r.type == "aws_glue_job":
                uris.add(_get(r.values, "command.0.script_location"))
                uris.update(
                    (r.values.get("default_arguments") or {}).get("--extra-py-files", "").split(",")
                )
    calls: list[Call] = []
    for uri in sorted(u for u in uris if u):
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        values = {"bucket": bucket, "key": key}
        calls += calls_of(run, "upload-artifacts.sh", key, values, TABLE["artifact_upload"])
    return calls


# ─── Evaluation ───


def denied(documents: list[dict[str, Any]], calls: Iterable[Call]) -> list[str]:
    """The calls the policy does not allow, each described."""
    out = []
    for call in calls:
        result = evaluate(documents, call.request)
        if not result.allowed:
            out.append(call.describe(result.decision))
    return out


def allowed(documents: list[dict[str, Any]], calls: Iterable[Call]) -> list[str]:
    """The calls the policy allows, each described with the statements allowing it."""
    out = []
    for call in calls:
        result = evaluate(documents, call.request)
        if result.allowed:
            out.append(f"{call.describe()}: allowed by {', '.join(result.statements)}")
    return out


def report(problems: list[str], what: str) -> str:
    return f"{len(problems)} {what}:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def run(request: pytest.FixtureRequest) -> Run:
    """The session's local deploy; DP_DEPLOY_RUN names a kept one instead (development)."""
    kept = os.environ.get("DP_DEPLOY_RUN")
    folder = Path(kept) if kept else request.getfixturevalue("deploy_run")
    return Run(folder)


def _stacks(run: Run, kind: str) -> list[str]:
    names = [s for s in run.stacks if s.startswith(f"{kind}__")]
    assert names, f"no {kind} stack in {run.folder / 'states'}"
    return names


def baseline_calls(run: Run) -> list[Call]:
    return [c for s in _stacks(run, "environments") for c in stack_calls(run, s)]


def project_calls(run: Run) -> list[Call]:
    return [c for s in _stacks(run, "projects") for c in stack_calls(run, s)]


# ─── Tests ───


def test_the_table_knows_every_deployed_type(run: Run) -> None:
    stacks = [*_stacks(run, "environments"), *_stacks(run, "projects")]
    unknown = {
        f"{r.mode} {r.type}" for s in stacks for r in run.stacks[s] if r.type not in TABLE["types"]
    }
    assert not unknown, f"add to tests/deploy/iam_actions.json: {sorted(unknown)}"


def test_baseline_role_may_apply_and_destroy_the_baseline(run: Run) -> None:
    role = f"ci-terraform-baseline-{run.environment}"
    problems = denied(run.documents(role), baseline_calls(run))
    assert not problems, report(problems, f"requests {role} may not make")


def test_projects_role_may_apply_and_destroy_every_project(run: Run) -> None:
    role = f"ci-terraform-projects-{run.environment}"
    problems = denied(run.documents(role), project_calls(run))
    assert not problems, report(problems, f"requests {role} may not make")


def test_artifacts_role_may_upload_what_the_jobs_load(run: Run) -> None:
    calls = upload_calls(run)
    keys = {c.address for c in calls}
    assert any(k.startswith("wheels/data_platform_foundation-") for k in keys), keys
    assert any(k.startswith("jobs/") for k in keys), keys
    role = f"ci-artifacts-{run.environment}"
    problems = denied(run.documents(role), calls)
    assert not problems, report(problems, f"requests {role} may not make")


def test_plan_role_may_make_every_read(run: Run) -> None:
    reads = [c for c in [*baseline_calls(run), *project_calls(run)] if c.operation == "read"]
    role = f"ci-terraform-plan-{run.environment}"
    problems = denied(run.documents(role), reads)
    assert not problems, report(problems, f"reads {role} may not make")


def changes_something(call: Call) -> bool:
    """A request of a create, update, delete or state write that is not a read."""
    reads = TABLE["reads"]["actions"]
    return call.operation in (*CHANGES, "write") and not any(
        action_matches(pattern, call.request.action) for pattern in reads
    )


def test_plan_role_may_change_nothing(run: Run) -> None:
    calls = [*baseline_calls(run), *project_calls(run), *upload_calls(run)]
    changes = [c for c in calls if changes_something(c)]
    role = f"ci-terraform-plan-{run.environment}"
    problems = allowed(run.documents(role), changes)
    assert not problems, report(problems, f"changes {role} may make")


def _without_tag_resource(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    broken = copy.deepcopy(documents)
    for document in broken:
        for statement in document["Statement"]:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            statement["Action"] = [a for a in actions if a.lower() != "kms:tagresource"] or [
                "kms:DescribeKey"
            ]
    return broken


def _tag_resource_on_tagged_keys_only(
    documents: list[dict[str, Any]], env: str
) -> list[dict[str, Any]]:
    broken = copy.deepcopy(documents)
    for document in broken:
        for statement in document["Statement"]:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            if any(a.lower() == "kms:tagresource" for a in actions):
                statement.setdefault("Condition", {}).setdefault("StringEquals", {})[
                    "aws:ResourceTag/Environment"
                ] = env
    return broken


@pytest.mark.parametrize(
    "break_policy", ["remove kms:TagResource", "kms:TagResource on tagged keys only"]
)
def test_a_broken_baseline_policy_is_reported(run: Run, break_policy: str) -> None:
    documents = run.documents(f"ci-terraform-baseline-{run.environment}")
    if break_policy == "remove kms:TagResource":
        documents = _without_tag_resource(documents)
    else:
        documents = _tag_resource_on_tagged_keys_only(documents, run.environment)
    problems = denied(documents, baseline_calls(run))
    tag_key = [p for p in problems if "aws_kms_key" in p and "create needs kms:TagResource" in p]
    assert tag_key, report(problems, "requests reported")
    assert f"on arn:aws:kms:{run.region}:{run.account}:key/*" in tag_key[0]
    assert '"aws:RequestTag/Environment"' in tag_key[0]
