"""dp contract: the contracts of the repository lint and compile; broken copies are reported in
one line naming file, table and field; the compiled file is what the library loads; the ODCS
schema shipped is the recorded one."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from dp_cli.contracts.compile import (
    ODCS_SCHEMA,
    ODCS_SCHEMA_SHA256,
    compile_all,
    compile_source,
    write_compiled,
)
from dp_cli.contracts.source import find_sources, source_for
from dp_cli.main import main
from dp_foundation.contracts import load_contract
from dp_foundation.exceptions import ContractError

ROOT = Path(__file__).resolve().parents[2]
ORDERS = "infrastructure/projects/project01/contracts/refined/orders.odcs.yaml"


def test_every_contract_of_the_repository_lints_and_compiles() -> None:
    results = compile_all(ROOT)
    assert {r.source.project for r in results} >= {"project01", "test02", "_template"}
    assert [p for r in results for p in r.problems] == []


def test_the_odcs_schema_is_the_recorded_release() -> None:
    assert hashlib.sha256(ODCS_SCHEMA.read_bytes()).hexdigest() == ODCS_SCHEMA_SHA256
    schema = json.loads(ODCS_SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"] == "Open Data Contract Standard (ODCS)"
    assert "v3.0.2" in schema["properties"]["apiVersion"]["enum"]


def _broken(tmp_path: Path, edit) -> list[str]:  # type: ignore[no-untyped-def]
    """Problems of a copy of project01's orders contract after ``edit(doc)``."""
    root = tmp_path / "repo"
    (root / "infrastructure" / "projects" / "project01").mkdir(parents=True)
    shutil.copy(
        ROOT / "infrastructure/projects/project01/project.json",
        root / "infrastructure/projects/project01/project.json",
    )
    target = root / ORDERS
    target.parent.mkdir(parents=True)
    doc = yaml.safe_load((ROOT / ORDERS).read_text(encoding="utf-8"))
    edit(doc)
    target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return compile_source(source_for(root, ORDERS), root=root).problems


def _column(doc: dict, name: str) -> dict:
    return next(p for p in doc["schema"][0]["properties"] if p["name"] == name)


@pytest.mark.parametrize(
    ("edit", "field", "says"),
    [
        (lambda d: d.pop("status"), "(document)", "'status' is a required property"),
        (lambda d: d.update(apiVersion="v9"), "apiVersion", "is not one of"),
        (
            lambda d: _column(d, "o_clerk").update(physicalType="varchar2"),
            "o_clerk.physicalType",
            "Spark/Hive type",
        ),
        (
            lambda d: _column(d, "o_clerk").update(logicalType="integer"),
            "o_clerk.logicalType",
            "does not fit",
        ),
        (
            lambda d: _column(d, "o_clerk").pop("classification"),
            "o_clerk.classification",
            "must be one of",
        ),
        (
            lambda d: _column(d, "o_orderkey").pop("required"),
            "o_orderkey.required",
            "primary-key column",
        ),
        (lambda d: d.update(team=[{"username": "x"}]), "team", "come from project.json"),
        (lambda d: d.update(dataProduct="other"), "dataProduct", "project01"),
        (
            lambda d: _column(d, "o_clerk")["customProperties"].__setitem__(
                0, {"property": "pii", "value": True}
            ),
            "o_clerk.classification",
            "confidential or restricted",
        ),
        (
            lambda d: _column(d, "o_orderstatus")["quality"][0].update(rule="allowedValues"),
            "o_orderstatus.quality[0].rule",
            "unknown library rule",
        ),
        (
            lambda d: d["schema"][0]["customProperties"][0].update(value=["nope"]),
            "schema[0].customProperties.sortOrder",
            "'nope'",
        ),
        (
            lambda d: d["schema"][0]["quality"].append(
                {"type": "sql", "query": "DELETE FROM x", "mustBe": 0}
            ),
            "quality[1].query",
            "SELECT <aggregate>",
        ),
    ],
)
def test_a_broken_contract_is_reported_in_one_line(
    tmp_path: Path,
    edit,
    field: str,
    says: str,  # type: ignore[no-untyped-def]
) -> None:
    problems = _broken(tmp_path, edit)
    prefix = f"{ORDERS}: orders: {field}: "
    matching = [p for p in problems if p.startswith(prefix) and says in p]
    assert matching, problems
    assert all("\n" not in p for p in problems)


def test_pii_in_a_product_without_pii_is_refused(tmp_path: Path) -> None:
    def edit(doc: dict) -> None:
        column = _column(doc, "o_clerk")
        column["classification"] = "confidential"
        column["customProperties"][0]["value"] = True

    problems = _broken(tmp_path, edit)
    assert any("o_clerk.customProperties.pii: is personal data" in p for p in problems), problems
    assert any("above the product's data_classification 'internal'" in p for p in problems)


def test_compiled_contract_is_what_the_library_loads(tmp_path: Path) -> None:
    write_compiled(compile_all(ROOT, "project01"), tmp_path)
    orders = load_contract("project01", "orders", layer="refined", directory=tmp_path)
    assert orders.primary_key == ["o_orderkey"]
    assert orders.partition_by == ("years(o_orderdate)",)
    assert orders.sort_by == ("o_orderkey",)
    assert orders.schema["o_totalprice"] == "decimal(15,2)"
    kinds = [r["kind"] for r in orders.rules]
    assert kinds.count("not_null") == 2 and "row_count_min" in kinds
    assert {"kind": "value_in_set", "column": "o_orderstatus", "allowed": ["F", "O", "P"]} in [
        dict(r) for r in orders.rules
    ]
    # Owner and support are project.json's, not written in the contract.
    data = json.loads((tmp_path / "project01/contracts/refined.orders.contract.json").read_text())
    config = json.loads((ROOT / "infrastructure/projects/project01/project.json").read_text())
    assert data["owner"] == config["data_owner"]
    assert data["odcs"]["support"][0]["url"] == f"mailto:{config['team_email']}"
    with pytest.raises(ContractError, match="layers"):
        load_contract("project01", "orders", directory=tmp_path)
    with pytest.raises(ContractError, match=r"no compiled contract of project01\.nope"):
        load_contract("project01", "nope", directory=tmp_path)


def test_the_runtime_search_path_finds_glue_extra_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Glue, --extra-files land in the working folder, flat."""
    write_compiled(compile_all(ROOT, "test02"), tmp_path / "build")
    glue_cwd = tmp_path / "glue"
    shutil.copytree(tmp_path / "build" / "test02" / "contracts", glue_cwd)
    monkeypatch.chdir(glue_cwd)
    monkeypatch.delenv("DP_CONTRACTS_DIR", raising=False)
    assert load_contract("test02", "customer_dim").primary_key == ["c_custkey"]
    shutil.copy(
        glue_cwd / "refined.customer_dim.contract.json", glue_cwd / "refined.region.contract.json"
    )
    with pytest.raises(ContractError, match="not of project01"):
        load_contract("project01", "region")


def test_cli_list_lint_compile_dqdl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contract", "lint"]) == 0
    assert "0 problem(s)" in capsys.readouterr().out
    assert main(["contract", "list", "test02"]) == 0
    assert "test02/refined/customer_dim" in capsys.readouterr().out
    assert main(["contract", "compile", "--out", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*/contracts/*.contract.json"))) == len(find_sources(ROOT))
    capsys.readouterr()
    assert main(["contract", "dqdl", "test02", "customer_dim"]) == 0
    out = capsys.readouterr().out
    assert 'DataFreshness "change_ts" <= 48 hours' in out
    assert "# not in DQDL: slaProperties[1]: retention is a service level" in out
