"""Local Iceberg tables, read from their metadata files (no Spark, no JVM).

The local warehouse is ``<warehouse>/<database>/<table>/metadata/``; the Hadoop catalog
commits version N by renaming a new file to ``vN.metadata.json`` and then, best effort,
writes N to ``version-hint.text``. Any Iceberg reader opens a table from its folder or its
current metadata file (pyiceberg's ``StaticTable.from_metadata``, DuckDB's ``iceberg_scan``).

Besides listing tables this module finds *orphan files*: files in a table's folder that no
snapshot, manifest or metadata version refers to, such as the data files of a job killed
before its commit. Manifest lists and manifests are Avro, read with DuckDB's avro extension.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dp_foundation.exceptions import ConfigError, SnapshotNotFoundError, TableNotFoundError

VERSION_HINT = "version-hint.text"
# Iceberg's remove_orphan_files keeps files younger than 3 days by default: a file that new may
# belong to a commit still in flight. The local maintenance command uses the same default.
DEFAULT_ORPHAN_AGE = timedelta(days=3)
_VERSION = re.compile(r"^v(\d+)\.(?:gz\.)?metadata\.json(?:\.gz)?$")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class TableInfo:
    """What `dp tables` shows of one table."""

    database: str
    name: str
    location: Path
    metadata_file: Path
    snapshot_id: int | None
    snapshots: int
    rows: int
    data_files: int


@dataclass(frozen=True)
class Snapshot:
    """One snapshot of a table, as its current metadata records it."""

    snapshot_id: int
    parent_id: int | None
    committed_at: datetime
    operation: str
    rows: int
    is_current: bool
    is_current_ancestor: bool


@dataclass(frozen=True)
class OrphanFile:
    """A file in a table's folder that the table's metadata does not refer to."""

    path: Path
    size: int
    modified: datetime


def _version(path: Path) -> int | None:
    match = _VERSION.match(path.name)
    return int(match.group(1)) if match else None


def current_metadata_file(table_dir: Path) -> Path | None:
    """The table's current ``vN.metadata.json`` (None if the folder is not an Iceberg table).

    As Iceberg's Hadoop catalog does: start from ``version-hint.text`` and move on while a
    next version exists (a job killed after its commit's rename but before the hint was
    rewritten leaves the hint one behind); without a readable hint, the highest version.
    """
    meta = table_dir / "metadata"
    versions = {v: p for p in meta.glob("v*.metadata.json*") if (v := _version(p)) is not None}
    if not versions:
        return None
    hint = meta / VERSION_HINT
    try:
        current = int(hint.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return versions[max(versions)]
    if current not in versions:
        return versions[max(versions)]
    while current + 1 in versions:
        current += 1
    return versions[current]


def _metadata(table_dir: Path) -> tuple[Path, dict[str, Any]]:
    metadata_file = current_metadata_file(table_dir)
    if metadata_file is None:
        raise TableNotFoundError(
            f"{table_dir} is not an Iceberg table (no metadata/v*.metadata.json)"
        )
    return metadata_file, json.loads(metadata_file.read_text(encoding="utf-8"))


def table_info(table_dir: Path) -> TableInfo | None:
    """Describe the table in ``table_dir`` from its current metadata."""
    metadata_file = current_metadata_file(table_dir)
    if metadata_file is None:
        return None
    meta = json.loads(metadata_file.read_text(encoding="utf-8"))
    snapshot_id = meta.get("current-snapshot-id")
    if snapshot_id == -1:
        snapshot_id = None
    summary: dict[str, str] = {}
    for snapshot in meta.get("snapshots", []):
        if snapshot.get("snapshot-id") == snapshot_id:
            summary = snapshot.get("summary", {})
    return TableInfo(
        database=table_dir.parent.name,
        name=table_dir.name,
        location=table_dir,
        metadata_file=metadata_file,
        snapshot_id=snapshot_id,
        snapshots=len(meta.get("snapshots", [])),
        rows=int(summary.get("total-records", 0)),
        data_files=int(summary.get("total-data-files", 0)),
    )


def list_tables(warehouse: Path) -> list[TableInfo]:
    """Every Iceberg table under the local warehouse, sorted by database and name."""
    found = []
    for table_dir in sorted(warehouse.glob("*/*")):
        info = table_info(table_dir) if table_dir.is_dir() else None
        if info is not None:
            found.append(info)
    return found


def find_table(warehouse: Path, table: str) -> Path:
    """The folder of ``database.table`` (or ``catalog.database.table``) in the local warehouse.

    Raises:
        TableNotFoundError: no such Iceberg table; the message lists the tables there are.
    """
    parts = table.split(".")
    if len(parts) == 3:
        parts = parts[1:]
    if len(parts) != 2 or not all(parts):
        raise TableNotFoundError(f"'{table}' is not database.table (e.g. f01_refined_local.orders)")
    table_dir = warehouse / parts[0] / parts[1]
    if current_metadata_file(table_dir) is None:
        known = [f"{t.database}.{t.name}" for t in list_tables(warehouse)]
        raise TableNotFoundError(
            f"no Iceberg table {parts[0]}.{parts[1]} under {warehouse}; tables there: "
            f"{', '.join(known) or 'none'}"
        )
    return table_dir


def snapshots(table_dir: Path) -> list[Snapshot]:
    """The table's snapshots, oldest first, with which are current and its ancestors."""
    _, meta = _metadata(table_dir)
    current = meta.get("current-snapshot-id")
    by_id = {s["snapshot-id"]: s for s in meta.get("snapshots", [])}
    ancestors: set[int] = set()
    cursor = current if current in by_id else None
    while cursor is not None and cursor not in ancestors:
        ancestors.add(cursor)
        cursor = by_id[cursor].get("parent-snapshot-id")
        cursor = cursor if cursor in by_id else None
    found = [
        Snapshot(
            snapshot_id=int(s["snapshot-id"]),
            parent_id=s.get("parent-snapshot-id"),
            committed_at=datetime.fromtimestamp(s["timestamp-ms"] / 1000, tz=UTC),
            operation=str(s.get("summary", {}).get("operation", "")),
            rows=int(s.get("summary", {}).get("total-records", 0)),
            is_current=s["snapshot-id"] == current,
            is_current_ancestor=s["snapshot-id"] in ancestors,
        )
        for s in by_id.values()
    ]
    return sorted(found, key=lambda s: (s.committed_at, s.snapshot_id))


def parse_time(text: str) -> datetime:
    """An ISO date-time (``2026-01-31T06:00:00``, ``2026-01-31 06:00:00+01:00``); UTC if no zone."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"'{text}' is neither a snapshot id nor a time (expected e.g. 2026-01-31T06:00:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rollback_target(table_dir: Path, to: str) -> Snapshot:
    """The snapshot ``dp tables rollback --to`` means: a snapshot id, or a time.

    A time means the table as it was then: the newest snapshot of the current history
    (the current snapshot and its ancestors) committed at or before it, as Iceberg's
    ``rollback_to_timestamp`` chooses.

    Raises:
        SnapshotNotFoundError: no snapshot with that id, or none committed by that time.
        ConfigError: ``to`` is neither an integer nor an ISO date-time.
    """
    table = f"{table_dir.parent.name}.{table_dir.name}"
    known = snapshots(table_dir)
    if not known:
        raise SnapshotNotFoundError(f"table {table} has no snapshot yet: nothing to roll back to")
    listing = "; ".join(
        f"{s.snapshot_id} at {s.committed_at:%Y-%m-%d %H:%M:%S} UTC ({s.operation})" for s in known
    )
    if re.fullmatch(r"-?\d+", to.strip()):
        wanted = int(to)
        for snapshot in known:
            if snapshot.snapshot_id == wanted:
                return snapshot
        raise SnapshotNotFoundError(
            f"table {table} has no snapshot {wanted}; its snapshots: {listing}"
        )
    moment = parse_time(to)
    history = [s for s in known if s.is_current_ancestor and s.committed_at <= moment]
    if not history:
        first = min(s.committed_at for s in known)
        raise SnapshotNotFoundError(
            f"table {table} has no snapshot at or before {moment:%Y-%m-%d %H:%M:%S} UTC: its "
            f"first was committed at {first:%Y-%m-%d %H:%M:%S.%f} UTC; its snapshots: {listing}"
        )
    return history[-1]


def _local(uri: str) -> Path:
    if uri.startswith("file://"):
        return Path(uri.removeprefix("file://"))
    if uri.startswith("file:"):
        return Path(uri.removeprefix("file:"))
    if "://" in uri:
        raise ConfigError(f"{uri} is not in the local lake: orphan files are found locally only")
    return Path(uri)


def _avro_column(con: Any, path: Path, column: str) -> list[str]:
    sql = f"SELECT {column} FROM read_avro(?)"  # noqa: S608  # nosec B608 - a fixed column name
    rows = con.execute(sql, [str(path)]).fetchall()
    return [str(r[0]) for r in rows if r[0] is not None]


def referenced_files(table_dir: Path) -> set[Path]:
    """Every file the table's current metadata refers to, directly or through its snapshots.

    That is: the current metadata file and every one in its metadata log, the version hint,
    statistics files, and for every snapshot (not only the current one: time travel and
    rollback read the older ones) its manifest list, manifests, data and delete files.
    """
    from dp_cli.sample_data import duckdb_connection

    metadata_file, meta = _metadata(table_dir)
    found = {metadata_file, table_dir / "metadata" / VERSION_HINT}
    found.update(_local(e["metadata-file"]) for e in meta.get("metadata-log", []))
    for key in ("statistics", "partition-statistics"):
        found.update(_local(s["statistics-path"]) for s in meta.get(key, []))
    manifests: set[Path] = set()
    con = duckdb_connection("avro")
    try:
        for snapshot in meta.get("snapshots", []):
            if "manifest-list" in snapshot:
                manifest_list = _local(snapshot["manifest-list"])
                found.add(manifest_list)
                manifests.update(
                    _local(m) for m in _avro_column(con, manifest_list, "manifest_path")
                )
            else:  # format v1 may list its manifests inline
                manifests.update(_local(m) for m in snapshot.get("manifests", []))
        for manifest in manifests:
            found.add(manifest)
            # Entries of every status: a file a snapshot deleted is still read by older ones.
            found.update(_local(f) for f in _avro_column(con, manifest, "data_file.file_path"))
    finally:
        con.close()
    return {p.resolve() for p in found}


def _owner(path: Path) -> Path:
    """The file a Hadoop checksum file (``.name.crc``) belongs to; the path itself otherwise."""
    name = path.name
    if name.startswith(".") and name.endswith(".crc"):
        return path.with_name(name[1:-4])
    return path


def find_orphans(
    table_dir: Path, older_than: timedelta | None = None, now: float | None = None
) -> list[OrphanFile]:
    """Files under the table's folder that its metadata does not refer to, oldest first.

    Args:
        table_dir: the table's folder.
        older_than: only files last modified at least this long ago (None: all of them).
        now: the reference time (seconds since the epoch; default: now).
    """
    referenced = referenced_files(table_dir)
    cutoff = (now if now is not None else time.time()) - (
        older_than.total_seconds() if older_than is not None else float("-inf")
    )
    orphans = []
    for path in table_dir.rglob("*"):
        if not path.is_file() or _owner(path).resolve() in referenced:
            continue
        stat = path.stat()
        if older_than is not None and stat.st_mtime > cutoff:
            continue
        orphans.append(
            OrphanFile(path, stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=UTC))
        )
    return sorted(orphans, key=lambda o: (o.modified, str(o.path)))


def remove_orphans(
    table_dir: Path, older_than: timedelta, dry_run: bool = False
) -> list[OrphanFile]:
    """Delete the table's orphan files older than ``older_than``; return them.

    The referenced set is read before anything is deleted and every candidate is checked
    against it again right before its deletion, so a commit that lands meanwhile keeps its
    files (they are also younger than any sensible ``older_than``).
    """
    orphans = find_orphans(table_dir, older_than)
    if dry_run or not orphans:
        return orphans
    still_referenced = referenced_files(table_dir)
    removed = []
    for orphan in orphans:
        if _owner(orphan.path).resolve() in still_referenced:
            continue
        orphan.path.unlink(missing_ok=True)
        removed.append(orphan)
    return removed


def parse_age(text: str) -> timedelta:
    """``3d``, ``12h``, ``30m``, ``0s`` as a duration."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise ConfigError(f"'{text}' is not an age; expected a number and s, m, h or d (e.g. 3d)")
    return timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})


def describe_size(size: int) -> str:
    """``1.2 MiB``-style size."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def tables_in(warehouse: Path, names: Iterable[str]) -> list[Path]:
    """The folders of the named tables, or of every table when ``names`` is empty."""
    chosen = list(names)
    if chosen:
        return [find_table(warehouse, name) for name in chosen]
    return [t.location for t in list_tables(warehouse)]


__all__ = [
    "DEFAULT_ORPHAN_AGE",
    "OrphanFile",
    "Snapshot",
    "TableInfo",
    "current_metadata_file",
    "describe_size",
    "find_orphans",
    "find_table",
    "list_tables",
    "parse_age",
    "parse_time",
    "referenced_files",
    "remove_orphans",
    "rollback_target",
    "snapshots",
    "table_info",
    "tables_in",
]
