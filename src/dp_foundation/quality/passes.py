"""The passes besides the key passes: the aggregation pass, the reference joins, the reads of
Iceberg snapshot metadata, and the bounded samples of failing rows taken after a failure.

Nothing here writes; each function is one Spark action (two for a join whose reference Spark
broadcasts: the broadcast is a job of its own).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, Any

from dp_foundation.quality.planning import TOTAL, Measure
from dp_foundation.quality.rules import TABLE_NAME

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession


def aggregation_pass(
    df: DataFrame, measures: Sequence[Measure], aggregates: Sequence[Column] = ()
) -> dict[str, Any]:
    """The row count, every measure and every custom aggregate in one ``agg``."""
    from pyspark.sql import functions as F

    first = df.agg(
        F.count(F.lit(1)).alias(TOTAL), *[m.over(m.value) for m in measures], *aggregates
    ).first()
    return first.asDict() if first else {TOTAL: 0}


def _anti_join(
    df: DataFrame,
    columns: Sequence[str],
    reference: DataFrame,
    reference_columns: Sequence[str],
    keep: Sequence[str] = (),
) -> DataFrame:
    """The rows of ``df`` (only ``keep`` columns besides the key) whose non-null key is not
    among the reference's keys: one left-anti join, which needs no distinct on either side.

    Both sides' keys are renamed, so a DataFrame can reference itself (a parent id column
    against the id column) without ambiguous columns.
    """
    from pyspark.sql import functions as F

    mine = [F.col(c).alias(f"__k{i}") for i, c in enumerate(columns)]
    theirs = reference.select(
        *[F.col(c).alias(f"__ref{i}") for i, c in enumerate(reference_columns)]
    )
    present = reduce(operator.and_, [F.col(c).isNotNull() for c in columns])
    checked = df.where(present)
    rows = checked.select(*[F.col(c) for c in keep], *mine)
    on = [F.col(f"__k{i}") == F.col(f"__ref{i}") for i in range(len(columns))]
    return rows.join(theirs, on, "left_anti")


def count_missing_references(
    df: DataFrame, columns: Sequence[str], reference: DataFrame, reference_columns: Sequence[str]
) -> int:
    """Rows of ``df`` whose non-null key in ``columns`` is not in ``reference_columns`` of
    ``reference``: one join over both (only the key columns travel)."""
    from pyspark.sql import functions as F

    first = (
        _anti_join(df, columns, reference, reference_columns)
        .agg(F.count(F.lit(1)).alias("n"))
        .first()
    )
    return int(first["n"]) if first else 0


def sample_missing_references(
    df: DataFrame,
    columns: Sequence[str],
    reference: DataFrame,
    reference_columns: Sequence[str],
    limit: int,
) -> list[dict[str, Any]]:
    """Up to ``limit`` whole rows of ``df`` whose key the reference lacks (the join again,
    stopped at ``limit`` rows: call it only when rows are known to be missing)."""
    missing = _anti_join(df, columns, reference, reference_columns, keep=df.columns)
    return _as_dicts(missing.select(*df.columns).limit(limit).collect())


def sample_rows(df: DataFrame, condition: Column, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` whole rows of ``df`` where ``condition`` holds.

    ``limit`` lets Spark stop reading once it has the rows, so a common failure costs a few
    partitions; a rare one can cost a full read. Call it only for a rule known to fail.
    """
    return _as_dicts(df.where(condition).limit(limit).collect())


def _as_dicts(rows: Sequence[Any]) -> list[dict[str, Any]]:
    return [row.asDict(recursive=True) for row in rows]


@dataclass(frozen=True)
class Snapshot:
    """One Iceberg snapshot as its metadata describes it.

    Attributes:
        snapshot_id: the snapshot's id.
        records: ``total-records`` of its summary (None when the summary has no count).
    """

    snapshot_id: int
    records: int | None


@dataclass(frozen=True)
class TableSnapshots:
    """The current snapshot of a table and its parent, from the table's metadata.

    Attributes:
        exists: whether the table exists.
        current: its current snapshot (None for a table never written).
        parent: the parent of the current snapshot (None when it has none, or it expired).
    """

    exists: bool
    current: Snapshot | None = None
    parent: Snapshot | None = None


def read_snapshots(spark: SparkSession, table: str) -> TableSnapshots:
    """Read the current snapshot of an Iceberg table and its parent, with their record
    counts, from metadata only: the table's ``current-snapshot-id`` property (no Spark job)
    and its ``snapshots`` metadata table (one small job over the snapshot list, no data file).

    Raises:
        ValueError: ``table`` is not a table name.
    """
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    if not TABLE_NAME.fullmatch(table):
        raise ValueError(f"not a table name: {table!r}")
    try:
        properties = spark.sql(f"SHOW TBLPROPERTIES {table}").collect()  # a validated name
    except AnalysisException:
        return TableSnapshots(exists=False)
    current_id = {r["key"]: r["value"] for r in properties}.get("current-snapshot-id", "")
    if not current_id.isdigit():  # "none" before the first write
        return TableSnapshots(exists=True)
    rows = (
        spark.table(f"{table}.snapshots")
        .select(
            "snapshot_id", "parent_id", F.col("summary").getItem("total-records").alias("records")
        )
        .collect()
    )
    found = {
        int(r["snapshot_id"]): (
            Snapshot(int(r["snapshot_id"]), None if r["records"] is None else int(r["records"])),
            r["parent_id"],
        )
        for r in rows
    }
    current, parent_id = found.get(int(current_id), (Snapshot(int(current_id), None), None))
    parent = found[int(parent_id)][0] if parent_id is not None and int(parent_id) in found else None
    return TableSnapshots(exists=True, current=current, parent=parent)


__all__ = [
    "Snapshot",
    "TableSnapshots",
    "aggregation_pass",
    "count_missing_references",
    "read_snapshots",
    "sample_missing_references",
    "sample_rows",
]
