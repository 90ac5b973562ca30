"""The catalog of a real run: test02's pipeline on the CRM feed (Spark, in the job's own
process, as `dp pipeline run` runs it) into a temporary lake, then `dp docs`. What the site
says about lineage, rows written and checks comes from that run's records, not a fixture."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dp_cli.site import build_site
from dp_cli.site.catalog import load_catalog

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site-pipeline")]

ROOT = Path(__file__).resolve().parents[2]
DIM, QUARANTINE = "f01_refined_local.customer_dim", "f01_refined_local.customer_quarantine"
FEED = "f01-raw-000000000000-local/crm/customer_changes"


def _dp(lake: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ENV", "AWS_ACCOUNT_ID", "DP_RUNTIME")}
    env.update(DP_LAKE_DIR=str(lake), DP_SPARK_MASTER="local[2]", DP_SHUFFLE_PARTITIONS="2")
    return subprocess.run(
        [sys.executable, "-m", "dp_cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lake after one run of test02's pipeline on CRM batch 1."""
    lake = tmp_path_factory.mktemp("site-e2e") / "lake"
    generated = _dp(lake, "generate", "--crm-batch", "1")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    run = _dp(lake, "pipeline", "run", "test02", "customer_dimension")
    assert run.returncode == 0, run.stdout + run.stderr
    # The progress a person sees comes from the same events as the run log.
    assert "✓ 7/7 checks passed on f01_refined_local.customer_dim" in run.stdout
    assert f"→ wrote {DIM} (merge, 200 rows added)" in run.stdout
    return lake


def test_lineage_rows_and_checks_of_a_real_run(lake: Path) -> None:
    catalog = load_catalog(ROOT, lake, lake.parent / "runs")
    (run,) = catalog.runs
    assert (run.project, run.pipeline, run.status) == ("test02", "customer_dimension", "succeeded")
    # Reads observed in the job's Spark plans; writes from the writer's commits.
    assert set(catalog.lineage.edges) == {
        (FEED, "job:test02/customer_changes"),
        ("job:test02/customer_changes", DIM),
        ("job:test02/customer_changes", QUARANTINE),
    }
    # Rows written: the added-records of the snapshots the run committed.
    written = {w.table: w.added_records for w in run.writes}
    assert written == {DIM: 200, QUARANTINE: 4}
    tables = {t.key: t for t in catalog.tables}
    assert tables[DIM].rows == 200 and tables[QUARANTINE].rows == 4
    assert tables[DIM].project == "test02"
    assert [c.name for c in tables[DIM].columns][:2] == ["c_custkey", "c_name"]
    assert tables[DIM].sort_order == ["c_custkey ASC NULLS FIRST"]
    # The checker's own records, consumed as they are: the dimension's and the quarantine's.
    checks = {c.dataset: c for c in run.checks}
    assert set(checks) == {DIM, QUARANTINE}
    assert checks[DIM].passed and len(checks[DIM].checks) == 7
    assert checks[QUARANTINE].passed
    # Schemas from the contracts the runner compiled for the job, which its tables match.
    for key in (DIM, QUARANTINE):
        assert tables[key].schema_source == "contract", key
        assert tables[key].disagreements == [], key
    assert tables[DIM].contract is not None
    assert tables[DIM].contract.compiled.is_relative_to(lake.parent / "build" / "contracts")


def test_dp_docs_builds_the_site_of_the_lake(lake: Path, tmp_path: Path) -> None:
    site = build_site(ROOT, lake, tmp_path / "site", lake.parent / "runs")
    assert (site.products, site.tables, site.runs) == (2, 2, 1)
    product = (tmp_path / "site" / "products" / "test02.html").read_text(encoding="utf-8")
    edges = set(re.findall(r'<path class="edge" data-from="([^"]+)" data-to="([^"]+)"', product))
    assert (FEED, "job:test02/customer_changes") in edges
    result = _dp(lake, "docs")
    assert result.returncode == 0, result.stderr
    assert "catalog: 2 products, 2 tables, 1 runs" in result.stdout
    assert (lake.parent / "site" / "index.html").is_file()
