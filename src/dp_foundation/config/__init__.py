"""Configuration: the Glue-args bridge and ``get_config()``. Never imports Spark."""

from __future__ import annotations

from dp_foundation.config.args import bridge_glue_args
from dp_foundation.config.settings import Settings, get_config

__all__ = ["Settings", "bridge_glue_args", "get_config"]
