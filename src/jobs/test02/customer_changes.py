"""test02 · customer_changes: CRM change feed (CSV) -> customer dimension, with quarantine.

Each CSV row is one change of a customer. Rows that cannot be parsed or break a row-level
rule go to ``customer_quarantine`` with the reason; the rest are upserted (MERGE) into
``customer_dim``, one row per customer holding its latest change (slowly changing dimension,
type 1). A change older than what the dimension already holds never overwrites it.
Nothing is dropped silently: every row read is either applied, superseded by a newer change
of the same customer, or quarantined, and the job logs the three counts.

Glue argument: ``--SOURCE_PREFIX`` (folder under the raw bucket, ``crm/customer_changes``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql import Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from dp_foundation.config.settings import get_config
from dp_foundation.exceptions import TableNotFoundError
from dp_foundation.iceberg.catalog import table_exists
from dp_foundation.io.writers import write_iceberg
from dp_foundation.logging.logger import get_logger
from dp_foundation.quality.checks import DataQualityChecker
from dp_foundation.spark.session import get_spark

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

FEED_COLUMNS = [
    "c_custkey",
    "c_name",
    "c_address",
    "c_nationkey",
    "c_phone",
    "c_acctbal",
    "c_mktsegment",
    "change_ts",
]
DIM_SCHEMA = {
    "c_custkey": "bigint",
    "c_name": "string",
    "c_address": "string",
    "c_nationkey": "int",
    "c_phone": "string",
    "c_acctbal": "decimal(15,2)",
    "c_mktsegment": "string",
    "change_ts": "timestamp",
}
SEGMENTS = ("AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY")
_CORRUPT = "_corrupt_record"


def read_feed(spark: SparkSession, path: str) -> DataFrame:
    """Read the CSV feed as strings, keeping malformed lines whole in ``_corrupt_record``."""
    schema = StructType(
        [StructField(c, StringType()) for c in FEED_COLUMNS] + [StructField(_CORRUPT, StringType())]
    )
    return (
        spark.read.option("header", "true")
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", _CORRUPT)
        .schema(schema)
        .csv(path)
        .withColumn("source_file", F.input_file_name())
    )


def _problem(condition: Column, reason: Column | str) -> Column:
    return F.when(condition, reason if not isinstance(reason, str) else F.lit(reason))


def parse(feed: DataFrame) -> DataFrame:
    """Type the feed; add ``reason`` (null when the row is valid) explaining every problem."""
    typed = {
        "c_custkey": F.expr("try_cast(trim(c_custkey) AS bigint)"),
        "c_nationkey": F.expr("try_cast(trim(c_nationkey) AS int)"),
        "c_acctbal": F.expr("try_cast(trim(c_acctbal) AS decimal(15,2))"),
        "change_ts": F.expr("try_cast(trim(change_ts) AS timestamp)"),
    }
    raw = F.col
    problems = [
        _problem(raw(_CORRUPT).isNotNull(), "malformed CSV line"),
        _problem(
            raw(_CORRUPT).isNull() & typed["c_custkey"].isNull(),
            F.format_string("c_custkey '%s' is not an integer", raw("c_custkey")),
        ),
        _problem(
            raw(_CORRUPT).isNull() & (F.coalesce(F.trim(raw("c_name")), F.lit("")) == ""),
            "c_name is empty",
        ),
        _problem(
            raw(_CORRUPT).isNull()
            & (typed["c_nationkey"].isNull() | ~typed["c_nationkey"].between(0, 24)),
            F.format_string("c_nationkey '%s' is not a nation key 0-24", raw("c_nationkey")),
        ),
        _problem(
            raw(_CORRUPT).isNull() & typed["c_acctbal"].isNull(),
            F.format_string("c_acctbal '%s' is not a decimal(15,2)", raw("c_acctbal")),
        ),
        _problem(
            raw(_CORRUPT).isNull() & ~F.coalesce(raw("c_mktsegment").isin(*SEGMENTS), F.lit(False)),
            F.format_string(
                "c_mktsegment '%s' is not one of %s", raw("c_mktsegment"), F.lit("/".join(SEGMENTS))
            ),
        ),
        _problem(
            raw(_CORRUPT).isNull() & typed["change_ts"].isNull(),
            F.format_string("change_ts '%s' is not a timestamp", raw("change_ts")),
        ),
    ]
    reason = F.concat_ws("; ", F.filter(F.array(*problems), lambda p: p.isNotNull()))
    record = F.coalesce(
        raw(_CORRUPT), F.concat_ws(",", *[F.coalesce(raw(c), F.lit("")) for c in FEED_COLUMNS])
    )
    return feed.select(
        *[typed.get(c, F.trim(raw(c))).alias(c) for c in FEED_COLUMNS],
        F.when(reason != "", reason).alias("reason"),
        record.alias("raw_record"),
        "source_file",
    )


def quarantine(parsed: DataFrame) -> DataFrame:
    """The rows that failed, with the original record and why."""
    bad = parsed.where(F.col("reason").isNotNull()).select("source_file", "raw_record", "reason")
    return bad.dropDuplicates(["source_file", "raw_record"])  # MERGE needs unique keys


def latest_changes(parsed: DataFrame) -> DataFrame:
    """One row per customer: its latest valid change (ties broken deterministically)."""
    valid = parsed.where(F.col("reason").isNull()).select(*DIM_SCHEMA)
    order = [F.col("change_ts").desc(), *[F.col(c).asc() for c in DIM_SCHEMA if c != "change_ts"]]
    rank = F.row_number().over(Window.partitionBy("c_custkey").orderBy(*order))
    return valid.withColumn("_rank", rank).where("_rank = 1").drop("_rank")


def newer_than(changes: DataFrame, current: DataFrame | None) -> DataFrame:
    """Drop changes that are not newer than the dimension's row for the same customer."""
    if current is None:
        return changes
    held = current.select("c_custkey", F.col("change_ts").alias("_held_ts"))
    return (
        changes.join(held, "c_custkey", "left")
        .where(F.col("_held_ts").isNull() | (F.col("change_ts") >= F.col("_held_ts")))
        .drop("_held_ts")
    )


def main() -> None:
    """Parse the feed, quarantine bad rows, upsert the latest good change per customer."""
    spark = get_spark(app_name="test02-customer_changes")
    cfg = get_config()
    log = get_logger("jobs.test02.customer_changes")
    source = f"{cfg['raw_uri']}/{cfg.get('source_prefix', 'crm/customer_changes')}"
    refined = f"glue_catalog.{cfg['iceberg_database_refined']}"
    dim_table, quarantine_table = f"{refined}.customer_dim", f"{refined}.customer_quarantine"

    # ── Extract ──────────────────────────────────────────────────────────────
    try:
        parsed = parse(read_feed(spark, source)).cache()
    except Exception as exc:  # Spark's "Path does not exist" AnalysisException
        if "PATH_NOT_FOUND" in str(exc) or "Path does not exist" in str(exc):
            raise TableNotFoundError(f"no customer change feed (CSV) at {source}") from None
        raise

    # ── Transform ────────────────────────────────────────────────────────────
    bad = quarantine(parsed)
    current = spark.table(dim_table) if table_exists(spark, dim_table) else None
    latest = latest_changes(parsed)
    changes = newer_than(latest, current).cache()

    # ── Check ────────────────────────────────────────────────────────────────
    (
        DataQualityChecker(changes, dataset=dim_table)
        .schema_match(DIM_SCHEMA, allow_extra_columns=False)
        .not_null("c_custkey")
        .unique(["c_custkey"])
        .not_null("change_ts")
        .value_in_set("c_mktsegment", SEGMENTS)
        .min_value("c_nationkey", 0)
        .max_value("c_nationkey", 24)
        .assert_all_passed()
    )
    counts = parsed.agg(
        F.count(F.lit(1)).alias("read"), F.count("reason").alias("quarantined")
    ).first()
    read, quarantined = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    valid = read - quarantined
    to_apply = changes.count()

    # ── Load ─────────────────────────────────────────────────────────────────
    # Quarantine first: if the dimension write fails, the bad rows are still recorded.
    write_iceberg(bad, quarantine_table, mode="merge", merge_keys=["source_file", "raw_record"])
    write_iceberg(changes, dim_table, mode="merge", merge_keys=["c_custkey"], sort_by=["c_custkey"])
    log.info(
        "customer changes applied",
        extra={
            "rows_read": read,
            "rows_quarantined": quarantined,
            "rows_valid": valid,
            "changes_applied": to_apply,
            "rows_superseded": valid - to_apply,
        },
    )


if __name__ == "__main__":
    main()
