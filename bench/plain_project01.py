"""project01's two jobs written as plain PySpark, without dp_foundation: the benchmark baseline.

Same transformations, the same checks (hand-written: one aggregation plus one grouping per
table, the fastest way to write them by hand), the same Iceberg writes and sort orders.
Only the Spark settings come from the library, so both sides run the same engine setup, and
the tables' contracts (columns, keys, allowed values) are read from the job as data.

Usage: python bench/plain_project01.py {refine|curate} RAW_DIR WAREHOUSE_DIR
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

REFINED, CURATED = "glue_catalog.refined", "glue_catalog.curated"


def _table_contracts() -> dict[str, Any]:
    """The refined tables' contracts (columns, keys, layout, allowed values, ranges): data,
    read from their ODCS contracts so both sides build the same tables; the code below is
    plain PySpark."""
    from types import SimpleNamespace

    from dp_cli.contracts.compile import compile_all

    root = Path(__file__).resolve().parents[1]
    tables = {}
    for result in compile_all(root, "project01"):
        data = result.data
        if data is None:
            raise SystemExit("\n".join(result.problems))
        if data["layer"] != "refined":
            continue
        rules = [r["rule"] for r in data["rules"]]
        keyed = sorted(
            (c for c in data["columns"] if c["primary_key_position"]),
            key=lambda c: c["primary_key_position"],
        )
        bounds = {r["column"]: (r.get("minimum"), r.get("maximum")) for r in rules if "column" in r}
        tables[data["table"]] = SimpleNamespace(
            columns={c["name"]: c["type"] for c in data["columns"]},
            keys=[c["name"] for c in keyed],
            partition_by=data["partitioning"],
            sort_by=data["sort_order"],
            allowed={r["column"]: r["allowed"] for r in rules if r["kind"] == "value_in_set"},
            ranges={
                c: (
                    next(
                        r["minimum"] for r in rules if r["kind"] == "min_value" and r["column"] == c
                    ),
                    next(
                        r["maximum"] for r in rules if r["kind"] == "max_value" and r["column"] == c
                    ),
                )
                for c in bounds
                if any(r["kind"] == "min_value" and r.get("column") == c for r in rules)
            },
        )
    order = ("region", "nation", "customer", "supplier", "orders", "lineitem")
    return {name: tables[name] for name in order}


TABLES = _table_contracts()


def session(warehouse: str) -> SparkSession:
    from dp_foundation.spark.session import local_spark_conf  # engine settings only

    builder = SparkSession.builder.appName("plain")
    for key, value in local_spark_conf(f"file://{warehouse}").items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def write(
    spark: SparkSession, df: DataFrame, table: str, partition: str, sort: list[str], dynamic: bool
) -> None:
    if not spark.catalog.tableExists(table):
        cols = ", ".join(f"{f.name} {f.dataType.simpleString()}" for f in df.schema.fields)
        part = f" PARTITIONED BY ({partition})" if partition else ""
        spark.sql(
            f"CREATE TABLE {table} ({cols}) USING iceberg{part} "
            "TBLPROPERTIES ('format-version'='2')"
        )
        if sort:
            spark.sql(f"ALTER TABLE {table} WRITE ORDERED BY {', '.join(sort)}")
    if dynamic:
        df.writeTo(table).overwritePartitions()
    else:
        df.writeTo(table).overwrite(F.lit(True))


def refine(spark: SparkSession, raw: str) -> None:
    spark.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.refined")
    ready = {}
    for name, t in TABLES.items():
        cols, keys, allowed, ranges = t.columns, t.keys, t.allowed, t.ranges
        partition = ", ".join(t.partition_by)
        sort = t.sort_by
        df = spark.read.parquet(f"{raw}/{name}")
        df = df.select(*[F.col(c).cast(t).alias(c) for c, t in cols.items()]).dropDuplicates()
        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        exprs = [F.count(F.lit(1))]
        for k in keys:
            exprs.append(F.sum(F.col(k).isNull().cast("int")))
        for c, values in allowed.items():
            exprs.append(F.sum(F.col(c).isNull().cast("int")))
            exprs.append(F.sum((F.col(c).isNotNull() & ~F.col(c).isin(list(values))).cast("int")))
        for c, (lo, hi) in ranges.items():
            exprs.append(F.sum((F.col(c) < lo).cast("int")))
            exprs.append(F.sum((F.col(c) > hi).cast("int")))
        row = df.agg(*exprs).first()
        dupes = df.groupBy(*keys).count().where("count > 1").count()
        if row[0] < 1 or any(v for v in row[1:]) or dupes:
            raise SystemExit(f"{name}: data-quality checks failed")
        ready[name] = (df, partition, sort)
    for name, (df, partition, sort) in ready.items():
        write(spark, df, f"{REFINED}.{name}", partition, sort, dynamic=bool(partition))


def curate(spark: SparkSession) -> None:
    spark.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.curated")
    t = {n: spark.table(f"{REFINED}.{n}") for n in TABLES}
    li = t["lineitem"]
    disc = F.col("l_extendedprice") * (1 - F.col("l_discount"))
    q1 = (
        li.where(F.col("l_shipdate") <= F.lit(dt.date(1998, 12, 1) - dt.timedelta(days=90)))
        .groupBy("l_returnflag", "l_linestatus")
        .agg(
            F.sum("l_quantity").cast("decimal(18,2)").alias("sum_qty"),
            F.sum("l_extendedprice").cast("decimal(18,2)").alias("sum_base_price"),
            F.sum(disc).cast("decimal(18,4)").alias("sum_disc_price"),
            F.sum(disc * (1 + F.col("l_tax"))).cast("decimal(22,6)").alias("sum_charge"),
            F.avg("l_quantity").cast("decimal(18,6)").alias("avg_qty"),
            F.avg("l_extendedprice").cast("decimal(18,6)").alias("avg_price"),
            F.avg("l_discount").cast("decimal(18,6)").alias("avg_disc"),
            F.count(F.lit(1)).alias("count_order"),
        )
        .cache()
    )
    nations = t["nation"].join(
        t["region"].where("r_name = 'ASIA'"), F.col("n_regionkey") == F.col("r_regionkey")
    )
    orders = t["orders"].where(
        (F.col("o_orderdate") >= dt.date(1994, 1, 1)) & (F.col("o_orderdate") < dt.date(1995, 1, 1))
    )
    q5 = (
        t["customer"]
        .join(orders, F.col("c_custkey") == F.col("o_custkey"))
        .join(li, F.col("l_orderkey") == F.col("o_orderkey"))
        .join(
            t["supplier"],
            (F.col("l_suppkey") == F.col("s_suppkey"))
            & (F.col("c_nationkey") == F.col("s_nationkey")),
        )
        .join(nations, F.col("s_nationkey") == F.col("n_nationkey"))
        .groupBy("n_name")
        .agg(F.sum(disc).cast("decimal(18,4)").alias("revenue"))
        .cache()
    )
    for df, keys in ((q1, ["l_returnflag", "l_linestatus"]), (q5, ["n_name"])):
        row = df.agg(
            F.count(F.lit(1)), *[F.sum(F.col(c).isNull().cast("int")) for c in df.columns]
        ).first()
        if row[0] < 1 or any(row[1:]) or df.groupBy(*keys).count().where("count > 1").count():
            raise SystemExit("curated data-quality checks failed")
    write(spark, q1, f"{CURATED}.pricing_summary", "", ["l_returnflag", "l_linestatus"], False)
    write(spark, q5, f"{CURATED}.local_supplier_volume", "", ["revenue DESC"], False)


if __name__ == "__main__":
    job, raw_dir, warehouse_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    Path(warehouse_dir).mkdir(parents=True, exist_ok=True)
    spark_session = session(warehouse_dir)
    if job == "refine":
        refine(spark_session, f"file://{raw_dir}")
    else:
        curate(spark_session)
