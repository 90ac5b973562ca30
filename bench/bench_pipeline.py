"""Pipeline benchmark: project01 through the library vs the same work in plain PySpark.

For each scale factor, generates TPC-H raw data once, then runs, side by side and
alternating, (1) project01's pipeline exactly as `dp pipeline run` does (one process per job)
and (2) bench/plain_project01.py's plain-PySpark jobs (one process per job too), each
``--repeat`` times; keeps the best time of each. Prints the library's overhead ratio
(target <= 1.10) and how time grows from the smallest to the largest scale factor
(target: no worse than linear in the data size).

``--scaling`` runs the library's pipeline only (no plain-PySpark baseline), once per scale
factor unless ``--repeat`` says otherwise, and prints each job's time, rows per second and how
time grows against the data, e.g. ``--scaling --sf 1 10`` (76.6 million raw rows at SF 10).
The local runtime sizes itself (:func:`dp_foundation.spark.session.local_sizing`); the
sizing used is printed first. Data and tables go under ``.local/bench`` (or ``--dir``).

Usage: python bench/bench_pipeline.py [--sf 0.1 1] [--repeat 2] [--strict]
       python bench/bench_pipeline.py --scaling --sf 1 10 [--dir DIR]
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


def library_run(lake: Path) -> tuple[float, dict[str, float]]:
    """Run project01's pipeline on ``lake``; return its time and each job's (last attempt)."""
    os.environ["DP_LAKE_DIR"] = str(lake)
    settings._reset()
    project = load_project("project01", ROOT)
    started = time.perf_counter()
    # A full recompute every time: an incremental rerun would find no new batch and do nothing.
    result = run_pipeline(
        project,
        get_pipeline(project, "order_to_revenue"),
        backoff_scale=0,
        job_arguments={"refine": ["--FULL_REFRESH", "true"]},
    )
    elapsed = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"library pipeline failed at {result.failed_job}: {result.reason}")
    return elapsed, {run.job: run.seconds for run in result.runs}


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


def generate(lake: Path, sf: float) -> int:
    """TPC-H at ``sf`` in ``lake``'s raw bucket (kept between runs); return its rows."""
    raw_uri = settings.local_uri(lake / "f01-raw-000000000000-local")
    started = time.perf_counter()
    manifest = generate_tpch(raw_uri, sf)
    rows = sum(manifest["rows"].values())
    print(f"SF {sf:>5}: {rows:,} raw rows ready in {time.perf_counter() - started:.1f} s")
    return rows


def scaling(base: Path, sfs: list[float], repeat: int, strict: bool) -> int:
    """Time the library's pipeline alone at each scale factor; print how time grows."""
    from dp_foundation.spark.session import local_sizing, this_machine

    machine = this_machine()
    print(
        f"machine: {machine.cores} cores, {machine.memory_bytes / 2**30:.1f} GiB; "
        f"local runtime: {local_sizing(machine, os.environ)}",
        flush=True,
    )
    measured: dict[float, tuple[float, int]] = {}
    for sf in sfs:
        lake = base / f"lib-sf{sf}"
        rows = generate(lake, sf)
        times = []
        for _ in range(repeat):
            shutil.rmtree(lake / "warehouse", ignore_errors=True)  # every run starts empty
            load_before = os.getloadavg()[0]
            elapsed, jobs = library_run(lake)
            times.append(elapsed)
            per_job = "  ".join(f"{job} {seconds:.1f} s" for job, seconds in jobs.items())
            # The machine may be shared: the load says how much of it the run had.
            print(
                f"SF {sf:>5}: pipeline {elapsed:7.1f} s ({per_job}), "
                f"{rows / elapsed:,.0f} raw rows/s; load average {load_before:.1f} before, "
                f"{os.getloadavg()[0]:.1f} after",
                flush=True,
            )
        measured[sf] = (min(times), rows)
    if len(measured) < 2:
        return 0
    small, large = min(measured), max(measured)
    growth = measured[large][0] / measured[small][0]
    data = measured[large][1] / measured[small][1]
    print(
        f"scaling SF {small} -> {large} (x{data:.1f} raw rows): time x{growth:.2f} "
        f"(target <= x{data:.1f}, i.e. at most linear)"
    )
    return 0 if growth <= data or not strict else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sf", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--repeat", type=int, default=None, help="runs per scale factor")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--scaling", action="store_true", help="the library's pipeline only: time vs data size"
    )
    parser.add_argument("--dir", type=Path, default=ROOT / ".local" / "bench")
    args = parser.parse_args()
    base = args.dir.resolve()
    if args.scaling:
        return scaling(base, sorted(args.sf), args.repeat or 1, args.strict)
    best: dict[float, tuple[float, float]] = {}
    for sf in args.sf:
        lib_lake, plain_wh = base / f"lib-sf{sf}", base / f"plain-sf{sf}" / "warehouse"
        shutil.rmtree(lib_lake / "warehouse", ignore_errors=True)
        shutil.rmtree(plain_wh, ignore_errors=True)
        generate(lib_lake, sf)
        raw = lib_lake / "f01-raw-000000000000-local" / "tpch"
        lib_times, plain_times = [], []
        for _ in range(args.repeat or 2):
            lib_times.append(library_run(lib_lake)[0])
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
