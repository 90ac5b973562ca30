"""The environment failing: a full disk, a read-only lake, no Java, a port in use. Each ends
in a clear error, and the table keeps its last snapshot, readable by another engine.

A full disk is made two ways. In this process, the JVM's file-size limit is lowered while a
write runs (RLIMIT_FSIZE: the kernel refuses the write, Java gets an IOException), which works
on any Linux without privileges. Through `dp run`, the table's data folder becomes a full
4 KiB tmpfs in a private mount namespace that only the job sees (root, an unprivileged user
namespace, or sudo); the same namespace gives a read-only bind mount, since root ignores
file modes.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from badinput_helpers import (
    DP,
    current_metadata,
    dp_env,
    in_namespace,
    job_args,
    namespace_prefix,
    run,
)

from dp_foundation.exceptions import StorageError
from dp_foundation.io.failures import named_failures
from dp_foundation.io.writers import write_iceberg

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("faults")]


@pytest.fixture(scope="module")
def nation(lake: Path, spark: SparkSession) -> dict[str, Any]:
    """The refined ``nation`` table of the test lake at a good snapshot, and its raw data."""
    from dp_cli.projects import load_project
    from dp_cli.runner import compile_contracts
    from dp_cli.sample_data import generate_tpch
    from dp_foundation.config import settings
    from jobs.project01 import refine

    cfg = settings.get_config()
    generate_tpch(cfg.raw_uri, 0.01)
    compiled = compile_contracts(load_project("project01"))
    with job_args(compiled, "--TABLES", "nation"):
        refine.main()
    env = dp_env(lake)
    _, database, name = cfg.table("refined", "nation").split(".")
    return {"dir": lake / "warehouse" / database / name, "env": env}


def _rows(duckdb_iceberg: Any, table_dir: Path) -> int:
    found = duckdb_iceberg.execute(f"SELECT count(*) FROM iceberg_scan('{table_dir}')").fetchone()
    return int(found[0])


def _refine_nation(
    namespace: tuple[list[str], str] | None, setup: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    # A full refresh rewrites the table even when no raw batch is new.
    argv = [
        str(DP),
        "run",
        "project01/refine",
        "--",
        "--TABLES",
        "nation",
        "--FULL_REFRESH",
        "true",
    ]
    if namespace is None:
        return run(argv, env)
    return run(in_namespace(namespace, setup, argv), env)


@pytest.fixture(scope="module")
def namespace() -> tuple[list[str], str]:
    """How this machine gives the job a private mount namespace."""
    return namespace_prefix()


def test_disk_full_in_a_private_tmpfs_fails_dp_run_clearly(
    nation: dict[str, Any], namespace: tuple[list[str], str], duckdb_iceberg: Any
) -> None:
    data = nation["dir"] / "data"
    before = current_metadata(nation["dir"])
    # A busy Spark UI port on the way: the local session binds no fixed port.
    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind(("127.0.0.1", 4040))
        busy.listen()
        setup = (
            f"mount -t tmpfs -o size=4k tmpfs '{data}'; "
            f"dd if=/dev/zero of='{data}/.fill' bs=1k count=64 2>/dev/null || true"
        )
        done = _refine_nation(namespace, setup, nation["env"])
    out = done.stdout + done.stderr
    assert done.returncode == 1, out[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert "failed: StorageError: no space left on device" in summary, summary
    assert "free space there and rerun" in summary
    assert current_metadata(nation["dir"]) == before
    assert _rows(duckdb_iceberg, nation["dir"]) == 25
    assert not (data / ".fill").exists()  # the tmpfs was the job's alone


def test_read_only_lake_fails_dp_run_clearly(
    nation: dict[str, Any], namespace: tuple[list[str], str], duckdb_iceberg: Any
) -> None:
    table = nation["dir"]
    before = current_metadata(table)
    if os.geteuid() == 0:  # root writes through file modes: a read-only mount it is
        setup = f"mount --bind '{table}' '{table}'; mount -o remount,bind,ro '{table}'"
        done = _refine_nation(namespace, setup, nation["env"])
    else:
        modes = {p: p.stat().st_mode for p in [table, *table.rglob("*")] if p.is_dir()}
        for folder in modes:
            folder.chmod(0o555)
        try:
            done = _refine_nation(None, "", nation["env"])
        finally:
            for folder, mode in modes.items():
                folder.chmod(mode)
    assert done.returncode == 1, (done.stdout + done.stderr)[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert "failed: StorageError: cannot write at " in summary, summary
    assert str(table) in summary and "read-only or not writable" in summary
    assert current_metadata(table) == before
    assert _rows(duckdb_iceberg, table) == 25


@pytest.fixture
def jvm_file_size_limit(spark: SparkSession) -> Iterator[Any]:
    """Lower the JVM's file-size limit to ``n`` bytes while the test runs (then restore)."""
    pid = spark.sparkContext._jvm.ProcessHandle.current().pid()  # type: ignore[union-attr]
    saved = resource.prlimit(pid, resource.RLIMIT_FSIZE)

    def limit(size: int) -> None:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (size, saved[1]))

    try:
        yield limit
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, saved)


def test_a_write_refused_by_the_kernel_leaves_the_table_at_its_snapshot(
    spark: SparkSession, lake: Path, jvm_file_size_limit: Any, duckdb_iceberg: Any
) -> None:
    table = f"glue_catalog.faults_env.kept_{uuid.uuid4().hex[:8]}"
    write_iceberg(spark.range(10).selectExpr("id", "uuid() AS s"), table, mode="overwrite")
    folder = lake / "warehouse" / "faults_env" / table.rsplit(".", 1)[1]
    before = current_metadata(folder)
    jvm_file_size_limit(4096)  # any data file of the next write is larger
    with pytest.raises(StorageError, match="file-size limit was reached"), named_failures():
        write_iceberg(spark.range(50_000).selectExpr("id", "uuid() AS s"), table, mode="overwrite")
    assert current_metadata(folder) == before
    assert _rows(duckdb_iceberg, folder) == 10


@pytest.mark.parametrize("java_home", ["missing", "unset"])
def test_no_java_is_said_before_anything_runs(
    java_home: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dp_cli.doctor import describe, diagnose
    from dp_cli.main import main

    os.environ["PATH"] = str(tmp_path)  # no java on PATH
    if java_home == "missing":
        os.environ["JAVA_HOME"] = str(tmp_path / "no-such-jdk")
    else:
        os.environ.pop("JAVA_HOME", None)
    for argv in (["run", "project01/refine"], ["pipeline", "run", "project01", "order_to_revenue"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        expected = "which has no bin/java" if java_home == "missing" else "no Java runtime"
        assert err.startswith("dp: error: ") and expected in err, err
    report = describe(diagnose())
    java_line = next(line for line in report.splitlines() if " java " in line)
    assert java_line.startswith("[FAIL]"), report
    fix = "unset JAVA_HOME" if java_home == "missing" else "openjdk-17"
    assert fix in report


def test_the_local_session_binds_no_fixed_port() -> None:
    from dp_foundation.spark.session import local_spark_conf

    conf = local_spark_conf("file:///tmp/warehouse")
    assert conf["spark.ui.enabled"] == "false"
    fixed = [k for k in conf if k.endswith(".port")]
    assert fixed == []  # Spark picks free ports (driver, block manager) by itself


def test_a_busy_emulator_port_is_a_clear_deploy_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dp_cli import local_aws

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setattr(local_aws, "free_port", lambda: port)
        log = tmp_path / "moto.log"
        with (
            pytest.raises(local_aws.DeployError, match=f"moto did not start on .*:{port}"),
            local_aws.moto_server(local_aws.repo_root(), log),
        ):
            pass
    assert "Address already in use" in log.read_text(encoding="utf-8")
