"""The Spark runtime: Glue's session on AWS, local Spark + Iceberg elsewhere."""

from __future__ import annotations

from dp_foundation.spark.session import get_spark, load_backend

__all__ = ["get_spark", "load_backend"]
