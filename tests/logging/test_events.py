"""dp_foundation.logging.events: the run events, logged as JSON records and read back."""

from __future__ import annotations

import dataclasses
import io
import json
import logging

import pytest

from dp_foundation.logging import JsonFormatter
from dp_foundation.logging.events import (
    EVENT_TYPES,
    RESERVED_FIELDS,
    ChecksRun,
    Event,
    JobAttempt,
    JobRetrying,
    PipelineFinished,
    PipelineStarted,
    TableWritten,
    event_from_record,
    log_event,
)

EXAMPLES: list[Event] = [
    PipelineStarted("r1", "project01", "order_to_revenue", ["refine", "curate"], 2, 60, 2.0),
    JobAttempt(
        "r1",
        "project01",
        "refine",
        1,
        ok=False,
        seconds=12.5,
        returncode=75,
        started_at="2026-01-01T08:00:00.000+00:00",
        error="Glue.ThrottlingException",
        reason="Rate exceeded",
        inputs=["f01-raw-000000000000-local/tpch/orders"],
        outputs=[],
        log_file="logs/project01-refine.log",
    ),
    JobRetrying("r1", "project01", "refine", 1, 60.0, "Glue.ThrottlingException"),
    ChecksRun(
        "r1",
        "project01",
        "refine",
        2,
        "f01_refined_local.orders",
        False,
        [
            {"name": "unique(o_orderkey)", "passed": False, "detail": "2 of 9 rows share"},
            {"name": "row_count_min(1)", "passed": True, "detail": "ok"},
        ],
    ),
    TableWritten(
        "r1",
        "project01",
        "refine",
        2,
        "f01_refined_local.orders",
        "overwrite",
        7,
        "overwrite",
        9,
        0,
        9,
        512,
    ),
    PipelineFinished("r1", "project01", "order_to_revenue", False, 80.0, failed_job="refine"),
]


def _logged(event: Event) -> dict[str, object]:
    """The record ``event`` becomes when logged through the library's JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("dp.test_events")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        log_event(logger, event)
    finally:
        logger.removeHandler(handler)
    return dict(json.loads(stream.getvalue()))


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_an_event_survives_the_json_logger(event: Event) -> None:
    record = _logged(event)
    assert record["event"] == type(event).__name__
    assert record["message"] == event.message
    assert record["level"] == "INFO" and "timestamp" in record
    assert event_from_record(record) == event


def test_every_event_type_is_registered_and_its_fields_can_be_logged() -> None:
    assert set(EVENT_TYPES) == {cls.__name__ for cls in Event.__subclasses__()}
    for cls in EVENT_TYPES.values():
        names = {f.name for f in dataclasses.fields(cls)}
        assert not names & RESERVED_FIELDS, cls  # would be refused or overwritten
        assert "run_id" in names
        assert cls.message != Event.message and cls.__doc__


def test_the_readers_contract_select_by_event_and_ignore_unknown_fields() -> None:
    record = _logged(EXAMPLES[2]) | {"added_in_a_later_version": 1}
    assert event_from_record(record) == EXAMPLES[2]
    # The message is for people: a record with another wording is the same event.
    assert event_from_record(record | {"message": "reworded"}) == EXAMPLES[2]
    # A record without a known event type is not an event (e.g. a job's own log line).
    assert event_from_record({"message": "job retrying", "job": "x"}) is None
    assert event_from_record({"event": "SomethingElse"}) is None


def test_a_record_missing_a_required_field_is_an_error() -> None:
    record = _logged(EXAMPLES[2])
    del record["delay"]
    with pytest.raises(ValueError, match="JobRetrying"):
        event_from_record(record)


def test_checks_run_lists_its_failed_checks() -> None:
    checks = EXAMPLES[3]
    assert isinstance(checks, ChecksRun)
    assert [c["name"] for c in checks.failed] == ["unique(o_orderkey)"]
