"""Readers: Iceberg tables (optionally time-travelled) and Parquet paths (the raw layer)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

from dp_foundation.exceptions import InputDataError, SchemaError, TableNotFoundError
from dp_foundation.iceberg.catalog import split_table_name, table_exists
from dp_foundation.io.failures import named_failures

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


# How many files a drift report inspects one by one (the slow path, taken only on drift).
DRIFT_REPORT_FILES = 20


def _spark_type(type_string: str) -> str:
    from pyspark.sql.types import _parse_datatype_string

    return str(_parse_datatype_string(type_string).simpleString())


def _partition_columns(file: str) -> set[str]:
    """Hive-style ``name=value`` folders in a file's path: columns Spark takes from the path."""
    return {part.split("=", 1)[0] for part in file.split("/")[:-1] if "=" in part}


def _drift(found: dict[str, str], expected: dict[str, str], from_path: set[str]) -> list[str]:
    problems = [f"unexpected column {c} ({t})" for c, t in found.items() if c not in expected]
    problems += [
        f"column {c} is {found[c]}, expected {t}"
        for c, t in expected.items()
        if c in found and found[c] != t
    ]
    problems += [
        f"column {c} ({t}) is missing"
        for c, t in expected.items()
        if c not in found and c not in from_path
    ]
    return problems


def _drift_report(spark: SparkSession, files: list[str], expected: dict[str, str]) -> list[str]:
    """One line per file whose own schema differs from ``expected``."""
    lines = []
    for file in files[:DRIFT_REPORT_FILES]:
        with named_failures():
            fields = spark.read.parquet(file).schema.fields
        found = {f.name: f.dataType.simpleString() for f in fields}
        problems = _drift(found, expected, _partition_columns(file))
        if problems:
            lines.append(f"{file}: {'; '.join(problems)}")
    return lines


def _data_files(spark: SparkSession, path: str) -> list[str]:
    """Every data file under ``path`` (Spark's and Hive's hidden ``_``/``.`` files left out)."""
    jvm = spark.sparkContext._jvm
    root = jvm.org.apache.hadoop.fs.Path(path)  # type: ignore[union-attr]
    fs = root.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    found = []
    listing = fs.listFiles(root, True)
    while listing.hasNext():
        file = listing.next().getPath()
        if not file.getName().startswith(("_", ".")):
            found.append(str(file.toString()))
    return sorted(found)


def read_parquet(
    spark: SparkSession,
    path: str,
    schema: StructType | str | None = None,
    expected: Mapping[str, str] | None = None,
) -> DataFrame:
    """Read Parquet files under ``path``; Hive-style partition folders become columns.

    Args:
        spark: the session.
        path: a folder or file URI (``s3://bucket/prefix`` or ``file:///...``).
        schema: the schema to read with; without it Spark infers it from the files.
        expected: the columns and Spark types every file must have, e.g. a raw contract's
            ``schema``. The files' footers are read (in parallel, by Spark) and compared
            with it before any row is: a new, missing or retyped column stops the read
            with the files that differ. The result has ``expected``'s columns, in order.

    Raises:
        TableNotFoundError: nothing exists at ``path``.
        InputDataError: ``path`` holds no data file (an empty batch), or a file is truncated,
            damaged or not Parquet (the file is named).
        SchemaError: a file's columns differ from ``expected`` (each such file is named).

    A file damaged past its footer is only found when its rows are read: wrap the code that
    reads them in :func:`dp_foundation.io.failures.named_failures` to get the same errors.
    """
    if not _path_exists(spark, path):
        raise TableNotFoundError(f"no Parquet data at {path}")
    reader = spark.read
    if schema is not None and expected is None:
        reader = reader.schema(schema)
    if expected is not None:
        # Every footer, not only the first file's: a drifted file anywhere is found now.
        reader = reader.option("mergeSchema", "true")
    df: DataFrame | None = None
    try:
        with named_failures():
            df = reader.parquet(path)
    except Exception as exc:
        # No file at all, or (merging) files that disagree on a column's type: both are
        # reported below in the library's terms; anything else is not this reader's to explain.
        if "UNABLE_TO_INFER_SCHEMA" in str(exc):
            raise InputDataError(
                f"no Parquet data file under {path}: expected at least one (an empty batch?)"
            ) from None
        if expected is None or "CANNOT_MERGE_SCHEMAS" not in str(exc):
            raise
    if expected is None:
        return cast("DataFrame", df)  # without ``expected`` every failure was raised
    want = {name: _spark_type(t) for name, t in expected.items()}
    if df is not None:
        found = {f.name: f.dataType.simpleString() for f in df.schema.fields}
        if not _drift(found, want, set()):
            return df.select(*want)
    report = _drift_report(spark, _data_files(spark, path), want)
    shown = "\n  ".join(report) or "files disagree with each other on a column's type"
    raise SchemaError(
        f"Parquet files under {path} do not have the expected columns "
        f"{', '.join(f'{c} {t}' for c, t in want.items())}:\n  {shown}"
    )


__all__ = ["read_iceberg", "read_parquet"]
