"""Iceberg commits: concurrent writers, and moving a table back to an earlier snapshot.

Two jobs may commit to one table at once (a rerun overlapping a scheduled run, a backfill).
Iceberg's commit is optimistic: a writer that finds another commit ahead of its own retries
(the ``commit.retry.*`` properties of ``DEFAULT_TABLE_PROPERTIES``) and re-validates its
change against the new state. What cannot be reconciled surfaces from the JVM as
``CommitFailedException`` (retries ran out) or as a conflict ``ValidationException``;
:func:`translate_commit_conflicts` turns both into :class:`WriteConflictError` naming the table.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from dp_foundation.exceptions import (
    DataPlatformError,
    SnapshotNotFoundError,
    TableNotFoundError,
    WriteConflictError,
)
from dp_foundation.iceberg.catalog import split_table_name, table_exists

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

P = ParamSpec("P")
R = TypeVar("R")

_ICEBERG_ERROR = re.compile(
    r"org\.apache\.iceberg\.exceptions\.(CommitFailedException|ValidationException)"
    r"(?::[ \t]*([^\n]*))?"
)
# ValidationException also reports bad requests; these phrases are the concurrent-commit checks
# (serializable and snapshot isolation) of Iceberg's MERGE, UPDATE, DELETE and overwrites.
_CONFLICT_PHRASES = ("conflicting", "missing required files", "missing data files", "found new")


def _texts(exc: BaseException) -> list[str]:
    texts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts.append(str(current))
        # pyspark's captured exceptions keep the Java stack (with its causes) apart.
        texts.append(str(getattr(current, "stackTrace", "") or ""))
        current = current.__cause__ or current.__context__
    return texts


def commit_conflict(exc: BaseException) -> str | None:
    """Iceberg's own words when ``exc`` is a commit conflict, e.g. ``"CommitFailedException:
    Version 3 already exists: ..."``; None for any other error."""
    for text in _texts(exc):
        for match in _ICEBERG_ERROR.finditer(text):
            kind, message = match.group(1), (match.group(2) or "").strip()
            if kind == "CommitFailedException" or any(
                phrase in message.lower() for phrase in _CONFLICT_PHRASES
            ):
                # A conflict lists every file involved: the first ones say enough.
                if len(message) > 300:
                    message = message[:300] + " ..."
                return f"{kind}: {message}" if message else kind
    return None


def conflict_error(table: str, detail: str) -> WriteConflictError:
    """The :class:`WriteConflictError` for ``detail`` (from :func:`commit_conflict`)."""
    if detail.startswith("CommitFailedException"):
        why = (
            "another writer kept committing to it first and Iceberg's commit retries "
            "(table properties commit.retry.*) ran out"
        )
    else:
        why = (
            "another writer committed rows this write depends on while it ran (serializable "
            "isolation refuses to apply it on top of them)"
        )
    return WriteConflictError(
        f"write to {table} conflicted with a concurrent commit: {why}. Nothing of this write "
        f"is visible; the table holds the other writer's commit. Rerun the job: merges and "
        f"partition overwrites are idempotent. Iceberg said: {detail}"
    )


def translate_commit_conflicts(write: Callable[P, R]) -> Callable[P, R]:
    """Wrap ``write(df, table, ...)``: a commit conflict raises :class:`WriteConflictError`."""

    @functools.wraps(write)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return write(*args, **kwargs)
        except DataPlatformError:
            raise
        except Exception as exc:
            detail = commit_conflict(exc)
            if detail is None:
                raise
            table = kwargs.get("table", args[1] if len(args) > 1 else "the table")
            raise conflict_error(str(table), detail) from exc

    return wrapper


def _history(spark: SparkSession, table: str) -> list[tuple[int, bool]]:
    rows = spark.sql(
        f"SELECT snapshot_id, is_current_ancestor FROM {table}.history"  # noqa: S608  # nosec B608 - validated identifier
    ).collect()
    return [(int(r[0]), bool(r[1])) for r in rows]


def restore_snapshot(spark: SparkSession, table: str, snapshot_id: int) -> tuple[int | None, str]:
    """Make ``snapshot_id`` the current snapshot of ``table`` again (one new metadata version).

    An ancestor of the current state (the usual case: undo the runs after it) is restored with
    Iceberg's ``rollback_to_snapshot`` procedure; any other snapshot of the table (e.g. undoing
    a rollback) with ``set_current_snapshot``. No data file is written or deleted: the later
    snapshots stay in the table's history until they expire.

    Returns:
        The snapshot that was current before, and the procedure that ran.

    Raises:
        TableNotFoundError: no such table. SnapshotNotFoundError: the table has no such snapshot.
    """
    catalog, database, name = split_table_name(table)
    if not table_exists(spark, table):
        raise TableNotFoundError(f"Iceberg table {table} does not exist")
    history = dict(_history(spark, table))
    known = {int(r[0]) for r in spark.sql(f"SELECT snapshot_id FROM {table}.snapshots").collect()}  # noqa: S608  # nosec B608 - validated identifier
    if snapshot_id not in known:
        raise SnapshotNotFoundError(
            f"table {table} has no snapshot {snapshot_id}; its snapshots are {sorted(known)}"
        )
    procedure = "rollback_to_snapshot" if history.get(snapshot_id) else "set_current_snapshot"
    row = spark.sql(
        f"CALL {catalog}.system.{procedure}(table => '{database}.{name}', "
        f"snapshot_id => {int(snapshot_id)})"
    ).first()
    previous = row["previous_snapshot_id"] if row is not None else None
    return (int(previous) if previous is not None else None), procedure


__all__ = [
    "commit_conflict",
    "conflict_error",
    "restore_snapshot",
    "translate_commit_conflicts",
]
