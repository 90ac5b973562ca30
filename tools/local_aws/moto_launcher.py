"""Start moto's server with the few patches a Terraform deploy of this template needs.

Runs inside moto's own virtual environment (``.venv-moto``, made by ``setup/install.sh``):

    .venv-moto/bin/python tools/local_aws/moto_launcher.py -H 127.0.0.1 -p PORT

Each patch works around an emulator gap, never around the Terraform; each says why. Once the
emulator handles a case itself, delete its patch: ``make deploy-local`` shows whether it still
passes.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _patch_s3_logging_target_policy() -> None:
    """PutBucketLogging: accept target-bucket policies with a ``"Principal": "*"`` statement.

    moto 5.2 reads ``stmt["Principal"]["Service"]`` of every statement of the log bucket's
    policy and crashes on ``"Principal": "*"``, which the TLS-only deny statement of every
    bucket of the template has (real S3 accepts it).
    """
    from moto.s3 import models

    def log_permissions_enabled_policy(target_bucket: Any, target_prefix: str | None) -> bool:
        if not target_bucket.policy:
            return False
        arn = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
        accepted = {arn, f"{arn}/*", f"{arn}/{target_prefix or ''}*"}
        for stmt in json.loads(target_bucket.policy.decode())["Statement"]:
            principal = stmt.get("Principal")
            service = principal.get("Service") if isinstance(principal, dict) else None
            services = service if isinstance(service, list) else [service]
            actions = stmt.get("Action", [])
            actions = actions if isinstance(actions, list) else [actions]
            resources = stmt.get("Resource", [])
            resources = resources if isinstance(resources, list) else [resources]
            if (
                models.LOGGING_SERVICE_PRINCIPAL in services
                and stmt.get("Effect") == "Allow"
                and "s3:PutObject" in actions
                and accepted.intersection(resources)
            ):
                return True
        return False

    models.FakeBucket._log_permissions_enabled_policy = staticmethod(  # type: ignore[attr-defined]
        log_permissions_enabled_policy
    )


def _patch_sfn_validate_definition() -> None:
    """ValidateStateMachineDefinition, ListStateMachineVersions: answered (moto 5.2 lacks them).

    The AWS provider calls it while planning ``aws_sfn_state_machine``; unanswered, the plan
    waits until it times out. The answer checks what moto can: the definition is JSON with
    ``StartAt`` naming one of its ``States`` (the test suite validates the full grammar with
    asl-validator).
    """
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def validate_state_machine_definition(self: Any) -> ActionResult:
        diagnostics = []
        try:
            definition = json.loads(self._get_param("definition"))
            if definition.get("StartAt") not in definition.get("States", {}):
                diagnostics.append("StartAt does not name a state")
        except (TypeError, ValueError) as error:
            diagnostics.append(f"not JSON: {error}")
        return ActionResult(
            {
                "result": "FAIL" if diagnostics else "OK",
                "diagnostics": [
                    {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": m}
                    for m in diagnostics
                ],
                "truncated": False,
            }
        )

    def list_state_machine_versions(self: Any) -> ActionResult:
        # The provider lists versions after creating a state machine; the template publishes
        # none (moto 5.2 has no versions), so the answer is the empty list AWS gives then.
        return ActionResult({"stateMachineVersions": []})

    StepFunctionResponse.validate_state_machine_definition = (  # type: ignore[attr-defined]
        validate_state_machine_definition
    )
    StepFunctionResponse.list_state_machine_versions = (  # type: ignore[attr-defined]
        list_state_machine_versions
    )


def _patch_s3_action_names() -> None:
    """S3 requests are authorised under the IAM action names AWS uses.

    moto 5.2 authorises HeadBucket as ``s3:HeadBucket`` (no such IAM action: AWS checks
    ``s3:ListBucket``) and files the encryption, ownership-controls, object-lock,
    request-payment and replication sub-resources under the default action of the method
    (``ListBucket`` / ``CreateBucket``). Names from the Service Authorization Reference for S3.
    """
    from moto.s3.responses import ACTION_MAP

    bucket = ACTION_MAP["BUCKET"]
    bucket["HEAD"]["DEFAULT"] = "ListBucket"
    bucket["GET"].update(
        {
            "encryption": "GetEncryptionConfiguration",
            "ownershipControls": "GetBucketOwnershipControls",
            "object-lock": "GetBucketObjectLockConfiguration",
            "requestPayment": "GetBucketRequestPayment",
            "replication": "GetReplicationConfiguration",
            "publicAccessBlock": "GetBucketPublicAccessBlock",
            "public_access_block": "GetBucketPublicAccessBlock",
        }
    )
    bucket["PUT"].update(
        {
            "encryption": "PutEncryptionConfiguration",
            "ownershipControls": "PutBucketOwnershipControls",
            "publicAccessBlock": "PutBucketPublicAccessBlock",
            "public_access_block": "PutBucketPublicAccessBlock",
        }
    )
    bucket["DELETE"].update(
        {
            "encryption": "PutEncryptionConfiguration",
            "ownershipControls": "PutBucketOwnershipControls",
            "publicAccessBlock": "PutBucketPublicAccessBlock",
            "public_access_block": "PutBucketPublicAccessBlock",
        }
    )


def _patch_sfn_sync_tasks() -> None:
    """``.sync`` tasks of services without task tokens (``glue:startJobRun.sync``) complete.

    moto 5.2 ends every such task with ``States.Runtime: 'NoneType' object has no attribute
    'interrupt_all'``: its clean-up calls the task-token endpoint that only
    ``.waitForTaskToken`` integrations have. The patch guards that one call in moto's own code.
    """
    import inspect
    import textwrap

    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_callback as module,
    )

    cls = module.StateTaskServiceCallback
    source = textwrap.dedent(inspect.getsource(cls._eval_integration_pattern))
    call = "        callback_endpoint.interrupt_all()"  # in the finally block of the method
    if source.count(call) != 1:
        raise RuntimeError("moto changed: drop _patch_sfn_sync_tasks if .sync tasks work")
    source = source.replace(call, "        if callback_endpoint is not None:\n    " + call)
    namespace: dict[str, Any] = {}
    exec(compile(source, module.__file__, "exec"), module.__dict__, namespace)  # noqa: S102
    cls._eval_integration_pattern = namespace["_eval_integration_pattern"]


def _patch_sfn_output_dates() -> None:
    """DescribeExecution of an execution whose output holds dates answers instead of a 500.

    moto 5.2 keeps the ``GetJobRun`` result of a ``glue:startJobRun.sync`` task (dates
    included) in the execution's output and then fails to serialise it. AWS sends such dates
    as epoch milliseconds; so does this.
    """
    import datetime
    import types

    from moto.stepfunctions import responses

    def epoch_millis(value: object) -> object:
        if isinstance(value, datetime.datetime):
            return int(value.timestamp() * 1000)
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")

    responses.json = types.SimpleNamespace(  # type: ignore[attr-defined]
        loads=json.loads,
        dumps=lambda obj, **kwargs: json.dumps(obj, default=epoch_millis, **kwargs),
    )


def _patch_events_sns_targets() -> None:
    """EventBridge rules deliver to SNS topic targets (moto 5.2 raises for them).

    The domain's alert rules (Step Functions and Glue failures) target the alerts topic; the
    matched event goes to the topic as its JSON, as EventBridge sends it. Scheduled rules (the
    pipelines' schedules, targeting state machines) never receive events: moto 5.2 matched
    every event against their empty pattern.
    """
    from moto.events import models
    from moto.events.utils import EventTemplateParser
    from moto.sns.models import sns_backends
    from moto.utilities.arns import parse_arn

    original = models.Rule.send_to_targets

    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        if self.scheduled_expression:
            return
        topics = [t for t in self.targets if parse_arn(t["Arn"]).service == "sns"]
        others = [t for t in self.targets if t not in topics]
        if topics and self.event_pattern.matches_event(original_event):
            for target in topics:
                transformer = target.get("InputTransformer", {})
                event = EventTemplateParser.parse(
                    input_template=transformer.get("InputTemplate"),
                    input_paths_map=transformer.get("InputPathsMap", {}),
                    event=original_event,
                )
                arn = parse_arn(target["Arn"])
                backend = sns_backends[arn.account][arn.region]
                message = event if isinstance(event, str) else json.dumps(event)
                backend.get_topic(target["Arn"]).publish(message)
        self.targets, kept = others, self.targets
        try:
            original(self, original_event, transform_input)
        finally:
            self.targets = kept

    models.Rule.send_to_targets = send_to_targets  # type: ignore[method-assign]


def _patch_glue_table_optimizers() -> None:
    """Glue table optimizers (Create/Get/Update/Delete) and DeleteConnection: moto 5.2 lacks them.

    Every Iceberg table of the template gets compaction, snapshot-retention and orphan-file
    optimizers; unanswered, the provider retries the 500 until its timeout. Kept in memory per
    table and type, checked against the table's existence like the real API.
    """
    from moto.core.responses import ActionResult, EmptyResult
    from moto.glue.responses import GlueResponse

    def store(self: Any) -> dict[tuple[str, str, str], dict[str, Any]]:
        backend = self.glue_backend
        if not hasattr(backend, "_table_optimizers"):
            backend._table_optimizers = {}
        return backend._table_optimizers  # type: ignore[no-any-return]

    def key(self: Any) -> tuple[str, str, str]:
        database, table = self._get_param("DatabaseName"), self._get_param("TableName")
        self.glue_backend.get_table(database, table)  # EntityNotFoundException if missing
        return database, table, self._get_param("Type")

    def create(self: Any) -> ActionResult:
        store(self)[key(self)] = {
            "type": self._get_param("Type"),
            "configuration": self._get_param("TableOptimizerConfiguration"),
        }
        return EmptyResult()

    def get(self: Any) -> ActionResult:
        found = store(self).get(key(self))
        if found is None:
            from moto.glue.exceptions import EntityNotFoundException

            raise EntityNotFoundException("Table optimizer not found")
        return ActionResult(
            {
                "CatalogId": self._get_param("CatalogId") or self.current_account,
                "DatabaseName": self._get_param("DatabaseName"),
                "TableName": self._get_param("TableName"),
                "TableOptimizer": found,
            }
        )

    def update(self: Any) -> ActionResult:
        store(self)[key(self)]["configuration"] = self._get_param("TableOptimizerConfiguration")
        return EmptyResult()

    def delete(self: Any) -> ActionResult:
        store(self).pop(key(self), None)
        return EmptyResult()

    def delete_connection(self: Any) -> ActionResult:
        # Also missing in moto 5.2; the baseline's Glue network connection is deleted on destroy.
        name = self._get_param("ConnectionName")
        if self.glue_backend.connections.pop(name, None) is None:
            from moto.glue.exceptions import EntityNotFoundException

            raise EntityNotFoundException(f"Connection {name} not found")
        return EmptyResult()

    GlueResponse.delete_connection = delete_connection  # type: ignore[attr-defined]
    GlueResponse.create_table_optimizer = create  # type: ignore[attr-defined]
    GlueResponse.get_table_optimizer = get  # type: ignore[attr-defined]
    GlueResponse.update_table_optimizer = update  # type: ignore[attr-defined]
    GlueResponse.delete_table_optimizer = delete  # type: ignore[attr-defined]


def _patch_glue_data_quality_rulesets() -> None:
    """Glue Data Quality rulesets (Create/Get/Update/Delete/List): moto 5.2 lacks them.

    Every table whose contract exports DQDL rules gets an ``aws_glue_data_quality_ruleset``;
    unanswered, the provider retries the 500 until its timeout. Kept in memory by name; the
    target table must exist, as on AWS; tags go to the backend's tagger under the ruleset's
    ARN, where moto's own GetTags/TagResource/UntagResource find them. The DQDL is stored as
    sent, unparsed (tests/cli/test_contracts_dqdl.py checks it against DQDL's grammar).
    """
    import datetime

    from moto.core.responses import ActionResult, EmptyResult
    from moto.glue.exceptions import AlreadyExistsException, EntityNotFoundException
    from moto.glue.responses import GlueResponse

    def store(self: Any) -> dict[str, dict[str, Any]]:
        backend = self.glue_backend
        if not hasattr(backend, "_data_quality_rulesets"):
            backend._data_quality_rulesets = {}
        return backend._data_quality_rulesets  # type: ignore[no-any-return]

    def arn(self: Any, name: str) -> str:
        return f"arn:aws:glue:{self.region}:{self.current_account}:dataQualityRuleset/{name}"

    def found(self: Any) -> dict[str, Any]:
        name = self._get_param("Name")
        if name not in store(self):
            raise EntityNotFoundException(f"Data quality ruleset {name} not found")
        return store(self)[name]

    def create(self: Any) -> ActionResult:
        name = self._get_param("Name")
        if name in store(self):
            raise AlreadyExistsException(f"Data quality ruleset {name}")
        target = self._get_param("TargetTable")
        if target:  # EntityNotFoundException if the table is missing
            self.glue_backend.get_table(target["DatabaseName"], target["TableName"])
        now = datetime.datetime.now(datetime.UTC)
        store(self)[name] = {
            "Name": name,
            "Description": self._get_param("Description") or "",
            "Ruleset": self._get_param("Ruleset"),
            "CreatedOn": now,
            "LastModifiedOn": now,
            **({"TargetTable": target} if target else {}),
        }
        self.glue_backend.tag_resource(arn(self, name), self._get_param("Tags") or {})
        return ActionResult({"Name": name})

    def get(self: Any) -> ActionResult:
        return ActionResult(found(self))

    def update(self: Any) -> ActionResult:
        ruleset = found(self)
        for key in ("Description", "Ruleset"):
            if self._get_param(key) is not None:
                ruleset[key] = self._get_param(key)
        ruleset["LastModifiedOn"] = datetime.datetime.now(datetime.UTC)
        return ActionResult({k: ruleset[k] for k in ("Name", "Description", "Ruleset")})

    def delete(self: Any) -> ActionResult:
        name = found(self)["Name"]
        del store(self)[name]
        self.glue_backend.tagger.delete_all_tags_for_resource(arn(self, name))
        return EmptyResult()

    def list_(self: Any) -> ActionResult:
        rulesets = [
            {k: r[k] for k in ("Name", "Description", "CreatedOn", "LastModifiedOn", "TargetTable")
             if k in r}
            for r in store(self).values()
        ]  # fmt: skip
        return ActionResult({"Rulesets": rulesets})

    GlueResponse.create_data_quality_ruleset = create  # type: ignore[attr-defined]
    GlueResponse.get_data_quality_ruleset = get  # type: ignore[attr-defined]
    GlueResponse.update_data_quality_ruleset = update  # type: ignore[attr-defined]
    GlueResponse.delete_data_quality_ruleset = delete  # type: ignore[attr-defined]
    GlueResponse.list_data_quality_rulesets = list_  # type: ignore[attr-defined]


def _log_denied_calls() -> None:
    """Say on stderr which call IAM enforcement refused, and for whom (moto answers only 403)."""
    from moto.iam import access_control as ac

    for cls in (ac.IAMRequest, ac.S3IAMRequest):
        original = cls._raise_access_denied

        def raise_access_denied(self: Any, _original: Any = original) -> None:
            print(
                f"ACCESS DENIED: {self._action} for {self._access_key.arn}",
                file=sys.stderr,
                flush=True,
            )
            _original(self)

        cls._raise_access_denied = raise_access_denied  # type: ignore[method-assign]


def _patch_iam_unknowns() -> None:
    """Identity policies: evaluate actions; leave what moto cannot see to the static check.

    With IAM enforcement on, moto checks every call against the caller's identity policies, but
    outside S3 it passes the resource as ``"*"`` and it has no request context for conditions,
    so it would refuse every statement scoped to an ARN or carrying a condition (it turns a
    failed condition into an explicit deny). Here an unknown resource or condition value counts
    as matching for an Allow and as not matching for a Deny: the emulator still refuses any
    action a role's policy does not grant, and tests/deploy/test_deploy_role_policies.py
    checks resources and conditions against the policies themselves.
    """
    from moto.iam import access_control as ac

    original = ac.IAMPolicyStatement.is_action_permitted

    def is_action_permitted(
        self: Any,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> Any:
        stmt = self._statement
        unknown_resource = resource == "*" and "Resource" in stmt and stmt["Resource"] != "*"
        unknown_condition = "Condition" in stmt and incoming_condition_values is None
        if not (unknown_resource or unknown_condition):
            return original(self, action, resource, principal, incoming_condition_values)
        if stmt.get("Effect") == "Deny":
            return ac.PermissionResult.NEUTRAL
        known = {k: v for k, v in stmt.items() if k not in ("Condition", "Resource")}
        known["Resource"] = "*"
        return original(
            ac.IAMPolicyStatement(known), action, "*", principal, incoming_condition_values
        )

    ac.IAMPolicyStatement.is_action_permitted = is_action_permitted  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    """Apply the patches, then run moto's own server entry point with ``argv``."""
    _patch_s3_logging_target_policy()
    _patch_sfn_validate_definition()
    _patch_s3_action_names()
    _patch_sfn_sync_tasks()
    _patch_sfn_output_dates()
    _patch_events_sns_targets()
    _patch_glue_table_optimizers()
    _patch_glue_data_quality_rulesets()
    _patch_iam_unknowns()
    _log_denied_calls()
    from moto.server import main as moto_main

    moto_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
