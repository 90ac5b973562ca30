"""Helpers of the bad-input and environment fault tests: damaged files, folder fingerprints,
`dp` runs in a process of their own, and a private mount namespace for a full or read-only disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dp_foundation.config import args as glue_args
from dp_foundation.config import settings

ROOT = Path(__file__).resolve().parents[2]
DP = Path(sys.executable).with_name("dp")


def fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path: equal before and after means
    nothing was modified, added or deleted."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_parquet(path: Path, table: pa.Table) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def truncate(path: Path) -> Path:
    """Cut a file in half (an interrupted upload)."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def damage_pages(path: Path) -> Path:
    """Flip bytes just after the leading magic: the footer still reads, the data pages do not."""
    data = bytearray(path.read_bytes())
    for i in range(8, min(64, len(data) - 16)):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def current_metadata(table_dir: Path) -> str:
    """The name of the table's current metadata file (Hadoop catalog: version-hint.text)."""
    hint = (table_dir / "metadata" / "version-hint.text").read_text(encoding="utf-8").strip()
    return f"v{hint}.metadata.json"


def dp_env(lake: Path, contracts: Path | None = None) -> dict[str, str]:
    """The environment of a `dp` process on the test's lake."""
    env = {
        **os.environ,
        "ENV": "local",
        "DP_LAKE_DIR": str(lake),
        "DP_SPARK_MASTER": "local[2]",
        "DP_SHUFFLE_PARTITIONS": "2",
        "DP_DRIVER_MEMORY": "1g",
    }
    for name in (
        "DP_RUNTIME",
        "JOB_RUN_ID",
        "DP_DOMAIN_FILE",
        "PYSPARK_PYTHON",
        "DP_CONTRACTS_DIR",
    ):
        env.pop(name, None)
    if contracts is not None:
        env["DP_CONTRACTS_DIR"] = str(contracts)
    return env


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``argv`` in a process of its own, from the repository root."""
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _works(argv: list[str]) -> bool:
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
    except OSError:
        return False
    return done.returncode == 0


def namespace_prefix() -> tuple[list[str], str]:
    """How this machine gives a process a private mount namespace (for a tiny or read-only
    filesystem that only it sees), and which way that was. Root: ``unshare --mount``;
    otherwise an unprivileged user namespace; otherwise passwordless sudo, dropping back to
    this user for the job (``setpriv``).

    Raises:
        AssertionError: none works here; say what is needed.
    """
    probe = ["sh", "-c", "mount -t tmpfs -o size=4k tmpfs /tmp"]
    if os.geteuid() == 0 and _works(["unshare", "--mount", *probe]):
        return ["unshare", "--mount"], "root"
    if _works(["unshare", "--user", "--map-root-user", "--mount", *probe]):
        return ["unshare", "--user", "--map-root-user", "--mount"], "user namespace"
    if shutil.which("sudo") and _works(["sudo", "-n", "unshare", "--mount", *probe]):
        return ["sudo", "-n", "-E", "unshare", "--mount"], "sudo"
    raise AssertionError(
        "no private mount namespace here: the full-disk test needs root, unprivileged user "
        "namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 24.04) "
        "or passwordless sudo"
    )


def in_namespace(prefix: tuple[list[str], str], setup: str, argv: list[str]) -> list[str]:
    """A command running ``setup`` (shell, mounts) then ``argv`` in a private namespace; with
    sudo the job itself runs as this user again."""
    words, how = prefix
    run = " ".join(f"'{a}'" for a in argv)
    if how == "sudo":
        run = f"setpriv --reuid={os.getuid()} --regid={os.getgid()} --clear-groups {run}"
    return [*words, "sh", "-c", f"set -e; {setup}; exec {run}"]


def as_json(text: str) -> list[dict[str, object]]:
    """The JSON log records among a process's output lines."""
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


@contextmanager
def job_args(contracts_dir: Path, *args: str) -> Iterator[None]:
    """Run a job's ``main`` in this process with Glue arguments ``args`` in ``sys.argv``."""
    # The job bridges its arguments into the process on first use: the record of them is
    # restored too, or they would reach every later test of this worker (module fixtures run
    # outside the per-test clean-up).
    saved_argv, saved_env = list(sys.argv), dict(os.environ)
    saved_bridged = dict(glue_args._bridged)
    sys.argv[:] = ["job", *args]
    os.environ["DP_CONTRACTS_DIR"] = str(contracts_dir)
    settings._reset()
    try:
        yield
    finally:
        sys.argv[:] = saved_argv
        os.environ.clear()
        os.environ.update(saved_env)
        glue_args._bridged.clear()
        glue_args._bridged.update(saved_bridged)
        settings._reset()
