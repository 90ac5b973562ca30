"""Data access: readers and writers. They take a session or DataFrame, never build one."""

from __future__ import annotations

from dp_foundation.io.readers import read_iceberg, read_parquet
from dp_foundation.io.writers import write_iceberg, write_parquet

__all__ = ["read_iceberg", "read_parquet", "write_iceberg", "write_parquet"]
