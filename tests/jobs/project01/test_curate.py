"""project01 curate: TPC-H Q1 and Q5 as pure functions over small, hand-checked inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING

from pyspark.testing import assertDataFrameEqual

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

D = Decimal


def _lineitem(spark: SparkSession, rows: list[tuple[object, ...]]) -> DataFrame:
    schema = (
        "l_orderkey bigint, l_suppkey bigint, l_quantity decimal(15,2), "
        "l_extendedprice decimal(15,2), l_discount decimal(15,2), l_tax decimal(15,2), "
        "l_returnflag string, l_linestatus string, l_shipdate date"
    )
    return spark.createDataFrame(rows, schema)


def test_pricing_summary_is_tpch_q1(spark: SparkSession, curate: ModuleType, contract) -> None:  # type: ignore[no-untyped-def]
    q1 = contract("project01", "pricing_summary", "curated")
    lineitem = _lineitem(
        spark,
        [
            (1, 1, D("10"), D("100.00"), D("0.10"), D("0.05"), "N", "O", dt.date(1998, 9, 2)),
            (1, 1, D("20"), D("300.00"), D("0.00"), D("0.00"), "N", "O", dt.date(1998, 1, 1)),
            (2, 1, D("5"), D("50.00"), D("0.05"), D("0.08"), "R", "F", dt.date(1995, 3, 1)),
            # shipped after 1998-12-01 minus 90 days (1998-09-02): left out
            (3, 1, D("7"), D("70.00"), D("0.00"), D("0.00"), "N", "O", dt.date(1998, 9, 3)),
        ],
    )
    result = curate.pricing_summary(lineitem, delta_days=90, contract=q1)
    expected = spark.createDataFrame(
        [
            (
                "N",
                "O",
                D("30"),
                D("400.00"),
                D("390.0000"),
                D("394.500000"),
                D("15"),
                D("200"),
                D("0.05"),
                2,
            ),
            (
                "R",
                "F",
                D("5"),
                D("50.00"),
                D("47.5000"),
                D("51.300000"),
                D("5"),
                D("50"),
                D("0.05"),
                1,
            ),
        ],
        ", ".join(f"{c} {t}" for c, t in q1.schema.items()),
    )
    assertDataFrameEqual(result, expected)


def test_local_supplier_volume_is_tpch_q5(
    spark: SparkSession, curate: ModuleType, contract
) -> None:  # type: ignore[no-untyped-def]
    region = spark.createDataFrame([(2, "ASIA"), (3, "EUROPE")], "r_regionkey int, r_name string")
    nation = spark.createDataFrame(
        [(8, "INDIA", 2), (12, "JAPAN", 2), (7, "GERMANY", 3)],
        "n_nationkey int, n_name string, n_regionkey int",
    )
    customer = spark.createDataFrame([(1, 8), (2, 12), (3, 7)], "c_custkey bigint, c_nationkey int")
    supplier = spark.createDataFrame(
        [(10, 8), (20, 12), (30, 7)], "s_suppkey bigint, s_nationkey int"
    )
    orders = spark.createDataFrame(
        [
            (100, 1, dt.date(1994, 3, 1)),
            (101, 2, dt.date(1994, 12, 31)),
            (102, 1, dt.date(1995, 1, 1)),  # outside 1994
            (103, 3, dt.date(1994, 6, 1)),  # EUROPE
        ],
        "o_orderkey bigint, o_custkey bigint, o_orderdate date",
    )
    lineitem = _lineitem(
        spark,
        [
            (100, 10, D("1"), D("1000.00"), D("0.10"), D("0"), "N", "O", dt.date(1994, 3, 5)),
            (
                100,
                20,
                D("1"),
                D("500.00"),
                D("0.00"),
                D("0"),
                "N",
                "O",
                dt.date(1994, 3, 5),
            ),  # foreign supplier
            (101, 20, D("1"), D("200.00"), D("0.50"), D("0"), "N", "O", dt.date(1995, 1, 5)),
            (102, 10, D("1"), D("999.00"), D("0.00"), D("0"), "N", "O", dt.date(1995, 1, 5)),
            (103, 30, D("1"), D("999.00"), D("0.00"), D("0"), "N", "O", dt.date(1994, 6, 5)),
        ],
    )
    result = curate.local_supplier_volume(
        customer,
        orders,
        lineitem,
        supplier,
        nation,
        region,
        region_name="ASIA",
        year=1994,
        contract=contract("project01", "local_supplier_volume", "curated"),
    )
    expected = spark.createDataFrame(
        [("INDIA", D("900.0000")), ("JAPAN", D("100.0000"))], "n_name string, revenue decimal(18,4)"
    )
    assertDataFrameEqual(result, expected)
