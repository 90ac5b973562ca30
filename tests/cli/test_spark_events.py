"""dp_cli.spark_events: what a Spark application read, from its event log's plans."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from dp_cli.spark_events import event_log_env, observed_reads, scanned_sources

SQL_START = "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart"


def _plan(*children: dict[str, object]) -> dict[str, object]:
    return {"nodeName": "OverwriteByExpression", "children": list(children), "metadata": {}}


def _scan(name: str, location: str | None = None) -> dict[str, object]:
    return {
        "nodeName": name,
        "children": [],
        "metadata": {"Location": location} if location else {},
    }


def _write_log(path: Path, *plans: dict[str, object], cut_short: bool = False) -> None:
    lines = [json.dumps({"Event": "SparkListenerApplicationStart", "App Name": "x"})]
    lines += [json.dumps({"Event": SQL_START, "sparkPlanInfo": p}) for p in plans]
    if cut_short:
        lines.append('{"Event": "' + SQL_START + '", "sparkPlanInfo": {"nodeName"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_iceberg_and_file_scans_are_found_metadata_tables_are_not(tmp_path: Path) -> None:
    log = tmp_path / "local-1.inprogress"
    _write_log(
        log,
        _plan(
            _scan("BatchScan glue_catalog.f01_refined_local.orders"),
            _scan("Scan parquet ", "InMemoryFileIndex(1 paths)[file:/lake/raw/tpch/orders]"),
        ),
        _plan(_scan("BatchScan glue_catalog.f01_curated_local.q1.history")),
        _plan(_scan("Scan csv ", "InMemoryFileIndex(2 paths)[file:/lake/raw/a, file:/lake/raw/b]")),
        cut_short=True,  # a job that exits without stopping Spark leaves the log unfinished
    )
    assert scanned_sources(log) == {
        "f01_refined_local.orders",
        "file:/lake/raw/tpch/orders",
        "file:/lake/raw/a",
        "file:/lake/raw/b",
    }


def test_folders_under_the_lake_are_named_from_the_lake(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    events = tmp_path / "events"
    events.mkdir()
    _write_log(
        events / "app",
        _plan(
            _scan("Scan parquet ", f"InMemoryFileIndex(1 paths)[file:{lake}/f01-raw/tpch/nation]"),
            _scan("BatchScan glue_catalog.f01_refined_local.nation"),
            _scan("Scan parquet ", "InMemoryFileIndex(1 paths)[s3://elsewhere/x]"),
        ),
    )
    assert observed_reads(events, lake) == [
        "f01-raw/tpch/nation",
        "f01_refined_local.nation",
        "s3://elsewhere/x",
    ]
    assert observed_reads(tmp_path / "missing", lake) == []


def test_partition_folders_read_on_their_own_count_as_their_data_set(tmp_path: Path) -> None:
    log = tmp_path / "app"
    batches = "file:/lake/raw/tpch/lineitem/batch_id=2/, file:/lake/raw/tpch/lineitem/batch_id=3"
    _write_log(
        log,
        _plan(
            _scan(
                "Scan parquet ", "InMemoryFileIndex(1 paths)[file:/lake/raw/tpch/orders/batch_id=2]"
            ),
            _scan("Scan parquet ", f"InMemoryFileIndex(2 paths)[{batches}]"),
            _scan("Scan parquet ", "InMemoryFileIndex(1 paths)[file:/lake/raw/a/b=1/c=2]"),
        ),
    )
    assert scanned_sources(log) == {
        "file:/lake/raw/tpch/orders",
        "file:/lake/raw/tpch/lineitem",
        "file:/lake/raw/a",
    }


def test_event_log_env_keeps_what_the_user_passes_to_spark(tmp_path: Path) -> None:
    folder = tmp_path / "with space"
    env = event_log_env(folder, {"PYSPARK_SUBMIT_ARGS": "--driver-memory 3g pyspark-shell"})
    args = shlex.split(env["PYSPARK_SUBMIT_ARGS"])
    assert args[-1] == "pyspark-shell"
    assert "spark.eventLog.enabled=true" in args
    assert f"spark.eventLog.dir={folder.resolve().as_uri()}" in args
    assert args[-3:-1] == ["--driver-memory", "3g"]
    assert shlex.split(event_log_env(folder, {})["PYSPARK_SUBMIT_ARGS"])[-1] == "pyspark-shell"
