"""Data access: readers and writers. They take a session or DataFrame, never build one."""

from __future__ import annotations

from dp_foundation.io.incremental import (
    WATERMARK_PROPERTY,
    NewPartitions,
    read_new_partitions,
    read_watermark,
    watermark_properties,
)
from dp_foundation.io.readers import read_iceberg, read_parquet
from dp_foundation.io.writers import write_iceberg, write_parquet

__all__ = [
    "WATERMARK_PROPERTY",
    "NewPartitions",
    "read_iceberg",
    "read_new_partitions",
    "read_parquet",
    "read_watermark",
    "watermark_properties",
    "write_iceberg",
    "write_parquet",
]
