"""What a job read, observed in its Spark event log (no JVM: the log is JSON lines).

The runner turns Spark's event log on for each local job attempt (as Glue's
``--enable-spark-ui`` does on AWS) and reads the physical plans of the SQL executions: an
Iceberg scan is a ``BatchScan <catalog>.<db>.<table>`` node, a file scan (Parquet, CSV) a
``Scan <format>`` node whose ``Location`` names the folders read. This is the reading half of
the lineage the catalog site draws; the writing half is the writer's ``wrote table`` record.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

_SQL_START = "SparkListenerSQLExecutionStart"
_ICEBERG_SCAN = re.compile(r"^BatchScan (\S+)$")
_LOCATION = re.compile(r"\[(.*)\]\s*$")
_PARTITION_FOLDERS = re.compile(r"(/[^/=]+=[^/]*)+/?$")


def event_log_env(event_dir: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables that make a PySpark process write its event log into ``event_dir``.

    PySpark passes ``PYSPARK_SUBMIT_ARGS`` to spark-submit when it starts the JVM; settings
    the job makes in code still win. Arguments already in the variable are kept.
    """
    current = (environ if environ is not None else os.environ).get("PYSPARK_SUBMIT_ARGS", "")
    args = shlex.split(current)
    if args and args[-1] == "pyspark-shell":
        args = args[:-1]
    ours = [
        "--conf",
        "spark.eventLog.enabled=true",
        "--conf",
        f"spark.eventLog.dir={event_dir.resolve().as_uri()}",
    ]
    return {"PYSPARK_SUBMIT_ARGS": shlex.join([*ours, *args, "pyspark-shell"])}


def _nodes(plan: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    stack = [plan]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.get("children", ()))


def _table_name(qualified: str) -> str | None:
    """``glue_catalog.db.table`` -> ``db.table``; metadata tables (``db.t.history``) -> None."""
    parts = qualified.split(".")
    if len(parts) == 3:
        return f"{parts[1]}.{parts[2]}"
    if len(parts) == 2:
        return qualified
    return None


def _locations(metadata: Mapping[str, Any]) -> list[str]:
    """``InMemoryFileIndex(1 paths)[file:/a/b, file:/c]`` -> ``["file:/a/b", "file:/c"]``."""
    match = _LOCATION.search(str(metadata.get("Location", "")))
    if not match:
        return []
    return [p.strip() for p in match.group(1).split(",") if p.strip()]


def _dataset_folder(location: str) -> str:
    """A Hive partition folder read on its own (``.../orders/batch_id=3``, as an incremental
    load reads new batches) as the folder of its data set (``.../orders``)."""
    return _PARTITION_FOLDERS.sub("", location)


def scanned_sources(event_log: Path) -> set[str]:
    """Every table (``db.table``) and folder (its URI) the Spark application scanned."""
    found: set[str] = set()
    with event_log.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if _SQL_START not in line:
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:  # the last line of a log cut short
                continue
            for node in _nodes(event.get("sparkPlanInfo") or {}):
                name = str(node.get("nodeName", ""))
                iceberg = _ICEBERG_SCAN.match(name)
                if iceberg:
                    table = _table_name(iceberg.group(1))
                    if table:
                        found.add(table)
                elif name.startswith("Scan "):
                    found.update(map(_dataset_folder, _locations(node.get("metadata") or {})))
    return found


def _short(source: str, lake: Path | None) -> str:
    """A folder under the local lake as its path from the lake (``<bucket>/<prefix>``)."""
    if lake is None or ":" not in source:
        return source
    path = Path(re.sub(r"^file:(//)?", "", source))
    try:
        return path.relative_to(lake).as_posix()
    except ValueError:
        return source


def observed_reads(event_dir: Path, lake: Path | None = None) -> list[str]:
    """The sources read by the Spark applications whose event logs are in ``event_dir``,
    sorted: tables as ``db.table``, folders under ``lake`` as ``<bucket>/<prefix>``."""
    if not event_dir.is_dir():
        return []
    found: set[str] = set()
    for log in sorted(p for p in event_dir.iterdir() if p.is_file()):
        found |= scanned_sources(log)
    return sorted({_short(s, lake) for s in found})


__all__ = ["event_log_env", "observed_reads", "scanned_sources"]
