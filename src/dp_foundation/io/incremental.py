"""Incremental loads: read only the raw partitions that arrived since a table's last load.

A source lands each batch as a Hive partition folder ``<source>/<column>=<value>/`` (a batch
number, an ingestion date or hour), never touching earlier folders. The table built from it
records the highest partition value it has read, its *watermark*, in the summary of the same
Iceberg snapshot that writes the rows (``write_iceberg(..., snapshot_properties=...)``). So:

* a run reads only the partitions after the watermark;
* a run that fails commits nothing, the watermark stays, and the rerun reads the same
  partitions again (merge them idempotently, e.g. ``write_iceberg(mode="merge")``);
* a run with nothing new writes nothing, so no snapshot is added;
* a table rolled back to an earlier snapshot gets that snapshot's watermark back, and the next
  run reloads what the rollback undid.

Only the new partition folders are listed and read, as Glue's ``push_down_predicate`` does for
catalog partitions: the cost of a run follows the new data, not the history.
Partition values compare as integers when both are integers (``batch_id=2`` < ``batch_id=10``),
otherwise as strings, which orders ISO dates and timestamps (``ingest_date=2026-01-31``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dp_foundation.exceptions import TableNotFoundError
from dp_foundation.iceberg.catalog import split_table_name, table_exists
from dp_foundation.logging.logger import get_logger

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

WATERMARK_PROPERTY = "dp.watermark"
"""The snapshot-summary key that holds a table's watermark."""

_log = get_logger(__name__)


def partition_key(value: str) -> tuple[int, int, str]:
    """Sort key of a partition value: integers by value, then any other value as a string."""
    digits = value.lstrip("-")
    if digits.isdigit():
        return (0, int(value), "")
    return (1, 0, value)


def _fs_and_path(spark: SparkSession, path: str):  # type: ignore[no-untyped-def]
    jvm = spark.sparkContext._jvm  # the Hadoop FileSystem API handles file://, s3:// alike
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)  # type: ignore[union-attr]
    return hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hadoop_path


def list_partitions(spark: SparkSession, path: str, column: str) -> list[str]:
    """The values of the partition folders ``<column>=<value>`` directly under ``path``, in order.

    Folders being written (``_``- or ``.``-prefixed, as Spark and Glue skip them) and other
    files are not partitions.

    Raises:
        TableNotFoundError: nothing exists at ``path``.
    """
    fs, folder = _fs_and_path(spark, path)
    if not fs.exists(folder):
        raise TableNotFoundError(f"no raw data at {path}")
    prefix = f"{column}="
    values = [
        status.getPath().getName().removeprefix(prefix)
        for status in fs.listStatus(folder)
        if status.isDirectory() and status.getPath().getName().startswith(prefix)
    ]
    return sorted(values, key=partition_key)


def read_watermark(spark: SparkSession, table: str, key: str = WATERMARK_PROPERTY) -> str | None:
    """The table's watermark: ``key`` in the summary of its newest snapshot that has it.

    The current snapshot and its ancestors are searched, newest first, because maintenance
    commits (compaction, a rewrite of manifests) carry no watermark of their own.

    Returns:
        The watermark, or None for a missing table or one no load has stamped.
    """
    split_table_name(table)  # a validated identifier: safe to place in SQL
    if not table_exists(spark, table):
        return None
    row = spark.sql(
        f"SELECT s.summary[:key] FROM {table}.history h "  # noqa: S608  # nosec B608 - validated identifier
        f"JOIN {table}.snapshots s ON h.snapshot_id = s.snapshot_id "
        "WHERE h.is_current_ancestor AND s.summary[:key] IS NOT NULL "
        "ORDER BY h.made_current_at DESC LIMIT 1",
        args={"key": key},
    ).first()
    return str(row[0]) if row else None


def watermark_properties(watermark: str, key: str = WATERMARK_PROPERTY) -> dict[str, str]:
    """The ``snapshot_properties`` of a write that stamps ``watermark`` on its table."""
    return {key: watermark}


@dataclass(frozen=True)
class NewPartitions:
    """What :func:`read_new_partitions` found.

    Attributes:
        data: the rows of the new partitions (their partition columns included), or None
            when nothing is new.
        partitions: the new partition values read, in order.
        watermark: the watermark to stamp after loading ``data``: the last new partition's
            value, or the previous watermark when nothing is new.
    """

    data: DataFrame | None
    partitions: tuple[str, ...]
    watermark: str | None

    @property
    def empty(self) -> bool:
        """True when no partition arrived after the watermark."""
        return not self.partitions


def read_new_partitions(
    spark: SparkSession,
    path: str,
    column: str,
    watermark: str | None,
    schema: StructType | str | None = None,
) -> NewPartitions:
    """Read the Parquet partitions ``<path>/<column>=<value>/`` with a value after ``watermark``.

    Deeper partition folders (``batch_id=2/ship_year=1995/``) become columns as usual, and so
    does ``column``, so a job can order the changes of several batches.

    Args:
        spark: the session.
        path: the raw table's folder URI (``s3://bucket/tpch/orders``, ``file:///...``).
        column: the partition column batches arrive in (the first level under ``path``).
        watermark: the table's watermark (:func:`read_watermark`); None reads everything.
        schema: the files' schema; without it Spark infers it from the files.

    Raises:
        TableNotFoundError: nothing exists at ``path``.
    """
    values = list_partitions(spark, path, column)
    after = partition_key(watermark) if watermark is not None else None
    new = tuple(v for v in values if after is None or partition_key(v) > after)
    _log.info(
        "new partitions",
        extra={"path": path, "column": column, "watermark": watermark, "partitions": list(new)},
    )
    if not new:
        return NewPartitions(None, (), watermark)
    base = path.rstrip("/")
    reader = spark.read.option("basePath", base)
    if schema is not None:
        reader = reader.schema(schema)
    data = reader.parquet(*[f"{base}/{column}={v}" for v in new])
    return NewPartitions(data, new, new[-1])


__all__ = [
    "WATERMARK_PROPERTY",
    "NewPartitions",
    "list_partitions",
    "partition_key",
    "read_new_partitions",
    "read_watermark",
    "watermark_properties",
]
