"""A small repository, lake and run logs to build the catalog site from, with no Spark
(the fixtures of conftest.py and tests that build their own use it).

* the repository: the real domain file, project schema and the two projects' project.json,
  and the data contracts of ``tests/site/contracts`` (orders of project01, customer_dim of
  test02), compiled by ``dp contract compile``'s code into ``dist/contracts``;
* the lake: Iceberg metadata files as Spark's Hadoop catalog writes them (``vN.metadata.json``
  and ``version-hint.text``) for three tables: orders, which matches its contract;
  pricing_summary, which has none; customer_dim, which lacks a declared column (c_phone),
  stores another with another type (c_acctbal) and has one undeclared (c_comment);
* the runs: two runs of project01's pipeline, recorded by the runner's :class:`RunLog` with
  the event contract: one that succeeded, one whose refine job failed a data-quality check.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dp_cli.runner import RunLog
from dp_foundation.logging.events import (
    ChecksRun,
    Event,
    JobAttempt,
    JobFinished,
    JobStarted,
    PipelineFinished,
    PipelineStarted,
    TableWritten,
)

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = Path(__file__).resolve().parent / "contracts"
RAW_ORDERS = "f01-raw-000000000000-local/tpch/orders"
ORDERS, SUMMARY = "f01_refined_local.orders", "f01_curated_local.pricing_summary"
CUSTOMERS = "f01_refined_local.customer_dim"
ORDERS_COLUMNS = [
    ("o_orderkey", "long"),
    ("o_custkey", "long"),
    ("o_orderstatus", "string"),
    ("o_totalprice", "decimal(15, 2)"),
    ("o_orderdate", "date"),
]
CUSTOMERS_COLUMNS = [
    ("c_custkey", "long"),
    ("c_name", "string"),
    ("c_acctbal", "double"),
    ("change_ts", "timestamptz"),
    ("c_comment", "string"),
]
DAY_MS = 86_400_000
T0 = 1_767_254_400_000  # 2026-01-01T08:00:00Z


@dataclass(frozen=True)
class Fixture:
    """Where the fixture's repository, lake, run logs and site are."""

    root: Path
    lake: Path
    runs: Path
    site: Path


def write_table(
    warehouse: Path,
    key: str,
    columns: list[tuple[str, str]],
    snapshots: list[tuple[int, int, str, int, int]],
    partition: tuple[str, str] | None = None,
    sort: list[str] | None = None,
) -> Path:
    """Write an Iceberg table's metadata: ``snapshots`` are (id, time ms, operation, added,
    total) tuples, oldest first; ``partition`` is (transform, column)."""
    database, name = key.split(".")
    table = warehouse / database / name
    (table / "metadata").mkdir(parents=True)
    ids = {c: i + 1 for i, (c, _) in enumerate(columns)}
    fields = [{"id": ids[c], "name": c, "required": False, "type": t} for c, t in columns]
    spec_fields = []
    if partition:
        transform, column = partition
        spec_fields = [
            {
                "name": f"{column}_{transform}",
                "transform": transform,
                "source-id": ids[column],
                "field-id": 1000,
            }
        ]
    order_fields = [
        {
            "transform": "identity",
            "source-id": ids[c],
            "direction": "asc",
            "null-order": "nulls-first",
        }
        for c in sort or []
    ]
    meta: dict[str, Any] = {
        "format-version": 2,
        "location": f"file:{table}",
        "current-schema-id": 0,
        "schemas": [{"type": "struct", "schema-id": 0, "fields": fields}],
        "default-spec-id": 0,
        "partition-specs": [{"spec-id": 0, "fields": spec_fields}],
        "default-sort-order-id": 1 if order_fields else 0,
        "sort-orders": [{"order-id": 0, "fields": []}, {"order-id": 1, "fields": order_fields}],
        "properties": {"write.parquet.compression-codec": "zstd"},
        "current-snapshot-id": snapshots[-1][0] if snapshots else -1,
        "snapshots": [
            {
                "snapshot-id": sid,
                "timestamp-ms": at,
                "summary": {
                    "operation": op,
                    "added-records": str(added),
                    "total-records": str(total),
                    "added-files-size": str(added * 40),
                    "total-files-size": str(total * 40),
                },
            }
            for sid, at, op, added, total in snapshots
        ],
    }
    (table / "metadata" / "v3.metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    (table / "metadata" / "version-hint.text").write_text("3", encoding="utf-8")
    return table


def _iso(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


def write_run(runs: Path, run_id: str, at: int, events: list[Event]) -> Path:
    """Record ``events`` as the runner does (its RunLog), in ``<runs>/<at>-<run_id>.jsonl``."""
    path = runs / f"{at}-{run_id}.jsonl"
    with RunLog(run_id, path) as record:
        for event in events:
            record(event)
    return path


def _checks(passed_unique: bool) -> list[dict[str, Any]]:
    failed = 0 if passed_unique else 2
    return [
        {
            "name": "schema_match",
            "passed": True,
            "detail": "schema as expected",
            "failed_rows": None,
            "total_rows": None,
        },
        {
            "name": "row_count_min(1)",
            "passed": True,
            "detail": "expected at least 1 rows, found 9",
            "failed_rows": 0,
            "total_rows": 9,
        },
        {
            "name": "unique(o_orderkey)",
            "passed": passed_unique,
            "detail": f"{failed} of 9 rows share their key with another row",
            "failed_rows": failed,
            "total_rows": 9,
        },
    ]


def compile_contracts(root: Path) -> Path:
    """Compile the repository's contracts as ``dp contract compile`` does, into
    ``<root>/dist/contracts`` (where dp docs looks first); return that folder."""
    from dp_cli.contracts.compile import compile_all, write_compiled

    out = root / "dist" / "contracts"
    write_compiled(compile_all(root), out)
    return out


def build_fixture(base: Path) -> Fixture:
    """The repository, lake and run logs described in the module docstring, under ``base``."""
    root, lake, runs = base / "repo", base / "lake", base / "runs"
    (root / "setup").mkdir(parents=True)
    shutil.copy(ROOT / "setup" / "domain.json", root / "setup" / "domain.json")
    projects = root / "infrastructure" / "projects"
    projects.mkdir(parents=True)
    shutil.copy(ROOT / "infrastructure" / "projects" / "project.schema.json", projects)
    for name in ("project01", "test02"):
        (projects / name).mkdir()
        shutil.copy(ROOT / "infrastructure" / "projects" / name / "project.json", projects / name)
        shutil.copytree(CONTRACTS / name, projects / name / "contracts")
    compile_contracts(root)
    warehouse = lake / "warehouse"
    write_table(
        warehouse,
        ORDERS,
        ORDERS_COLUMNS,
        [(11, T0 + 60_000, "overwrite", 9, 9)],
        partition=("year", "o_orderdate"),
        sort=["o_orderkey"],
    )
    write_table(
        warehouse,
        SUMMARY,
        [("l_returnflag", "string"), ("count_order", "long")],
        [(21, T0 + 120_000, "overwrite", 4, 4)],
    )
    write_table(
        warehouse,
        CUSTOMERS,
        CUSTOMERS_COLUMNS,
        [(31, T0 + 180_000, "overwrite", 5, 5)],
    )

    def attempt(
        run: str,
        job: str,
        at: int,
        ok: bool,
        inputs: list[str],
        outputs: list[str],
        reason: str | None = None,
    ) -> list[Event]:
        return [
            JobStarted(run, "project01", job, 1, f"{run}-{job}", _iso(at)),
            JobAttempt(
                run,
                "project01",
                job,
                1,
                ok=ok,
                seconds=30.0 if job == "refine" else 20.0,
                returncode=0 if ok else 1,
                started_at=_iso(at),
                job_run_id=f"{run}-{job}",
                error=None if ok else "States.TaskFailed",
                reason=reason,
                inputs=inputs,
                outputs=outputs,
                log_file=f"logs/project01-{job}-{run}.log",
            ),
            JobFinished(
                run,
                "project01",
                job,
                ok,
                1,
                30.0,
                None if ok else "States.TaskFailed",
                reason,
                rows_written=9 if ok and job == "refine" else (4 if ok else 0),
            ),
        ]

    first = "run1good"
    write_run(
        runs,
        first,
        T0,
        [
            PipelineStarted(
                first,
                "project01",
                "order_to_revenue",
                ["refine", "curate"],
                2,
                60,
                2.0,
                "cron(0 6 * * ? *)",
                started_at=_iso(T0),
            ),
            ChecksRun(first, "project01", "refine", 1, ORDERS, True, _checks(True)),
            TableWritten(
                first, "project01", "refine", 1, ORDERS, "overwrite", 11, "overwrite", 9, 0, 9, 360
            ),
            *attempt(first, "refine", T0, True, [RAW_ORDERS], [ORDERS]),
            TableWritten(
                first, "project01", "curate", 1, SUMMARY, "overwrite", 21, "overwrite", 4, 0, 4, 160
            ),
            *attempt(first, "curate", T0 + 30_000, True, [ORDERS], [SUMMARY]),
            PipelineFinished(
                first,
                "project01",
                "order_to_revenue",
                True,
                50.0,
                rows_written=13,
                checks_passed=3,
                finished_at=_iso(T0 + 50_000),
            ),
        ],
    )
    second = "run2bad"
    at = T0 + DAY_MS
    reason = "DataQualityError: 1 of 3 data-quality checks failed on orders: unique(o_orderkey)"
    write_run(
        runs,
        second,
        at,
        [
            PipelineStarted(
                second,
                "project01",
                "order_to_revenue",
                ["refine", "curate"],
                2,
                60,
                2.0,
                "cron(0 6 * * ? *)",
                started_at=_iso(at),
            ),
            ChecksRun(second, "project01", "refine", 1, ORDERS, False, _checks(False)),
            *attempt(second, "refine", at, False, [RAW_ORDERS], [], reason),
            PipelineFinished(
                second,
                "project01",
                "order_to_revenue",
                False,
                30.0,
                failed_job="refine",
                error="States.TaskFailed",
                reason=reason,
                checks_passed=2,
                checks_failed=1,
                finished_at=_iso(at + 30_000),
            ),
        ],
    )
    return Fixture(root, lake, runs, base / "site")
