"""End to end, as a user runs it: `dp demo`, reruns, a bad raw batch, and test02's upserts.

These run the real CLI in subprocesses against a temporary lake, so they take minutes; they
share one lake per module and run on one xdist worker (group "e2e") in the order written.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dp_cli.sample_data import tpch_answers
from dp_cli.verify import read_table

ROOT = Path(__file__).resolve().parents[1]
SF = 0.01
REFINED, CURATED = "f01_refined_local", "f01_curated_local"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e") / "lake"


def python(lake: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run this Python in the repository against ``lake``, as a user's shell would."""
    env = {k: v for k, v in os.environ.items() if k not in ("ENV", "AWS_ACCOUNT_ID", "DP_RUNTIME")}
    env.update(DP_LAKE_DIR=str(lake), DP_SPARK_MASTER="local[2]", DP_SHUFFLE_PARTITIONS="2")
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def dp(lake: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return python(lake, "-m", "dp_cli", *args)


def contents(lake: Path, database: str, table: str) -> list[tuple[object, ...]]:
    rows = read_table(lake / "warehouse" / database / table)
    return sorted(tuple(r.values()) for r in rows)


def snapshot_ids(lake: Path) -> dict[str, int | None]:
    from dp_cli.tables import list_tables

    return {f"{t.database}.{t.name}": t.snapshot_id for t in list_tables(lake / "warehouse")}


def raw_digest(lake: Path) -> dict[str, str]:
    raw = lake / "f01-raw-000000000000-local"
    return {
        str(p.relative_to(raw)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(raw.rglob("*"))
        if p.is_file()
    }


def test_demo_builds_curated_tables_equal_to_tpch_answers(lake: Path) -> None:
    result = dp(lake, "demo", "--scale-factor", str(SF))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "read back with DuckDB: match" in result.stdout
    # Every rule of the eight tables' contracts, plus their exact schema.
    assert "Data quality: 68/68 checks passed" in result.stdout

    # Independently of the demo's own comparison: pyiceberg reads the table Spark wrote.
    from pyiceberg.table import StaticTable

    table_dir = lake / "warehouse" / CURATED / "pricing_summary"
    metadata = max((table_dir / "metadata").glob("v*.metadata.json"), key=os.path.getmtime)
    arrow = StaticTable.from_metadata(str(metadata)).scan().to_arrow()
    got = {(r["l_returnflag"], r["l_linestatus"]): r for r in arrow.to_pylist()}
    for answer in tpch_answers(SF)[1]:
        row = got[(answer["l_returnflag"], answer["l_linestatus"])]
        assert str(row["sum_qty"]) == f"{float(answer['sum_qty']):.2f}"
        assert str(row["sum_charge"]) == answer["sum_charge"]
        assert row["count_order"] == int(answer["count_order"])
    q5 = {r[0]: str(r[1]) for r in contents(lake, CURATED, "local_supplier_volume")}
    assert q5 == {a["n_name"]: a["revenue"] for a in tpch_answers(SF)[5]}


def test_rerunning_the_pipeline_leaves_every_table_unchanged(lake: Path) -> None:
    tables = [(REFINED, t) for t in ("orders", "lineitem", "customer")]
    tables += [(CURATED, "pricing_summary"), (CURATED, "local_supplier_volume")]
    before = {t: contents(lake, *t) for t in tables}
    result = dp(lake, "pipeline", "run", "project01", "order_to_revenue")
    assert result.returncode == 0, result.stdout + result.stderr
    assert {t: contents(lake, *t) for t in tables} == before


def test_bad_raw_batch_stops_the_job_before_it_writes_and_loses_nothing(lake: Path) -> None:
    import duckdb

    orders = lake / "f01-raw-000000000000-local" / "tpch" / "orders"
    raw_before, snaps_before = raw_digest(lake), snapshot_ids(lake)
    # A second batch lands with two versions of one order, one with an unknown status.
    late = orders / "batch_id=2"
    late.mkdir()
    first = f"read_parquet('{orders}/batch_id=1/part-0.parquet')"
    duckdb.sql(
        f"COPY (SELECT * FROM (FROM {first} LIMIT 1) UNION ALL "
        f"SELECT * REPLACE ('X' AS o_orderstatus) FROM (FROM {first} LIMIT 1)) "
        f"TO '{late}/part-0.parquet' (FORMAT PARQUET)"
    )
    try:
        # One attempt of the job (the pipeline's retry/stop semantics are tested in tests/cli).
        result = dp(lake, "run", "project01/refine")
        assert result.returncode == 1
        assert "project01/refine failed: DataQualityError" in result.stdout
        assert "unique(o_orderkey)" in result.stdout
        assert "value_in_set(o_orderstatus" in result.stdout
        assert snapshot_ids(lake) == snaps_before  # every table at its last good snapshot
    finally:
        shutil.rmtree(late)
    assert raw_digest(lake) == raw_before  # no raw file modified or deleted


def test_test02_upserts_quarantines_and_reruns_idempotently(lake: Path) -> None:
    assert dp(lake, "generate", "--crm-batch", "1").returncode == 0
    first = dp(lake, "pipeline", "run", "test02", "customer_dimension")
    assert first.returncode == 0, first.stdout + first.stderr
    dim = contents(lake, REFINED, "customer_dim")
    quarantine = contents(lake, REFINED, "customer_quarantine")
    assert len(dim) == 200 and len({r[0] for r in dim}) == 200
    assert len(quarantine) == 4
    assert {r[0]: r[2] for r in dim}[1].endswith("(moved)")  # the later of two changes won

    again = dp(lake, "pipeline", "run", "test02", "customer_dimension")
    assert again.returncode == 0
    assert contents(lake, REFINED, "customer_dim") == dim
    assert contents(lake, REFINED, "customer_quarantine") == quarantine

    assert dp(lake, "generate", "--crm-batch", "2").returncode == 0
    assert dp(lake, "pipeline", "run", "test02", "customer_dimension").returncode == 0
    updated = {r[0]: r for r in contents(lake, REFINED, "customer_dim")}
    assert len(updated) == 200
    old = {r[0]: r for r in dim}
    changed = [k for k in updated if updated[k] != old[k]]
    assert len(changed) == 40  # every fifth customer got batch 2's change
    assert all(
        updated[k][5] == old[k][5] + 10 for k in changed if not old[k][2].endswith("(moved)")
    )


def test_readme_job_example_runs_against_the_demo_tables(lake: Path, tmp_path: Path) -> None:
    """The README's job example is real code: run it as a job script on the demo's lake."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "def main" in b]
    script = tmp_path / "example_job.py"
    script.write_text(example, encoding="utf-8")
    result = python(lake, str(script), "--JOB_NAME", "readme-example")
    assert result.returncode == 0, result.stdout + result.stderr
    daily = contents(lake, CURATED, "daily_orders")
    assert sum(int(r[1]) for r in daily) == 15_000  # every order of SF 0.01, counted once
