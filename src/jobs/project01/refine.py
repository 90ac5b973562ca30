"""project01 · refine: raw TPC-H Parquet -> typed, deduplicated, checked refined Iceberg tables.

Glue arguments (defaults in project.json): ``--SOURCE_PREFIX`` (raw folder, ``tpch``) and
``--TABLES`` (comma-separated subset of :data:`TABLES`). Each table's columns, types, keys,
layout and checks are its data contract's (contracts/refined/<table>.odcs.yaml).

Every table is built and checked before any is written, so a bad raw batch stops the job
with the refined layer exactly as it was (all tables at their last good snapshot).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark import StorageLevel

from dp_foundation.config.settings import get_config
from dp_foundation.contracts import TableContract, load_contract
from dp_foundation.io.failures import named_failures
from dp_foundation.io.readers import read_parquet
from dp_foundation.io.writers import write_iceberg
from dp_foundation.logging.logger import get_logger, setup_logging
from dp_foundation.quality.checks import DataQualityChecker
from dp_foundation.spark.session import get_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


PROJECT = "project01"
TABLES = ("region", "nation", "customer", "supplier", "orders", "lineitem")


def refine(raw: DataFrame, contract: TableContract) -> DataFrame:
    """Type the raw columns as the contract says and drop exact duplicate rows.

    Raw partition columns (e.g. ``ship_year``) are dropped: the refined table partitions by
    a transform of a real column instead. Rows that differ but share a key are kept, so
    the uniqueness check reports them rather than a silent choice of one.

    Raises:
        SchemaError: the raw data lacks some of the contract's columns.
    """
    return contract.conform(raw).dropDuplicates()


def check(df: DataFrame, contract: TableContract, dataset: str | None = None) -> DataQualityChecker:
    """The refined table's contract: its schema and every rule it declares."""
    return contract.checker(df, dataset)


@named_failures()
def main() -> None:
    """Refine every table of ``--TABLES``; write only when all of them pass their checks."""
    spark = get_spark(app_name="project01-refine")
    cfg = get_config()
    log = get_logger("jobs.project01.refine")
    names = [t.strip() for t in cfg.get("TABLES", ",".join(TABLES)).split(",") if t.strip()]
    unknown = [t for t in names if t not in TABLES]
    if unknown:
        raise ValueError(f"--TABLES names unknown tables {unknown}; known: {sorted(TABLES)}")
    source = f"{cfg.raw_uri}/{cfg.get('SOURCE_PREFIX', 'tpch')}"
    contracts = {name: load_contract(PROJECT, name, layer="refined") for name in names}
    log.info("refine started", extra={"tables": names, "source": source})

    # ── Extract, transform, check every table (nothing written yet) ─────────
    checked: dict[str, DataFrame] = {}
    try:
        for name, contract in contracts.items():
            df = refine(read_parquet(spark, f"{source}/{name}"), contract)
            # Persisted so the write reuses the rows the checks just read.
            df = df.persist(StorageLevel.MEMORY_AND_DISK)
            checked[name] = df
            check(df, contract, contract.qualified_name(cfg)).assert_all_passed()

        # ── Load: all tables passed ──────────────────────────────────────────
        for name, df in checked.items():
            contract = contracts[name]
            # A partitioned table replaces only the partitions of this batch.
            write_iceberg(
                df,
                contract.qualified_name(cfg),
                mode="overwrite_partitions" if contract.partition_by else "overwrite",
                partition_by=contract.partition_by,
                sort_by=contract.sort_by,
            )
    finally:
        for df in checked.values():
            df.unpersist()
    log.info("refine finished", extra={"tables": names})


if __name__ == "__main__":
    setup_logging()
    main()
