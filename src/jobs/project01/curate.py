"""project01 · curate: refined TPC-H tables -> curated revenue data products.

* ``pricing_summary``: TPC-H query 1, line items shipped on or before 1998-12-01 minus
  ``--Q1_DELTA_DAYS`` days, summarised by return flag and line status.
* ``local_supplier_volume``: TPC-H query 5, revenue of local suppliers per nation of region
  ``--Q5_REGION`` for orders placed in year ``--Q5_YEAR``.

Both tables are rebuilt (overwrite) from refined data each run, so reruns are idempotent.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pyspark.sql import functions as F

from dp_foundation.config.settings import get_config
from dp_foundation.io.readers import read_iceberg
from dp_foundation.io.writers import write_iceberg
from dp_foundation.logging.logger import get_logger
from dp_foundation.quality.checks import DataQualityChecker
from dp_foundation.spark.session import get_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

Q1_END = dt.date(1998, 12, 1)

PRICING_SUMMARY = {
    "l_returnflag": "string",
    "l_linestatus": "string",
    "sum_qty": "decimal(18,2)",
    "sum_base_price": "decimal(18,2)",
    "sum_disc_price": "decimal(18,4)",
    "sum_charge": "decimal(18,6)",
    "avg_qty": "decimal(18,6)",
    "avg_price": "decimal(18,6)",
    "avg_disc": "decimal(18,6)",
    "count_order": "bigint",
}
LOCAL_SUPPLIER_VOLUME = {"n_name": "string", "revenue": "decimal(18,4)"}


def _typed(df: DataFrame, schema: dict[str, str]) -> DataFrame:
    return df.select(*[F.col(c).cast(t).alias(c) for c, t in schema.items()])


def pricing_summary(lineitem: DataFrame, delta_days: int) -> DataFrame:
    """TPC-H Q1 over ``lineitem``."""
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
    return _typed(summary, PRICING_SUMMARY)


def local_supplier_volume(
    customer: DataFrame,
    orders: DataFrame,
    lineitem: DataFrame,
    supplier: DataFrame,
    nation: DataFrame,
    region: DataFrame,
    region_name: str,
    year: int,
) -> DataFrame:
    """TPC-H Q5: revenue from orders whose customer and supplier share a nation of the region."""
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
    return _typed(revenue, LOCAL_SUPPLIER_VOLUME)


def main() -> None:
    """Build both curated tables; write them only when both pass their checks."""
    spark = get_spark(app_name="project01-curate")
    cfg = get_config()
    log = get_logger("jobs.project01.curate")
    refined = f"glue_catalog.{cfg['iceberg_database_refined']}"
    curated = f"glue_catalog.{cfg['iceberg_database_curated']}"

    # ── Extract ──────────────────────────────────────────────────────────────
    t = {
        name: read_iceberg(spark, f"{refined}.{name}")
        for name in ("customer", "orders", "lineitem", "supplier", "nation", "region")
    }

    # ── Transform ────────────────────────────────────────────────────────────
    q1 = pricing_summary(t["lineitem"], int(cfg.get("q1_delta_days", "90"))).cache()
    q5 = local_supplier_volume(
        t["customer"],
        t["orders"],
        t["lineitem"],
        t["supplier"],
        t["nation"],
        t["region"],
        region_name=cfg.get("q5_region", "ASIA"),
        year=int(cfg.get("q5_year", "1994")),
    ).cache()

    # ── Check ────────────────────────────────────────────────────────────────
    (
        DataQualityChecker(q1, dataset=f"{curated}.pricing_summary")
        .schema_match(PRICING_SUMMARY, allow_extra_columns=False)
        .row_count_min(1)
        .unique(["l_returnflag", "l_linestatus"])
        .value_in_set("l_returnflag", {"A", "N", "R"})
        .value_in_set("l_linestatus", {"F", "O"})
        .not_null("sum_charge")
        .min_value("count_order", 1)
        .assert_all_passed()
    )
    (
        DataQualityChecker(q5, dataset=f"{curated}.local_supplier_volume")
        .schema_match(LOCAL_SUPPLIER_VOLUME, allow_extra_columns=False)
        .row_count_min(1)
        .unique(["n_name"])
        .not_null("revenue")
        .min_value("revenue", 0)
        .assert_all_passed()
    )

    # ── Load ─────────────────────────────────────────────────────────────────
    write_iceberg(
        q1, f"{curated}.pricing_summary", mode="overwrite", sort_by=["l_returnflag", "l_linestatus"]
    )
    write_iceberg(
        q5, f"{curated}.local_supplier_volume", mode="overwrite", sort_by=["revenue DESC"]
    )
    log.info("curate finished", extra={"tables": ["pricing_summary", "local_supplier_volume"]})


if __name__ == "__main__":
    main()
