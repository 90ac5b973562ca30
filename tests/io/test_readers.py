"""dp_foundation.io.readers: Iceberg (current and time-travelled) and Parquet reads."""

from __future__ import annotations

import time
import uuid
from datetime import UTC
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.testing import assertDataFrameEqual

from dp_foundation.exceptions import TableNotFoundError, WriteError
from dp_foundation.io.readers import read_iceberg, read_parquet
from dp_foundation.io.writers import write_iceberg


def _table(name: str) -> str:
    return f"glue_catalog.readers_db.{name}_{uuid.uuid4().hex[:8]}"


def _df(spark: SparkSession, *ids: int) -> DataFrame:
    return spark.createDataFrame([(i, f"name-{i}") for i in ids], "id int, name string")


@pytest.fixture(scope="module")
def history(spark: SparkSession) -> tuple[str, list[tuple[int, int, DataFrame]]]:
    """A table written three times: [(snapshot_id, committed_at_ms, content after), ...]."""
    table = _table("history")
    versions: list[tuple[int, int, DataFrame]] = []
    content: DataFrame | None = None
    for batch in ((1, 2), (3,), (4, 5)):
        df = _df(spark, *batch)
        write_iceberg(df, table)
        content = df if content is None else content.unionByName(df)
        snapshot_id, committed = spark.sql(
            f"SELECT snapshot_id, unix_millis(committed_at) FROM {table}.snapshots "
            "ORDER BY committed_at DESC LIMIT 1"
        ).first()  # type: ignore[misc]
        versions.append((snapshot_id, committed, content))
        time.sleep(0.01)  # distinct commit times
    return table, versions


def test_read_current(
    spark: SparkSession, history: tuple[str, list[tuple[int, int, DataFrame]]]
) -> None:
    table, versions = history
    assertDataFrameEqual(read_iceberg(spark, table), versions[-1][2])


def test_read_at_a_snapshot(
    spark: SparkSession, history: tuple[str, list[tuple[int, int, DataFrame]]]
) -> None:
    table, versions = history
    for snapshot_id, _, content in versions:
        assertDataFrameEqual(read_iceberg(spark, table, snapshot_id=snapshot_id), content)


def test_read_at_a_timestamp_in_millis(
    spark: SparkSession, history: tuple[str, list[tuple[int, int, DataFrame]]]
) -> None:
    table, versions = history
    for _, committed, content in versions:
        assertDataFrameEqual(read_iceberg(spark, table, as_of_timestamp=committed), content)


def test_read_at_a_timestamp_string(
    spark: SparkSession, history: tuple[str, list[tuple[int, int, DataFrame]]]
) -> None:
    from datetime import datetime

    table, versions = history
    _, committed, content = versions[1]
    # The session time zone is UTC, so a UTC wall-clock string names the same instant.
    text = datetime.fromtimestamp(committed / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    assertDataFrameEqual(read_iceberg(spark, table, as_of_timestamp=text), content)


def test_read_before_the_first_snapshot_fails(
    spark: SparkSession, history: tuple[str, list[tuple[int, int, DataFrame]]]
) -> None:
    table, versions = history
    with pytest.raises(Exception, match="Cannot find a snapshot older than"):
        read_iceberg(spark, table, as_of_timestamp=versions[0][1] - 60_000).collect()


def test_snapshot_and_timestamp_are_exclusive(
    spark: SparkSession, history: tuple[str, list[tuple[int, int, DataFrame]]]
) -> None:
    table, versions = history
    with pytest.raises(ValueError, match="not both"):
        read_iceberg(spark, table, snapshot_id=versions[0][0], as_of_timestamp=versions[0][1])


def test_missing_table(spark: SparkSession) -> None:
    with pytest.raises(TableNotFoundError, match=r"readers_db\.missing"):
        read_iceberg(spark, "glue_catalog.readers_db.missing")
    with pytest.raises(TableNotFoundError):
        read_iceberg(spark, "glue_catalog.no_such_db.missing")
    with pytest.raises(WriteError):
        read_iceberg(spark, "missing")


def test_read_parquet_of_a_hive_partitioned_folder(spark: SparkSession, tmp_path: Path) -> None:
    """Files written by another engine (pyarrow), partition folders ``region=...``."""
    data = pa.table({"id": [1, 2, 3], "amount": [1.5, 2.5, None], "region": ["EU", "US", "EU"]})
    pq.write_to_dataset(data, str(tmp_path / "orders"), partition_cols=["region"])
    assert sorted(p.name for p in (tmp_path / "orders").iterdir()) == ["region=EU", "region=US"]

    df = read_parquet(spark, (tmp_path / "orders").as_uri())

    expected = spark.createDataFrame(
        [(1, 1.5, "EU"), (2, 2.5, "US"), (3, None, "EU")], "id long, amount double, region string"
    )
    assertDataFrameEqual(df, expected)


def test_read_parquet_with_a_schema(spark: SparkSession, tmp_path: Path) -> None:
    pq.write_table(pa.table({"id": [1, 2], "extra": ["x", "y"]}), str(tmp_path / "part.parquet"))
    df = read_parquet(spark, str(tmp_path), schema="id long")
    assertDataFrameEqual(df, spark.createDataFrame([(1,), (2,)], "id long"))


def test_read_parquet_of_a_missing_path(spark: SparkSession, tmp_path: Path) -> None:
    with pytest.raises(TableNotFoundError, match="no Parquet data at"):
        read_parquet(spark, (tmp_path / "nothing").as_uri())
