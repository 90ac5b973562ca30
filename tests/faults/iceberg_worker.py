"""A job process for the fault tests: real writes through ``write_iceberg``, with fault points.

Run as ``python iceberg_worker.py PLAN.json`` with ``ENV=local`` and ``DP_LAKE_DIR`` set. The
plan is a list of steps run in order; the process talks to the test through marker files in
the plan's ``markers`` folder (written whole, then renamed, so a reader never sees half).

A write step::

    {"write": "db.t", "mode": "merge", "sql": "SELECT ...", "merge_keys": ["id"],
     "partition_by": ["p"], "after": "marker", "fault": "in-task" | "before-commit",
     "signal": "marker", "release": "marker", "result": "marker", "background": true}

Fault points, both deterministic (they wait for a state, never for a time):

* ``in-task``: the rows pass through a Python UDF that blocks for good on row ``block_row``
  (an ``id`` of the second input partition). The step signals once that task is blocked and
  the other task has finished (its data file is complete): the job is in the middle of
  writing data files.
* ``before-commit``: this process takes the in-JVM lock Iceberg's Hadoop catalog acquires
  around its commit (the rename of ``v<N+1>.metadata.json``) before the write starts. The
  write runs up to that lock, after its data files, manifests, manifest list and the new
  metadata file are written; the step signals when that new (temporary) metadata file
  exists. With ``release``, the lock is given back once that marker exists (another writer
  has committed meanwhile), and the write goes on: its rename finds the version taken,
  which is Iceberg's optimistic-concurrency path.

Other steps: ``{"read": "db.t", "result": "marker"}`` records the table's rows as Spark reads
them; ``{"call": "module:function", "kwargs": {...}, "result": "marker"}`` calls a function
with the session as first argument; ``{"sql": "..."}`` runs a statement; ``{"signal": "m"}``
writes a marker and ``{"wait": "m"}`` waits for one.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

POLL_S = 0.05


def _put(markers: Path, name: str, value: Any) -> None:
    tmp = markers / f".{name}.tmp"
    tmp.write_text(json.dumps(value, default=str), encoding="utf-8")
    tmp.replace(markers / name)


def _wait(markers: Path, name: str) -> Any:
    path = markers / name
    while not path.exists():
        time.sleep(POLL_S)
    return json.loads(path.read_text(encoding="utf-8"))


def _table_dir(db_table: str) -> Path:
    from dp_foundation.config.settings import get_config

    warehouse = Path(get_config().iceberg_warehouse.removeprefix("file://"))
    database, table = db_table.split(".")
    return warehouse / database / table


def _metadata_version(table_dir: Path) -> int:
    from dp_cli.tables import current_metadata_file

    current = current_metadata_file(table_dir)
    return int(current.name[1:].split(".")[0]) if current else 0


def _temp_metadata(table_dir: Path) -> set[str]:
    """Metadata files a commit writes before renaming one to ``v<N>.metadata.json``."""
    return {
        p.name
        for p in (table_dir / "metadata").glob("*.metadata.json")
        if not p.name.startswith("v")
    }


class CommitHold:
    """Holds the lock Iceberg's Hadoop catalog takes around the rename that commits v<N+1>."""

    def __init__(self, spark: Any, db_table: str) -> None:
        from dp_foundation.config.settings import get_config

        jvm = spark.sparkContext._jvm
        self.locks = jvm.org.apache.iceberg.util.LockManagers.defaultLockManager()
        # A released lock is retried at this interval (Iceberg's default is 5 s).
        settings = jvm.java.util.HashMap()
        settings.put("lock.acquire-interval-ms", "200")
        self.locks.initialize(settings)
        table_dir = _table_dir(db_table)
        self.version = _metadata_version(table_dir) + 1
        warehouse = get_config().iceberg_warehouse.rstrip("/")
        database, table = db_table.split(".")
        # The same string HadoopTableOperations builds: Hadoop's Path normalises the URI.
        uri = f"{warehouse}/{database}/{table}/metadata/v{self.version}.metadata.json"
        self.entity = jvm.org.apache.hadoop.fs.Path(uri).toString()
        if not self.locks.acquire(self.entity, "fault-test"):
            raise RuntimeError(f"could not take the commit lock {self.entity}")

    def release(self) -> None:
        self.locks.release(self.entity, "fault-test")


def _blocking_rows(df: Any, markers: Path, block_row: int) -> Any:
    """``df`` with its ``v`` column passed through a UDF that blocks on row ``block_row``."""
    from pyspark.sql import functions as F

    flag = str(markers / "in-task-blocked")

    def passthrough(row_id: int, value: str) -> str:
        if row_id == block_row:
            Path(flag).touch()
            while True:  # until the process is killed
                time.sleep(1)
        return value

    udf = F.udf(passthrough, "string")
    return df.withColumn("v", udf(F.col("id"), F.col("v")))


def _write(spark: Any, step: dict[str, Any], markers: Path) -> None:
    from dp_foundation.io.writers import write_iceberg

    if step.get("after"):
        _wait(markers, step["after"])
    db_table = step["write"]
    table_dir = _table_dir(db_table)
    df = spark.sql(step["sql"])
    fault = step.get("fault")
    hold = CommitHold(spark, db_table) if fault == "before-commit" else None
    if fault == "in-task":
        df = _blocking_rows(df, markers, int(step["block_row"]))
    before = _temp_metadata(table_dir)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            snapshot = write_iceberg(
                df,
                f"glue_catalog.{db_table}",
                mode=step["mode"],
                partition_by=step.get("partition_by"),
                merge_keys=step.get("merge_keys"),
            )
            outcome.update(ok=True, snapshot=snapshot)
        except Exception as exc:  # the test asserts on the class and message
            outcome.update(ok=False, error=type(exc).__name__, message=str(exc))
            traceback.print_exc()
        if step.get("result"):
            _put(markers, step["result"], outcome)

    writer = threading.Thread(target=run, name=f"write-{db_table}", daemon=True)
    writer.start()
    if fault == "before-commit":
        while not (_temp_metadata(table_dir) - before) and writer.is_alive():
            time.sleep(POLL_S)
        _put(markers, step["signal"], {"version": hold.version if hold else None})
        if step.get("release") and hold is not None:
            _wait(markers, step["release"])
            hold.release()
    elif fault == "in-task":
        tracker = spark.sparkContext.statusTracker()
        flag = markers / "in-task-blocked"

        def other_task_done() -> bool:
            stages = [tracker.getStageInfo(s) for s in tracker.getActiveStageIds()]
            return any(s is not None and s.numCompletedTasks >= 1 for s in stages)

        while not (flag.exists() and other_task_done()) and writer.is_alive():
            time.sleep(POLL_S)
        _put(markers, step["signal"], {"blocked_row": step["block_row"]})
    if not step.get("background"):
        writer.join()


def _cpu_seconds(spark: Any) -> dict[str, float]:
    """CPU time this process and its JVM used so far (a measure the machine's load leaves alone)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    jvm = getattr(spark.sparkContext._gateway, "proc", None)
    for name, pid in (("python", os.getpid()), ("jvm", jvm.pid if jvm else None)):
        if pid is not None:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            found[name] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return found


def main(plan_file: str) -> int:
    from dp_foundation.spark.session import get_spark

    plan = json.loads(Path(plan_file).read_text(encoding="utf-8"))
    markers = Path(plan["markers"])
    spark = get_spark("fault-worker")
    for key, value in plan.get("conf", {}).items():
        spark.conf.set(key, value)
    for step in plan["steps"]:
        if "write" in step:
            _write(spark, step, markers)
        elif "read" in step:
            rows = spark.table(f"glue_catalog.{step['read']}").collect()
            _put(markers, step["result"], sorted([list(r) for r in rows], key=str))
        elif "call" in step:
            module, _, name = step["call"].partition(":")
            value = getattr(importlib.import_module(module), name)(spark, **step["kwargs"])
            _put(markers, step["result"], value)
        elif "sql" in step:
            spark.sql(step["sql"])
        elif "wait" in step:
            _wait(markers, step["wait"])
        elif "signal" in step:
            _put(markers, step["signal"], {})
    _put(markers, f"{Path(plan_file).stem}-done", {"cpu_s": _cpu_seconds(spark)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
