"""JSON-lines logging on stderr, queryable with CloudWatch Logs Insights.

Each record is one JSON object: ``timestamp`` (UTC, ISO 8601), ``level``, ``logger``,
``message``, ``env``, ``job_name`` and ``run_id`` when known (from Glue's ``JOB_NAME`` /
``JOB_RUN_ID`` arguments or ``DP_JOB_NAME`` / ``DP_RUN_ID`` locally), plus any fields passed
with ``extra={...}`` and the exception text when there is one.

A library only names its loggers; the program decides where records go. A job's entry point
calls :func:`setup_logging` once (``if __name__ == "__main__": setup_logging(); main()``);
importing a module or calling :func:`get_logger` installs nothing, so a test, a notebook or
another program that imports a job or the library keeps its own logging.
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
# The hierarchies the handler serves: ``dp`` (get_logger's, which the local runner reads a
# job's records from) and ``dp_foundation`` (library modules' ``logging.getLogger(__name__)``).
# Spark's, py4j's and boto's loggers are left as they are.
_ROOTS = ("dp", "dp_foundation")


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


def setup_logging(level: str | None = None) -> None:
    """Send the records of ``dp.*`` and ``dp_foundation.*`` to stderr as JSON lines; once.

    Called by a program's entry point (a job's ``__main__`` block, the ``dp`` command), never
    by library code. Calling it again changes nothing but the level: one handler, so no
    record is written twice. Those loggers stop propagating to the root logger, so a root
    handler (Glue's, a notebook's) does not print them a second time.

    Args:
        level: ``DEBUG``, ``INFO``, ...; default ``DP_LOG_LEVEL``, else ``INFO``.
    """
    chosen = (level or os.environ.get("DP_LOG_LEVEL") or "INFO").upper()
    handler = next(
        (h for h in logging.getLogger(_ROOTS[0]).handlers if h.get_name() == _HANDLER_NAME),
        None,
    )
    if handler is None:
        handler = _StderrHandler()
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(JsonFormatter())
    for name in _ROOTS:
        root = logging.getLogger(name)
        if handler not in root.handlers:
            root.addHandler(handler)
        root.setLevel(chosen)
        root.propagate = False


def get_logger(name: str) -> logging.Logger:
    """Return the logger ``name`` under the ``dp`` hierarchy; install nothing.

    ``get_logger("jobs.refine")`` is ``dp.jobs.refine``, ``get_logger(__name__)`` in
    ``dp_foundation.io.writers`` is ``dp.dp_foundation.io.writers``: the names the local
    runner and the catalog recognise a job's records by. Its records are JSON lines on stderr
    once the program's entry point has called :func:`setup_logging`.

    Args:
        name: usually ``__name__``.
    """
    return logging.getLogger(name if name == "dp" or name.startswith("dp.") else f"dp.{name}")


__all__ = ["JsonFormatter", "get_logger", "setup_logging"]
