"""A pipeline interrupted between jobs resumes with ``dp pipeline run --from <job>`` the way a
Step Functions redrive does, and ends with the tables a clean run gives; a full rerun is
idempotent for every write mode that can be (``append`` cannot: it adds the batch again).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from iceberg_faults import SHORT_JVM

from dp_cli.projects import get_pipeline, load_project
from dp_cli.runner import jobs_from
from dp_foundation.exceptions import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parents[2]
SF = 0.01
PROJECT, PIPELINE = "project01", "order_to_revenue"


# ─── which jobs a resumed run runs (no Spark) ───────────────────────────────


def test_from_skips_the_jobs_before_it_in_the_pipelines_order() -> None:
    project = load_project(PROJECT, ROOT)
    pipeline = get_pipeline(project, PIPELINE)
    # The order is project.json's, the one Terraform builds the state machine from.
    declared = json.loads(
        (ROOT / "infrastructure" / "projects" / PROJECT / "project.json").read_text("utf-8")
    )["pipelines"][PIPELINE]["jobs"]
    assert jobs_from(project, pipeline) == declared
    assert jobs_from(project, pipeline, declared[0]) == declared
    assert jobs_from(project, pipeline, declared[-1]) == declared[-1:]


def test_from_an_unknown_job_names_the_pipelines_jobs() -> None:
    project = load_project(PROJECT, ROOT)
    with pytest.raises(ConfigError, match=r"has no job 'curate_all'; its jobs, in order: refine, "):
        jobs_from(project, get_pipeline(project, PIPELINE), "curate_all")


# ─── a run killed between its jobs, then resumed ────────────────────────────


def _env(lake: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ENV", "AWS_ACCOUNT_ID", "DP_RUNTIME")}
    env.update(
        DP_LAKE_DIR=str(lake),
        DP_SPARK_MASTER="local[2]",
        DP_SHUFFLE_PARTITIONS="2",
        JAVA_TOOL_OPTIONS=SHORT_JVM,
    )
    return env


def _records(run_log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in run_log.read_text("utf-8").splitlines() if line]


def _wait_for_first_job(runs: Path, proc: subprocess.Popen[str], job: str) -> Path:
    """The run log of the run ``proc`` started, once it records ``job`` finished and ok."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the pipeline ended before it could be interrupted: {proc}"
        for run_log in runs.glob("*.jsonl"):
            if any(
                r.get("event") == "JobFinished" and r.get("job") == job and r.get("ok")
                for r in _records(run_log)
            ):
                return run_log
        time.sleep(0.2)
    raise AssertionError(f"{job} did not finish within 10 minutes")


def _tables(warehouse: Path) -> dict[str, tuple[int | None, int]]:
    from dp_cli.tables import list_tables

    return {f"{t.database}.{t.name}": (t.snapshot_id, t.rows) for t in list_tables(warehouse)}


@pytest.mark.slow
@pytest.mark.spark
@pytest.mark.xdist_group("faults")
def test_a_run_killed_between_jobs_resumes_from_the_next_job(tmp_path: Path) -> None:
    from dp_cli.sample_data import generate_tpch
    from dp_cli.verify import compare_with_answers
    from dp_foundation.config import settings

    lake = tmp_path / "lake"
    os.environ.update(_env(lake))
    os.environ["ENV"] = "local"
    settings._reset()
    cfg = settings.get_config()
    raw_rows = generate_tpch(cfg.raw_uri, SF)["rows"]
    warehouse = Path(cfg.iceberg_warehouse.removeprefix("file://"))
    runs = lake.parent / "runs"
    dp = [sys.executable, "-m", "dp_cli", "pipeline", "run", PROJECT, PIPELINE]

    # The runner (and with it the job it has started) is killed once refine has succeeded.
    interrupted = subprocess.Popen(
        dp, cwd=ROOT, env=_env(lake), text=True, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        first_log = _wait_for_first_job(runs, interrupted, "refine")
    finally:
        os.killpg(interrupted.pid, signal.SIGKILL)
        interrupted.wait(timeout=60)
    assert interrupted.returncode == -signal.SIGKILL
    events = [r["event"] for r in _records(first_log)]
    assert "PipelineFinished" not in events  # it really stopped between its jobs
    refined_db, curated_db = cfg.iceberg_database_refined, cfg.iceberg_database_curated
    after_refine = _tables(warehouse)
    refined = {t: v for t, v in after_refine.items() if t.startswith(refined_db + ".")}
    assert {t.split(".")[1]: rows for t, (_, rows) in refined.items()} == raw_rows
    assert not [t for t, (snap, _) in after_refine.items() if t.startswith(curated_db) and snap]

    resumed = subprocess.run(
        [*dp, "--from", "curate"], cwd=ROOT, env=_env(lake), text=True, capture_output=True,
        timeout=600, check=False,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "▶ refine" not in resumed.stdout and "▶ curate" in resumed.stdout
    (second_log,) = set(runs.glob("*.jsonl")) - {first_log}
    records = _records(second_log)
    started = next(r for r in records if r["event"] == "PipelineStarted")
    assert started["jobs"] == ["curate"]
    assert {r["job"] for r in records if r["event"] == "JobStarted"} == {"curate"}

    # The refined tables are refine's of the interrupted run, untouched; the curated ones
    # hold, row for row, what a clean run writes: TPC-H's published answers for Q1 and Q5.
    final = _tables(warehouse)
    assert {t: v for t, v in final.items() if t.startswith(refined_db + ".")} == refined
    assert compare_with_answers(warehouse, curated_db, SF) == []
    assert all(final[f"{curated_db}.{t}"][0] for t in ("pricing_summary", "local_supplier_volume"))


# ─── a full rerun is idempotent, write mode by write mode ──────────────────


def _batch(spark: SparkSession) -> Any:
    return spark.createDataFrame(
        [
            (1, "EU", 10.0, "2026-01-01"),
            (2, "US", 20.0, "2026-01-02"),
            (3, "EU", None, "2026-01-02"),
        ],
        "id INT, region STRING, amount DOUBLE, day STRING",
    )


def _state(spark: SparkSession, table: str) -> tuple[list[tuple[Any, ...]], list[str]]:
    """The table's rows and its data files."""
    rows = sorted(tuple(r) for r in spark.table(table).collect())
    files = sorted(r[0] for r in spark.table(f"{table}.files").select("file_path").collect())
    return rows, files


# These use the shared session of tests/conftest.py (group "spark"): a group of their own would
# start a second JVM for a few seconds of writes.
@pytest.mark.parametrize(
    ("mode", "options"),
    [
        ("overwrite", {}),
        ("overwrite_partitions", {"partition_by": ["region"]}),
        ("merge", {"merge_keys": ["id"]}),
    ],
)
def test_rerunning_a_write_leaves_the_table_as_it_was(
    spark: SparkSession, mode: str, options: dict[str, Any]
) -> None:
    from dp_foundation.io.writers import write_iceberg

    table = f"glue_catalog.faults_rerun.{mode}"
    spark.sql(f"DROP TABLE IF EXISTS {table}")
    write_iceberg(_batch(spark), table, mode=mode, **options)
    rows, files = _state(spark, table)
    write_iceberg(_batch(spark), table, mode=mode, **options)  # the rerun
    rerun_rows, rerun_files = _state(spark, table)
    assert rerun_rows == rows
    # A merge leaves identical rows alone (no file rewritten); an overwrite replaces the
    # files it rewrites with files holding the same rows.
    assert (rerun_files == files) == (mode == "merge")


def test_rerunning_an_append_adds_the_batch_again(spark: SparkSession) -> None:
    """Append is not idempotent by nature, and the writer does not pretend otherwise: a job
    whose reruns must converge writes with overwrite_partitions or merge (docs/adding-a-job)."""
    from dp_foundation.io.writers import write_iceberg

    table = "glue_catalog.faults_rerun.append"
    spark.sql(f"DROP TABLE IF EXISTS {table}")
    write_iceberg(_batch(spark), table, mode="append")
    rows, _ = _state(spark, table)
    write_iceberg(_batch(spark), table, mode="append")
    assert _state(spark, table)[0] == sorted(rows + rows)
