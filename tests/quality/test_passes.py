"""dp_foundation.quality.passes: reference joins, failing-row samples, and the volume check
against a real local Iceberg table with two snapshots, read from its metadata only."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dp_foundation.io.writers import current_snapshot_id, write_iceberg
from dp_foundation.quality import DataQualityChecker
from dp_foundation.quality.passes import (
    count_missing_references,
    read_snapshots,
    sample_missing_references,
    sample_rows,
)

RandomTable = Callable[[int, int], tuple[list[tuple[Any, ...]], DataFrame]]


def test_missing_references_are_counted_and_sampled(
    spark: SparkSession, random_table: RandomTable
) -> None:
    rows, df = random_table(21, 300)
    known = {-2, 0, 1}
    reference = spark.createDataFrame([(v,) for v in sorted(known)], "o int")
    missing = [r for r in rows if r[1] is not None and r[1] not in known]
    assert count_missing_references(df, ["k"], reference, ["o"]) == len(missing)
    samples = sample_missing_references(df, ["k"], reference, ["o"], 5)
    assert len(samples) == 5
    assert all(s["k"] is not None and s["k"] not in known for s in samples)
    assert list(samples[0]) == df.columns  # whole rows, in the DataFrame's column order
    assert {s["id"] for s in samples} <= {r[0] for r in missing}


def test_sample_rows_draws_only_matching_rows(random_table: RandomTable) -> None:
    _, df = random_table(22, 300)
    samples = sample_rows(df, F.col("x") < 0, 7)
    assert len(samples) == 7
    assert all(s["x"] is not None and s["x"] < 0 for s in samples)
    assert sample_rows(df, F.lit(False), 7) == []


# ─── volume: a real Iceberg table with two snapshots ─────────────────────────


@pytest.fixture(scope="module")
def two_snapshots(spark: SparkSession) -> tuple[str, list[int]]:
    """A table written twice by the library's writer: 200 rows, then 150 (overwrite); then
    every data file is deleted, so anything that read data instead of metadata would fail."""
    table = f"glue_catalog.quality_db.volume_{uuid.uuid4().hex[:8]}"
    first = write_iceberg(spark.range(200).withColumnRenamed("id", "n"), table, mode="overwrite")
    second = write_iceberg(spark.range(150).withColumnRenamed("id", "n"), table, mode="overwrite")
    assert first is not None and second is not None
    assert current_snapshot_id(spark, table) == second
    files = [r[0] for r in spark.table(f"{table}.all_data_files").select("file_path").collect()]
    assert files
    for uri in files:
        Path(urlparse(uri).path).unlink()
    return table, [first, second]


def test_read_snapshots_from_metadata(
    spark: SparkSession, two_snapshots: tuple[str, list[int]]
) -> None:
    table, (first, second) = two_snapshots
    found = read_snapshots(spark, table)
    assert found.exists
    assert (found.current.snapshot_id, found.current.records) == (second, 150)  # type: ignore[union-attr]
    assert (found.parent.snapshot_id, found.parent.records) == (first, 200)  # type: ignore[union-attr]
    with pytest.raises(Exception, match=r"(?i)file"):  # the data is gone: a recount would fail
        spark.table(table).selectExpr("sum(n + 1)").collect()


def test_read_snapshots_of_missing_and_empty_tables(spark: SparkSession) -> None:
    assert not read_snapshots(spark, "glue_catalog.quality_db.never_written").exists
    table = f"glue_catalog.quality_db.empty_{uuid.uuid4().hex[:8]}"
    spark.sql("CREATE DATABASE IF NOT EXISTS glue_catalog.quality_db")
    spark.sql(f"CREATE TABLE {table} (n bigint) USING iceberg")
    found = read_snapshots(spark, table)
    assert (found.exists, found.current, found.parent) == (True, None, None)


def _reference_volume(rows: int, baseline: int, max_drop: float) -> bool:
    """The rule in plain Python: a drop of at most ``max_drop`` percent passes."""
    return 100.0 * (baseline - rows) / baseline <= max_drop


@pytest.mark.parametrize("rows", [0, 100, 119, 120, 121, 150, 400])
@pytest.mark.parametrize("max_drop", [0.0, 20.0, 100.0])
def test_volume_against_the_current_snapshot(
    spark: SparkSession, two_snapshots: tuple[str, list[int]], rows: int, max_drop: float
) -> None:
    """A batch about to replace the table, against the table's 150 rows now."""
    table, (_, second) = two_snapshots
    (result,) = DataQualityChecker(spark.range(rows)).volume_anomaly(table, max_drop).run()
    assert result.passed == _reference_volume(rows, 150, max_drop), result.detail
    assert result.total_rows == rows
    assert f"against 150 in the current snapshot ({second}) of {table}" in result.detail


def test_volume_against_the_parent_snapshot(
    spark: SparkSession, two_snapshots: tuple[str, list[int]]
) -> None:
    """The table as just written (150 rows), against the snapshot before (200): -25%."""
    table, _ = two_snapshots
    written = spark.range(150)  # stands for the table itself, whose data files are gone

    def check(max_drop: float) -> Any:
        checker = DataQualityChecker(written, dataset=table, samples=0)
        return checker.volume_anomaly(table, max_drop, compare_with="parent").run()[0]

    failed, passed = check(20), check(25)
    assert (failed.passed, passed.passed) == (False, True)
    assert failed.detail == (
        f"150 rows against 200 in the parent snapshot ({two_snapshots[1][0]}) of {table}: "
        "a drop of 25%; expected a drop of at most 20%"
    )
    assert failed.name == f"volume_anomaly({table}, max drop 20%, parent snapshot)"


def test_volume_passes_when_there_is_nothing_to_compare(
    spark: SparkSession, two_snapshots: tuple[str, list[int]]
) -> None:
    missing = "glue_catalog.quality_db.not_yet_written"
    (first_load,) = DataQualityChecker(spark.range(0)).volume_anomaly(missing, 10).run()
    assert first_load.passed
    assert first_load.detail == f"{missing} does not exist yet; nothing to compare 0 rows with"
    single = f"glue_catalog.quality_db.single_{uuid.uuid4().hex[:8]}"
    write_iceberg(spark.range(5).withColumnRenamed("id", "n"), single)
    (no_parent,) = (
        DataQualityChecker(spark.range(1)).volume_anomaly(single, 10, compare_with="parent").run()
    )
    assert no_parent.passed
    assert "has no parent snapshot" in no_parent.detail


def test_volume_from_a_dict_with_warn_severity(
    spark: SparkSession, two_snapshots: tuple[str, list[int]]
) -> None:
    table, _ = two_snapshots
    checker = DataQualityChecker(spark.range(10)).add_rule(
        {"kind": "volume_anomaly", "table": table, "max_drop_percent": 50, "severity": "warn"}
    )
    (result,) = checker.assert_all_passed()  # a warning does not fail the job
    assert (result.passed, result.severity) == (False, "warn")
