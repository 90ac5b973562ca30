"""Time travel as recovery: `dp tables rollback <table> --to <snapshot|time>` undoes a bad run.

The ``rollback`` table of the crashed lake holds a good run (200 rows) and then a bad one
that replaced partition p=1 with 5 wrong rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from iceberg_faults import (
    SHORT_JVM,
    CrashedLake,
    current_snapshot,
    duckdb_rows,
    pyiceberg_rows,
    snapshot_log,
)

from dp_cli.main import main
from dp_cli.tables import rollback_target

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("faults")]


def _at(ms: float) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()


def _good_rows() -> list[tuple[Any, ...]]:
    return sorted((i, f"base-{i}", i % 4) for i in range(200))


def test_rollback_to_a_time_undoes_the_bad_run(
    crashed_lake: CrashedLake, duckdb_iceberg: Any
) -> None:
    folder = crashed_lake.dir("rollback")
    good, bad = snapshot_log(folder)
    assert current_snapshot(folder) == bad["snapshot-id"]
    assert len(pyiceberg_rows(folder)) == 200 - 50 + 5  # the bad run is visible
    between = _at((good["timestamp-ms"] + bad["timestamp-ms"]) / 2)

    env = {**os.environ, "ENV": "local", "DP_LAKE_DIR": str(crashed_lake.lake)}
    env.update(DP_SPARK_MASTER="local[1]", JAVA_TOOL_OPTIONS=SHORT_JVM)
    result = subprocess.run(
        [sys.executable, "-m", "dp_cli", "tables", "rollback", "faults.rollback", "--to", between],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],  # the repository: its setup/domain.json
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"snapshot {good['snapshot-id']}" in result.stdout
    assert f"it was {bad['snapshot-id']}" in result.stdout
    assert "rollback_to_snapshot" in result.stdout
    assert f"--to {bad['snapshot-id']}" in result.stdout  # how to undo it

    # Rows equal the state before the bad run, read by two engines other than Spark.
    assert current_snapshot(folder) == good["snapshot-id"]
    assert pyiceberg_rows(folder) == _good_rows()
    assert duckdb_rows(duckdb_iceberg, folder) == _good_rows()


def test_restore_snapshot_rolls_back_and_forth(crashed_lake: CrashedLake) -> None:
    """The library call behind the command: an ancestor is rolled back to; a snapshot outside
    the current history (undoing a rollback) is made current with set_current_snapshot."""
    folder = crashed_lake.dir("undo")
    good = crashed_lake.results["good"]["undo"]
    bad = crashed_lake.marker("undo-bad")["snapshot"]
    assert crashed_lake.marker("undo-back") == [bad, "rollback_to_snapshot"]
    assert crashed_lake.marker("undo-forth") == [good, "set_current_snapshot"]
    assert current_snapshot(folder) == bad
    assert len(pyiceberg_rows(folder)) == 200 - 50 + 5


def _dp_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    return capsys.readouterr().err


@pytest.fixture
def lake_env(crashed_lake: CrashedLake, monkeypatch: pytest.MonkeyPatch) -> CrashedLake:
    monkeypatch.setenv("ENV", "local")
    monkeypatch.setenv("DP_LAKE_DIR", str(crashed_lake.lake))
    return crashed_lake


def test_rollback_errors_are_clear(
    lake_env: CrashedLake, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = lake_env.dir("undo")
    first = snapshot_log(folder)[0]
    err = _dp_error(capsys, "tables", "rollback", "faults.nope", "--to", "1")
    assert "no Iceberg table faults.nope" in err and "faults.undo" in err

    err = _dp_error(capsys, "tables", "rollback", "faults.undo", "--to", "12345")
    assert "table faults.undo has no snapshot 12345" in err
    assert str(first["snapshot-id"]) in err  # the snapshots there are

    too_early = _at(first["timestamp-ms"] - 1)
    err = _dp_error(capsys, "tables", "rollback", "faults.undo", "--to", too_early)
    assert "has no snapshot at or before" in err and "its first was committed at" in err

    err = _dp_error(capsys, "tables", "rollback", "faults.undo", "--to", "last tuesday")
    assert "'last tuesday' is neither a snapshot id nor a time" in err


def test_a_time_picks_the_newest_snapshot_of_the_current_history(
    crashed_lake: CrashedLake,
) -> None:
    folder = crashed_lake.dir("undo")
    good, bad = (int(s["snapshot-id"]) for s in snapshot_log(folder))
    assert rollback_target(folder, str(good)).snapshot_id == good
    last = snapshot_log(folder)[-1]["timestamp-ms"]
    # After both commits the current history is good -> bad: the time means bad.
    assert rollback_target(folder, _at(last + 60_000)).snapshot_id == bad


def test_dp_tables_snapshots_lists_the_ids_to_roll_back_to(
    lake_env: CrashedLake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tables", "snapshots", "faults.undo"]) == 0
    out = capsys.readouterr().out
    good, bad = (int(s["snapshot-id"]) for s in snapshot_log(lake_env.dir("undo")))
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert lines[str(bad)].endswith("current") and "overwrite" in lines[str(bad)]
    assert lines[str(good)].endswith("history") and "append" in lines[str(good)]
