"""Catalog benchmark: how long ``dp docs`` takes on the local lake, against its 5 s budget.

Run after ``make demo`` (it reads the lake and run logs under ``.local/``). Two timings, side
by side, best of ``--repeat`` after one warm-up:

* ``build``: :func:`dp_cli.site.build_site` in this process (what the site costs);
* ``dp docs``: the command in a fresh process, as a person runs it (adds Python start-up and
  imports).

It prints both and their ratio to the 5 s target; no Spark session is started.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dp_cli.projects import repo_root
from dp_cli.site import build_site
from dp_foundation.config.settings import lake_dir

TARGET_SECONDS = 5.0


def best_of(repeat: int, run: object) -> float:
    assert callable(run)
    run()  # warm-up: file-system caches, imports
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root, lake = repo_root(), lake_dir()
    if not lake.is_dir():
        raise SystemExit(f"no lake at {lake}: run `make demo` first")
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "site"
        site = build_site(root, lake, out, runs_dir=lake.parent / "runs")
        build = best_of(
            args.repeat, lambda: build_site(root, lake, out, runs_dir=lake.parent / "runs")
        )
        command = best_of(
            args.repeat,
            lambda: subprocess.run(
                [sys.executable, "-m", "dp_cli", "docs", "--out", str(out)],
                cwd=root,
                check=True,
                capture_output=True,
            ),
        )
    print(f"catalog: {site.products} products, {site.tables} tables, {site.runs} runs")
    for name, seconds in (("build", build), ("dp docs", command)):
        print(
            f"{name:<8} {seconds:6.2f} s  = {seconds / TARGET_SECONDS:.2f} of the "
            f"{TARGET_SECONDS:.0f} s target"
        )


if __name__ == "__main__":
    main()
