"""The field's tool on our contracts: datacontract-cli (its own venv, .venv-datacontract,
installed by setup/install.sh) lints every contract and tests local tables against them.
A missing datacontract-cli fails these tests: it is part of the setup, never optional."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dp_cli.contracts import external
from dp_cli.contracts.compile import ODCS_SCHEMA, compile_all
from dp_cli.contracts.source import find_sources

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parents[2]


def test_datacontract_cli_is_installed_and_ships_our_odcs_schema() -> None:
    exe = external.datacontract_bin(ROOT)
    venv = exe.parents[1]
    (bundled,) = venv.glob("lib/python*/site-packages/datacontract/schemas/odcs-3.0.2.schema.json")
    assert bundled.read_bytes() == ODCS_SCHEMA.read_bytes()
    (dist,) = venv.glob("lib/python*/site-packages/datacontract_cli-*.dist-info")
    assert dist.name == f"datacontract_cli-{external.VERSION}.dist-info"


def test_datacontract_lint_passes_on_every_contract() -> None:
    sources = find_sources(ROOT)
    assert len(sources) >= 17
    outcomes = external.lint(ROOT, [s.path for s in sources])
    failed = [f"{o.target}:\n{o.output}" for o in outcomes if not o.ok]
    assert failed == []
    assert all("ODCS v3.0.2" in o.output and "│ failed" not in o.output for o in outcomes)


@pytest.fixture(scope="module")
def pricing_summary() -> dict:
    (result,) = [r for r in compile_all(ROOT, "project01") if r.source.table == "pricing_summary"]
    assert result.data is not None
    return result.data


def _rows(flag: str) -> list[tuple]:
    d = Decimal
    money = (d("1.00"), d("1.00"), d("1.0000"), d("1.000000"))
    avgs = (d("1.000000"), d("1.000000"), d("0.050000"))
    return [
        ("A", "F", *money, *avgs, 3),
        (flag, "O", *money, *avgs, 2),
    ]


@pytest.mark.slow
def test_datacontract_test_checks_a_local_table(
    spark: SparkSession, lake: Path, tmp_path: Path, pricing_summary: dict
) -> None:
    """A table written by the library passes datacontract test; a duplicate key and a null in
    a required column fail it, and so does a value outside a library rule's validValues
    (a v3.0.2 `rule:` that datacontract-cli runs only in its v3.1 spelling)."""
    from dp_foundation.contracts import TableContract
    from dp_foundation.io.writers import write_iceberg

    contract = TableContract.from_dict(pricing_summary)
    schema = ", ".join(f"{c} {t}" for c, t in contract.schema.items())
    outcomes = {}
    for case, rows in {
        "good": _rows("N"),
        "bad": [*_rows("A"), (None, "O", *_rows("N")[0][2:])],
        "invalid": _rows("X"),
    }.items():
        table = f"glue_catalog.f01_curated_local.dc_{case}_{dt.datetime.now():%H%M%S%f}"
        write_iceberg(spark.createDataFrame(rows, schema), table, mode="overwrite")
        table_dir = lake / "warehouse" / "f01_curated_local" / table.split(".")[-1]
        outcomes[case] = external.test_table(ROOT, pricing_summary, table_dir, tmp_path / case)
    assert outcomes["good"].ok, outcomes["good"].output
    assert not outcomes["bad"].ok
    assert "l_returnflag" in outcomes["bad"].output
    assert not outcomes["invalid"].ok, outcomes["invalid"].output
    failed = [line for line in outcomes["invalid"].output.splitlines() if "│ failed" in line]
    assert len(failed) == 1 and "l_returnflag" in failed[0], outcomes["invalid"].output


def test_library_rules_reach_datacontract_in_their_v31_spelling() -> None:
    doc = {
        "apiVersion": "v3.0.2",
        "schema": [
            {
                "name": "t",
                "quality": [{"type": "library", "rule": "rowCount", "mustBeGreaterThan": 0}],
                "properties": [
                    {
                        "name": "c",
                        "quality": [
                            {
                                "type": "library",
                                "rule": "validValues",
                                "validValues": ["a"],
                                "mustBe": 0,
                            },
                            {
                                "type": "library",
                                "rule": "nullCheck",
                                "mustBeLessThan": 1,
                                "unit": "percent",
                            },
                            {"type": "sql", "query": "SELECT 1 FROM ${object}", "mustBe": 1},
                        ],
                    }
                ],
            }
        ],
    }
    out = external.as_odcs_v31(doc)
    assert out["apiVersion"] == "v3.1.0"
    assert out["schema"][0]["quality"] == [
        {"type": "library", "mustBeGreaterThan": 0, "metric": "rowCount"}
    ]
    valid, nulls, sql = out["schema"][0]["properties"][0]["quality"]
    assert valid == {
        "type": "library",
        "mustBe": 0,
        "metric": "invalidValues",
        "arguments": {"validValues": ["a"]},
    }
    assert nulls == {
        "type": "library",
        "mustBeLessThan": 1,
        "unit": "percent",
        "metric": "nullValues",
    }
    assert sql == doc["schema"][0]["properties"][0]["quality"][2]
    assert doc["apiVersion"] == "v3.0.2" and "rule" in doc["schema"][0]["quality"][0]
