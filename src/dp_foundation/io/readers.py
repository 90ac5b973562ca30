"""Readers: Iceberg tables (optionally time-travelled) and Parquet paths (the raw layer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dp_foundation.exceptions import TableNotFoundError
from dp_foundation.iceberg.catalog import split_table_name, table_exists

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType


def read_iceberg(
    spark: SparkSession,
    table: str,
    snapshot_id: int | None = None,
    as_of_timestamp: str | int | None = None,
) -> DataFrame:
    """Read an Iceberg table, at its current snapshot or an earlier one.

    Args:
        spark: the session (from :func:`dp_foundation.spark.session.get_spark`).
        table: ``catalog.database.table``, e.g. ``glue_catalog.f01_refined_local.orders``.
        snapshot_id: read this snapshot (``VERSION AS OF``).
        as_of_timestamp: read the table as it was at this time: epoch milliseconds or a
            timestamp string such as ``"2026-01-31 12:00:00"`` (``TIMESTAMP AS OF``).

    Raises:
        TableNotFoundError: the table does not exist.
        ValueError: both ``snapshot_id`` and ``as_of_timestamp`` were given.
    """
    split_table_name(table)
    if snapshot_id is not None and as_of_timestamp is not None:
        raise ValueError("give snapshot_id or as_of_timestamp, not both")
    if not table_exists(spark, table):
        raise TableNotFoundError(f"Iceberg table {table} does not exist")
    reader = spark.read.format("iceberg")
    if snapshot_id is not None:
        reader = reader.option("snapshot-id", str(int(snapshot_id)))
    elif isinstance(as_of_timestamp, int):
        reader = reader.option("as-of-timestamp", str(as_of_timestamp))
    elif as_of_timestamp is not None:
        millis = spark.sql(
            "SELECT CAST(unix_millis(CAST(:ts AS TIMESTAMP)) AS STRING) AS ms",
            args={"ts": as_of_timestamp},
        ).first()
        if millis is None or millis[0] is None:
            raise ValueError(f"as_of_timestamp '{as_of_timestamp}' is not a timestamp")
        reader = reader.option("as-of-timestamp", millis[0])
    return reader.load(table)


def _path_exists(spark: SparkSession, path: str) -> bool:
    jvm = spark.sparkContext._jvm  # the Hadoop FileSystem API handles file://, s3:// alike
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)  # type: ignore[union-attr]
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return bool(fs.exists(hadoop_path))


def read_parquet(
    spark: SparkSession,
    path: str,
    schema: StructType | str | None = None,
) -> DataFrame:
    """Read Parquet files under ``path``; Hive-style partition folders become columns.

    Args:
        spark: the session.
        path: a folder or file URI (``s3://bucket/prefix`` or ``file:///...``).
        schema: expected schema; without it Spark infers it from the files.

    Raises:
        TableNotFoundError: nothing exists at ``path``.
    """
    if not _path_exists(spark, path):
        raise TableNotFoundError(f"no Parquet data at {path}")
    reader = spark.read
    if schema is not None:
        reader = reader.schema(schema)
    return reader.parquet(path)


__all__ = ["read_iceberg", "read_parquet"]
