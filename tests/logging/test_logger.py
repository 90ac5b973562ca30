"""dp_foundation.logging.logger: one JSON object per line on stderr, once the entry point
calls setup_logging(); importing or get_logger() installs nothing."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from dp_foundation.logging import JsonFormatter, get_logger, setup_logging

HANDLER = "dp_foundation.json"
ROOTS = ("dp", "dp_foundation")


def _record(
    msg: str = "hello %s", args: tuple[Any, ...] = ("world",), **extra: Any
) -> logging.LogRecord:
    record = logging.LogRecord("dp.test", logging.INFO, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


@pytest.fixture
def job_env() -> None:
    for name in ("ENV", "JOB_NAME", "JOB_RUN_ID", "DP_JOB_NAME", "DP_RUN_ID", "DP_LOG_LEVEL"):
        os.environ.pop(name, None)


@contextlib.contextmanager
def _logging_restored() -> Iterator[None]:
    """Undo what setup_logging() does, so that later tests in this process see the logging
    pytest set up (caplog relies on records propagating to the root logger)."""
    saved = {n: (list(logging.getLogger(n).handlers), logging.getLogger(n).level) for n in ROOTS}
    try:
        yield
    finally:
        for name, (handlers, level) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = True


@pytest.fixture
def entry_point(job_env: None) -> Iterator[None]:
    """What a job's ``__main__`` does first: setup_logging()."""
    with _logging_restored():
        setup_logging()
        yield


def _json_handlers(name: str) -> list[logging.Handler]:
    return [h for h in logging.getLogger(name).handlers if h.get_name() == HANDLER]


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


def test_get_logger_names_loggers_under_dp() -> None:
    assert get_logger("tests.logging").name == "dp.tests.logging"
    assert get_logger("dp.jobs.x").name == "dp.jobs.x"
    assert get_logger("dp").name == "dp"
    assert get_logger("dp_foundation.io.writers").name == "dp.dp_foundation.io.writers"


def test_importing_and_get_logger_install_nothing() -> None:
    """A library only names loggers: in a fresh process, importing every module (the ones that
    log at import time included) and asking for loggers leaves the handlers as they were."""
    code = """
import json, logging
import dp_foundation.io.writers, dp_foundation.quality.checks, dp_foundation.config.settings
from dp_foundation.logging import get_logger
get_logger("jobs.x").info("not shown")
print(json.dumps({n: [h.get_name() for h in logging.getLogger(n).handlers]
                  for n in ("", "dp", "dp_foundation")}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == {"": [], "dp": [], "dp_foundation": []}
    assert out.stderr == ""


def test_setup_logging_writes_one_json_line_to_stderr(
    entry_point: None, capsys: pytest.CaptureFixture[str]
) -> None:
    log = get_logger("tests.logging")
    log.info("wrote %d rows", 5, extra={"table": "t"})
    log.debug("not shown at INFO")

    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    payload = json.loads(lines[0])
    assert payload["message"] == "wrote 5 rows"
    assert payload["table"] == "t"
    assert payload["logger"] == "dp.tests.logging"


def test_library_modules_own_loggers_are_served_too(
    entry_point: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Modules that use ``logging.getLogger(__name__)`` (e.g. the settings' account guard)."""
    logging.getLogger("dp_foundation.config.settings").warning("careful")
    payload = json.loads(capsys.readouterr().err.splitlines()[-1])
    assert (payload["logger"], payload["level"]) == ("dp_foundation.config.settings", "WARNING")


def test_setup_logging_follows_a_replaced_stderr(
    job_env: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records go to the current sys.stderr, not to the one present when the handler was made."""
    earlier = io.StringIO()
    with _logging_restored():
        with monkeypatch.context() as patch:
            patch.setattr(sys, "stderr", earlier)
            setup_logging()
        get_logger("tests.b").warning("second")

    assert earlier.getvalue() == ""
    assert json.loads(capsys.readouterr().err.splitlines()[-1])["message"] == "second"


def test_setup_logging_twice_installs_one_handler(entry_point: None) -> None:
    setup_logging()
    setup_logging("DEBUG")
    for name in ROOTS:
        assert len(_json_handlers(name)) == 1
        assert logging.getLogger(name).propagate is False
        assert logging.getLogger(name).level == logging.DEBUG
    assert _json_handlers("dp") == _json_handlers("dp_foundation")  # one handler, two roots


def test_level_from_dp_log_level(entry_point: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DP_LOG_LEVEL", "warning")
    setup_logging()
    assert logging.getLogger("dp").level == logging.WARNING
