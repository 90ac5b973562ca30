"""Run jobs and pipelines locally the way AWS runs them.

A job runs as Glue runs it: a fresh Python process executing the job script with the job's
default arguments from project.json (then any run-time arguments, which win) in ``sys.argv``.
A pipeline runs as the deployed Step Functions state machine does: the same ordered job list
and the same Retry and Catch, read from the file the Terraform module generates them from
(``infrastructure/modules/stepfunction_pipeline/retry_policy.json``). A job process that fails
raises ``States.TaskFailed``, as a failed Glue job run does, and is not retried; a process that
exits with a code the policy maps to a transient Glue API error (75, EX_TEMPFAIL) is retried up
to ``max_retries`` times after waits of ``backoff_seconds * backoff_rate ** (retry - 1)``. The
run stops at the first job that still fails (every error is caught), naming it and why.
"""

from __future__ import annotations

import json
import os
import re
import subprocess  # nosec B404 - runs job scripts of this repository
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from dp_cli.projects import Job, Pipeline, Project
from dp_foundation.config.settings import lake_dir
from dp_foundation.exceptions import ConfigError

_EXCEPTION_LINE = re.compile(r"^(?:[\w.]+\.)?(\w*(?:Error|Exception|Exit)\w*): (.+)$")

RETRY_POLICY_FILE = (
    Path("infrastructure") / "modules" / "stepfunction_pipeline" / "retry_policy.json"
)


def error_matches(error: str, error_equals: Sequence[str]) -> bool:
    """Whether an ASL ``ErrorEquals`` list matches ``error``, with the language's wildcards:
    ``States.ALL`` matches any error, ``States.TaskFailed`` any error but ``States.Timeout``."""
    if error in error_equals or "States.ALL" in error_equals:
        return True
    return "States.TaskFailed" in error_equals and error != "States.Timeout"


@dataclass(frozen=True)
class RetryPolicy:
    """The Retry and Catch of a pipeline's Glue tasks, as deployed, plus how a local job
    process signals an error.

    Attributes:
        retry_errors: ``ErrorEquals`` of the tasks' Retry.
        catch_errors: ``ErrorEquals`` of the tasks' Catch (to the failure path).
        job_failed_error: the error of a failed job run (``States.TaskFailed``).
        exit_codes: job-process exit codes that stand for another error (a transient one).
    """

    retry_errors: tuple[str, ...]
    catch_errors: tuple[str, ...]
    job_failed_error: str
    exit_codes: dict[int, str]

    def error_of(self, returncode: int) -> str | None:
        """The ASL error name of a job process's exit code (``None``: it succeeded)."""
        if returncode == 0:
            return None
        return self.exit_codes.get(returncode, self.job_failed_error)

    def retries(self, error: str) -> bool:
        """Whether the tasks' Retry applies to ``error``."""
        return error_matches(error, self.retry_errors)

    def catches(self, error: str) -> bool:
        """Whether the tasks' Catch applies to ``error``."""
        return error_matches(error, self.catch_errors)


def load_retry_policy(root: Path) -> RetryPolicy:
    """Read the pipelines' Retry and Catch from the repository at ``root``.

    Raises:
        ConfigError: the file is missing or lacks a field.
    """
    path = root / RETRY_POLICY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        glue, local = data["glue_job"], data["local"]
        return RetryPolicy(
            retry_errors=tuple(glue["retry_errors"]),
            catch_errors=tuple(glue["catch_errors"]),
            job_failed_error=str(local["job_failed_error"]),
            exit_codes={int(code): str(name) for code, name in local["exit_codes"].items()},
        )
    except FileNotFoundError:
        raise ConfigError(
            f"{RETRY_POLICY_FILE} is missing: the pipelines' Retry is defined there"
        ) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{RETRY_POLICY_FILE}: expected glue_job.retry_errors, glue_job.catch_errors, "
            f"local.job_failed_error and local.exit_codes; {type(exc).__name__}: {exc}"
        ) from None


@dataclass
class JobRun:
    """One attempt of one job."""

    project: str
    job: str
    attempt: int
    returncode: int
    seconds: float
    log_path: Path
    reason: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the attempt succeeded."""
        return self.returncode == 0


@dataclass
class PipelineRun:
    """The outcome of a pipeline run: every attempt, and the job that stopped it, if any."""

    project: str
    pipeline: str
    runs: list[JobRun]
    seconds: float
    failed_job: str | None = None

    @property
    def ok(self) -> bool:
        """Whether every job succeeded."""
        return self.failed_job is None

    @property
    def reason(self) -> str | None:
        """Why the failed job failed (its last attempt)."""
        failed = [r for r in self.runs if r.job == self.failed_job]
        return failed[-1].reason if failed else None

    @property
    def error(self) -> str | None:
        """The ASL error the failed job raised (its last attempt), e.g. States.TaskFailed."""
        failed = [r for r in self.runs if r.job == self.failed_job]
        return failed[-1].error if failed else None


Event = Callable[[str, dict[str, Any]], None]


def _quiet(_: str, __: dict[str, Any]) -> None:
    return None


def job_argv(project: str, job: Job, env: str, extra: Sequence[str] = ()) -> list[str]:
    """The command line of a job run: script, Glue's ``--JOB_NAME``, ``--ENV``, the job's
    default arguments, then run-time ``extra`` arguments (later occurrences win, as on Glue)."""
    argv = [sys.executable, str(job.script), "--JOB_NAME", f"{project}-{job.name}", "--ENV", env]
    for key, value in job.arguments.items():
        argv += [key, value]
    return argv + list(extra)


def _child_env(argv: Sequence[str], run_id: str) -> dict[str, str]:
    from dp_foundation.config.args import parse_glue_args

    env = dict(os.environ)
    # Glue's job sees its arguments, not our shell's: drop variables the arguments set, or
    # the bridge (which never overwrites) would let a stray shell variable win.
    for name in parse_glue_args(list(argv[2:])):
        env.pop(name, None)
    env["DP_RUN_ID"] = run_id
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def failure_reason(lines: Sequence[str], returncode: int) -> str:
    """The most telling line of a failed job's output: its exception, else its last error."""
    for line in reversed(lines):
        match = _EXCEPTION_LINE.match(line.strip())
        if match:
            return f"{match.group(1)}: {match.group(2)}"
    for line in reversed(lines):
        if line.startswith("{") and '"ERROR"' in line:
            try:
                return str(json.loads(line).get("message"))
            except json.JSONDecodeError:
                continue
    tail = [line.strip() for line in lines if line.strip()]
    return tail[-1] if tail else f"exit code {returncode} with no output"


def run_job(
    project: Project,
    job: Job,
    env: str = "local",
    extra: Sequence[str] = (),
    attempt: int = 1,
    log_dir: Path | None = None,
    echo: TextIO | None = None,
    on_event: Event = _quiet,
) -> JobRun:
    """Run one job script in its own process; return how it went.

    Args:
        project: the project the job belongs to.
        job: the job (script and default arguments).
        env: the value of ``--ENV``.
        extra: run-time arguments (``--KEY value`` ...), appended after the defaults.
        attempt: attempt number (names the log file).
        log_dir: where the job's output is kept (default: ``logs`` beside the lake folder,
            i.e. ``.local/logs``).
        echo: a stream to copy the job's output to as it runs (e.g. ``sys.stderr``).
        on_event: called with ``(message, record)`` for each JSON log record of the job.
    """
    run_id = uuid.uuid4().hex[:12]
    log_dir = log_dir or lake_dir().parent / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{project.name}-{job.name}-{time.strftime('%Y%m%dT%H%M%S')}-{run_id}.log"
    argv = job_argv(project.name, job, env, extra)
    started = time.monotonic()
    lines: list[str] = []
    records: list[dict[str, Any]] = []
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(  # nosec B603 - argv built by job_argv(), no shell
            argv,
            cwd=project.root.parents[2],
            env=_child_env(argv, run_id),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        timer = threading.Timer(job.timeout_minutes * 60, proc.kill)
        timer.start()
        try:
            for line in proc.stdout or ():
                log.write(line)
                lines.append(line.rstrip("\n"))
                if echo is not None:
                    echo.write(line)
                if line.startswith("{"):
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    records.append(record)
                    on_event(str(record.get("message", "")), record)
            returncode = proc.wait()
        finally:
            timed_out = not timer.is_alive() and proc.returncode not in (0, None)
            timer.cancel()
    seconds = time.monotonic() - started
    reason = None
    if returncode != 0:
        reason = (
            f"timed out after {job.timeout_minutes} min"
            if timed_out and returncode < 0
            else failure_reason(lines[-200:], returncode)
        )
    return JobRun(project.name, job.name, attempt, returncode, seconds, log_path, reason, records)


def backoff_delay(pipeline: Pipeline, retry: int) -> float:
    """Seconds Step Functions waits before retry number ``retry`` (1-based)."""
    return float(pipeline.backoff_seconds * pipeline.backoff_rate ** (retry - 1))


def next_step(
    policy: RetryPolicy, pipeline: Pipeline, error: str, retries_done: int
) -> tuple[str, float]:
    """What the deployed state machine does when a task failed with ``error`` after
    ``retries_done`` retries: ``("retry", wait_seconds)``, ``("catch", 0.0)`` (the Catch to
    the failure path) or ``("fail", 0.0)`` (no Catch matches: the execution fails)."""
    if policy.retries(error) and retries_done < pipeline.max_retries:
        return "retry", backoff_delay(pipeline, retries_done + 1)
    return ("catch" if policy.catches(error) else "fail"), 0.0


def run_pipeline(
    project: Project,
    pipeline: Pipeline,
    env: str = "local",
    backoff_scale: float = 1.0,
    log_dir: Path | None = None,
    echo: TextIO | None = None,
    on_event: Event = _quiet,
    sleep: Callable[[float], None] = time.sleep,
) -> PipelineRun:
    """Run a pipeline's jobs in order with the deployed state machine's Retry and Catch.

    Args:
        project: the project.
        pipeline: the pipeline (ordered jobs, retries, backoff) from project.json.
        env: the value of ``--ENV`` for every job.
        backoff_scale: multiplies every wait (1 = as deployed; 0 = no waiting, for tests).
        log_dir, echo, on_event: as in :func:`run_job`.
        sleep: the wait function (``time.sleep``).

    Raises:
        ConfigError: the retry policy file is missing or malformed.
    """
    policy = load_retry_policy(project.root.parents[2])
    started = time.monotonic()
    runs: list[JobRun] = []
    for name in pipeline.jobs:
        job = project.jobs[name]
        attempt = 1
        while True:
            on_event("job started", {"job": name, "attempt": attempt})
            run = run_job(project, job, env, (), attempt, log_dir, echo, on_event)
            run.error = policy.error_of(run.returncode)
            runs.append(run)
            on_event("job finished", {"job": name, "attempt": attempt, "run": run})
            if run.error is None:
                break
            step, delay = next_step(policy, pipeline, run.error, attempt - 1)
            if step != "retry":  # caught or not, the pipeline ends failed
                return PipelineRun(
                    project.name, pipeline.name, runs, time.monotonic() - started, failed_job=name
                )
            delay *= backoff_scale
            on_event(
                "job retrying",
                {"job": name, "attempt": attempt, "delay": delay, "error": run.error},
            )
            sleep(delay)
            attempt += 1
    return PipelineRun(project.name, pipeline.name, runs, time.monotonic() - started)


__all__ = [
    "RETRY_POLICY_FILE",
    "JobRun",
    "PipelineRun",
    "RetryPolicy",
    "backoff_delay",
    "error_matches",
    "failure_reason",
    "job_argv",
    "load_retry_policy",
    "next_step",
    "run_job",
    "run_pipeline",
]
