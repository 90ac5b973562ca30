"""Structured (JSON-lines) logging for jobs and the library."""

from __future__ import annotations

from dp_foundation.logging.logger import JsonFormatter, get_logger, setup_logging

__all__ = ["JsonFormatter", "get_logger", "setup_logging"]
