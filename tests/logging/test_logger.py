"""dp_foundation.logging.logger: one JSON object per line on stderr."""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from datetime import datetime
from typing import Any

import pytest

from dp_foundation.logging import JsonFormatter, get_logger


def _record(
    msg: str = "hello %s", args: tuple[Any, ...] = ("world",), **extra: Any
) -> logging.LogRecord:
    record = logging.LogRecord("dp.test", logging.INFO, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


@pytest.fixture
def job_env() -> None:
    for name in ("ENV", "JOB_NAME", "JOB_RUN_ID", "DP_JOB_NAME", "DP_RUN_ID"):
        os.environ.pop(name, None)


def test_standard_fields(job_env: None) -> None:
    payload = json.loads(JsonFormatter().format(_record()))
    assert set(payload) == {"timestamp", "level", "logger", "message", "env"}
    assert payload["level"] == "INFO"
    assert payload["logger"] == "dp.test"
    assert payload["message"] == "hello world"
    assert payload["env"] == "local"
    stamp = datetime.fromisoformat(payload["timestamp"])
    assert stamp.utcoffset() is not None
    assert stamp.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_env_job_name_and_run_id_from_glue(job_env: None) -> None:
    os.environ.update(ENV="dev", JOB_NAME="f01-refine-dev", JOB_RUN_ID="jr_42")
    payload = json.loads(JsonFormatter().format(_record()))
    assert (payload["env"], payload["job_name"], payload["run_id"]) == (
        "dev",
        "f01-refine-dev",
        "jr_42",
    )


def test_job_name_and_run_id_locally(job_env: None) -> None:
    os.environ.update(DP_JOB_NAME="refine", DP_RUN_ID="local-1")
    payload = json.loads(JsonFormatter().format(_record()))
    assert (payload["job_name"], payload["run_id"]) == ("refine", "local-1")


def test_extra_fields_are_top_level(job_env: None) -> None:
    payload = json.loads(
        JsonFormatter().format(
            _record(table="glue_catalog.db.t", rows=3, when=datetime(2026, 1, 2))
        )
    )
    assert payload["table"] == "glue_catalog.db.t"
    assert payload["rows"] == 3
    assert payload["when"] == "2026-01-02 00:00:00"  # not JSON-native: rendered with str()


def test_exception_text(job_env: None) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "dp.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    payload = json.loads(JsonFormatter().format(record))
    assert payload["level"] == "ERROR"
    assert "Traceback" in payload["exception"]
    assert "ValueError: boom" in payload["exception"]


def test_get_logger_writes_one_json_line_to_stderr(
    job_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    log = get_logger("tests.logging")
    assert log.name == "dp.tests.logging"
    assert get_logger("dp.jobs.x").name == "dp.jobs.x"

    log.info("wrote %d rows", 5, extra={"table": "t"})
    log.debug("not shown at INFO")

    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    payload = json.loads(lines[0])
    assert payload["message"] == "wrote 5 rows"
    assert payload["table"] == "t"
    assert payload["logger"] == "dp.tests.logging"


def test_get_logger_follows_a_replaced_stderr(
    job_env: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records go to the current sys.stderr, not to the one present when the handler was made."""
    earlier = io.StringIO()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stderr", earlier)
        get_logger("tests.a")  # creates the handler here unless an earlier test did
    get_logger("tests.b").warning("second")

    assert earlier.getvalue() == ""
    assert json.loads(capsys.readouterr().err.splitlines()[-1])["message"] == "second"


def test_one_handler_for_every_logger() -> None:
    get_logger("a")
    get_logger("b")
    handlers = [h for h in logging.getLogger("dp").handlers if h.get_name() == "dp_foundation.json"]
    assert len(handlers) == 1
    assert logging.getLogger("dp").propagate is False
