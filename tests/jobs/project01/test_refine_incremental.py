"""project01 refine, incrementally: TPC-H batch 1 loaded in full, then change batches (new,
updated and deleted orders and lines) merged; the refined and curated tables always equal a
full recompute over every batch landed, a rerun with nothing new writes nothing, and a run
that fails after reading leaves its watermark so the rerun reads the same batch again.

The jobs run in the test session's Spark (``main()`` with Glue-style arguments) on TPC-H at
SF 0.001 under their own raw prefix; the full recompute is written here independently of the
job: every raw batch read at once, each key's row of its latest batch, deletes dropped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from dp_cli.sample_data import generate_tpch, land_tpch_batch
from dp_foundation.config import args as glue_args
from dp_foundation.config import settings
from dp_foundation.contracts import TableContract
from dp_foundation.io.incremental import read_watermark
from dp_foundation.io.writers import current_snapshot_id

pytestmark = [pytest.mark.slow]

SF = 0.001
PREFIX = "incremental"  # raw folder of this test: <raw>/incremental/tpch/<table>/batch_id=<n>/
TABLES = ("region", "nation", "customer", "supplier", "orders", "lineitem")
ContractOf = Callable[[str, str, str], TableContract]


def run_job(job: ModuleType, contracts: Path, **arguments: str) -> None:
    """``job.main()`` as Glue starts it with ``--KEY value`` arguments; the environment and the
    bridged arguments are restored afterwards (the next run passes its own)."""
    saved_env, saved_bridged = dict(os.environ), dict(glue_args._bridged)
    try:
        os.environ["DP_CONTRACTS_DIR"] = str(contracts)
        argv = ["--SOURCE_PREFIX", f"{PREFIX}/tpch"]
        for key, value in arguments.items():
            argv += [f"--{key}", value]
        glue_args.bridge_glue_args(argv)
        settings._reset()
        job.main()
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        glue_args._bridged.clear()
        glue_args._bridged.update(saved_bridged)
        settings._reset()


def refined_name(table: str) -> str:
    return settings.get_config().table("refined", table)


def snapshots(spark: SparkSession) -> dict[str, int | None]:
    return {t: current_snapshot_id(spark, refined_name(t)) for t in TABLES}


def watermarks(spark: SparkSession) -> dict[str, str | None]:
    return {t: read_watermark(spark, refined_name(t)) for t in TABLES}


def full_recompute(spark: SparkSession, contract: ContractOf) -> dict[str, DataFrame]:
    """Every refined table as a rebuild from all raw batches would make it."""
    raw = f"{settings.get_config().raw_uri}/{PREFIX}/tpch"
    tables = {}
    for name in TABLES:
        refined = contract("project01", name, "refined")
        latest_first = Window.partitionBy(*refined.primary_key).orderBy(F.desc("batch_id"))
        rows = (
            spark.read.parquet(f"{raw}/{name}")
            .withColumn("_n", F.row_number().over(latest_first))
            .where("_n = 1 AND op <> 'D'")
        )
        tables[name] = refined.conform(rows)
    return tables


def assert_refined_equal_full_recompute(spark: SparkSession, contract: ContractOf) -> None:
    expected = full_recompute(spark, contract)
    for name in TABLES:
        assertDataFrameEqual(spark.table(refined_name(name)), expected[name])


@pytest.fixture(scope="module")
def loaded(spark: SparkSession, refine: ModuleType, compiled_contracts: Path) -> dict[str, Any]:
    """Batch 1 loaded in full, then batch 2 landed and loaded incrementally."""
    raw_uri = f"{settings.get_config().raw_uri}/{PREFIX}"
    generate_tpch(raw_uri, SF, force=True)
    # The session's lake is shared: rebuild from this test's raw data whatever came before.
    run_job(refine, compiled_contracts, FULL_REFRESH="true")
    after_first = {"snapshots": snapshots(spark), "watermarks": watermarks(spark)}
    manifest = land_tpch_batch(raw_uri, 2)
    run_job(refine, compiled_contracts)
    return {
        "raw_uri": raw_uri,
        "first": after_first,
        "snapshots": snapshots(spark),
        "manifest": manifest,
    }


def test_batch_two_lands_inserts_updates_and_deletes(loaded: dict[str, Any]) -> None:
    rows = loaded["manifest"]["batches"][1]["rows"]
    assert set(rows) == {"customer", "supplier", "orders", "lineitem"}  # no region, nation
    assert all(rows[t].get(op, 0) > 0 for t in ("orders", "lineitem") for op in "IUD")


def test_batch_two_is_merged_into_tables_equal_to_a_full_recompute(
    spark: SparkSession, contract: ContractOf, loaded: dict[str, Any]
) -> None:
    assert set(loaded["first"]["watermarks"].values()) == {"1"}
    assert watermarks(spark) == {
        "region": "1",
        "nation": "1",
        "customer": "2",
        "supplier": "2",
        "orders": "2",
        "lineitem": "2",
    }
    # Tables without a new batch were not written.
    for name in ("region", "nation"):
        assert loaded["snapshots"][name] == loaded["first"]["snapshots"][name]
    assert_refined_equal_full_recompute(spark, contract)


def test_a_rerun_with_nothing_new_writes_nothing(
    spark: SparkSession, refine: ModuleType, compiled_contracts: Path, loaded: dict[str, Any]
) -> None:
    before = {t: spark.table(f"{refined_name(t)}.snapshots").count() for t in TABLES}
    run_job(refine, compiled_contracts)
    assert snapshots(spark) == loaded["snapshots"]
    assert {t: spark.table(f"{refined_name(t)}.snapshots").count() for t in TABLES} == before


def test_curated_tables_equal_a_full_recompute(
    spark: SparkSession,
    curate: ModuleType,
    contract: ContractOf,
    compiled_contracts: Path,
    loaded: dict[str, Any],
) -> None:
    run_job(curate, compiled_contracts)
    t = full_recompute(spark, contract)
    cfg = settings.get_config()
    q1 = contract("project01", "pricing_summary", "curated")
    q5 = contract("project01", "local_supplier_volume", "curated")
    expected_q1 = curate.pricing_summary(t["lineitem"], 90, q1)
    expected_q5 = curate.local_supplier_volume(
        t["customer"], t["orders"], t["lineitem"], t["supplier"], t["nation"], t["region"],
        region_name="ASIA", year=1994, contract=q5,
    )  # fmt: skip
    assertDataFrameEqual(spark.table(cfg.table("curated", "pricing_summary")), expected_q1)
    assertDataFrameEqual(spark.table(cfg.table("curated", "local_supplier_volume")), expected_q5)
    # The changes reach the answers: batch 1 alone gives other ones.
    first = spark.read.parquet(f"{cfg.raw_uri}/{PREFIX}/tpch/lineitem/batch_id=1")
    lineitem = contract("project01", "lineitem", "refined")
    batch_one_q1 = curate.pricing_summary(lineitem.conform(first), 90, q1)
    assert sorted(batch_one_q1.collect()) != sorted(expected_q1.collect())


def test_a_run_failing_after_its_reads_keeps_the_watermark_and_the_rerun_converges(
    spark: SparkSession,
    refine: ModuleType,
    contract: ContractOf,
    compiled_contracts: Path,
    loaded: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    land_tpch_batch(loaded["raw_uri"], 3)
    write = refine.write_iceberg

    def fails_on_lineitem(df: DataFrame, table: str, **kwargs: Any) -> int | None:
        if table.endswith(".lineitem"):  # the last table written: the others are committed
            raise RuntimeError("injected: the job dies before lineitem's commit")
        return write(df, table, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(refine, "write_iceberg", fails_on_lineitem)
    before = snapshots(spark)
    with pytest.raises(RuntimeError, match="injected"):
        run_job(refine, compiled_contracts)
    failed = snapshots(spark)
    assert failed["lineitem"] == before["lineitem"]
    assert read_watermark(spark, refined_name("lineitem")) == "2"
    assert failed["orders"] != before["orders"]
    assert read_watermark(spark, refined_name("orders")) == "3"

    monkeypatch.setattr(refine, "write_iceberg", write)
    run_job(refine, compiled_contracts)
    rerun = snapshots(spark)
    assert rerun["orders"] == failed["orders"]  # nothing new for orders: not written again
    assert rerun["lineitem"] != failed["lineitem"]
    assert read_watermark(spark, refined_name("lineitem")) == "3"
    assert_refined_equal_full_recompute(spark, contract)


# ── changes(): the net change of each key over one or more batches ───────────


def test_changes_keep_each_keys_latest_batch_and_flag_its_deletes(
    spark: SparkSession, refine: ModuleType, contract: ContractOf
) -> None:
    region = contract("project01", "region", "refined")
    raw = spark.createDataFrame(
        [
            ("I", 0, "AFRICA", "first", 1),
            ("U", 0, "AFRICA", "second", 2),  # later batch wins
            ("I", 1, "AMERICA", "x", 1),
            ("D", 1, "AMERICA", "x", 3),  # deleted in the last batch
            ("I", 2, "ASIA", "y", 2),
            ("I", 2, "ASIA", "y", 2),  # an exact copy goes
        ],
        "op string, r_regionkey int, r_name string, r_comment string, batch_id int",
    )
    got = refine.changes(raw, region, "batch_id")
    assert got.columns == [*region.schema, refine.DELETED]
    assert sorted(tuple(r) for r in got.collect()) == [
        (0, "AFRICA", "second", False),
        (1, "AMERICA", "x", True),
        (2, "ASIA", "y", False),
    ]


def test_changes_keep_conflicting_rows_of_one_batch_for_the_uniqueness_check(
    spark: SparkSession, refine: ModuleType, contract: ContractOf
) -> None:
    region = contract("project01", "region", "refined")
    raw = spark.createDataFrame(
        [(0, "AFRICA", "a"), (0, "AFRICA", "b")],  # no op column: a full load of inserts
        "r_regionkey int, r_name string, r_comment string",
    )
    got = refine.changes(raw, region)
    assert got.where(~got[refine.DELETED]).count() == 2
    results = refine.check(got.drop(refine.DELETED), region, "region").run()
    assert {r.name for r in results if not r.passed} == {"unique(r_regionkey)"}
