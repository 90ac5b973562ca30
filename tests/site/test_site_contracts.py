"""dp_cli.site.contracts: Spark types as Iceberg stores them, where a table and its contract
disagree, and which compiled copy of a contract the site reads."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sitefixture import build_fixture

from dp_cli.site.catalog import Column
from dp_cli.site.contracts import Contract, compare, find_contracts, iceberg_type, read_contract


@pytest.mark.parametrize(
    ("spark", "iceberg"),
    [
        ("bigint", "long"),
        ("int", "int"),
        ("smallint", "int"),
        ("decimal(15,2)", "decimal(15, 2)"),
        ("DECIMAL(18, 4)", "decimal(18, 4)"),
        ("decimal", "decimal(10, 0)"),
        ("timestamp", "timestamptz"),
        ("timestamp_ntz", "timestamp"),
        ("varchar(20)", "string"),
        ("array<bigint>", "list<long>"),
        ("map<string,array<int>>", "map<string, list<int>>"),
        ("struct<a:bigint,b:decimal(5,2)>", "struct<a: long, b: decimal(5, 2)>"),
    ],
)
def test_spark_types_as_iceberg_spells_them(spark: str, iceberg: str) -> None:
    assert iceberg_type(spark) == iceberg


def _orders(tmp_path: Path) -> Contract:
    fixture = build_fixture(tmp_path)
    tree = fixture.root / "dist" / "contracts"
    return read_contract(fixture.root, "project01", "refined", "orders", tree)


def test_layout_differences_are_warnings_and_nullability_is_not_compared(
    tmp_path: Path,
) -> None:
    contract = _orders(tmp_path)
    stored = [
        Column(1, "o_orderkey", "long", True),  # required in Iceberg too: not a difference
        Column(2, "o_custkey", "long", False),
        Column(3, "o_orderstatus", "string", False),
        Column(4, "o_totalprice", "decimal(15, 2)", False),
        Column(5, "o_orderdate", "date", False),
    ]
    rows, problems = compare(
        contract, stored, ["years(o_orderdate)"], ["o_orderkey ASC NULLS FIRST"]
    )
    assert problems == [] and [r.name for r in rows][:2] == ["o_orderkey", "o_custkey"]
    _, problems = compare(contract, stored, ["days(o_orderdate)"], ["o_orderkey DESC NULLS LAST"])
    assert [(p.what, p.severity) for p in problems] == [
        ("partitioning", "warn"),
        ("sort order", "warn"),
    ]
    assert problems[0].message == (
        "partitioning: declared years(o_orderdate), the table is partitioned by days(o_orderdate)"
    )


def test_the_newest_compiled_copy_is_read(tmp_path: Path) -> None:
    fixture = build_fixture(tmp_path)
    first = fixture.root / "dist" / "contracts"
    second = tmp_path / "build" / "contracts"
    shutil.copytree(first, second)
    newer = second / "project01" / "contracts" / "refined.orders.contract.json"
    data = json.loads(newer.read_text(encoding="utf-8"))
    data["owner"] = "someone-newer"
    newer.write_text(json.dumps(data), encoding="utf-8")
    older = first / "project01" / "contracts" / "refined.orders.contract.json"
    stamp = older.stat().st_mtime
    os.utime(newer, (stamp + 10, stamp + 10))

    def owner() -> str | None:
        found = find_contracts(fixture.root, [first, second], ["project01"])[("refined", "orders")]
        assert isinstance(found, Contract)
        return found.owner

    assert owner() == "someone-newer"
    os.utime(older, (stamp + 20, stamp + 20))
    assert owner() == "finance-analytics"
