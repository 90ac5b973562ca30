"""project01 · curate: refined TPC-H tables -> curated revenue data products.

* ``pricing_summary``: TPC-H query 1, line items shipped on or before 1998-12-01 minus
  ``--Q1_DELTA_DAYS`` days, summarised by return flag and line status.
* ``local_supplier_volume``: TPC-H query 5, revenue of local suppliers per nation of region
  ``--Q5_REGION`` for orders placed in year ``--Q5_YEAR``.

Both tables are rebuilt (overwrite) from refined data each run, so reruns are idempotent. Their
columns, keys, sort order and checks are their data contracts' (contracts/curated/).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pyspark.sql import functions as F

from dp_foundation.config.settings import get_config
from dp_foundation.contracts import TableContract, load_contract
from dp_foundation.io.failures import named_failures
from dp_foundation.io.readers import read_iceberg
from dp_foundation.io.writers import write_iceberg
from dp_foundation.logging.logger import get_logger, setup_logging
from dp_foundation.spark.session import get_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

Q1_END = dt.date(1998, 12, 1)

PROJECT = "project01"


def pricing_summary(lineitem: DataFrame, delta_days: int, contract: TableContract) -> DataFrame:
    """TPC-H Q1 over ``lineitem``, typed as ``contract`` (pricing_summary's) says."""
    cutoff = Q1_END - dt.timedelta(days=delta_days)
    disc_price = F.col("l_extendedprice") * (1 - F.col("l_discount"))
    summary = (
        lineitem.where(F.col("l_shipdate") <= F.lit(cutoff))
        .groupBy("l_returnflag", "l_linestatus")
        .agg(
            F.sum("l_quantity").alias("sum_qty"),
            F.sum("l_extendedprice").alias("sum_base_price"),
            F.sum(disc_price).alias("sum_disc_price"),
            F.sum(disc_price * (1 + F.col("l_tax"))).alias("sum_charge"),
            F.avg("l_quantity").alias("avg_qty"),
            F.avg("l_extendedprice").alias("avg_price"),
            F.avg("l_discount").alias("avg_disc"),
            F.count(F.lit(1)).alias("count_order"),
        )
    )
    return contract.conform(summary)


def local_supplier_volume(
    customer: DataFrame,
    orders: DataFrame,
    lineitem: DataFrame,
    supplier: DataFrame,
    nation: DataFrame,
    region: DataFrame,
    region_name: str,
    year: int,
    contract: TableContract,
) -> DataFrame:
    """TPC-H Q5: revenue from orders whose customer and supplier share a nation of the region,
    typed as ``contract`` (local_supplier_volume's) says."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    nations = nation.join(
        region.where(F.col("r_name") == region_name), F.col("n_regionkey") == F.col("r_regionkey")
    )
    year_orders = orders.where((F.col("o_orderdate") >= start) & (F.col("o_orderdate") < end))
    revenue = (
        customer.join(year_orders, F.col("c_custkey") == F.col("o_custkey"))
        .join(lineitem, F.col("l_orderkey") == F.col("o_orderkey"))
        .join(
            supplier,
            (F.col("l_suppkey") == F.col("s_suppkey"))
            & (F.col("c_nationkey") == F.col("s_nationkey")),
        )
        .join(nations, F.col("s_nationkey") == F.col("n_nationkey"))
        .groupBy("n_name")
        .agg(F.sum(F.col("l_extendedprice") * (1 - F.col("l_discount"))).alias("revenue"))
    )
    return contract.conform(revenue)


@named_failures()
def main() -> None:
    """Build both curated tables; write them only when both pass their checks."""
    spark = get_spark(app_name="project01-curate")
    cfg = get_config()
    log = get_logger("jobs.project01.curate")
    q1_contract = load_contract(PROJECT, "pricing_summary", layer="curated")
    q5_contract = load_contract(PROJECT, "local_supplier_volume", layer="curated")

    # ── Extract ──────────────────────────────────────────────────────────────
    t = {
        name: read_iceberg(spark, cfg.table("refined", name))
        for name in ("customer", "orders", "lineitem", "supplier", "nation", "region")
    }

    # ── Transform ────────────────────────────────────────────────────────────
    q1 = pricing_summary(t["lineitem"], cfg.get_int("Q1_DELTA_DAYS", 90), q1_contract).cache()
    q5 = local_supplier_volume(
        t["customer"],
        t["orders"],
        t["lineitem"],
        t["supplier"],
        t["nation"],
        t["region"],
        region_name=cfg.get("Q5_REGION", "ASIA"),
        year=cfg.get_int("Q5_YEAR", 1994),
        contract=q5_contract,
    ).cache()

    # ── Check: each table's contract (schema and every rule it declares) ─────
    for df, contract in ((q1, q1_contract), (q5, q5_contract)):
        contract.checker(df, contract.qualified_name(cfg)).assert_all_passed()

    # ── Load ─────────────────────────────────────────────────────────────────
    for df, contract in ((q1, q1_contract), (q5, q5_contract)):
        write_iceberg(
            df,
            contract.qualified_name(cfg),
            mode="overwrite",
            partition_by=contract.partition_by,
            sort_by=contract.sort_by,
        )
    log.info("curate finished", extra={"tables": ["pricing_summary", "local_supplier_volume"]})


if __name__ == "__main__":
    setup_logging()
    main()
