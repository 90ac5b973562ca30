"""Configuration: the Glue-args bridge and ``get_config()``. Never imports Spark."""

from __future__ import annotations

from dp_foundation.config.args import bridge_glue_args
from dp_foundation.config.settings import get_config

__all__ = ["bridge_glue_args", "get_config"]
