"""The local runner has the deployed state machine's semantics: order, retries, backoff, stop."""

from __future__ import annotations

from pathlib import Path

import pytest

from dp_cli.projects import get_pipeline, load_project
from dp_cli.runner import backoff_delay, failure_reason, job_argv, run_job, run_pipeline


def test_job_that_fails_once_is_retried_after_backoff_then_pipeline_continues(repo: Path) -> None:
    project = load_project("demo", repo)
    waits: list[float] = []
    result = run_pipeline(
        project, get_pipeline(project, "recovers"), log_dir=repo / "logs", sleep=waits.append
    )
    assert result.ok
    assert [(r.job, r.attempt, r.ok) for r in result.runs] == [
        ("flaky", 1, False),
        ("flaky", 2, True),
        ("record", 1, True),
    ]
    assert waits == [10.0]
    assert "transient failure" in (result.runs[0].reason or "")


def test_job_that_always_fails_stops_the_pipeline_after_its_retries(repo: Path) -> None:
    project = load_project("demo", repo)
    waits: list[float] = []
    result = run_pipeline(
        project, get_pipeline(project, "breaks"), log_dir=repo / "logs", sleep=waits.append
    )
    assert not result.ok
    assert result.failed_job == "always_fails"
    assert [r.job for r in result.runs] == ["always_fails"] * 3  # 1 + max_retries
    assert waits == [5.0, 15.0]  # backoff_seconds * backoff_rate ** (retry - 1)
    assert result.reason == (
        "DataQualityError: 1 of 3 data-quality checks failed on orders: unique(o_orderkey)"
    )
    assert not (repo / "state" / "demo-record.ran").exists()  # later jobs never ran


def test_backoff_scale_zero_retries_at_once(repo: Path) -> None:
    project = load_project("demo", repo)
    waits: list[float] = []
    run_pipeline(
        project,
        get_pipeline(project, "breaks"),
        backoff_scale=0,
        log_dir=repo / "logs",
        sleep=waits.append,
    )
    assert waits == [0.0, 0.0]


def test_job_gets_glue_style_arguments_defaults_then_run_time(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("X", "from-the-shell")  # must not leak into the job: arguments win
    project = load_project("demo", repo)
    job = project.jobs["record"]
    run = run_job(project, job, env="local", extra=["--X", "2", "--FLAG"], log_dir=repo / "logs")
    assert run.ok, run.reason
    argv, env = (repo / "state" / "demo-record.ran").read_text().splitlines()
    assert argv == (
        f"--JOB_NAME demo-record --ENV local --STATE_DIR {repo / 'state'} --X 1 --X 2 --FLAG"
    )
    assert env == "local"
    assert run.log_path.is_file()


def test_job_argv_puts_run_time_arguments_last(repo: Path) -> None:
    project = load_project("demo", repo)
    argv = job_argv("demo", project.jobs["record"], "dev", ["--X", "9"])
    assert argv[2:6] == ["--JOB_NAME", "demo-record", "--ENV", "dev"]
    assert argv[-2:] == ["--X", "9"]


def test_backoff_delay_follows_step_functions() -> None:
    from dp_cli.projects import Pipeline

    pipeline = Pipeline("p", ["a"], max_retries=3, backoff_seconds=60, backoff_rate=2.0)
    assert [backoff_delay(pipeline, n) for n in (1, 2, 3)] == [60.0, 120.0, 240.0]


def test_failure_reason_prefers_the_exception_line() -> None:
    lines = ['{"level": "ERROR", "message": "boom"}', "Traceback ...", "ValueError: bad input"]
    assert failure_reason(lines, 1) == "ValueError: bad input"
    assert failure_reason(['{"level": "ERROR", "message": "boom"}'], 1) == "boom"
    assert failure_reason([], 3) == "exit code 3 with no output"


def test_real_pipelines_reference_existing_jobs() -> None:
    root = Path(__file__).resolve().parents[2]
    for name in ("project01", "test02"):
        project = load_project(name, root)
        for pipeline in project.pipelines.values():
            assert pipeline.jobs and all(j in project.jobs for j in pipeline.jobs)
    assert load_project("project01", root).pipelines["order_to_revenue"].jobs == [
        "refine",
        "curate",
    ]
