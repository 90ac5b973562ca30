"""A job SIGKILLed in the middle of an Iceberg write: the table keeps its last good snapshot,
no partial rows are visible, and a rerun gives the same table as a clean run.

The kills are deterministic (``iceberg_worker.py``): the process is killed only once the write
is known to be at its fault point, (1) inside a write task, one data file already complete,
(2) after data files, manifests, manifest list and the new metadata file, just before the
rename that commits them.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from iceberg_faults import (
    BASE,
    BLOCK_ROW,
    KILLED,
    CrashedLake,
    current_snapshot,
    duckdb_rows,
    pyiceberg_rows,
    snapshot_log,
)

from dp_cli.tables import current_metadata_file, table_info

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("faults")]


def _base_rows() -> list[tuple[Any, ...]]:
    assert "range(0, 200)" in BASE
    return sorted((i, f"base-{i}", i % 4) for i in range(200))


def test_the_kills_happened_at_their_fault_points(crashed_lake: CrashedLake) -> None:
    in_task = crashed_lake.leftovers("killed_in_task")
    assert crashed_lake.results["blocked"] == {"blocked_row": BLOCK_ROW}
    # One write task had finished: its data file is complete, and no metadata was written.
    assert any(f.startswith("data/") and f.endswith(".parquet") for f in in_task), in_task
    assert not any(f.startswith("metadata/") for f in in_task), in_task

    before_commit = crashed_lake.leftovers("killed_before_commit")
    held = crashed_lake.results["held"]["version"]
    # Everything but the rename: data and delete files, manifests, the manifest list and the
    # new metadata file under a temporary name; v<held> was never written.
    assert any(f.startswith("data/") for f in before_commit), before_commit
    assert any(f.startswith("metadata/snap-") for f in before_commit), before_commit
    temp = [f for f in before_commit if f.endswith(".metadata.json") and "/v" not in f]
    assert temp, before_commit
    assert f"metadata/v{held}.metadata.json" not in before_commit


@pytest.mark.parametrize("name", KILLED)
def test_a_killed_write_leaves_the_last_good_snapshot(crashed_lake: CrashedLake, name: str) -> None:
    seeded = int(snapshot_log(crashed_lake.dir(name))[0]["snapshot-id"])
    # The metadata the killed job left: still the seed's version and snapshot.
    assert crashed_lake.metadata_at_kill[name].endswith("/v2.metadata.json")
    assert crashed_lake.snapshot_at_kill[name] == seeded
    # No partial rows, whichever engine reads: two readers of the metadata right after the
    # kill, and Spark in the next job process before it reran anything.
    assert crashed_lake.rows_at_kill[name]["pyiceberg"] == _base_rows()
    assert crashed_lake.rows_at_kill[name]["duckdb"] == _base_rows()
    spark_rows = sorted(tuple(r) for r in crashed_lake.marker(f"spark-read-{name}"))
    assert spark_rows == _base_rows()


@pytest.mark.parametrize(("killed", "clean"), [(k, k.replace("killed", "clean")) for k in KILLED])
def test_a_rerun_after_the_kill_equals_a_clean_run(
    crashed_lake: CrashedLake, killed: str, clean: str, duckdb_iceberg: Any
) -> None:
    rerun_rows = pyiceberg_rows(crashed_lake.dir(killed))
    clean_rows = pyiceberg_rows(crashed_lake.dir(clean))
    assert rerun_rows == clean_rows  # row for row
    assert duckdb_rows(duckdb_iceberg, crashed_lake.dir(killed)) == clean_rows
    expected_count = 200 + 2000 if killed == "killed_in_task" else 300
    assert len(rerun_rows) == expected_count
    # The rerun committed once on top of the last good snapshot: the kill left no snapshot.
    assert len(snapshot_log(crashed_lake.dir(killed))) == 2


def test_a_version_hint_left_behind_by_a_kill_after_the_rename(
    crashed_lake: CrashedLake, tmp_path: Path
) -> None:
    """Killed after the rename of v<N> but before version-hint.text was rewritten: the commit
    happened, and readers find it as Iceberg's Hadoop catalog does (the hint, then onwards)."""
    folder = tmp_path / "table"
    shutil.copytree(crashed_lake.dir("clean_before_commit"), folder)
    latest = current_metadata_file(folder)
    assert latest is not None
    hint = folder / "metadata" / "version-hint.text"
    committed = int(hint.read_text())
    hint.write_text(str(committed - 1))

    assert current_metadata_file(folder) == latest
    info = table_info(folder)
    assert info is not None and info.snapshot_id == current_snapshot(folder)
    hint.unlink()  # no hint at all: the highest version
    assert current_metadata_file(folder) == latest
