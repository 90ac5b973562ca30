"""Local Iceberg tables, read from their metadata files (no Spark, no JVM).

The local warehouse is ``<warehouse>/<database>/<table>/metadata/``; the Hadoop catalog
keeps the current version number in ``version-hint.text``. Any Iceberg reader opens a
table from its folder or that metadata file (pyiceberg's ``StaticTable.from_metadata``,
DuckDB's ``iceberg_scan``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


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


def current_metadata_file(table_dir: Path) -> Path | None:
    """The table's current ``vN.metadata.json`` (None if the folder is not an Iceberg table)."""
    meta = table_dir / "metadata"
    hint = meta / "version-hint.text"
    if hint.is_file():
        candidate = meta / f"v{hint.read_text(encoding='utf-8').strip()}.metadata.json"
        if candidate.is_file():
            return candidate
    versions = sorted(meta.glob("v*.metadata.json"), key=lambda p: int(p.name[1:].split(".")[0]))
    return versions[-1] if versions else None


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


__all__ = ["TableInfo", "current_metadata_file", "list_tables", "table_info"]
