"""test02 customer_changes: parsing with reasons, quarantine, latest change per customer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

from dp_foundation.contracts import TableContract

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

HEADER = "c_custkey,c_name,c_address,c_nationkey,c_phone,c_acctbal,c_mktsegment,change_ts\n"


@pytest.fixture(scope="module")
def dim(contract) -> TableContract:  # type: ignore[no-untyped-def]
    return contract("test02", "customer_dim", "refined")


def _feed(spark: SparkSession, module: ModuleType, tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    """The feed ``body`` (CSV lines) parsed, with the feed's and the dimension's contracts."""
    from dp_cli.contracts.compile import compile_all, write_compiled
    from dp_foundation.contracts import load_contract

    out = tmp_path / "contracts"
    write_compiled(compile_all(Path(__file__).resolve().parents[3], "test02"), out)
    feed = load_contract("test02", "customer_changes", layer="raw", directory=out)
    dim = load_contract("test02", "customer_dim", layer="refined", directory=out)
    path = tmp_path / "feed" / "feed.csv"
    path.parent.mkdir()
    path.write_text(HEADER + body, encoding="utf-8")
    return module.parse(module.read_feed(spark, str(path.parent), feed), dim)


def test_parse_keeps_valid_rows_and_explains_bad_ones(
    spark: SparkSession, customer_changes: ModuleType, tmp_path: Path
) -> None:
    parsed = _feed(
        spark,
        customer_changes,
        tmp_path,
        "1,Alice,Street 1,3,11-111,10.50,BUILDING,2026-01-01 08:00:00\n"
        "x,Bob,Street 2,3,22-222,1.00,BUILDING,2026-01-01 08:00:00\n"
        "3,,Street 3,99,33-333,abc,SHIPS,never\n"
        '4,"broken\n',
    )
    rows = {r.raw_record: r for r in parsed.collect()}
    assert len(rows) == 4  # nothing dropped
    good = rows["1,Alice,Street 1,3,11-111,10.50,BUILDING,2026-01-01 08:00:00"]
    assert good.reason is None and good.c_custkey == 1
    assert good.change_ts == dt.datetime(2026, 1, 1, 8, 0)
    assert (
        "c_custkey 'x' is not an integer"
        in rows["x,Bob,Street 2,3,22-222,1.00,BUILDING,2026-01-01 08:00:00"].reason
    )
    reasons = rows["3,,Street 3,99,33-333,abc,SHIPS,never"].reason
    for fragment in (
        "c_name is empty",
        "c_nationkey '99'",
        "c_acctbal 'abc'",
        "'SHIPS'",
        "'never'",
    ):
        assert fragment in reasons
    assert customer_changes.quarantine(parsed).count() == 3


def test_latest_change_wins_and_older_changes_never_overwrite(
    spark: SparkSession, customer_changes: ModuleType, tmp_path: Path, dim: TableContract
) -> None:
    parsed = _feed(
        spark,
        customer_changes,
        tmp_path,
        "1,Alice,Old street,3,11-111,10.50,BUILDING,2026-01-01 08:00:00\n"
        "1,Alice,New street,3,11-111,10.50,BUILDING,2026-01-02 08:00:00\n"
        "2,Carol,Street 9,4,44-444,5.00,MACHINERY,2026-01-01 08:00:00\n",
    )
    latest = customer_changes.latest_changes(parsed, dim)
    assert {r.c_custkey: r.c_address for r in latest.collect()} == {1: "New street", 2: "Street 9"}
    held = latest.where("c_custkey = 2").selectExpr(
        "c_custkey",
        "c_name",
        "c_address",
        "c_nationkey",
        "c_phone",
        "c_acctbal",
        "c_mktsegment",
        "timestamp'2026-02-01 00:00:00' AS change_ts",
    )
    newer = customer_changes.newer_than(latest, held)
    assert [r.c_custkey for r in newer.collect()] == [1]
