"""project01 refine: typing, deduplication and the data-quality contract of each table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

from dp_foundation.contracts import TableContract
from dp_foundation.exceptions import DataQualityError, SchemaError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ORDER = (1, 7, "O", "173665.47", "1996-01-02", "5-LOW", "Clerk#000000951", 0, "nstructions")


def _raw_orders(spark: SparkSession, rows: list[tuple[object, ...]]):  # type: ignore[no-untyped-def]
    cols = ["o_orderkey", "o_custkey", "o_orderstatus", "o_totalprice", "o_orderdate"]
    cols += ["o_orderpriority", "o_clerk", "o_shippriority", "o_comment"]
    return spark.createDataFrame(rows, cols)


@pytest.fixture(scope="module")
def orders(contract) -> TableContract:  # type: ignore[no-untyped-def]
    return contract("project01", "orders", "refined")


def test_refine_types_columns_as_the_contract(
    spark: SparkSession, refine: ModuleType, orders: TableContract
) -> None:
    df = refine.refine(_raw_orders(spark, [ORDER]), orders)
    assert dict(df.dtypes) == orders.schema
    row = df.first()
    assert row.o_totalprice == Decimal("173665.47")
    assert row.o_orderdate == dt.date(1996, 1, 2)


def test_refine_drops_exact_duplicates_only(
    spark: SparkSession, refine: ModuleType, orders: TableContract
) -> None:
    changed = (*ORDER[:2], "F", *ORDER[3:])
    df = refine.refine(_raw_orders(spark, [ORDER, ORDER, changed]), orders)
    assert df.count() == 2  # the exact copy goes; the conflicting version stays for the check


def test_refine_reports_missing_raw_columns(
    spark: SparkSession, refine: ModuleType, orders: TableContract
) -> None:
    raw = _raw_orders(spark, [ORDER]).drop("o_clerk")
    with pytest.raises(SchemaError, match="o_clerk"):
        refine.refine(raw, orders)


def test_check_passes_good_orders(
    spark: SparkSession, refine: ModuleType, orders: TableContract
) -> None:
    df = refine.refine(_raw_orders(spark, [ORDER, (2, *ORDER[1:])]), orders)
    results = refine.check(df, orders, "orders").assert_all_passed()
    assert {r.name for r in results} >= {"unique(o_orderkey)", "not_null(o_orderkey)"}


def test_check_fails_conflicting_keys_and_bad_flags(
    spark: SparkSession, refine: ModuleType, orders: TableContract
) -> None:
    conflicting = (*ORDER[:2], "X", *ORDER[3:])  # same key, unknown status
    df = refine.refine(_raw_orders(spark, [ORDER, conflicting]), orders)
    with pytest.raises(DataQualityError) as caught:
        refine.check(df, orders, "orders").assert_all_passed()
    names = {r.name for r in caught.value.failures}  # type: ignore[attr-defined]
    assert "unique(o_orderkey)" in names
    assert any(n.startswith("value_in_set(o_orderstatus") for n in names)
