"""Iceberg DDL helpers (databases, tables, layout) and commits (conflicts, rollback)."""

from __future__ import annotations

from dp_foundation.iceberg.catalog import (
    build_create_table_sql,
    create_database_if_not_exists,
    create_table_if_not_exists,
    table_exists,
)
from dp_foundation.iceberg.commits import (
    commit_conflict,
    restore_snapshot,
    translate_commit_conflicts,
)

__all__ = [
    "build_create_table_sql",
    "commit_conflict",
    "create_database_if_not_exists",
    "create_table_if_not_exists",
    "restore_snapshot",
    "table_exists",
    "translate_commit_conflicts",
]
