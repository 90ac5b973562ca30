"""dp_foundation.io.incremental: new raw partitions after a watermark, and the watermark kept in
the snapshot summary by the write that loads them (merge with deletes included)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.testing import assertDataFrameEqual

from dp_foundation.config.settings import local_uri
from dp_foundation.exceptions import SchemaError, TableNotFoundError, WriteError
from dp_foundation.iceberg.catalog import table_exists
from dp_foundation.io.incremental import (
    WATERMARK_PROPERTY,
    list_partitions,
    partition_key,
    read_new_partitions,
    read_watermark,
    watermark_properties,
)
from dp_foundation.io.writers import current_snapshot_id, write_iceberg


def _table(name: str) -> str:
    return f"glue_catalog.incremental_db.{name}_{uuid.uuid4().hex[:8]}"


def _changes(spark: SparkSession, *rows: tuple[int, str, bool]) -> DataFrame:
    return spark.createDataFrame(list(rows), "id int, v string, deleted boolean")


def _snapshots(spark: SparkSession, table: str) -> list[int]:
    return [r[0] for r in spark.sql(f"SELECT snapshot_id FROM {table}.snapshots").collect()]


def test_partition_values_order_as_numbers_or_as_text() -> None:
    assert sorted(["10", "9", "2"], key=partition_key) == ["2", "9", "10"]
    dates = ["2026-02-01", "2026-01-31", "2025-12-31"]
    assert sorted(dates, key=partition_key) == ["2025-12-31", "2026-01-31", "2026-02-01"]


@pytest.fixture
def batches(spark: SparkSession, tmp_path: Path) -> str:
    """A raw folder with batches 1, 2 and 10 (two rows each), a batch still being written and
    a stray file."""
    root = tmp_path / "raw" / "orders"
    for batch in (1, 2, 10):
        rows = [(batch * 100 + i, f"b{batch}") for i in (1, 2)]
        spark.createDataFrame(rows, "id int, v string").write.parquet(
            str(root / f"batch_id={batch}")
        )
    spark.createDataFrame([(0, "x")], "id int, v string").write.parquet(
        str(root / "_staging.batch_id=11")
    )
    (root / "notes.txt").write_text("not a partition", encoding="utf-8")
    return local_uri(root)


def test_list_partitions_skips_folders_being_written_and_files(
    spark: SparkSession, batches: str
) -> None:
    assert list_partitions(spark, batches, "batch_id") == ["1", "2", "10"]


def test_read_new_partitions_reads_only_those_after_the_watermark(
    spark: SparkSession, batches: str
) -> None:
    everything = read_new_partitions(spark, batches, "batch_id", None)
    assert everything.partitions == ("1", "2", "10") and everything.watermark == "10"
    assert everything.data is not None and everything.data.count() == 6

    new = read_new_partitions(spark, batches, "batch_id", "2")
    assert new.partitions == ("10",) and new.watermark == "10" and not new.empty
    assert new.data is not None
    assert sorted(tuple(r) for r in new.data.collect()) == [(1001, "b10", 10), (1002, "b10", 10)]

    nothing = read_new_partitions(spark, batches, "batch_id", "10")
    assert nothing.empty and nothing.data is None and nothing.watermark == "10"


def test_read_new_partitions_names_a_missing_source(spark: SparkSession, tmp_path: Path) -> None:
    missing = local_uri(tmp_path / "nowhere")
    with pytest.raises(TableNotFoundError, match="nowhere"):
        read_new_partitions(spark, missing, "batch_id", None)


def test_the_watermark_is_written_in_the_commit_of_the_rows(spark: SparkSession) -> None:
    table = _table("stamped")
    assert read_watermark(spark, table) is None  # no table yet

    rows = spark.createDataFrame([(1, "a"), (2, "b")], "id int, v string")
    first = write_iceberg(rows, table, mode="overwrite", snapshot_properties={"dp.watermark": "1"})
    summary = spark.sql(
        f"SELECT summary FROM {table}.snapshots WHERE snapshot_id = {first}"
    ).first()
    assert summary is not None and summary[0][WATERMARK_PROPERTY] == "1"
    assert read_watermark(spark, table) == "1"

    # A commit without a watermark (compaction, a manual fix) keeps the last one found.
    write_iceberg(spark.createDataFrame([(3, "c")], "id int, v string"), table, mode="append")
    assert read_watermark(spark, table) == "1"

    merged = write_iceberg(
        _changes(spark, (2, "B", False), (1, "a", True), (9, "gone", True), (4, "d", False)),
        table,
        mode="merge",
        merge_keys=["id"],
        delete_column="deleted",
        snapshot_properties=watermark_properties("2"),
    )
    assert read_watermark(spark, table) == "2"
    assert current_snapshot_id(spark, table) == merged
    assert spark.table(table).columns == ["id", "v"]  # the delete flag is not written
    expected = spark.createDataFrame([(2, "B"), (3, "c"), (4, "d")], "id int, v string")
    assertDataFrameEqual(spark.table(table), expected)

    # Rolled back before the merge, the table gets that snapshot's watermark back.
    _, database, name = table.split(".")
    spark.sql(f"CALL glue_catalog.system.rollback_to_snapshot('{database}.{name}', {first})")
    assert read_watermark(spark, table) == "1"


def test_a_failed_merge_commits_nothing_and_keeps_the_watermark(spark: SparkSession) -> None:
    table = _table("failed")
    rows = spark.createDataFrame([(1, "a")], "id int, v string")
    write_iceberg(rows, table, mode="overwrite", snapshot_properties=watermark_properties("1"))
    before = _snapshots(spark, table)
    # Two source rows for one key: Iceberg refuses the merge.
    duplicated = _changes(spark, (1, "x", False), (1, "y", False))
    with pytest.raises(Exception, match=r"(?i)multiple rows|cardinality"):
        write_iceberg(
            duplicated,
            table,
            mode="merge",
            merge_keys=["id"],
            delete_column="deleted",
            snapshot_properties=watermark_properties("2"),
        )
    assert _snapshots(spark, table) == before
    assert read_watermark(spark, table) == "1"
    # The next commit in this thread carries no stale watermark.
    write_iceberg(rows, table, mode="append")
    latest = current_snapshot_id(spark, table)
    summary = spark.sql(
        f"SELECT summary FROM {table}.snapshots WHERE snapshot_id = {latest}"
    ).first()
    assert summary is not None and WATERMARK_PROPERTY not in summary[0]


def test_delete_column_is_checked_before_the_write(spark: SparkSession) -> None:
    table = _table("refused")
    changes = _changes(spark, (1, "a", False))
    with pytest.raises(WriteError, match="delete_column is only used by mode 'merge'"):
        write_iceberg(changes, table, mode="append", delete_column="deleted")
    with pytest.raises(SchemaError, match="delete column 'gone'"):
        write_iceberg(changes, table, mode="merge", merge_keys=["id"], delete_column="gone")
    with pytest.raises(SchemaError, match="must be boolean; it is string"):
        write_iceberg(changes, table, mode="merge", merge_keys=["id"], delete_column="v")
    with pytest.raises(WriteError, match="must not be empty"):
        write_iceberg(changes.drop("deleted"), table, snapshot_properties={"": "1"})
    assert not table_exists(spark, table)


def _documented_loader() -> Callable[..., None]:
    """``load_new_batches`` as docs/adding-a-job.md shows it, run as written."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "adding-a-job.md").read_text("utf-8")
    (code,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "load_new_batches" in b]
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/adding-a-job.md", "exec"), namespace)  # nosec B102 - our own docs
    return namespace["load_new_batches"]  # type: ignore[return-value]


def test_the_documented_incremental_load_merges_each_batch_once(
    spark: SparkSession, tmp_path: Path
) -> None:
    load_new_batches = _documented_loader()
    source, table = tmp_path / "raw" / "customers", _table("documented")
    schema = "op string, id int, name string"

    def land(batch: int, *rows: tuple[str, int, str]) -> None:
        spark.createDataFrame(list(rows), schema).write.parquet(str(source / f"batch_id={batch}"))

    land(1, ("I", 1, "Ann"), ("I", 2, "Bob"), ("I", 3, "Cy"))
    load_new_batches(spark, local_uri(source), table, ["id"])
    land(2, ("U", 2, "Bobby"), ("D", 3, "Cy"), ("I", 4, "Di"))
    land(3, ("U", 2, "Robert"))  # a second change of one key, read together with batch 2
    load_new_batches(spark, local_uri(source), table, ["id"])

    expected = spark.createDataFrame([(1, "Ann"), (2, "Robert"), (4, "Di")], "id int, name string")
    assertDataFrameEqual(spark.table(table), expected)
    assert read_watermark(spark, table) == "3"
    snapshots = _snapshots(spark, table)
    load_new_batches(spark, local_uri(source), table, ["id"])  # nothing new
    assert _snapshots(spark, table) == snapshots
