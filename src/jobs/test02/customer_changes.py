"""test02 · customer_changes: CRM change feed (CSV) -> customer dimension, with quarantine.

Each CSV row is one change of a customer. Rows that cannot be parsed or break a row-level
rule go to ``customer_quarantine`` with the reason; the rest are upserted (MERGE) into
``customer_dim``, one row per customer holding its latest change (slowly changing dimension,
type 1). A change older than what the dimension already holds never overwrites it.
Nothing is dropped silently: every row read is either applied, superseded by a newer change
of the same customer, or quarantined, and the job logs the three counts.

The feed's columns, the dimension's and the quarantine's, their keys and checks, and the row
rules that send a row to quarantine are the tables' data contracts' (contracts/).

Glue argument: ``--SOURCE_PREFIX`` (folder under the raw bucket, ``crm/customer_changes``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyspark.sql import Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from dp_foundation.config.settings import get_config
from dp_foundation.contracts import TableContract, load_contract
from dp_foundation.exceptions import ContractError, TableNotFoundError
from dp_foundation.iceberg.catalog import table_exists
from dp_foundation.io.failures import named_failures
from dp_foundation.io.writers import write_iceberg
from dp_foundation.logging.logger import get_logger, setup_logging
from dp_foundation.spark.session import get_spark

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

PROJECT = "test02"
_CORRUPT = "_corrupt_record"


def read_feed(spark: SparkSession, path: str, feed: TableContract) -> DataFrame:
    """Read the CSV feed (columns as its raw contract ``feed`` declares them, all text),
    keeping malformed lines whole in ``_corrupt_record``."""
    schema = StructType(
        [StructField(c.name, StringType()) for c in feed.columns]
        + [StructField(_CORRUPT, StringType())]
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


def _rule(contract: TableContract, kind: str, column: str) -> dict[str, Any]:
    found = [r for r in contract.rules if r["kind"] == kind and r.get("column") == column]
    if not found:
        raise ContractError(f"{contract.name} declares no {kind} rule on {column}")
    return dict(found[0])


def parse(feed: DataFrame, dim: TableContract) -> DataFrame:
    """Type the feed; add ``reason`` (null when the row is valid) explaining every problem.

    The row rules are the dimension's contract's (``dim``): a row breaking them would fail the
    dimension's checks, so it is quarantined with the reason instead.
    """
    segments = tuple(_rule(dim, "value_in_set", "c_mktsegment")["allowed"])
    low = _rule(dim, "min_value", "c_nationkey")["minimum"]
    high = _rule(dim, "max_value", "c_nationkey")["maximum"]
    columns = [c for c in feed.columns if c not in (_CORRUPT, "source_file")]
    typed = {
        "c_custkey": F.expr("try_cast(trim(c_custkey) AS bigint)"),
        "c_nationkey": F.expr("try_cast(trim(c_nationkey) AS int)"),
        "c_acctbal": F.expr("try_cast(trim(c_acctbal) AS decimal(15,2))"),
        "change_ts": F.expr("try_cast(trim(change_ts) AS timestamp)"),
    }
    raw = F.col
    record = F.coalesce(
        raw(_CORRUPT), F.concat_ws(",", *[F.coalesce(raw(c), F.lit("")) for c in columns])
    )
    problems = [
        _problem(
            raw(_CORRUPT).isNotNull(),
            f"malformed CSV line: expected {len(columns)} comma-separated columns "
            f"({','.join(columns)})",
        ),
        # Spark decodes the feed as UTF-8 and puts U+FFFD where bytes are not UTF-8: the
        # line's text is no longer what the file holds, so it must not reach the dimension.
        _problem(record.contains("\ufffd"), "not valid UTF-8 (bytes of another encoding?)"),
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
            & (typed["c_nationkey"].isNull() | ~typed["c_nationkey"].between(low, high)),
            F.format_string(
                f"c_nationkey '%s' is not a nation key {low}-{high}", raw("c_nationkey")
            ),
        ),
        _problem(
            raw(_CORRUPT).isNull() & typed["c_acctbal"].isNull(),
            F.format_string("c_acctbal '%s' is not a decimal(15,2)", raw("c_acctbal")),
        ),
        _problem(
            raw(_CORRUPT).isNull() & ~F.coalesce(raw("c_mktsegment").isin(*segments), F.lit(False)),
            F.format_string(
                "c_mktsegment '%s' is not one of %s", raw("c_mktsegment"), F.lit("/".join(segments))
            ),
        ),
        _problem(
            raw(_CORRUPT).isNull() & typed["change_ts"].isNull(),
            F.format_string("change_ts '%s' is not a timestamp", raw("change_ts")),
        ),
    ]
    reason = F.concat_ws("; ", F.filter(F.array(*problems), lambda p: p.isNotNull()))
    return feed.select(
        *[typed.get(c, F.trim(raw(c))).alias(c) for c in columns],
        F.when(reason != "", reason).alias("reason"),
        record.alias("raw_record"),
        "source_file",
    )


def quarantine(parsed: DataFrame) -> DataFrame:
    """The rows that failed, with the original record and why."""
    bad = parsed.where(F.col("reason").isNotNull()).select("source_file", "raw_record", "reason")
    return bad.dropDuplicates(["source_file", "raw_record"])  # MERGE needs unique keys


def latest_changes(parsed: DataFrame, dim: TableContract) -> DataFrame:
    """One row per customer, with the dimension's columns (``dim``, its contract): its latest
    valid change (ties broken deterministically)."""
    valid = dim.conform(parsed.where(F.col("reason").isNull()))
    columns = [c.name for c in dim.columns]
    order = [F.col("change_ts").desc(), *[F.col(c).asc() for c in columns if c != "change_ts"]]
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


@named_failures()
def main() -> None:
    """Parse the feed, quarantine bad rows, upsert the latest good change per customer."""
    spark = get_spark(app_name="test02-customer_changes")
    cfg = get_config()
    log = get_logger("jobs.test02.customer_changes")
    source = f"{cfg.raw_uri}/{cfg.get('SOURCE_PREFIX', 'crm/customer_changes')}"
    feed_contract = load_contract(PROJECT, "customer_changes", layer="raw")
    dim = load_contract(PROJECT, "customer_dim", layer="refined")
    kept = load_contract(PROJECT, "customer_quarantine", layer="refined")
    dim_table, quarantine_table = dim.qualified_name(cfg), kept.qualified_name(cfg)

    # ── Extract ──────────────────────────────────────────────────────────────
    try:
        parsed = parse(read_feed(spark, source, feed_contract), dim).cache()
    except Exception as exc:  # Spark's "Path does not exist" AnalysisException
        if "PATH_NOT_FOUND" in str(exc) or "Path does not exist" in str(exc):
            raise TableNotFoundError(f"no customer change feed (CSV) at {source}") from None
        raise

    # ── Transform ────────────────────────────────────────────────────────────
    bad = kept.conform(quarantine(parsed))
    current = spark.table(dim_table) if table_exists(spark, dim_table) else None
    latest = latest_changes(parsed, dim)
    changes = newer_than(latest, current).cache()

    # ── Check: the changes and the quarantined rows against their contracts ──
    dim.checker(changes, dim_table).assert_all_passed()
    kept.checker(bad, quarantine_table).assert_all_passed()
    counts = parsed.agg(
        F.count(F.lit(1)).alias("read"), F.count("reason").alias("quarantined")
    ).first()
    read, quarantined = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    valid = read - quarantined
    to_apply = changes.count()

    # ── Load ─────────────────────────────────────────────────────────────────
    # Quarantine first: if the dimension write fails, the bad rows are still recorded. A
    # table with nothing to merge is not written: an empty batch adds no snapshot.
    if quarantined:
        write_iceberg(bad, quarantine_table, mode="merge", merge_keys=kept.primary_key)
    if to_apply:
        write_iceberg(
            changes, dim_table, mode="merge", merge_keys=dim.primary_key, sort_by=dim.sort_by
        )
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
    setup_logging()
    main()
