"""Glue Data Quality rulesets of the project stacks, evaluated with a stubbed baseline: one per
committed ``contracts/<layer>/<table>.dqdl``, holding that file, on the table it checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from . import tfchecks
from .tfchecks import DOMAIN, INFRA, STUB_ACCOUNT_ID, STUB_WHEEL_VERSION, address, blocks

ABBR = DOMAIN["domain_abbr"]
PROJECTS = sorted(p.parent.name for p in INFRA.glob("projects/*/project.json"))


def rulesets(parsed: dict) -> dict[str, dict]:
    """The stack's rulesets, keyed <layer>/<table> by the table module that creates each."""
    prefix = 'module.iceberg_tables["'
    found = {}
    for b in blocks(parsed, "aws_glue_data_quality_ruleset"):
        assert address(b).startswith(prefix), address(b)
        table = address(b)[len(prefix) :].split('"]', 1)[0]
        found[f"{b['target_table']['database_name'].split('_')[1]}/{table}"] = b
    return found


@pytest.mark.parametrize("project", PROJECTS)
def test_one_ruleset_per_committed_dqdl_file(
    project: str, project_stack: Callable[..., dict]
) -> None:
    folder = INFRA / "projects" / project / "contracts"
    name = json.loads((folder.parent / "project.json").read_text())["name"]
    files = {p.relative_to(folder).with_suffix("").as_posix(): p for p in folder.glob("*/*.dqdl")}
    found = rulesets(project_stack(project))
    assert files, f"{project}: no contract exports DQDL rules"
    assert sorted(found) == sorted(files)
    for key, ruleset in found.items():
        layer, table = key.split("/")
        assert ruleset["ruleset"] == files[key].read_text(encoding="utf-8")
        assert ruleset["target_table"]["database_name"] == f"{ABBR}_{layer}_dev"
        assert ruleset["target_table"]["table_name"] == table
        assert ruleset["name"] == f"{ABBR}-{name}-{layer}-{table}-{STUB_ACCOUNT_ID}-dev"
        assert ruleset["tags"] == {"DataContract": f"{name}.{layer}.{table}"}


def test_a_table_without_a_dqdl_file_gets_no_ruleset(tmp_path: Path) -> None:
    infra = tfchecks.stub_tree(tmp_path)
    (infra / "projects" / "test02" / "contracts" / "refined" / "customer_dim.dqdl").unlink()
    parsed = tfchecks.evaluate(
        infra / "projects" / "test02",
        {"environment": "dev", "wheel_version": STUB_WHEEL_VERSION},
        tmp_path,
    )
    assert sorted(rulesets(parsed)) == ["refined/customer_quarantine"]


def test_a_ruleset_file_for_a_raw_table_stops_the_plan(tmp_path: Path) -> None:
    infra = tfchecks.stub_tree(tmp_path)
    contracts = infra / "projects" / "project01" / "contracts"
    (contracts / "raw" / "orders.dqdl").write_text(
        (contracts / "refined" / "orders.dqdl").read_text(encoding="utf-8"), encoding="utf-8"
    )
    parsed = tfchecks.evaluate(
        infra / "projects" / "project01",
        {"environment": "dev", "wheel_version": STUB_WHEEL_VERSION},
        tmp_path,
    )
    failed = tfchecks.failed_preconditions(parsed)
    assert any("raw/orders.dqdl" in message for message in failed), failed
    assert "raw/orders" not in rulesets(parsed)
