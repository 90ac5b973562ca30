"""Pipeline benchmark: project01 through the library vs the same work in plain PySpark.

For each scale factor, generates TPC-H raw data once, then runs, side by side and
alternating, (1) project01's pipeline exactly as `dp pipeline run` does (one process per job)
and (2) bench/plain_project01.py's plain-PySpark jobs (one process per job too), each
``--repeat`` times; keeps the best time of each. Prints the library's overhead ratio
(target <= 1.10) and how time grows from the smallest to the largest scale factor
(target: no worse than linear in the data size).

Usage: python bench/bench_pipeline.py [--sf 0.1 1] [--repeat 2] [--strict]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from dp_cli.projects import get_pipeline, load_project
from dp_cli.runner import run_pipeline
from dp_cli.sample_data import generate_tpch
from dp_foundation.config import settings

ROOT = Path(__file__).resolve().parents[1]


def library_run(lake: Path) -> float:
    os.environ["DP_LAKE_DIR"] = str(lake)
    settings._reset()
    project = load_project("project01", ROOT)
    started = time.perf_counter()
    result = run_pipeline(project, get_pipeline(project, "order_to_revenue"), backoff_scale=0)
    elapsed = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"library pipeline failed: {result.reason}")
    return elapsed


def plain_run(raw: Path, warehouse: Path) -> float:
    started = time.perf_counter()
    for job in ("refine", "curate"):
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "plain_project01.py"),
                job,
                str(raw),
                str(warehouse),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"},
        )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sf", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    base = ROOT / ".local" / "bench"
    os.environ.setdefault("DP_DRIVER_MEMORY", "4g")
    best: dict[float, tuple[float, float]] = {}
    for sf in args.sf:
        lib_lake, plain_wh = base / f"lib-sf{sf}", base / f"plain-sf{sf}" / "warehouse"
        shutil.rmtree(lib_lake / "warehouse", ignore_errors=True)
        shutil.rmtree(plain_wh, ignore_errors=True)
        raw_uri = settings.local_uri(lib_lake / "f01-raw-000000000000-local")
        generate_tpch(raw_uri, sf)
        raw = lib_lake / "f01-raw-000000000000-local" / "tpch"
        lib_times, plain_times = [], []
        for _ in range(args.repeat):
            lib_times.append(library_run(lib_lake))
            plain_times.append(plain_run(raw, plain_wh))
        best[sf] = (min(lib_times), min(plain_times))
        print(
            f"SF {sf:>5}: library {best[sf][0]:7.1f} s   plain PySpark {best[sf][1]:7.1f} s   "
            f"ratio {best[sf][0] / best[sf][1]:.3f}   "
            f"(runs: lib {[round(t, 1) for t in lib_times]}, "
            f"plain {[round(t, 1) for t in plain_times]})"
        )
    worst_ratio = max(lib / plain for lib, plain in best.values())
    print(f"library overhead: worst ratio {worst_ratio:.3f} (target <= 1.10)")
    ok = worst_ratio <= 1.10
    if len(best) > 1:
        small, large = min(best), max(best)
        growth = best[large][0] / best[small][0]
        data = large / small
        print(
            f"scaling SF {small} -> {large} ({data:.0f}x data): "
            f"time x{growth:.2f} (target <= x{data:.0f})"
        )
        ok = ok and growth <= data
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
