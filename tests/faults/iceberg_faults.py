"""Helpers of the Iceberg fault tests: start job processes, wait for their fault points, kill
them, and read tables back with engines other than Spark (pyiceberg, DuckDB)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from badinput_helpers import dp_env

from dp_cli.sample_data import duckdb_connection
from dp_cli.tables import current_metadata_file

WORKER = Path(__file__).with_name("iceberg_worker.py")
# These processes live seconds: the JVM's first JIT tier alone costs about 40 % less CPU than
# the optimising one (measured: 11 s against 19 s for a session and three writes).
SHORT_JVM = "-XX:TieredStopAtLevel=1"
# Only a broken run waits this long: every wait below ends on a state, not on a clock.
DEADLINE_S = 300


class Worker:
    """One job process running a plan of ``iceberg_worker.py`` in its own process group."""

    def __init__(self, lake: Path, markers: Path, steps: list[dict[str, Any]], name: str) -> None:
        markers.mkdir(parents=True, exist_ok=True)
        self.markers = markers
        self.log = markers / f"{name}.log"
        plan = markers / f"{name}.plan.json"
        plan.write_text(json.dumps({"markers": str(markers), "steps": steps}), encoding="utf-8")
        env = {**dp_env(lake), "JAVA_TOOL_OPTIONS": SHORT_JVM}
        with self.log.open("wb") as log:
            # A session of its own: SIGKILL reaches the JVM and the Python workers too, as
            # when a container is killed.
            self.proc = subprocess.Popen(
                [sys.executable, str(WORKER), str(plan)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )

    def wait_for(self, marker: str) -> Any:
        """The content of ``marker`` once the process wrote it; fails if the process died."""
        path = self.markers / marker
        deadline = time.monotonic() + DEADLINE_S
        while not path.exists():
            if self.proc.poll() is not None and not path.exists():
                raise AssertionError(f"worker exited ({self.proc.returncode}):\n{self.tail()}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"worker never wrote {marker}:\n{self.tail()}")
            time.sleep(0.05)
        return json.loads(path.read_text(encoding="utf-8"))

    def finish(self) -> None:
        """Wait for a plan that runs to its end; fail with the log if it did not."""
        try:
            code = self.proc.wait(timeout=DEADLINE_S)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"worker did not finish:\n{self.tail()}") from None
        assert code == 0, self.tail()

    def cpu_seconds(self) -> float:
        """CPU time used so far by the processes of its group still running (driver, JVM,
        Python workers): a cost the machine's load does not inflate, unlike wall time."""
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            if int(fields[2]) == self.proc.pid:  # its process group
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def kill(self) -> None:
        """SIGKILL the whole process group (driver, JVM, Python workers)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


def table_dir(lake: Path, db_table: str) -> Path:
    database, table = db_table.split(".")
    return lake / "warehouse" / database / table


def pyiceberg_rows(folder: Path) -> list[tuple[Any, ...]]:
    """The table's rows as pyiceberg reads them from its current metadata file, sorted."""
    from pyiceberg.table import StaticTable

    metadata = current_metadata_file(folder)
    assert metadata is not None, f"no Iceberg metadata in {folder}"
    arrow = StaticTable.from_metadata(str(metadata)).scan().to_arrow()
    return sorted(zip(*(arrow.column(c).to_pylist() for c in arrow.column_names), strict=True))


def duckdb_rows(con: Any, folder: Path) -> list[tuple[Any, ...]]:
    """The table's rows as DuckDB's iceberg extension reads them, sorted."""
    metadata = current_metadata_file(folder)
    return sorted(con.execute(f"SELECT * FROM iceberg_scan('{metadata}')").fetchall())


def current_snapshot(folder: Path) -> int | None:
    metadata = current_metadata_file(folder)
    assert metadata is not None
    snapshot = json.loads(metadata.read_text(encoding="utf-8")).get("current-snapshot-id")
    return None if snapshot in (None, -1) else int(snapshot)


def snapshot_log(folder: Path) -> list[dict[str, Any]]:
    """The table's snapshots in commit order, as its current metadata lists them."""
    metadata = current_metadata_file(folder)
    assert metadata is not None
    meta = json.loads(metadata.read_text(encoding="utf-8"))
    return sorted(meta.get("snapshots", []), key=lambda s: s["timestamp-ms"])


def _snapshot_ids(folder: Path) -> list[int]:
    return [int(s["snapshot-id"]) for s in snapshot_log(folder)]


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


# ─── The crash scenario shared by test_crash, test_orphans and test_rollback ────────────────

DB = "faults"
BASE = "SELECT id, concat('base-', id) AS v, CAST(id % 4 AS INT) AS p FROM range(0, 200)"
# Two input partitions, [1000, 2000) and [2000, 3000): the in-task fault blocks on row 2500.
BATCH = (
    "SELECT id, concat('batch-', id) AS v, CAST(id % 4 AS INT) AS p FROM range(1000, 3000, 1, 2)"
)
BLOCK_ROW = 2500
# Updates ids 100..199, inserts 200..299.
MERGE_BATCH = "SELECT id, concat('merged-', id) AS v, CAST(id % 4 AS INT) AS p FROM range(100, 300)"
# A bad run: partition p=1 (50 rows) replaced by 5 wrong rows.
BAD_BATCH = "SELECT id, 'bad' AS v, 1 AS p FROM range(0, 5)"


def _t(name: str) -> str:
    return f"{DB}.{name}"


@dataclass
class CrashedLake:
    """A lake where one job process was SIGKILLed at two fault points, then rerun."""

    lake: Path
    markers: Path
    files_before: dict[str, set[str]] = field(default_factory=dict)
    files_at_kill: dict[str, set[str]] = field(default_factory=dict)
    metadata_at_kill: dict[str, str] = field(default_factory=dict)
    # Read right after the kill, before anything else touched the lake: engine -> rows.
    rows_at_kill: dict[str, dict[str, list[tuple[Any, ...]]]] = field(default_factory=dict)
    snapshot_at_kill: dict[str, int | None] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)

    def marker(self, name: str) -> Any:
        """What a job process wrote to marker ``name``."""
        return json.loads((self.markers / name).read_text(encoding="utf-8"))

    def dir(self, name: str) -> Path:
        return table_dir(self.lake, _t(name))

    def leftovers(self, name: str) -> set[str]:
        """What the killed write left in the table's folder."""
        return self.files_at_kill[name] - self.files_before[name]


KILLED = ("killed_in_task", "killed_before_commit")


def crash_and_rerun(root: Path) -> CrashedLake:
    """Seed tables, kill a job mid-write at both fault points, then rerun its writes.

    One job process writes the tables' last good snapshots (and the rollback tables' good and
    bad runs), then starts two writes at once: an append blocked inside a write task (one data
    file complete) and a merge blocked just before its commit's rename. Once both are there the
    whole process group gets SIGKILL. A second process reads the tables with Spark, reruns the
    two writes, writes the same data into fresh tables (the clean run), and rolls ``undo`` back
    and forth with the library's ``restore_snapshot``.
    """
    crash = CrashedLake(lake=root / "lake", markers=root / "markers")
    seed = [
        {"write": _t("killed_in_task"), "mode": "append", "sql": BASE},
        {"write": _t("killed_before_commit"), "mode": "append", "sql": BASE},
    ]
    for name in ("rollback", "undo"):
        seed += [
            {"write": _t(name), "mode": "append", "sql": BASE, "partition_by": ["p"]},
            {"write": _t(name), "mode": "overwrite_partitions", "sql": BAD_BATCH,
             "partition_by": ["p"], "result": f"{name}-bad"},
        ]  # fmt: skip
    faults = [
        {"signal": "seeded"},
        {"wait": "go"},
        {"write": _t("killed_before_commit"), "mode": "merge", "merge_keys": ["id"],
         "sql": MERGE_BATCH, "fault": "before-commit", "signal": "held", "background": True},
        {"write": _t("killed_in_task"), "mode": "append", "sql": BATCH, "fault": "in-task",
         "block_row": BLOCK_ROW, "signal": "blocked", "background": True},
        {"wait": "never"},
    ]  # fmt: skip
    job = Worker(crash.lake, crash.markers, seed + faults, "killed-job")
    job.wait_for("seeded")
    for name in KILLED:
        crash.files_before[name] = files_under(crash.dir(name))
    (crash.markers / "go").write_text("{}", encoding="utf-8")
    crash.results["held"] = job.wait_for("held")
    crash.results["blocked"] = job.wait_for("blocked")
    cpu = {"cpu_s": {"process group": job.cpu_seconds()}}
    (crash.markers / "killed-job.plan-done").write_text(json.dumps(cpu), encoding="utf-8")
    job.kill()
    con = duckdb_connection("avro", "iceberg")
    try:
        for name in KILLED:
            folder = crash.dir(name)
            crash.files_at_kill[name] = files_under(folder)
            crash.metadata_at_kill[name] = str(current_metadata_file(folder))
            crash.snapshot_at_kill[name] = current_snapshot(folder)
            crash.rows_at_kill[name] = {
                "pyiceberg": pyiceberg_rows(folder),
                "duckdb": duckdb_rows(con, folder),
            }
    finally:
        con.close()

    good = {name: _snapshot_ids(crash.dir(name))[0] for name in ("rollback", "undo")}
    crash.results["good"] = good
    rerun = [
        {"read": _t("killed_in_task"), "result": "spark-read-killed_in_task"},
        {"read": _t("killed_before_commit"), "result": "spark-read-killed_before_commit"},
        {"write": _t("killed_in_task"), "mode": "append", "sql": BATCH},
        {"write": _t("killed_before_commit"), "mode": "merge", "merge_keys": ["id"],
         "sql": MERGE_BATCH},
        {"write": _t("clean_in_task"), "mode": "append", "sql": BASE},
        {"write": _t("clean_in_task"), "mode": "append", "sql": BATCH},
        {"write": _t("clean_before_commit"), "mode": "append", "sql": BASE},
        {"write": _t("clean_before_commit"), "mode": "merge", "merge_keys": ["id"],
         "sql": MERGE_BATCH},
        {"call": "dp_foundation.iceberg.commits:restore_snapshot", "result": "undo-back",
         "kwargs": {"table": f"glue_catalog.{_t('undo')}", "snapshot_id": good["undo"]}},
        {"call": "dp_foundation.iceberg.commits:restore_snapshot", "result": "undo-forth",
         "kwargs": {"table": f"glue_catalog.{_t('undo')}",
                    "snapshot_id": crash.marker("undo-bad")["snapshot"]}},
    ]  # fmt: skip
    Worker(crash.lake, crash.markers, rerun, "rerun").finish()
    return crash
