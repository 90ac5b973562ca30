"""project01 · refine: raw TPC-H Parquet -> typed, deduplicated, checked refined Iceberg tables.

Glue arguments (defaults in project.json): ``--SOURCE_PREFIX`` (raw folder, ``tpch``) and
``--TABLES`` (comma-separated subset of :data:`TABLES`).

Every table is built and checked before any is written, so a bad raw batch stops the job
with the refined layer exactly as it was (all tables at their last good snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyspark import StorageLevel
from pyspark.sql import functions as F

from dp_foundation.config.settings import get_config
from dp_foundation.io.readers import read_parquet
from dp_foundation.io.writers import write_iceberg
from dp_foundation.logging.logger import get_logger
from dp_foundation.quality.checks import DataQualityChecker
from dp_foundation.spark.session import get_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


@dataclass(frozen=True)
class TableSpec:
    """How one raw TPC-H table becomes a refined one."""

    columns: dict[str, str]
    keys: list[str]
    partition_by: list[str] = field(default_factory=list)
    sort_by: list[str] = field(default_factory=list)
    allowed: dict[str, set[str]] = field(default_factory=dict)
    ranges: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    mode: str = "overwrite"


MONEY = "decimal(15,2)"
TABLES: dict[str, TableSpec] = {
    "region": TableSpec(
        {"r_regionkey": "int", "r_name": "string", "r_comment": "string"},
        keys=["r_regionkey"],
        allowed={"r_name": {"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"}},
    ),
    "nation": TableSpec(
        {"n_nationkey": "int", "n_name": "string", "n_regionkey": "int", "n_comment": "string"},
        keys=["n_nationkey"],
        ranges={"n_regionkey": (0, 4)},
    ),
    "customer": TableSpec(
        {
            "c_custkey": "bigint",
            "c_name": "string",
            "c_address": "string",
            "c_nationkey": "int",
            "c_phone": "string",
            "c_acctbal": MONEY,
            "c_mktsegment": "string",
            "c_comment": "string",
        },
        keys=["c_custkey"],
        sort_by=["c_custkey"],
        allowed={"c_mktsegment": {"AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"}},
        ranges={"c_nationkey": (0, 24), "c_acctbal": (-999.99, 9999.99)},
    ),
    "supplier": TableSpec(
        {
            "s_suppkey": "bigint",
            "s_name": "string",
            "s_address": "string",
            "s_nationkey": "int",
            "s_phone": "string",
            "s_acctbal": MONEY,
            "s_comment": "string",
        },
        keys=["s_suppkey"],
        ranges={"s_nationkey": (0, 24), "s_acctbal": (-999.99, 9999.99)},
    ),
    "orders": TableSpec(
        {
            "o_orderkey": "bigint",
            "o_custkey": "bigint",
            "o_orderstatus": "string",
            "o_totalprice": MONEY,
            "o_orderdate": "date",
            "o_orderpriority": "string",
            "o_clerk": "string",
            "o_shippriority": "int",
            "o_comment": "string",
        },
        keys=["o_orderkey"],
        partition_by=["years(o_orderdate)"],
        sort_by=["o_orderkey"],
        allowed={"o_orderstatus": {"F", "O", "P"}},
        ranges={"o_totalprice": (0, 1_000_000)},
        mode="overwrite_partitions",
    ),
    "lineitem": TableSpec(
        {
            "l_orderkey": "bigint",
            "l_partkey": "bigint",
            "l_suppkey": "bigint",
            "l_linenumber": "int",
            "l_quantity": MONEY,
            "l_extendedprice": MONEY,
            "l_discount": MONEY,
            "l_tax": MONEY,
            "l_returnflag": "string",
            "l_linestatus": "string",
            "l_shipdate": "date",
            "l_commitdate": "date",
            "l_receiptdate": "date",
            "l_shipinstruct": "string",
            "l_shipmode": "string",
            "l_comment": "string",
        },
        keys=["l_orderkey", "l_linenumber"],
        partition_by=["years(l_shipdate)"],
        sort_by=["l_orderkey", "l_linenumber"],
        allowed={"l_returnflag": {"A", "N", "R"}, "l_linestatus": {"F", "O"}},
        ranges={"l_quantity": (1, 50), "l_discount": (0, 0.1), "l_tax": (0, 0.08)},
        mode="overwrite_partitions",
    ),
}


def refine(raw: DataFrame, spec: TableSpec) -> DataFrame:
    """Type the raw columns as the contract says and drop exact duplicate rows.

    Raw partition columns (e.g. ``ship_year``) are dropped: the refined table partitions by
    a transform of a real column instead. Rows that differ but share a key are kept, so
    the uniqueness check reports them rather than a silent choice of one.
    """
    missing = [c for c in spec.columns if c not in raw.columns]
    if missing:
        from dp_foundation.exceptions import SchemaError

        raise SchemaError(f"raw data lacks columns {missing}; it has {raw.columns}")
    typed = raw.select(*[F.col(c).cast(t).alias(c) for c, t in spec.columns.items()])
    return typed.dropDuplicates()


def check(df: DataFrame, name: str, spec: TableSpec) -> DataQualityChecker:
    """The data-quality contract of a refined table."""
    checker = DataQualityChecker(df, dataset=name).schema_match(spec.columns).row_count_min(1)
    for key in spec.keys:
        checker.not_null(key)
    checker.unique(spec.keys)
    for column, allowed in spec.allowed.items():
        checker.not_null(column).value_in_set(column, allowed)
    for column, (low, high) in spec.ranges.items():
        checker.min_value(column, low).max_value(column, high)
    return checker


def main() -> None:
    """Refine every table of ``--TABLES``; write only when all of them pass their checks."""
    spark = get_spark(app_name="project01-refine")
    cfg = get_config()
    log = get_logger("jobs.project01.refine")
    names = [t.strip() for t in cfg.get("tables", ",".join(TABLES)).split(",") if t.strip()]
    unknown = [t for t in names if t not in TABLES]
    if unknown:
        raise ValueError(f"--TABLES names unknown tables {unknown}; known: {sorted(TABLES)}")
    source = f"{cfg['raw_uri']}/{cfg.get('source_prefix', 'tpch')}"
    database = f"glue_catalog.{cfg['iceberg_database_refined']}"
    log.info("refine started", extra={"tables": names, "source": source})

    # ── Extract, transform, check every table (nothing written yet) ─────────
    checked: dict[str, DataFrame] = {}
    try:
        for name in names:
            spec = TABLES[name]
            df = refine(read_parquet(spark, f"{source}/{name}"), spec)
            # Persisted so the write reuses the rows the checks just read.
            df = df.persist(StorageLevel.MEMORY_AND_DISK)
            checked[name] = df
            check(df, f"{database}.{name}", spec).assert_all_passed()

        # ── Load: all tables passed ──────────────────────────────────────────
        for name, df in checked.items():
            spec = TABLES[name]
            write_iceberg(
                df,
                f"{database}.{name}",
                mode=spec.mode,
                partition_by=spec.partition_by,
                sort_by=spec.sort_by,
            )
    finally:
        for df in checked.values():
            df.unpersist()
    log.info("refine finished", extra={"tables": names})


if __name__ == "__main__":
    main()
