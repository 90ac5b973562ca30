"""JSON-lines logging on stderr, queryable with CloudWatch Logs Insights.

Each record is one JSON object: ``timestamp`` (UTC, ISO 8601), ``level``, ``logger``,
``message``, ``env``, ``job_name`` and ``run_id`` when known (from Glue's ``JOB_NAME`` /
``JOB_RUN_ID`` arguments or ``DP_JOB_NAME`` / ``DP_RUN_ID`` locally), plus any fields passed
with ``extra={...}`` and the exception text when there is one.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime", "taskName"}
)
_HANDLER_NAME = "dp_foundation.json"


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "env": os.environ.get("ENV", "local"),
        }
        job = os.environ.get("JOB_NAME") or os.environ.get("DP_JOB_NAME")
        run_id = os.environ.get("JOB_RUN_ID") or os.environ.get("DP_RUN_ID")
        if job:
            payload["job_name"] = job
        if run_id:
            payload["run_id"] = run_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that writes to ``sys.stderr`` as it is when a record is emitted.

    ``logging.StreamHandler(sys.stderr)`` keeps the stream it was given; once something
    replaces ``sys.stderr`` (pytest's capture, a job redirecting output) every record would go
    to the old, possibly closed, stream and be lost.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """Ignored: the handler always follows ``sys.stderr``."""


def _ensure_handler() -> None:
    root = logging.getLogger("dp")
    if any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        return
    handler = _StderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(os.environ.get("DP_LOG_LEVEL", "INFO").upper())
    root.propagate = False


def get_logger(name: str) -> logging.Logger:
    """Return a logger that writes JSON lines to stderr.

    Loggers live under the ``dp`` hierarchy (``get_logger("jobs.refine")`` is ``dp.jobs.refine``)
    so that one handler serves all of them and Spark's or boto's own logging is untouched.
    The level comes from ``DP_LOG_LEVEL`` (default ``INFO``).

    Args:
        name: usually ``__name__``.
    """
    _ensure_handler()
    return logging.getLogger(name if name == "dp" or name.startswith("dp.") else f"dp.{name}")


__all__ = ["JsonFormatter", "get_logger"]
