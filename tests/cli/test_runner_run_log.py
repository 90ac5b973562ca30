"""The runner records every pipeline run as events (dp_foundation.logging.events): in a run
log and to ``on_event``; a job's checks and writes come from its processes' JSON records,
rows written from the snapshot it committed, what it read from its Spark event log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dp_cli.projects import get_pipeline, load_project
from dp_cli.runner import CHECKER_LOGGER, WRITER_LOGGER, run_pipeline
from dp_foundation.logging.events import (
    ChecksRun,
    JobAttempt,
    JobFinished,
    JobRetrying,
    JobStarted,
    PipelineFinished,
    PipelineStarted,
    TableWritten,
    event_from_record,
)

# A job that does what a real one reports: it checks (the checker's record), commits a
# snapshot of an Iceberg table and logs it (the writer's record), and its "Spark
# application" scans a table and a raw folder (an event log where the runner asked for it).
WRITER_JOB = r"""
import json, os, pathlib, shlex, time
from dataclasses import asdict
import dp_foundation
from dp_foundation.logging import get_logger, setup_logging
from dp_foundation.quality.checks import CheckResult

dp_foundation.bridge_glue_args()
setup_logging()  # as a job's entry point does
lake = pathlib.Path(os.environ["DP_LAKE_DIR"])
results = [
    CheckResult("unique(o_orderkey)", True, "0 of 3 rows share their key", 0, 3),
    CheckResult("not_null(o_custkey)", False, "1 of 3 rows are null", 1, 3),
]
get_logger("dp_foundation.quality.checks").info(
    "data quality results",
    extra={"dataset": "glue_catalog.f01_refined_local.orders", "passed": False,
           "checks": [asdict(r) for r in results]},
)
table = lake / "warehouse" / "f01_refined_local" / "orders" / "metadata"
table.mkdir(parents=True, exist_ok=True)
snapshot = {"snapshot-id": 42, "timestamp-ms": int(time.time() * 1000),
            "summary": {"operation": "append", "added-records": "3", "total-records": "3",
                        "added-files-size": "100", "total-files-size": "100"}}
(table / "v1.metadata.json").write_text(json.dumps(
    {"format-version": 2, "current-snapshot-id": 42, "snapshots": [snapshot]}))
(table / "version-hint.text").write_text("1")
get_logger("dp_foundation.io.writers").info(
    "wrote table",
    extra={"table": "glue_catalog.f01_refined_local.orders", "mode": "append",
           "snapshot_id": 42},
)
args = shlex.split(os.environ["PYSPARK_SUBMIT_ARGS"])
folder = [a.split("=", 1)[1] for a in args if a.startswith("spark.eventLog.dir=")][0]
plan = {"nodeName": "AppendData", "children": [
    {"nodeName": "BatchScan glue_catalog.f01_refined_local.customer", "children": []},
    {"nodeName": "BatchScan glue_catalog.f01_refined_local.orders", "children": []},
    {"nodeName": "Scan parquet ", "children": [],
     "metadata": {"Location": f"InMemoryFileIndex(1 paths)[file:{lake}/f01-raw-x/tpch/orders]"}},
]}
event = {"Event": "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart",
         "sparkPlanInfo": plan}
pathlib.Path(folder.removeprefix("file://")).joinpath("local-1").write_text(
    json.dumps(event) + "\n")
"""


@pytest.fixture
def writer_repo(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ``demo`` project with a pipeline ``writes`` whose one job checks and writes."""
    (repo / "src" / "jobs" / "demo" / "writer.py").write_text(WRITER_JOB, encoding="utf-8")
    path = repo / "infrastructure" / "projects" / "demo" / "project.json"
    contract = json.loads(path.read_text(encoding="utf-8"))
    contract["jobs"]["writer"] = {"script": "writer.py"}
    contract["pipelines"]["writes"] = {"jobs": ["writer"], "schedule": "cron(0 6 * * ? *)"}
    path.write_text(json.dumps(contract), encoding="utf-8")
    monkeypatch.setenv("DP_LAKE_DIR", str(repo / "lake"))
    return repo


def _run_log(repo: Path) -> list[dict[str, Any]]:
    (path,) = sorted((repo / "runs").glob("*.jsonl"))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_run_is_recorded_as_events_in_order(repo: Path) -> None:
    project = load_project("demo", repo)
    seen: list[dict[str, Any]] = []
    result = run_pipeline(
        project,
        get_pipeline(project, "recovers"),
        log_dir=repo / "logs",
        sleep=lambda _: None,
        on_event=lambda message, record: seen.append(record),
    )
    assert result.ok
    records = _run_log(repo)
    assert records == seen  # the caller sees what the run log holds
    assert result.run_log is not None and result.run_log.parent == repo / "runs"
    events = [event_from_record(r) for r in records]
    assert [(type(e).__name__, getattr(e, "job", None)) for e in events] == [
        ("PipelineStarted", None),
        ("JobStarted", "flaky"),
        ("JobAttempt", "flaky"),
        ("JobRetrying", "flaky"),
        ("JobStarted", "flaky"),
        ("JobAttempt", "flaky"),
        ("JobFinished", "flaky"),
        ("JobStarted", "record"),
        ("JobAttempt", "record"),
        ("JobFinished", "record"),
        ("PipelineFinished", None),
    ]
    assert {e.run_id for e in events if e is not None} == {result.run_id}
    started, first, retry = events[0], events[2], events[3]
    assert isinstance(started, PipelineStarted)
    assert (started.jobs, started.max_retries, started.backoff_seconds) == (
        ["flaky", "record"],
        2,
        10,
    )
    assert isinstance(first, JobAttempt) and not first.ok and first.returncode == 75
    assert first.reason == "transient failure on the first attempt"
    assert first.log_file is not None and (repo / first.log_file).is_file()
    assert isinstance(retry, JobRetrying) and retry.delay == 10.0
    flaky_done, finished = events[6], events[-1]
    assert isinstance(flaky_done, JobFinished) and flaky_done.attempts == 2 and flaky_done.ok
    assert isinstance(finished, PipelineFinished) and finished.ok and finished.failed_job is None
    # Attempts of one job keep their own Glue-style run ids; the pipeline run has one id.
    job_runs = [e.job_run_id for e in events if isinstance(e, JobStarted)]
    assert len(set(job_runs)) == 3 and result.run_id not in job_runs


def test_a_failed_run_records_where_and_why_it_stopped(repo: Path) -> None:
    project = load_project("demo", repo)
    run_pipeline(project, get_pipeline(project, "breaks"), log_dir=repo / "logs")
    finished = event_from_record(_run_log(repo)[-1])
    assert isinstance(finished, PipelineFinished)
    assert not finished.ok and finished.failed_job == "always_fails"
    assert finished.error == "States.TaskFailed"
    assert finished.reason is not None and finished.reason.startswith("DataQualityError")


def test_checks_writes_and_reads_of_a_job_become_events(writer_repo: Path) -> None:
    project = load_project("demo", writer_repo)
    result = run_pipeline(project, get_pipeline(project, "writes"), log_dir=writer_repo / "logs")
    assert result.ok, result.reason
    events = [event_from_record(r) for r in _run_log(writer_repo)]
    started = events[0]
    assert isinstance(started, PipelineStarted) and started.schedule == "cron(0 6 * * ? *)"
    (checks,) = [e for e in events if isinstance(e, ChecksRun)]
    assert checks.dataset == "f01_refined_local.orders" and not checks.passed
    assert [(c["name"], c["passed"], c["failed_rows"]) for c in checks.checks] == [
        ("unique(o_orderkey)", True, 0),
        ("not_null(o_custkey)", False, 1),
    ]
    (written,) = [e for e in events if isinstance(e, TableWritten)]
    assert (written.table, written.snapshot_id, written.operation) == (
        "f01_refined_local.orders",
        42,
        "append",
    )
    assert (written.added_records, written.total_records, written.added_files_size) == (3, 3, 100)
    (attempt,) = [e for e in events if isinstance(e, JobAttempt)]
    assert attempt.outputs == ["f01_refined_local.orders"]
    # Reads observed in the Spark event log; the table the job writes is not an input.
    assert attempt.inputs == ["f01-raw-x/tpch/orders", "f01_refined_local.customer"]
    finished = events[-1]
    assert isinstance(finished, PipelineFinished)
    assert (finished.rows_written, finished.checks_passed, finished.checks_failed) == (3, 1, 1)
    assert not (writer_repo / "logs" / "spark-events").exists()  # event logs are not kept


def test_the_records_the_runner_reads_come_from_the_checker_and_the_writer() -> None:
    from dp_foundation.io import writers
    from dp_foundation.quality import checks

    assert checks._log.name.startswith(CHECKER_LOGGER + ".")
    assert writers._log.name.startswith(WRITER_LOGGER + ".")
