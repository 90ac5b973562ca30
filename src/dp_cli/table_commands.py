"""`dp tables` actions on the local lake: snapshots, orphan files, rollback.

Listing snapshots and orphan files reads metadata only (no JVM); a rollback is a commit, so
it goes through Iceberg itself in a local Spark session (about 10 s to start).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from dp_cli.tables import (
    DEFAULT_ORPHAN_AGE,
    describe_size,
    find_orphans,
    find_table,
    parse_age,
    remove_orphans,
    rollback_target,
    snapshots,
    tables_in,
)

_AGE_HELP = (
    "only files last modified at least this long ago (s, m, h, d; default "
    f"{DEFAULT_ORPHAN_AGE.days}d, as Iceberg's remove_orphan_files: younger files may belong "
    "to a commit in flight)"
)


def _warehouse() -> Path:
    from dp_foundation.config.settings import get_config

    return Path(get_config().iceberg_warehouse.removeprefix("file://"))


def _name(table_dir: Path) -> str:
    return f"{table_dir.parent.name}.{table_dir.name}"


def cmd_orphans(args: argparse.Namespace) -> int:
    """List every table's orphan files (all ages), marking those old enough to remove."""
    age = DEFAULT_ORPHAN_AGE
    found = 0
    for table_dir in tables_in(_warehouse(), []):
        orphans = find_orphans(table_dir)
        if not orphans:
            continue
        cutoff = datetime.now(tz=UTC) - age
        removable = {o.path for o in orphans if o.modified <= cutoff}
        size = describe_size(sum(o.size for o in orphans))
        print(f"{_name(table_dir)}: {len(orphans)} orphan file(s), {size}")
        for orphan in orphans:
            mark = "old" if orphan.path in removable else "new"
            print(
                f"  {mark}  {orphan.modified:%Y-%m-%d %H:%M:%S}  {describe_size(orphan.size):>10}"
                f"  {orphan.path.relative_to(table_dir)}"
            )
        found += len(orphans)
    if not found:
        print("no orphan files: every file in the tables' folders is referenced by their metadata")
    else:
        print(
            f"{found} orphan file(s). `dp tables remove-orphans` removes the 'old' ones (older "
            f"than {age.days} days; --older-than to change, --dry-run to see first)"
        )
    return 0


def cmd_remove_orphans(args: argparse.Namespace) -> int:
    """Delete orphan files older than the age threshold (never a referenced file)."""
    age = parse_age(args.older_than)
    verb = "would remove" if args.dry_run else "removed"
    total = 0
    for table_dir in tables_in(_warehouse(), args.tables):
        removed = remove_orphans(table_dir, age, dry_run=args.dry_run)
        for orphan in removed:
            print(f"  {verb} {orphan.path}")
        size = describe_size(sum(o.size for o in removed))
        print(f"{_name(table_dir)}: {verb} {len(removed)} orphan file(s), {size}")
        total += len(removed)
    print(f"{verb} {total} orphan file(s) older than {args.older_than}")
    return 0


def cmd_snapshots(args: argparse.Namespace) -> int:
    """List a table's snapshots: id, time, operation, rows; the current one and its history."""
    table_dir = find_table(_warehouse(), args.table)
    print(f"{'snapshot':>20}  {'committed (UTC)':<19}  {'operation':<10} {'rows':>10}")
    for s in snapshots(table_dir):
        mark = "current" if s.is_current else ("history" if s.is_current_ancestor else "")
        print(
            f"{s.snapshot_id:>20}  {s.committed_at:%Y-%m-%d %H:%M:%S}  {s.operation:<10} "
            f"{s.rows:>10,}  {mark}"
        )
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Make an earlier snapshot current again (after a bad run)."""
    from dp_foundation.config.settings import CATALOG

    table_dir = find_table(_warehouse(), args.table)
    name = _name(table_dir)
    target = rollback_target(table_dir, args.to)
    current = next((s for s in snapshots(table_dir) if s.is_current), None)
    when = f"{target.committed_at:%Y-%m-%d %H:%M:%S} UTC"
    if current is not None and current.snapshot_id == target.snapshot_id:
        print(f"{name} is already at snapshot {target.snapshot_id} ({when}): nothing to do")
        return 0

    from dp_foundation.iceberg.commits import restore_snapshot
    from dp_foundation.spark.session import get_spark

    spark = get_spark("dp-tables-rollback")
    try:
        previous, procedure = restore_snapshot(spark, f"{CATALOG}.{name}", target.snapshot_id)
    finally:
        spark.stop()
    was = f"{current.snapshot_id} ({current.rows:,} rows)" if current else "no snapshot"
    print(
        f"{name}: snapshot {target.snapshot_id} of {when} ({target.operation}, "
        f"{target.rows:,} rows) is current again; it was {was}"
    )
    print(f"  ran CALL {CATALOG}.system.{procedure}('{name}', {target.snapshot_id})")
    if previous is not None:
        print(
            "  no file was deleted; the later snapshots stay in the history until they expire. "
            f"Undo: dp tables rollback {name} --to {previous}"
        )
    return 0


def add_parser(tables: argparse.ArgumentParser) -> None:
    """Add ``--orphans`` and the actions to the ``dp tables`` parser."""
    tables.add_argument(
        "--orphans",
        action="store_true",
        help="list files in the tables' folders that no snapshot or metadata file refers to",
    )
    actions = tables.add_subparsers(dest="action", metavar="ACTION")

    p = actions.add_parser("snapshots", help="list a table's snapshots (ids for rollback)")
    p.add_argument("table", help="database.table, e.g. f01_refined_local.orders")
    p.set_defaults(func=cmd_snapshots)

    p = actions.add_parser(
        "rollback",
        help="make an earlier snapshot current again, e.g. after a bad run",
        description="Make an earlier snapshot of a table current again (Iceberg's "
        "rollback_to_snapshot; set_current_snapshot for a snapshot outside the current "
        "history). Nothing is deleted: the rollback itself can be undone.",
    )
    p.add_argument("table", help="database.table, e.g. f01_refined_local.orders")
    p.add_argument(
        "--to",
        required=True,
        metavar="SNAPSHOT|TIME",
        help="a snapshot id (dp tables snapshots TABLE) or an ISO time (UTC unless given): "
        "the table as it was then",
    )
    p.set_defaults(func=cmd_rollback)

    p = actions.add_parser(
        "remove-orphans",
        help="delete orphan files (left by killed jobs) older than --older-than",
        description="Delete files in the tables' folders that no snapshot, manifest or "
        "metadata version refers to. Referenced files (also of older snapshots, metadata "
        "files of the metadata log, the version hint) are never touched.",
    )
    p.add_argument("tables", nargs="*", metavar="TABLE", help="database.table (default: all)")
    p.add_argument("--older-than", default=f"{DEFAULT_ORPHAN_AGE.days}d", help=_AGE_HELP)
    p.add_argument(
        "--dry-run", action="store_true", help="list what would be removed, remove nothing"
    )
    p.set_defaults(func=cmd_remove_orphans)


__all__ = ["add_parser", "cmd_orphans", "cmd_remove_orphans", "cmd_rollback", "cmd_snapshots"]
