"""Running out of memory is not transient: the job is attempted once, its failure says so and
names the setting to change, locally as on AWS."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from iceberg_faults import SHORT_JVM

from dp_cli.projects import get_pipeline, load_project
from dp_cli.runner import (
    RETRY_POLICY_FILE,
    load_retry_policy,
    out_of_memory_reason,
    run_pipeline,
)
from dp_foundation.logging.events import event_from_record

ROOT = Path(__file__).resolve().parents[2]

# A real job that runs out of memory in a Spark task: each row grows to 2 x 192 MiB of
# characters, more than a 512 MiB driver (the local executor) holds.
HUNGRY = """
from pyspark.sql import functions as F

from dp_foundation.logging.logger import setup_logging
from dp_foundation.spark.session import get_spark

if __name__ == "__main__":
    setup_logging()
    spark = get_spark("hungry")
    big = F.repeat(F.col("id").cast("string"), 192 * 1024 * 1024)
    spark.range(1, 3, numPartitions=1).select(F.length(F.concat(big, big))).collect()
"""

# A job that reports an out-of-memory error but exits with the code of a transient one.
SAYS_OOM_EXITS_75 = """
import sys

print("java.lang.OutOfMemoryError: Java heap space", file=sys.stderr)
sys.exit(75)
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A throw-away repository with project ``mem`` and its two jobs, each alone in a
    pipeline that would retry a transient error twice."""
    (tmp_path / "setup").mkdir()
    shutil.copy(ROOT / "setup" / "domain.json", tmp_path / "setup")
    (tmp_path / RETRY_POLICY_FILE).parent.mkdir(parents=True)
    shutil.copy(ROOT / RETRY_POLICY_FILE, tmp_path / RETRY_POLICY_FILE)
    projects = tmp_path / "infrastructure" / "projects"
    shutil.copy(ROOT / "infrastructure" / "projects" / "project.schema.json", projects.parent)
    projects.mkdir(exist_ok=True)
    shutil.move(projects.parent / "project.schema.json", projects)
    (projects / "mem").mkdir()
    contract = {
        "name": "mem",
        "jobs": {"hungry": {"script": "hungry.py"}, "says_oom": {"script": "says_oom.py"}},
        "pipelines": {
            "real": {"jobs": ["hungry"], "max_retries": 2, "backoff_seconds": 1},
            "exit_75": {"jobs": ["says_oom"], "max_retries": 2, "backoff_seconds": 1},
        },
    }
    (projects / "mem" / "project.json").write_text(json.dumps(contract), encoding="utf-8")
    jobs = tmp_path / "src" / "jobs" / "mem"
    jobs.mkdir(parents=True)
    (jobs / "hungry.py").write_text(HUNGRY, encoding="utf-8")
    (jobs / "says_oom.py").write_text(SAYS_OOM_EXITS_75, encoding="utf-8")
    os.environ.update(ENV="local", DP_LAKE_DIR=str(tmp_path / "lake"))
    for name in ("DP_RUNTIME", "AWS_ACCOUNT_ID", "DP_SHUFFLE_PARTITIONS"):
        os.environ.pop(name, None)
    return tmp_path


def _run(repo: Path, pipeline: str) -> tuple[object, list[object]]:
    project = load_project("mem", repo)
    records: list[dict[str, object]] = []
    result = run_pipeline(
        project,
        get_pipeline(project, pipeline),
        backoff_scale=0,
        on_event=lambda _, record: records.append(record),
    )
    return result, [event_from_record(r) for r in records]


@pytest.mark.spark
@pytest.mark.xdist_group("faults")
def test_a_job_out_of_memory_is_attempted_once_and_names_the_setting(repo: Path) -> None:
    os.environ.update(
        DP_DRIVER_MEMORY="512m", DP_SPARK_MASTER="local[1]", JAVA_TOOL_OPTIONS=SHORT_JVM
    )
    result, events = _run(repo, "real")
    kinds = [type(e).__name__ for e in events]
    assert kinds.count("JobStarted") == 1 and "JobRetrying" not in kinds
    (run,) = result.runs  # type: ignore[attr-defined]
    assert not run.ok and run.error == "States.TaskFailed"
    assert run.out_of_memory and "java.lang.OutOfMemoryError" in run.out_of_memory
    assert run.reason.startswith("out of memory (java.lang.OutOfMemoryError")
    assert "had 512m (spark.driver.memory)" in run.reason
    assert "DP_DRIVER_MEMORY=<size>" in run.reason and "Not retried" in run.reason
    finished = [e for e in events if type(e).__name__ == "PipelineFinished"]
    assert finished[0].reason == run.reason  # type: ignore[attr-defined]


def test_out_of_memory_is_not_transient_whatever_the_exit_code(repo: Path) -> None:
    result, events = _run(repo, "exit_75")
    (run,) = result.runs  # type: ignore[attr-defined]
    assert run.returncode == 75  # the code of a transient error ...
    assert run.error == "States.TaskFailed"  # ... but out of memory is a failed job run
    assert "JobRetrying" not in [type(e).__name__ for e in events]
    assert "DP_DRIVER_MEMORY" in run.reason


def test_no_error_an_out_of_memory_run_raises_on_aws_is_retried() -> None:
    """On Glue an out-of-memory job run ends FAILED: a startJobRun.sync task raises
    States.TaskFailed, which the deployed Retry does not list (nor anything matching it)."""
    policy = load_retry_policy(ROOT)
    assert not policy.retries("States.TaskFailed")
    assert policy.error_of(1, out_of_memory=True) == "States.TaskFailed"
    assert policy.error_of(75, out_of_memory=True) == "States.TaskFailed"
    assert policy.out_of_memory("java.lang.OutOfMemoryError: Java heap space")
    assert policy.out_of_memory(
        "org.apache.spark.memory.SparkOutOfMemoryError: Unable to acquire 65536 bytes of memory"
    )
    assert not policy.out_of_memory("DataQualityError: 1 of 3 checks failed")
    # Nor does Glue retry the run itself: the job module's own retries default to none.
    glue_job = (ROOT / "infrastructure" / "modules" / "glue_job" / "variables.tf").read_text()
    assert re.search(r'variable "max_retries" \{[^}]*default\s*=\s*0\n', glue_job)


@pytest.mark.parametrize(
    ("had_mb", "advice"),
    [
        (2048, "give it more with DP_DRIVER_MEMORY=<size> (e.g. DP_DRIVER_MEMORY=4g)"),
        (12288, "(e.g. DP_DRIVER_MEMORY=18g)"),  # twice is more than 3/4 of the machine
        (20480, "this machine has no more to give (24 GiB): process less data per run"),
        (None, "had an unknown amount (spark.driver.memory); give it more"),
    ],
)
def test_the_reason_says_what_to_change(had_mb: int | None, advice: str) -> None:
    line = "WARN TaskSetManager - Lost task 0.0: java.lang.OutOfMemoryError: Java heap space"
    reason = out_of_memory_reason(line, had_mb, machine_mb=24 * 1024)
    assert reason.startswith("out of memory (java.lang.OutOfMemoryError: Java heap space); ")
    assert advice in reason
    assert reason.endswith("Not retried: it would run out of memory again")
