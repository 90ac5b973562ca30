"""Writers: Iceberg tables (refined, curated) and Parquet (raw).

Every Iceberg write is one atomic commit: if it fails, readers keep seeing the last good
snapshot. Arguments are validated before anything touches the table.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from dp_foundation.exceptions import SchemaError, WriteError
from dp_foundation.iceberg.catalog import (
    create_table_if_not_exists,
    describe_layout,
    partition_column,
    sort_column,
    split_table_name,
    table_exists,
)
from dp_foundation.iceberg.commits import translate_commit_conflicts
from dp_foundation.logging.logger import get_logger

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ICEBERG_MODES = ("append", "overwrite", "overwrite_partitions", "merge")
PARQUET_MODES = ("append", "overwrite", "overwrite_partitions", "error", "ignore")

_log = get_logger(__name__)


def _normalise_sort(spec: str) -> str:
    """``l_orderkey`` -> ``l_orderkey ASC NULLS FIRST`` (Iceberg's own rendering).

    ``spec`` is a validated sort spec: ``col [ASC|DESC] [NULLS FIRST|LAST]``.
    """
    column, *rest = spec.split()
    words = [w.upper() for w in rest]
    direction = words[0] if words and words[0] in ("ASC", "DESC") else "ASC"
    if len(words) >= 2 and words[-2] == "NULLS":
        nulls = words[-1]
    else:
        nulls = "FIRST" if direction == "ASC" else "LAST"
    return f"{column} {direction} NULLS {nulls}"


def _normalise_partition(transform: str) -> str:
    """``bucket(4, id)`` -> ``bucket(4,id)``; ``identity(s)`` -> ``s`` (how Spark shows it)."""
    compact = transform.replace(" ", "")
    if compact.startswith("identity(") and compact.endswith(")"):
        return compact.removeprefix("identity(").removesuffix(")")
    return compact


def _align_layout(
    spark: SparkSession, table: str, partition_by: Sequence[str], sort_by: Sequence[str]
) -> None:
    """Check an existing table's partitioning; give it the sort order the write asks for.

    A table's partitioning is set when it is created: by Terraform on AWS (from its data
    contract), by :func:`write_iceberg` locally. A table partitioned otherwise, or not at all,
    is left alone (warned): changing a live table's partitioning is a deliberate migration,
    not a side effect of a write.
    """
    partitions, sort_order = describe_layout(spark, table)
    wanted = [_normalise_partition(p) for p in partition_by]
    if wanted and [_normalise_partition(p) for p in partitions] != wanted:
        _log.warning(
            "table keeps its partitioning",
            extra={"table": table, "partitioning": partitions, "requested": wanted},
        )
    if sort_by:
        wanted_sort = ", ".join(_normalise_sort(s) for s in sort_by)
        if sort_order != wanted_sort:
            spark.sql(f"ALTER TABLE {table} WRITE ORDERED BY {', '.join(sort_by)}")


def _check_columns(df: DataFrame, table: str, table_columns: list[str]) -> None:
    missing = [c for c in table_columns if c not in df.columns]
    extra = [c for c in df.columns if c not in table_columns]
    if missing or extra:
        raise SchemaError(
            f"DataFrame does not fit {table}: missing columns {missing}, unexpected columns "
            f"{extra}; the table has {table_columns}"
        )


class _JavaCallable:
    """A Python function as a ``java.util.concurrent.Callable`` (a Py4J callback)."""

    def __init__(self, action: Callable[[], object]) -> None:
        self.action = action
        self.error: BaseException | None = None

    def call(self) -> None:
        try:
            self.action()
        except BaseException as exc:
            self.error = exc
            raise

    class Java:
        implements = ["java.util.concurrent.Callable"]  # noqa: RUF012 - Py4J's protocol


def _with_commit_properties(
    spark: SparkSession, table: str, properties: Mapping[str, str], action: Callable[[], object]
) -> None:
    """Run ``action`` (a SQL write) so that Iceberg adds ``properties`` to its commit's summary.

    SQL writes take no write options, so Iceberg's ``CommitMetadata`` carries the properties in
    a JVM thread-local. PySpark's pinned-thread mode (its default) runs the callback's SQL on the
    JVM thread that set them; without it the properties would be silently lost.
    """
    if not properties:
        action()
        return
    from py4j.clientserver import ClientServer
    from py4j.protocol import Py4JJavaError

    if not isinstance(spark.sparkContext._gateway, ClientServer):
        raise WriteError(
            f"snapshot properties on a merge into {table} need PySpark's pinned-thread mode; "
            "unset PYSPARK_PIN_THREAD (or set it to true)"
        )
    jvm = spark.sparkContext._jvm
    props = jvm.java.util.HashMap()  # type: ignore[union-attr]
    for key, value in properties.items():
        props.put(key, value)
    callable_ = _JavaCallable(action)
    try:
        jvm.org.apache.iceberg.spark.CommitMetadata.withCommitProperties(  # type: ignore[union-attr]
            props,
            callable_,
            jvm.java.lang.Class.forName("java.lang.RuntimeException"),  # type: ignore[union-attr]
        )
    except Py4JJavaError:
        if callable_.error is not None:
            raise callable_.error from None
        raise


def _merge(
    df: DataFrame,
    table: str,
    merge_keys: Sequence[str],
    delete_column: str | None = None,
    snapshot_properties: Mapping[str, str] | None = None,
) -> None:
    spark = df.sparkSession
    view = f"dp_merge_source_{uuid.uuid4().hex}"
    df.createOrReplaceTempView(view)
    on = " AND ".join(f"t.{k} = s.{k}" for k in merge_keys)
    values = [c for c in df.columns if c not in merge_keys and c != delete_column]
    # Update only rows whose values changed (null-safe): a rerun writes nothing new.
    changed = " OR ".join(f"NOT (t.{c} <=> s.{c})" for c in values) or "false"
    # SET * and INSERT * take the table's columns by name: the delete flag is not written.
    deletes = f"WHEN MATCHED AND s.{delete_column} THEN DELETE " if delete_column else ""
    insert = (
        f"WHEN NOT MATCHED AND NOT s.{delete_column} " if delete_column else "WHEN NOT MATCHED "
    )
    try:
        _with_commit_properties(
            spark,
            table,
            snapshot_properties or {},
            lambda: spark.sql(
                f"MERGE INTO {table} t USING {view} s ON {on} "  # nosec B608 - table and columns are validated identifiers
                f"{deletes}WHEN MATCHED AND ({changed}) THEN UPDATE SET * "
                f"{insert}THEN INSERT *"
            ),
        )
    finally:
        spark.catalog.dropTempView(view)


def current_snapshot_id(spark: SparkSession, table: str) -> int | None:
    """Return the table's current snapshot id (None for a table never written)."""
    split_table_name(table)  # a validated identifier: safe to place in SQL
    row = spark.sql(
        f"SELECT snapshot_id FROM {table}.history WHERE is_current_ancestor "  # noqa: S608  # nosec B608 - validated identifier
        "ORDER BY made_current_at DESC LIMIT 1"
    ).first()
    return int(row[0]) if row else None


@translate_commit_conflicts
def write_iceberg(
    df: DataFrame,
    table: str,
    mode: str = "append",
    partition_by: Sequence[str] | None = None,
    sort_by: Sequence[str] | None = None,
    merge_keys: Sequence[str] | None = None,
    delete_column: str | None = None,
    snapshot_properties: Mapping[str, str] | None = None,
) -> int | None:
    """Write a DataFrame to an Iceberg table in one atomic commit.

    A missing table (and database) is created with the DataFrame's schema, ``partition_by``
    and ``sort_by``; an existing table keeps its partitioning and gets ``sort_by`` (see
    ``_align_layout``).

    Modes:
        ``append``: add the rows.
        ``overwrite``: replace every row of the table.
        ``overwrite_partitions``: replace only the partitions the DataFrame has rows for
            (dynamic overwrite): rerunning a batch replaces it instead of duplicating it.
        ``merge``: upsert on ``merge_keys`` (MERGE INTO): insert new keys, update keys whose
            values changed, leave identical rows untouched, so a rerun changes nothing.

    Sorting (``sort_by``) is Iceberg-native, not a table property alone: the table's sort
    order is set with ``ALTER TABLE ... WRITE ORDERED BY``, and Iceberg's Spark writer then
    sorts the rows of every write (append, overwrite and merge alike) by it, range-distributed
    so that data files hold non-overlapping, sorted runs. Specs are ``col``, ``col DESC`` or
    ``col ASC NULLS LAST``.

    Args:
        df: the rows to write; its columns must be exactly the table's (any order).
        table: ``catalog.database.table``.
        mode: one of :data:`ICEBERG_MODES`.
        partition_by: Iceberg partition transforms, e.g. ``["years(o_orderdate)"]``.
        sort_by: sort specs, e.g. ``["l_orderkey", "l_linenumber"]``.
        merge_keys: key columns for ``merge`` (required there, refused elsewhere).
        delete_column: ``merge`` only: a boolean column of ``df`` that is not a table column;
            a row where it is true deletes its key from the table instead of upserting it
            (a change feed's deletes, e.g. DMS's ``Op = 'D'``).
        snapshot_properties: added to the summary of the snapshot this write commits, in
            the same commit (e.g. an incremental load's watermark:
            :func:`dp_foundation.io.incremental.watermark_properties`).

    Returns:
        The table's snapshot id after the write.

    Raises:
        WriteError: unknown mode, bad table name, or merge keys missing/misplaced.
        SchemaError: DataFrame columns do not match the table's, or partition/sort columns
            that are not columns.
        WriteConflictError: a concurrent writer's commit could not be reconciled with this
            one (see ``dp_foundation.iceberg.commits``); nothing of this write is visible.
    """
    if mode not in ICEBERG_MODES:
        raise WriteError(
            f"unknown write mode '{mode}' for {table}; expected one of {ICEBERG_MODES}"
        )
    split_table_name(table)
    partition_by = list(partition_by or [])
    sort_by = list(sort_by or [])
    keys = list(merge_keys or [])
    if mode == "merge" and not keys:
        raise WriteError(f"mode 'merge' on {table} needs merge_keys (the upsert key columns)")
    if mode != "merge" and keys:
        raise WriteError(f"merge_keys are only used by mode 'merge'; got mode '{mode}' on {table}")
    if delete_column is not None:
        if mode != "merge":
            raise WriteError(
                f"delete_column is only used by mode 'merge'; got mode '{mode}' on {table}"
            )
        if delete_column not in df.columns:
            raise SchemaError(
                f"delete column '{delete_column}' for {table} is not in the DataFrame {df.columns}"
            )
        if dict(df.dtypes)[delete_column] != "boolean":
            raise SchemaError(
                f"delete column '{delete_column}' for {table} must be boolean; it is "
                f"{dict(df.dtypes)[delete_column]}"
            )
        flags, df = df, df.drop(delete_column)
    properties = {str(k): str(v) for k, v in (snapshot_properties or {}).items()}
    if any(not k for k in properties):
        raise WriteError(f"snapshot property names for {table} must not be empty")
    for kind, cols in (
        ("merge key", keys),
        ("partition", [partition_column(p) for p in partition_by]),
        ("sort", [sort_column(s) for s in sort_by]),
    ):
        unknown = [c for c in cols if c not in df.columns]
        if unknown:
            raise SchemaError(
                f"{kind} column(s) {unknown} for {table} are not in the DataFrame {df.columns}"
            )

    spark = df.sparkSession
    if not table_exists(spark, table):
        sql = create_table_if_not_exists(spark, table, df.schema, partition_by, sort_by)
        _log.info("created table", extra={"table": table, "ddl": sql})
        columns = df.columns  # the table was created from this schema, in this order
    else:
        columns = spark.table(table).columns
        _check_columns(df, table, columns)
        _align_layout(spark, table, partition_by, sort_by)

    df = df.select(*columns)  # writeTo resolves by position
    writer = df.writeTo(table)
    for key, value in properties.items():
        writer = writer.option(f"snapshot-property.{key}", value)
    if mode == "append":
        writer.append()
    elif mode == "overwrite":
        from pyspark.sql import functions as F

        writer.overwrite(F.lit(True))
    elif mode == "overwrite_partitions":
        writer.overwritePartitions()
    elif delete_column is not None:
        _merge(flags.select(*columns, delete_column), table, keys, delete_column, properties)
    else:
        _merge(df, table, keys, snapshot_properties=properties)
    snapshot = current_snapshot_id(spark, table)
    _log.info("wrote table", extra={"table": table, "mode": mode, "snapshot_id": snapshot})
    return snapshot


def write_parquet(
    df: DataFrame,
    path: str,
    mode: str = "error",
    partition_by: Sequence[str] | None = None,
) -> None:
    """Write Parquet files (the raw layer), Hive-partitioned by ``partition_by`` columns.

    Args:
        df: the rows.
        path: target folder URI.
        mode: ``append``, ``overwrite`` (everything under ``path``), ``overwrite_partitions``
            (only the partition folders present in ``df``), ``error`` (refuse if data exists)
            or ``ignore``.
        partition_by: plain column names (Hive partitioning).

    Raises:
        WriteError: unknown mode, or ``overwrite_partitions`` without ``partition_by``.
        SchemaError: a partition column is not in the DataFrame.
    """
    if mode not in PARQUET_MODES:
        raise WriteError(f"unknown write mode '{mode}' for {path}; expected one of {PARQUET_MODES}")
    cols = list(partition_by or [])
    unknown = [c for c in cols if c not in df.columns]
    if unknown:
        raise SchemaError(f"partition column(s) {unknown} for {path} are not in {df.columns}")
    writer = df.write
    if mode == "overwrite_partitions":
        if not cols:
            raise WriteError(f"mode 'overwrite_partitions' for {path} needs partition_by")
        writer = writer.mode("overwrite").option("partitionOverwriteMode", "dynamic")
    else:
        writer = writer.mode(mode)
    if cols:
        writer = writer.partitionBy(*cols)
    writer.parquet(path)


__all__ = [
    "ICEBERG_MODES",
    "PARQUET_MODES",
    "current_snapshot_id",
    "write_iceberg",
    "write_parquet",
]
