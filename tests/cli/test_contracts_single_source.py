"""A table's columns are written in its contract only, and a breaking contract change fails
the CI gate (`dp contract diff`) unless the contract's major version was raised."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from dp_cli.contracts.compile import compile_all
from dp_cli.contracts.diff import diff_against, diff_compiled, widens
from dp_cli.main import main

ROOT = Path(__file__).resolve().parents[2]
ORDERS = "infrastructure/projects/project01/contracts/refined/orders.odcs.yaml"


def _all_columns() -> dict[str, set[str]]:
    """Every contract's column names, by contract."""
    return {
        r.source.key: {c["name"] for c in r.data["columns"]}
        for r in compile_all(ROOT)
        if r.data is not None and len(r.data["columns"]) >= 2
    }


def _spelled_lists(text: str, columns: set[str]) -> list[str]:
    """Places in ``text`` naming two or more of ``columns`` with a type or in a list: a column
    list (DDL "name type, name type", a dict of name: type, or a list of names)."""
    typed = r"\b({0})\b\s*[\"']?\s*[:=]?\s*[\"']?\s*(bigint|int|string|date|timestamp|decimal)"
    names = "|".join(sorted(map(re.escape, columns)))
    hits = re.findall(typed.format(names), text)
    listed = re.findall(rf"[\"']({names})[\"']\s*,\s*[\"']({names})[\"']", text)
    return [h[0] for h in hits] + [a for a, _ in listed]


def test_no_table_has_its_columns_spelled_outside_its_contract() -> None:
    """Job scripts and Terraform name no table's column list (a transformation may name the
    columns it computes; no file declares a table's columns with types, or lists them)."""
    files = [
        *sorted((ROOT / "src" / "jobs").rglob("*.py")),
        *sorted((ROOT / "infrastructure").rglob("*.tf")),
    ]
    found = []
    for contract, columns in _all_columns().items():
        for path in files:
            hits = _spelled_lists(path.read_text(encoding="utf-8"), columns)
            if len(set(hits)) >= 2:
                found.append(f"{path.relative_to(ROOT)} spells columns of {contract}: {hits}")
    assert found == []


def test_the_column_grep_sees_a_spelled_list() -> None:
    columns = _all_columns()["project01/refined/orders"]
    assert _spelled_lists('cols = "o_orderkey bigint, o_custkey bigint"', columns)
    assert _spelled_lists('{"o_orderkey": "bigint", "o_clerk": "string"}', columns)
    assert _spelled_lists('["o_orderkey", "o_custkey"]', columns)
    assert not _spelled_lists('F.col("o_orderdate") >= start', columns)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding this repository's contracts and project.json files."""
    root = tmp_path / "repo"
    for path in ROOT.glob("infrastructure/projects/*/project.json"):
        target = root / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    for path in ROOT.glob("infrastructure/projects/*/contracts/*/*.odcs.yaml"):
        target = root / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    (root / "setup").mkdir()
    shutil.copy(ROOT / "setup" / "domain.json", root / "setup" / "domain.json")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    return root


def _edit(root: Path, edit) -> None:  # type: ignore[no-untyped-def]
    path = root / ORDERS
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _column(doc: dict, name: str) -> dict:
    return next(p for p in doc["schema"][0]["properties"] if p["name"] == name)


def _drop_clerk(doc: dict) -> None:
    doc["schema"][0]["properties"].remove(_column(doc, "o_clerk"))


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (_drop_clerk, "column o_clerk removed"),
        (
            lambda d: _column(d, "o_clerk").update(name="o_clerk_name"),
            "o_clerk renamed to o_clerk_name",
        ),
        (
            lambda d: _column(d, "o_custkey").update(physicalType="int"),
            "o_custkey type bigint -> int",
        ),
        (lambda d: _column(d, "o_clerk").update(required=True), "o_clerk nullable -> required"),
        (
            lambda d: _column(d, "o_custkey").update(
                primaryKey=True, primaryKeyPosition=2, required=True
            ),
            "primary key ['o_orderkey'] -> ['o_orderkey', 'o_custkey']",
        ),
        (
            lambda d: _column(d, "o_totalprice")["logicalTypeOptions"].update(maximum=500000),
            "rule max_value(o_totalprice) tightened",
        ),
        (
            lambda d: _column(d, "o_orderstatus")["quality"][0].update(validValues=["F", "O"]),
            "values no longer allowed: ['P']",
        ),
        (
            lambda d: _column(d, "o_comment").update(classification="public"),
            "o_comment classification lowered internal -> public",
        ),
    ],
)
def test_a_breaking_change_fails_the_gate(repo: Path, edit, says: str) -> None:  # type: ignore[no-untyped-def]
    _edit(repo, edit)
    (diff,) = [d for d in diff_against(repo, "HEAD") if d.changes]
    assert any(says in c.what and c.breaking for c in diff.changes), diff.changes
    assert diff.blocked
    # ... unless the major version was raised.
    _edit(repo, lambda d: d.update(version="2.0.0"))
    (diff,) = [d for d in diff_against(repo, "HEAD") if d.changes]
    assert diff.breaking and not diff.blocked


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (
            lambda d: d["schema"][0]["properties"].append(
                {**_column(d, "o_comment"), "name": "o_note"}
            ),
            "column o_note added",
        ),
        (lambda d: _column(d, "o_shippriority").update(physicalType="bigint"), "(widened)"),
        (lambda d: _column(d, "o_totalprice").pop("logicalTypeOptions"), "removed"),
        (lambda d: _column(d, "o_clerk").update(description="Who took it"), "description changed"),
    ],
)
def test_a_compatible_change_passes_the_gate(repo: Path, edit, says: str) -> None:  # type: ignore[no-untyped-def]
    _edit(repo, edit)
    (diff,) = [d for d in diff_against(repo, "HEAD") if d.changes]
    assert any(says in c.what for c in diff.changes), diff.changes
    assert not diff.breaking and not diff.blocked


def test_dp_contract_diff_exits_non_zero_on_a_breaking_change(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    assert main(["contract", "diff", "--base", "HEAD"]) == 0
    _edit(repo, _drop_clerk)
    assert main(["contract", "diff", "--base", "HEAD"]) == 1
    out = capsys.readouterr().out
    assert "project01/refined/orders 1.0.0 -> 1.0.0: BLOCKED" in out
    assert "breaking   column o_clerk removed" in out
    (repo / ORDERS).unlink()
    assert main(["contract", "diff", "--base", "HEAD"]) == 1
    assert "contract removed" in capsys.readouterr().out


def test_type_widening() -> None:
    assert widens("int", "bigint") and not widens("bigint", "int")
    assert widens("decimal(15,2)", "decimal(18,2)") and not widens("decimal(18,4)", "decimal(18,2)")
    assert widens("int", "decimal(12,2)") and not widens("bigint", "decimal(12,2)")
    assert not widens("string", "int")


def test_identical_contracts_have_no_change() -> None:
    (result,) = [r for r in compile_all(ROOT, "test02") if r.source.table == "customer_dim"]
    assert diff_compiled("x", result.data, result.data).changes == []
