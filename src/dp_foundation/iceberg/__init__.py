"""Iceberg DDL helpers (databases, tables, layout)."""

from __future__ import annotations

from dp_foundation.iceberg.catalog import (
    build_create_table_sql,
    create_database_if_not_exists,
    create_table_if_not_exists,
    table_exists,
)

__all__ = [
    "build_create_table_sql",
    "create_database_if_not_exists",
    "create_table_if_not_exists",
    "table_exists",
]
