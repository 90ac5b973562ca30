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

A job that ran out of memory (its output shows one of the policy's out-of-memory markers, e.g.
``java.lang.OutOfMemoryError``) is a failed run whatever its exit code: it would fail the same
way again, so it is reported once, with the memory it had and the setting that gives it more
(``DP_DRIVER_MEMORY``), and never retried. A run interrupted between jobs resumes with
``start_at`` (``dp pipeline run --from <job>``), as a Step Functions redrive does: the jobs
before it in the pipeline's order are not run again.

Every pipeline run is recorded: its events (:mod:`dp_foundation.logging.events`) go through
the JSON logger to a run log, ``<runs>/<started>-<run id>.jsonl`` (``.local/runs`` beside
``.local/logs``), and to the caller's ``on_event``, which is how ``dp pipeline run`` prints its
progress and how ``dp docs`` learns what ran. A job's data-quality results and writes come
from the structured records its process prints (the checker's and the writer's); the rows a
write added come from the summary of the Iceberg snapshot it committed; what it read, from
the physical plans in its Spark event log (:mod:`dp_cli.spark_events`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import subprocess  # nosec B404 - runs job scripts of this repository
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from dp_cli.projects import Job, Pipeline, Project
from dp_cli.spark_events import event_log_env, observed_reads
from dp_cli.tables import current_metadata_file
from dp_foundation.config.settings import lake_dir
from dp_foundation.contracts.loader import CONTRACTS_DIR_ENV
from dp_foundation.exceptions import ConfigError
from dp_foundation.logging.events import (
    ChecksRun,
    Event,
    JobAttempt,
    JobFinished,
    JobRetrying,
    JobStarted,
    PipelineFinished,
    PipelineStarted,
    TableWritten,
    log_event,
    utc_now,
)
from dp_foundation.logging.logger import JsonFormatter, get_logger
from dp_foundation.spark.session import DRIVER_MEMORY_ENV, MIB, this_machine

_EXCEPTION_LINE = re.compile(r"^(?:[\w.]+\.)?(\w*(?:Error|Exception|Exit)\w*): (.+)$")

RETRY_POLICY_FILE = (
    Path("infrastructure") / "modules" / "stepfunction_pipeline" / "retry_policy.json"
)
# Where the records a job process prints come from that the runner turns into events: the
# data-quality checker's results and the Iceberg writer's commits. Packages, not modules, so
# that either may move its logging to another module of its package.
CHECKER_LOGGER = "dp.dp_foundation.quality"
WRITER_LOGGER = "dp.dp_foundation.io"


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
        out_of_memory_markers: text in a job's output that means it ran out of memory.
    """

    retry_errors: tuple[str, ...]
    catch_errors: tuple[str, ...]
    job_failed_error: str
    exit_codes: dict[int, str]
    out_of_memory_markers: tuple[str, ...] = ()

    def error_of(self, returncode: int, out_of_memory: bool = False) -> str | None:
        """The ASL error name of a job process's exit code (``None``: it succeeded).

        A process that ran out of memory is a failed job run, whatever code it exits with.
        """
        if returncode == 0:
            return None
        if out_of_memory:
            return self.job_failed_error
        return self.exit_codes.get(returncode, self.job_failed_error)

    def out_of_memory(self, line: str) -> bool:
        """Whether a line of a job's output says the job ran out of memory."""
        return any(marker in line for marker in self.out_of_memory_markers)

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
            out_of_memory_markers=tuple(local.get("out_of_memory", {}).get("output_markers", ())),
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
    job_run_id: str = ""
    started_at: str = ""
    out_of_memory: str | None = None
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    checks: list[ChecksRun] = field(default_factory=list)
    writes: list[TableWritten] = field(default_factory=list)

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
    run_id: str = ""
    run_log: Path | None = None

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


OnEvent = Callable[[str, dict[str, Any]], None]
"""Called with ``(message, record)`` for each event of a run: the record as the run log holds
it (``event`` names its type; :func:`dp_foundation.logging.events.event_from_record` rebuilds
the dataclass)."""
EventSink = Callable[[Event], None]


def _quiet(_: str, __: dict[str, Any]) -> None:
    return None


class _RecordHandler(logging.Handler):
    """Hands each formatted record, parsed back, to ``on_event``: the caller sees exactly
    what the run log holds."""

    def __init__(self, on_event: OnEvent) -> None:
        super().__init__()
        self.on_event = on_event
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        payload = json.loads(self.format(record))
        self.on_event(str(payload.get("message", "")), payload)


class RunLog:
    """The events of one pipeline run: JSON lines in ``path`` (if given) and ``on_event``.

    Events are logged through the library's JSON logger (``dp.runs.<run id>``), which does
    not pass them on to stderr: the progress a person sees is ``on_event``'s to print.
    """

    def __init__(self, run_id: str, path: Path | None, on_event: OnEvent = _quiet) -> None:
        self.run_id = run_id
        self.path = path
        self._logger = get_logger(f"runs.{run_id}")
        self._logger.propagate = False
        self._logger.setLevel(logging.INFO)
        self._handlers: list[logging.Handler] = [_RecordHandler(on_event)]
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            to_file = logging.FileHandler(path, encoding="utf-8", delay=False)
            to_file.setFormatter(JsonFormatter())
            self._handlers.insert(0, to_file)
        for handler in self._handlers:
            self._logger.addHandler(handler)

    def __call__(self, event: Event) -> None:
        """Record ``event``."""
        log_event(self._logger, event)

    def close(self) -> None:
        """Flush and close the run log."""
        for handler in self._handlers:
            self._logger.removeHandler(handler)
            handler.close()

    def __enter__(self) -> RunLog:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def compile_contracts(project: Project) -> Path:
    """Compile ``project``'s data contracts into ``.local/build/contracts`` (beside the lake
    folder); return that folder, the value of ``DP_CONTRACTS_DIR`` for its jobs.

    Raises:
        ContractError: a contract has problems (``dp contract lint`` lists them).
    """
    from dp_cli.contracts.compile import compile_project

    return compile_project(
        project.root.parents[2], project.name, lake_dir().parent / "build" / "contracts"
    )


def job_argv(project: str, job: Job, env: str, extra: Sequence[str] = ()) -> list[str]:
    """The command line of a job run: script, Glue's ``--JOB_NAME``, ``--ENV``, the job's
    default arguments, then run-time ``extra`` arguments (later occurrences win, as on Glue)."""
    argv = [sys.executable, str(job.script), "--JOB_NAME", f"{project}-{job.name}", "--ENV", env]
    for key, value in job.arguments.items():
        argv += [key, value]
    return argv + list(extra)


def _child_env(argv: Sequence[str], run_id: str, event_dir: Path | None = None) -> dict[str, str]:
    from dp_foundation.config.args import parse_glue_args

    env = dict(os.environ)
    # Glue's job sees its arguments, not our shell's: drop variables the arguments set, or
    # the bridge (which never overwrites) would let a stray shell variable win.
    for name in parse_glue_args(list(argv[2:])):
        env.pop(name, None)
    env["DP_RUN_ID"] = run_id
    env.setdefault("PYTHONUNBUFFERED", "1")
    if event_dir is not None:
        env.update(event_log_env(event_dir, env))
    return env


def _table_name(qualified: str) -> str:
    """``glue_catalog.db.table`` -> ``db.table`` (every local table is in one catalog)."""
    parts = qualified.split(".")
    return ".".join(parts[-2:])


def snapshot_summary(
    warehouse: Path, table: str, snapshot_id: int | None
) -> tuple[dict[str, str], int] | None:
    """The summary and commit time (ms) of snapshot ``snapshot_id`` of local table ``table``
    (``db.table``), read from the table's metadata file; None when there is no such snapshot."""
    if snapshot_id is None:
        return None
    metadata_file = current_metadata_file(warehouse.joinpath(*table.split(".")))
    if metadata_file is None:
        return None
    meta = json.loads(metadata_file.read_text(encoding="utf-8"))
    for snapshot in meta.get("snapshots", []):
        if snapshot.get("snapshot-id") == snapshot_id:
            return dict(snapshot.get("summary", {})), int(snapshot.get("timestamp-ms", 0))
    return None


def _count(summary: dict[str, str], key: str) -> int | None:
    value = summary.get(key)
    return int(value) if value is not None else None


def table_written(
    record: dict[str, Any], run_id: str, project: str, job: str, attempt: int, since_ms: int
) -> TableWritten:
    """The event of a writer's ``wrote table`` record, with the counts of its snapshot.

    A write that committed no new snapshot (a MERGE with nothing to change: the current
    snapshot is older than the attempt) added and deleted nothing.
    """
    table = _table_name(str(record["table"]))
    snapshot_id = record.get("snapshot_id")
    found = snapshot_summary(lake_dir() / "warehouse", table, snapshot_id)
    if found is None:
        return TableWritten(run_id, project, job, attempt, table, record.get("mode"), snapshot_id)
    summary, committed_ms = found
    new = committed_ms >= since_ms
    return TableWritten(
        run_id,
        project,
        job,
        attempt,
        table,
        mode=record.get("mode"),
        snapshot_id=snapshot_id,
        operation=summary.get("operation") if new else None,
        added_records=_count(summary, "added-records") or 0 if new else 0,
        deleted_records=_count(summary, "deleted-records") or 0 if new else 0,
        total_records=_count(summary, "total-records"),
        added_files_size=_count(summary, "added-files-size") or 0 if new else 0,
    )


def job_event(
    record: dict[str, Any], run_id: str, project: str, job: str, attempt: int, since_ms: int
) -> Event | None:
    """The event a job's JSON log record stands for: the checker's results (``ChecksRun``),
    the writer's commit (``TableWritten``), or None. Records are recognised by their logger
    and their fields, not by the wording of their message."""
    logger = str(record.get("logger", ""))

    def under(package: str) -> bool:
        return logger == package or logger.startswith(package + ".")

    if under(CHECKER_LOGGER) and isinstance(record.get("checks"), list):
        return ChecksRun(
            run_id,
            project,
            job,
            attempt,
            dataset=_table_name(str(record["dataset"])) if record.get("dataset") else None,
            passed=bool(record.get("passed")),
            checks=list(record["checks"]),
        )
    if under(WRITER_LOGGER) and "table" in record and "snapshot_id" in record:
        return table_written(record, run_id, project, job, attempt, since_ms)
    return None


def driver_memory(env: dict[str, str]) -> int | None:
    """The driver memory (MiB) a local job with environment ``env`` gets
    (``spark.driver.memory``); None when its overrides are malformed (the job itself stops
    on that error)."""
    from dp_foundation.spark.session import local_sizing

    try:
        return local_sizing(this_machine(), env).driver_memory_mb
    except ConfigError:
        return None


def out_of_memory_reason(line: str, memory_mb: int | None, machine_mb: int) -> str:
    """The reason of a job that ran out of memory: what was seen, the memory it had, and what
    to change (twice that memory, if three quarters of the machine's allow it).

    Args:
        line: the output line that showed it.
        memory_mb: the driver's memory (``spark.driver.memory``) in MiB, if known.
        machine_mb: the machine's memory in MiB.
    """
    seen = line.strip()
    match = re.search(r"((?:[\w.]+\.)?\w*MemoryError\b.*)$", seen)
    seen = match.group(1) if match else seen
    had = f"{memory_mb}m" if memory_mb else "an unknown amount"
    more = (2 * memory_mb if memory_mb else machine_mb // 2) // 1024
    more = min(more, machine_mb * 3 // 4 // 1024)
    if memory_mb is None or more * 1024 > memory_mb:
        change = (
            f"give it more with {DRIVER_MEMORY_ENV}=<size> (e.g. {DRIVER_MEMORY_ENV}={more}g) "
            "or process less data per run"
        )
    else:
        change = (
            f"this machine has no more to give ({machine_mb // 1024} GiB): process less data "
            "per run"
        )
    return (
        f"out of memory ({seen}); the job's Spark driver had {had} (spark.driver.memory); "
        f"{change}; on Glue, a larger worker type or more workers. Not retried: it would run "
        "out of memory again"
    )


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
    emit: EventSink | None = None,
    run_id: str | None = None,
    *,
    contracts_dir: Path | None = None,
    policy: RetryPolicy | None = None,
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
        emit: receives the attempt's events as they happen: ``JobStarted``, then a
            ``ChecksRun`` per data-quality record and a ``TableWritten`` per write.
        run_id: the pipeline run the attempt belongs to (default: the attempt's own id).
        contracts_dir: the project's compiled contracts (default: compiled now; a pipeline
            compiles them once for all its jobs and attempts).
        policy: how exit codes and output map to errors (default: read from the repository).

    Raises:
        ConfigError: the retry policy file is missing or malformed.
    """
    policy = policy or load_retry_policy(project.root.parents[2])
    job_run_id = uuid.uuid4().hex[:12]
    run_id = run_id or job_run_id
    emit = emit or (lambda _: None)
    log_dir = log_dir or lake_dir().parent / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    log_path = log_dir / f"{project.name}-{job.name}-{stamp}-{job_run_id}.log"
    event_dir = log_dir / "spark-events" / job_run_id
    event_dir.mkdir(parents=True, exist_ok=True)
    argv = job_argv(project.name, job, env, extra)
    child_env = _child_env(argv, job_run_id, event_dir)
    # The job reads its tables' contracts compiled, as on Glue.
    child_env[CONTRACTS_DIR_ENV] = str(contracts_dir or compile_contracts(project))
    started_at = utc_now()
    since_ms = int(time.time() * 1000)
    emit(JobStarted(run_id, project.name, job.name, attempt, job_run_id, started_at))
    started = time.monotonic()
    lines: list[str] = []
    records: list[dict[str, Any]] = []
    checks: list[ChecksRun] = []
    writes: list[TableWritten] = []
    oom_line: str | None = None
    try:
        with log_path.open("w", encoding="utf-8") as log:
            proc = subprocess.Popen(  # nosec B603 - argv built by job_argv(), no shell
                argv,
                cwd=project.root.parents[2],
                env=child_env,
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
                    if oom_line is None and policy.out_of_memory(line):
                        oom_line = line
                    if line.startswith("{"):
                        try:
                            record = json.loads(line)
                        except json.JSONDecodeError:
                            continue
                        records.append(record)
                        event = job_event(record, run_id, project.name, job.name, attempt, since_ms)
                        if isinstance(event, ChecksRun):
                            checks.append(event)
                        elif isinstance(event, TableWritten):
                            writes.append(event)
                        if event is not None:
                            emit(event)
                returncode = proc.wait()
            finally:
                timed_out = not timer.is_alive() and proc.returncode not in (0, None)
                timer.cancel()
        outputs = list(dict.fromkeys(w.table for w in writes))
        # A MERGE reads the table it writes: that is not an input of the job.
        inputs = [s for s in observed_reads(event_dir, lake_dir()) if s not in outputs]
    finally:
        shutil.rmtree(event_dir, ignore_errors=True)
        with contextlib.suppress(OSError):  # the last attempt leaves no empty folder behind
            event_dir.parent.rmdir()
    seconds = time.monotonic() - started
    reason = None
    if returncode != 0 and oom_line is not None:
        machine_mb = this_machine().memory_bytes // MIB
        reason = out_of_memory_reason(oom_line, driver_memory(child_env), machine_mb)
    elif returncode != 0:
        reason = (
            f"timed out after {job.timeout_minutes} min"
            if timed_out and returncode < 0
            else failure_reason(lines[-200:], returncode)
        )
    return JobRun(
        project.name,
        job.name,
        attempt,
        returncode,
        seconds,
        log_path,
        reason,
        records,
        error=policy.error_of(returncode, out_of_memory=oom_line is not None),
        job_run_id=job_run_id,
        started_at=started_at,
        out_of_memory=oom_line.strip() if oom_line is not None else None,
        inputs=inputs,
        outputs=outputs,
        checks=checks,
        writes=writes,
    )


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


def jobs_from(project: Project, pipeline: Pipeline, start_at: str | None = None) -> list[str]:
    """The jobs a run of ``pipeline`` runs, in order: all of them, or those from ``start_at``
    on (the order is the pipeline's in project.json, the one the state machine is built from).

    Raises:
        ConfigError: ``start_at`` is not a job of the pipeline.
    """
    jobs = list(pipeline.jobs)
    if start_at is None:
        return jobs
    if start_at not in jobs:
        raise ConfigError(
            f"--from {start_at}: pipeline {project.name}/{pipeline.name} has no job "
            f"'{start_at}'; its jobs, in order: {', '.join(jobs)}"
        )
    return jobs[jobs.index(start_at) :]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def run_pipeline(
    project: Project,
    pipeline: Pipeline,
    env: str = "local",
    backoff_scale: float = 1.0,
    log_dir: Path | None = None,
    echo: TextIO | None = None,
    on_event: OnEvent = _quiet,
    sleep: Callable[[float], None] = time.sleep,
    runs_dir: Path | None = None,
    start_at: str | None = None,
    job_arguments: Mapping[str, Sequence[str]] | None = None,
) -> PipelineRun:
    """Run a pipeline's jobs in order with the deployed state machine's Retry and Catch.

    Args:
        project: the project.
        pipeline: the pipeline (ordered jobs, retries, backoff) from project.json.
        env: the value of ``--ENV`` for every job.
        backoff_scale: multiplies every wait (1 = as deployed; 0 = no waiting, for tests).
        log_dir, echo: as in :func:`run_job`.
        on_event: called with ``(message, record)`` for every event of the run, as recorded.
        sleep: the wait function (``time.sleep``).
        runs_dir: where the run log is written (default: ``runs`` beside ``log_dir``, i.e.
            ``.local/runs``).
        start_at: resume at this job, as a Step Functions redrive does after a run that
            stopped there: the jobs before it in the pipeline's order are not run (default:
            the first job).
        job_arguments: run-time arguments of some jobs, by job name (``--KEY value`` ...),
            as an execution's input passes them to Glue's StartJobRun.

    Raises:
        ConfigError: the retry policy file is missing or malformed, or ``start_at`` is not a
            job of the pipeline.
    """
    jobs = jobs_from(project, pipeline, start_at)
    policy = load_retry_policy(project.root.parents[2])
    log_dir = log_dir or lake_dir().parent / "logs"
    runs_dir = runs_dir or log_dir.parent / "runs"
    run_id = uuid.uuid4().hex[:12]
    run_log = runs_dir / f"{time.strftime('%Y%m%dT%H%M%S')}-{run_id}.jsonl"
    schedule = project.config.get("pipelines", {}).get(pipeline.name, {}).get("schedule")
    started = time.monotonic()
    runs: list[JobRun] = []
    with RunLog(run_id, run_log, on_event) as record:
        record(
            PipelineStarted(
                run_id,
                project.name,
                pipeline.name,
                jobs,
                pipeline.max_retries,
                pipeline.backoff_seconds,
                pipeline.backoff_rate,
                schedule,
                env,
            )
        )

        def finish(failed: JobRun | None) -> PipelineRun:
            checks = [c for r in runs for ch in r.checks for c in ch.checks]
            result = PipelineRun(
                project.name,
                pipeline.name,
                runs,
                time.monotonic() - started,
                failed_job=failed.job if failed else None,
                run_id=run_id,
                run_log=run_log,
            )
            record(
                PipelineFinished(
                    run_id,
                    project.name,
                    pipeline.name,
                    ok=failed is None,
                    seconds=round(result.seconds, 3),
                    failed_job=result.failed_job,
                    error=failed.error if failed else None,
                    reason=failed.reason if failed else None,
                    rows_written=sum(w.added_records or 0 for r in runs for w in r.writes),
                    checks_passed=sum(1 for c in checks if c.get("passed")),
                    checks_failed=sum(1 for c in checks if not c.get("passed")),
                )
            )
            return result

        contracts = compile_contracts(project)  # once for every job and attempt of the run
        for name in jobs:
            job = project.jobs[name]
            attempt = 1
            job_started = time.monotonic()
            while True:
                run = run_job(
                    project, job, env, (job_arguments or {}).get(name, ()), attempt, log_dir,
                    echo, record, run_id,
                    contracts_dir=contracts, policy=policy,
                )  # fmt: skip
                runs.append(run)
                record(
                    JobAttempt(
                        run_id,
                        project.name,
                        name,
                        attempt,
                        ok=run.ok,
                        seconds=round(run.seconds, 3),
                        returncode=run.returncode,
                        started_at=run.started_at,
                        job_run_id=run.job_run_id,
                        error=run.error,
                        reason=run.reason,
                        inputs=run.inputs,
                        outputs=run.outputs,
                        log_file=_relative(run.log_path, runs_dir.parent),
                    )
                )
                step, delay = ("done", 0.0)
                if run.error is not None:
                    step, delay = next_step(policy, pipeline, run.error, attempt - 1)
                if step != "retry":
                    job_runs = [r for r in runs if r.job == name]
                    record(
                        JobFinished(
                            run_id,
                            project.name,
                            name,
                            ok=run.ok,
                            attempts=attempt,
                            seconds=round(time.monotonic() - job_started, 3),
                            error=run.error,
                            reason=run.reason,
                            rows_written=sum(
                                w.added_records or 0 for r in job_runs for w in r.writes
                            ),
                        )
                    )
                if step == "done":
                    break
                if step != "retry":  # caught or not, the pipeline ends failed
                    return finish(run)
                delay *= backoff_scale
                record(JobRetrying(run_id, project.name, name, attempt, delay, run.error or ""))
                sleep(delay)
                attempt += 1
        return finish(None)


__all__ = [
    "CHECKER_LOGGER",
    "RETRY_POLICY_FILE",
    "WRITER_LOGGER",
    "EventSink",
    "JobRun",
    "OnEvent",
    "PipelineRun",
    "RetryPolicy",
    "RunLog",
    "backoff_delay",
    "driver_memory",
    "error_matches",
    "failure_reason",
    "job_argv",
    "job_event",
    "jobs_from",
    "load_retry_policy",
    "next_step",
    "out_of_memory_reason",
    "run_job",
    "run_pipeline",
    "snapshot_summary",
    "table_written",
]
