"""The events of a pipeline run: a small, explicit contract between whoever runs pipelines
and whoever reads their runs (the ``dp`` progress output, the run log, the catalog site).

Each event is a frozen dataclass. It is logged through the JSON logger as one record whose
``event`` field names its type and whose other fields are the dataclass's fields, e.g.::

    {"timestamp": "...", "level": "INFO", "logger": "dp.runs", "message": "job retrying",
     "event": "JobRetrying", "run_id": "1f0c...", "project": "project01", "job": "refine",
     "attempt": 1, "delay": 60.0, "error": "Glue.ThrottlingException"}

Readers select records by ``event`` and rebuild the dataclass with :func:`event_from_record`;
the human ``message`` is for people and may change. A reader ignores fields it does not know,
so adding an optional field (with a default) is a compatible change; renaming or removing
one is not.

Times are ISO 8601 strings in UTC; durations are seconds. ``run_id`` is the pipeline run
(as a Step Functions execution); ``job_run_id`` is one attempt of one job (as a Glue job run).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

# Names a record already has (LogRecord attributes and the JSON formatter's own fields):
# an event field with one of these names could not be logged, or would be overwritten.
RESERVED_FIELDS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
    | {"message", "asctime", "taskName", "timestamp", "level", "logger", "env", "job_name"}
)


def utc_now() -> str:
    """The current time as the events write it (ISO 8601, UTC, milliseconds)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Event:
    """Base of every event: the pipeline run it belongs to."""

    message: ClassVar[str] = "event"

    run_id: str

    @property
    def event(self) -> str:
        """The event's type name, written as the record's ``event`` field."""
        return type(self).__name__

    def fields(self) -> dict[str, Any]:
        """The record fields of the event: ``event`` plus every dataclass field."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {"event": self.event, **values}


@dataclass(frozen=True)
class PipelineStarted(Event):
    """A pipeline run started: what it will run, with which Retry settings, for which
    ``--ENV`` (``target_env``)."""

    message: ClassVar[str] = "pipeline started"

    project: str
    pipeline: str
    jobs: list[str]
    max_retries: int
    backoff_seconds: float
    backoff_rate: float
    schedule: str | None = None
    target_env: str = "local"
    started_at: str = field(default_factory=utc_now)


@dataclass(frozen=True)
class JobStarted(Event):
    """An attempt of a job started."""

    message: ClassVar[str] = "job started"

    project: str
    job: str
    attempt: int
    job_run_id: str = ""
    started_at: str = field(default_factory=utc_now)


@dataclass(frozen=True)
class ChecksRun(Event):
    """A job ran a set of data-quality checks on one dataset (from the checker's record).

    ``checks`` holds one mapping per check: ``name``, ``passed``, ``detail``, ``failed_rows``
    and ``total_rows``, as the checker logs them.
    """

    message: ClassVar[str] = "data quality checks run"

    project: str
    job: str
    attempt: int
    dataset: str | None
    passed: bool
    checks: list[dict[str, Any]]

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The checks that did not pass."""
        return [c for c in self.checks if not c.get("passed")]


@dataclass(frozen=True)
class TableWritten(Event):
    """A job committed a write to a table; the counts come from the snapshot's summary.

    ``added_records`` and the other counts are None when the snapshot could not be read
    (e.g. a table outside the local lake); 0 when the write committed no new snapshot.
    """

    message: ClassVar[str] = "table written"

    project: str
    job: str
    attempt: int
    table: str
    mode: str | None = None
    snapshot_id: int | None = None
    operation: str | None = None
    added_records: int | None = None
    deleted_records: int | None = None
    total_records: int | None = None
    added_files_size: int | None = None


@dataclass(frozen=True)
class JobAttempt(Event):
    """An attempt of a job ended.

    Attributes:
        ok: whether the job process succeeded.
        error: the ASL error it raised (``States.TaskFailed``, a transient Glue error), if any.
        reason: the most telling line of a failed attempt's output.
        inputs: the tables and raw folders the attempt read, as observed in its Spark run.
        outputs: the tables it wrote.
        log_file: the attempt's output, relative to the run log's folder when beneath it.
    """

    message: ClassVar[str] = "job attempt finished"

    project: str
    job: str
    attempt: int
    ok: bool
    seconds: float
    returncode: int
    started_at: str
    job_run_id: str = ""
    error: str | None = None
    reason: str | None = None
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    log_file: str | None = None


@dataclass(frozen=True)
class JobRetrying(Event):
    """A failed attempt will be retried after ``delay`` seconds (the state machine's Retry)."""

    message: ClassVar[str] = "job retrying"

    project: str
    job: str
    attempt: int
    delay: float
    error: str


@dataclass(frozen=True)
class JobFinished(Event):
    """A job is done, after all its attempts: it succeeded, or it stopped the pipeline."""

    message: ClassVar[str] = "job finished"

    project: str
    job: str
    ok: bool
    attempts: int
    seconds: float
    error: str | None = None
    reason: str | None = None
    rows_written: int = 0


@dataclass(frozen=True)
class PipelineFinished(Event):
    """A pipeline run ended."""

    message: ClassVar[str] = "pipeline finished"

    project: str
    pipeline: str
    ok: bool
    seconds: float
    failed_job: str | None = None
    error: str | None = None
    reason: str | None = None
    rows_written: int = 0
    checks_passed: int = 0
    checks_failed: int = 0
    finished_at: str = field(default_factory=utc_now)


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        PipelineStarted,
        JobStarted,
        ChecksRun,
        TableWritten,
        JobAttempt,
        JobRetrying,
        JobFinished,
        PipelineFinished,
    )
}


def log_event(logger: logging.Logger, event: Event, level: int = logging.INFO) -> None:
    """Log ``event`` as one structured record: its message, ``event`` and its fields."""
    logger.log(level, event.message, extra=event.fields())


def event_from_record(record: Mapping[str, Any]) -> Event | None:
    """Rebuild the event a JSON log record holds (None: not an event of this contract).

    Fields the event type does not know are ignored (the logger's ``timestamp``, ``level``,
    and fields added by later versions).

    Raises:
        ValueError: the record names a known event but lacks one of its required fields.
    """
    cls = EVENT_TYPES.get(str(record.get("event")))
    if cls is None:
        return None
    names = {f.name for f in dataclasses.fields(cls)}
    try:
        return cls(**{k: v for k, v in record.items() if k in names})
    except TypeError as exc:
        raise ValueError(f"record of event {cls.__name__} is incomplete: {exc}") from None


__all__ = [
    "EVENT_TYPES",
    "RESERVED_FIELDS",
    "ChecksRun",
    "Event",
    "JobAttempt",
    "JobFinished",
    "JobRetrying",
    "JobStarted",
    "PipelineFinished",
    "PipelineStarted",
    "TableWritten",
    "event_from_record",
    "log_event",
    "utc_now",
]
