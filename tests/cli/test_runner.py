"""The local runner has the deployed state machine's semantics: order, Retry and Catch from
the module's retry_policy.json, backoff, stop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dp_cli.projects import Pipeline, get_pipeline, load_project
from dp_cli.runner import (
    RETRY_POLICY_FILE,
    RetryPolicy,
    backoff_delay,
    error_matches,
    failure_reason,
    job_argv,
    load_retry_policy,
    next_step,
    run_job,
    run_pipeline,
)
from dp_foundation.exceptions import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_transient_failure_is_retried_after_backoff_then_pipeline_continues(repo: Path) -> None:
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
    assert result.runs[0].error == load_retry_policy(repo).exit_codes[75]
    assert result.runs[1].error is None
    assert waits == [10.0]
    assert "transient failure" in (result.runs[0].reason or "")


def test_a_pipeline_compiles_its_contracts_once_for_all_jobs_and_attempts(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dp_cli import runner

    compiled: list[str] = []
    real = runner.compile_contracts

    def counting(project):  # type: ignore[no-untyped-def]
        compiled.append(project.name)
        return real(project)

    monkeypatch.setattr(runner, "compile_contracts", counting)
    project = load_project("demo", repo)
    result = run_pipeline(
        project, get_pipeline(project, "recovers"), log_dir=repo / "logs", sleep=lambda _: None
    )
    assert len(result.runs) == 3  # two jobs, one of them attempted twice
    assert compiled == ["demo"]


def test_data_quality_error_is_attempted_once_and_stops_the_pipeline(repo: Path) -> None:
    """A failed job run is States.TaskFailed: Step Functions does not retry it, nor do we."""
    project = load_project("demo", repo)
    waits: list[float] = []
    result = run_pipeline(
        project, get_pipeline(project, "breaks"), log_dir=repo / "logs", sleep=waits.append
    )
    assert not result.ok
    assert result.failed_job == "always_fails"
    assert [(r.job, r.attempt) for r in result.runs] == [("always_fails", 1)]
    assert waits == []
    assert result.error == "States.TaskFailed"
    assert result.reason == (
        "DataQualityError: 1 of 3 data-quality checks failed on orders: unique(o_orderkey)"
    )
    assert not (repo / "state" / "demo-record.ran").exists()  # later jobs never ran


def _add_throttled_pipeline(repo: Path) -> None:
    """A job that always exits 75 (a transient error) in a pipeline with 2 retries."""
    (repo / "src" / "jobs" / "demo" / "throttled.py").write_text(
        'import sys\nprint("Rate exceeded", file=sys.stderr)\nsys.exit(75)\n', encoding="utf-8"
    )
    path = repo / "infrastructure" / "projects" / "demo" / "project.json"
    contract = json.loads(path.read_text(encoding="utf-8"))
    contract["jobs"]["throttled"] = {"script": "throttled.py"}
    contract["pipelines"]["throttled"] = {
        "jobs": ["throttled", "record"],
        "max_retries": 2,
        "backoff_seconds": 5,
        "backoff_rate": 3,
    }
    path.write_text(json.dumps(contract), encoding="utf-8")


def test_transient_failure_is_retried_with_the_declared_backoff_then_stops(repo: Path) -> None:
    _add_throttled_pipeline(repo)
    project = load_project("demo", repo)
    waits: list[float] = []
    events: list[tuple[str, dict]] = []
    result = run_pipeline(
        project,
        get_pipeline(project, "throttled"),
        log_dir=repo / "logs",
        sleep=waits.append,
        on_event=lambda message, record: events.append((message, record)),
    )
    assert not result.ok
    assert result.failed_job == "throttled"
    assert [r.job for r in result.runs] == ["throttled"] * 3  # 1 + max_retries
    assert waits == [5.0, 15.0]  # backoff_seconds * backoff_rate ** (retry - 1)
    assert result.error == load_retry_policy(repo).exit_codes[75]
    assert result.reason == "Rate exceeded"
    retrying = [record for message, record in events if message == "job retrying"]
    assert [(r["attempt"], r["delay"], r["error"]) for r in retrying] == [
        (1, 5.0, result.error),
        (2, 15.0, result.error),
    ]
    assert not (repo / "state" / "demo-record.ran").exists()


def test_no_retries_when_max_retries_is_zero(repo: Path) -> None:
    _add_throttled_pipeline(repo)
    project = load_project("demo", repo)
    pipeline = get_pipeline(project, "throttled")
    waits: list[float] = []
    result = run_pipeline(
        project,
        Pipeline(pipeline.name, pipeline.jobs, 0, pipeline.backoff_seconds, 1.0),
        log_dir=repo / "logs",
        sleep=waits.append,
    )
    assert [r.attempt for r in result.runs] == [1] and waits == []


def test_backoff_scale_zero_retries_at_once(repo: Path) -> None:
    _add_throttled_pipeline(repo)
    project = load_project("demo", repo)
    waits: list[float] = []
    run_pipeline(
        project,
        get_pipeline(project, "throttled"),
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


def test_a_pipeline_passes_run_time_arguments_to_the_jobs_they_name(repo: Path) -> None:
    project = load_project("demo", repo)
    result = run_pipeline(
        project,
        get_pipeline(project, "recovers"),
        log_dir=repo / "logs",
        sleep=lambda _: None,
        job_arguments={"record": ["--FULL_REFRESH", "true"], "flaky": ["--Y", "3"]},
    )
    assert result.ok, result.reason
    argv, _ = (repo / "state" / "demo-record.ran").read_text().splitlines()
    assert argv.endswith("--X 1 --FULL_REFRESH true")


def test_job_argv_puts_run_time_arguments_last(repo: Path) -> None:
    project = load_project("demo", repo)
    argv = job_argv("demo", project.jobs["record"], "dev", ["--X", "9"])
    assert argv[2:6] == ["--JOB_NAME", "demo-record", "--ENV", "dev"]
    assert argv[-2:] == ["--X", "9"]


def test_backoff_delay_follows_step_functions() -> None:
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


# ─── The retry policy: one file, read by the Terraform module and by the runner ───


def test_runner_reads_the_policy_the_module_deploys() -> None:
    policy = load_retry_policy(ROOT)
    module = (ROOT / "infrastructure" / "modules" / "stepfunction_pipeline" / "main.tf").read_text()
    assert 'jsondecode(file("${path.module}/retry_policy.json"))' in module
    assert (ROOT / RETRY_POLICY_FILE).parent.name == "stepfunction_pipeline"
    # Only transient Glue API errors are retried; every error is caught.
    assert "Glue.ConcurrentRunsExceededException" in policy.retry_errors
    assert "Glue.ThrottlingException" in policy.retry_errors
    assert not {"States.ALL", "States.TaskFailed"} & set(policy.retry_errors)
    assert policy.catch_errors == ("States.ALL",)
    assert policy.job_failed_error == "States.TaskFailed"
    assert all(policy.retries(name) for name in policy.exit_codes.values())
    assert not policy.retries(policy.job_failed_error)


def test_error_matching_follows_the_states_language() -> None:
    assert error_matches("Glue.ThrottlingException", ["States.ALL"])
    assert error_matches("States.Timeout", ["States.ALL"])
    assert error_matches("Glue.ThrottlingException", ["States.TaskFailed"])
    assert not error_matches("States.Timeout", ["States.TaskFailed"])
    assert not error_matches("States.TaskFailed", ["Glue.ThrottlingException"])


def test_next_step_retries_transient_errors_within_max_retries_only() -> None:
    policy = RetryPolicy(("Glue.X",), ("States.ALL",), "States.TaskFailed", {75: "Glue.X"})
    pipeline = Pipeline("p", ["a"], max_retries=2, backoff_seconds=60, backoff_rate=2.0)
    assert policy.error_of(0) is None
    assert policy.error_of(1) == "States.TaskFailed"
    assert policy.error_of(75) == "Glue.X"
    assert next_step(policy, pipeline, "Glue.X", 0) == ("retry", 60.0)
    assert next_step(policy, pipeline, "Glue.X", 1) == ("retry", 120.0)
    assert next_step(policy, pipeline, "Glue.X", 2) == ("catch", 0.0)
    assert next_step(policy, pipeline, "States.TaskFailed", 0) == ("catch", 0.0)
    uncaught = RetryPolicy(("Glue.X",), ("Glue.Y",), "States.TaskFailed", {})
    assert next_step(uncaught, pipeline, "States.TaskFailed", 0) == ("fail", 0.0)


def test_missing_or_malformed_policy_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"retry_policy\.json is missing"):
        load_retry_policy(tmp_path)
    (tmp_path / RETRY_POLICY_FILE).parent.mkdir(parents=True)
    (tmp_path / RETRY_POLICY_FILE).write_text('{"glue_job": {}}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"expected glue_job\.retry_errors"):
        load_retry_policy(tmp_path)
