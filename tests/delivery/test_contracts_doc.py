"""docs/contracts.md: its example contract lints and compiles, as it would in a project."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from dp_cli.contracts.compile import Compiled, compile_source
from dp_cli.contracts.dqdl import dqdl_document
from dp_cli.contracts.source import source_for

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "contracts.md"
AS = "infrastructure/projects/project01/contracts/curated/daily_revenue.odcs.yaml"


def example() -> str:
    (block,) = [
        b for b in re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S) if "apiVersion" in b
    ]
    return block


def compiled_example(tmp_path: Path) -> Compiled:
    """The documented contract compiled in a scratch repository beside project01's project.json."""
    root = tmp_path / "repo"
    project = root / "infrastructure" / "projects" / "project01"
    project.mkdir(parents=True)
    shutil.copy(REPO / "infrastructure/projects/project01/project.json", project / "project.json")
    (root / AS).parent.mkdir(parents=True)
    (root / AS).write_text(example(), encoding="utf-8")
    return compile_source(source_for(root, AS), root=root)


def test_the_documented_contract_lints_and_compiles(tmp_path: Path) -> None:
    result = compiled_example(tmp_path)

    assert result.problems == []
    data = result.data
    assert data is not None
    assert data["partitioning"] == ["months(o_orderdate)"]
    assert data["sort_order"] == ["o_orderdate DESC"]
    kinds = [r["rule"]["kind"] for r in data["rules"]]
    assert kinds == [
        "not_null",
        "not_null",
        "min_value",
        "completeness",
        "unique",
        "row_count_min",
        "aggregate",
    ]
    assert data["dqdl"]["rules"] == [
        'IsComplete "o_orderdate"',
        'IsComplete "revenue"',
        'ColumnValues "revenue" >= 0',
        'Completeness "order_count" > 0.99',
        'IsUnique "o_orderdate"',
        "RowCount > 0",
        'CustomSql "SELECT COUNT(*) FROM primary WHERE revenue > 1000000000" = 0',
        'DataFreshness "o_orderdate" <= 24 hours',
    ]
    assert [n["origin"] for n in data["dqdl"]["not_expressible"]] == ["slaProperties[1]"]
    assert yaml.safe_load(example())["name"] == "daily_revenue"


def test_the_documented_ruleset_file_is_what_the_example_exports(tmp_path: Path) -> None:
    (documented,) = re.findall(r"```dqdl\n(.*?)```", DOC.read_text(), re.S)
    assert documented == dqdl_document(compiled_example(tmp_path))


def test_the_documented_lint_line_is_what_lint_says(tmp_path: Path) -> None:
    text = DOC.read_text()
    line = next(
        x
        for x in text.splitlines()
        if x.startswith("infrastructure/projects/project01/contracts/refined/orders")
    )
    root = tmp_path / "repo"
    rel = "infrastructure/projects/project01/contracts/refined/orders.odcs.yaml"
    (root / rel).parent.mkdir(parents=True)
    shutil.copy(
        REPO / "infrastructure/projects/project01/project.json",
        root / "infrastructure/projects/project01/project.json",
    )
    doc = yaml.safe_load((REPO / rel).read_text())
    next(p for p in doc["schema"][0]["properties"] if p["name"] == "o_clerk").pop("classification")
    (root / rel).write_text(yaml.safe_dump(doc, sort_keys=False))
    assert line in compile_source(source_for(root, rel), root=root).problems
