"""project01 · refine: raw TPC-H Parquet -> typed, deduplicated, checked refined Iceberg tables.

Glue arguments (defaults in project.json): ``--SOURCE_PREFIX`` (raw folder, ``tpch``),
``--TABLES`` (comma-separated subset of :data:`TABLES`) and ``--FULL_REFRESH`` (``true``:
rebuild every table from all raw batches). Each table's columns, types, keys, layout and
checks are its data contract's (contracts/refined/<table>.odcs.yaml).

Incremental: raw data arrives in batches, one partition folder per batch (the raw contract's
first partition key, ``batch_id=<n>``), each row a change flagged in an ``op`` column the way
AWS DMS writes CDC files (``I`` insert, ``U`` update, ``D`` delete; a full load is all ``I``).
A refined table keeps the last batch it loaded as its watermark, in the summary of the
snapshot that wrote the rows (:mod:`dp_foundation.io.incremental`). A run reads only the
batches after it and merges them on the table's primary key; a table with no new batch is not
written. A table without a watermark (its first load, or ``--FULL_REFRESH``) is rebuilt from
every batch. A failed run commits nothing, so its rerun reads the same batches again.

Every table is built and checked before any is written, so a bad raw batch stops the job
with the refined layer exactly as it was (all tables at their last good snapshot).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark import StorageLevel
from pyspark.sql import Window
from pyspark.sql import functions as F

from dp_foundation.config.settings import get_config
from dp_foundation.contracts import TableContract, load_contract
from dp_foundation.exceptions import ConfigError, ContractError
from dp_foundation.io.failures import named_failures
from dp_foundation.io.incremental import (
    NewPartitions,
    read_new_partitions,
    read_watermark,
    watermark_properties,
)
from dp_foundation.io.writers import write_iceberg
from dp_foundation.logging.logger import get_logger, setup_logging
from dp_foundation.quality.checks import DataQualityChecker
from dp_foundation.spark.session import get_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


PROJECT = "project01"
TABLES = ("region", "nation", "customer", "supplier", "orders", "lineitem")
OP = "op"
"""The raw change flag, as AWS DMS names it: ``I``, ``U`` or ``D``."""
DELETED = "_dp_deleted"
"""The merge's delete flag (``op`` = ``D``); never written to a table."""


def refine(raw: DataFrame, contract: TableContract) -> DataFrame:
    """Type the raw columns as the contract says and drop exact duplicate rows.

    Raw partition columns (e.g. ``ship_year``) are dropped: the refined table partitions by
    a transform of a real column instead. Rows that differ but share a key are kept, so
    the uniqueness check reports them rather than a silent choice of one.

    Raises:
        SchemaError: the raw data lacks some of the contract's columns.
    """
    return contract.conform(raw).dropDuplicates()


def batch_column(raw: TableContract) -> str:
    """The partition column raw batches arrive in: the raw contract's first partition key.

    Raises:
        ContractError: the raw contract declares no partition column.
    """
    if not raw.partition_by:
        raise ContractError(
            f"{raw.name} declares no partition column; the refine job reads raw batches from "
            "its first partition key (e.g. batch_id)"
        )
    return raw.partition_by[0]


def changes(raw: DataFrame, contract: TableContract, batch: str | None = None) -> DataFrame:
    """The net change of every key in ``raw`` (the rows of one or more batches).

    A key keeps its rows of the latest batch that has it, typed as the contract says, without
    exact duplicates, plus the boolean column :data:`DELETED` (``op`` is ``D``; rows without
    an ``op`` are inserts). Different rows of one key in one batch are all kept, so the
    uniqueness check reports them rather than a silent choice of one.

    Args:
        raw: the raw rows, with ``op`` and the batch column.
        contract: the refined table's contract.
        batch: the batch column when ``raw`` holds several batches (the latest one of a key
            wins); None for a single batch, which needs no shuffle by key.

    Raises:
        SchemaError: the raw data lacks some of the contract's columns.
        ContractError: the contract declares no primary key to merge on.
    """
    keys = contract.primary_key
    if not keys:
        raise ContractError(f"{contract.name} declares no primary key; changes merge on it")
    contract.conform(raw)  # names the contract's columns the raw data lacks
    op = F.upper(F.col(OP)) if OP in raw.columns else F.lit("I")
    flagged = raw.withColumn(DELETED, F.coalesce(op == "D", F.lit(False)))
    if batch is not None:
        latest = F.max(batch).over(Window.partitionBy(*keys))
        flagged = (
            flagged.withColumn("_latest", latest)
            .where(F.col(batch) == F.col("_latest"))
            .drop("_latest")
        )
    typed = [F.col(c.name).cast(c.type).alias(c.name) for c in contract.columns]
    return flagged.select(*typed, DELETED).dropDuplicates()


def check(df: DataFrame, contract: TableContract, dataset: str | None = None) -> DataQualityChecker:
    """The refined table's contract: its schema and every rule it declares."""
    return contract.checker(df, dataset)


@named_failures()
def main() -> None:
    """Refine every table of ``--TABLES`` from its new raw batches; write only when all of
    them pass their checks."""
    spark = get_spark(app_name="project01-refine")
    cfg = get_config()
    log = get_logger("jobs.project01.refine")
    names = [t.strip() for t in cfg.get("TABLES", ",".join(TABLES)).split(",") if t.strip()]
    unknown = [t for t in names if t not in TABLES]
    if unknown:
        raise ConfigError(f"--TABLES names unknown tables {unknown}; known: {sorted(TABLES)}")
    full_refresh = cfg.get_bool("FULL_REFRESH", False)
    source = f"{cfg.raw_uri}/{cfg.get('SOURCE_PREFIX', 'tpch')}"
    contracts = {name: load_contract(PROJECT, name, layer="refined") for name in names}
    batches = {name: batch_column(load_contract(PROJECT, name, layer="raw")) for name in names}
    log.info(
        "refine started", extra={"tables": names, "source": source, "full_refresh": full_refresh}
    )

    # ── Extract the new batches, transform, check every table (nothing written yet) ─
    checked: dict[str, tuple[DataFrame, NewPartitions, str | None]] = {}
    try:
        for name, contract in contracts.items():
            table = contract.qualified_name(cfg)
            watermark = None if full_refresh else read_watermark(spark, table)
            new = read_new_partitions(spark, f"{source}/{name}", batches[name], watermark)
            if new.data is None:
                log.info("no new raw batch", extra={"table": table, "watermark": watermark})
                continue
            several = batches[name] if len(new.partitions) > 1 else None
            df = changes(new.data, contract, several)
            # Persisted so the write reuses the rows the checks just read.
            df = df.persist(StorageLevel.MEMORY_AND_DISK)
            checked[name] = (df, new, watermark)
            check(df.drop(DELETED), contract, table).assert_all_passed()

        # ── Load: all tables passed; each commit stamps its table's new watermark ──
        for name, (df, new, watermark) in checked.items():
            contract = contracts[name]
            table = contract.qualified_name(cfg)
            stamp = watermark_properties(new.watermark or "")
            layout = {"partition_by": contract.partition_by, "sort_by": contract.sort_by}
            if watermark is None:  # first load or full refresh: the latest state of every key
                rows = df.where(~F.col(DELETED)).drop(DELETED)
                write_iceberg(rows, table, mode="overwrite", snapshot_properties=stamp, **layout)
            else:
                write_iceberg(
                    df,
                    table,
                    mode="merge",
                    merge_keys=contract.primary_key,
                    delete_column=DELETED,
                    snapshot_properties=stamp,
                    **layout,
                )
            log.info(
                "loaded raw batches",
                extra={"table": table, "batches": list(new.partitions), "after": watermark},
            )
    finally:
        for df, _, _ in checked.values():
            df.unpersist()
    log.info("refine finished", extra={"tables": names})


if __name__ == "__main__":
    setup_logging()
    main()
